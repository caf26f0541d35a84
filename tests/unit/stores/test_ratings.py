"""Ratings: one per subject (rating again changes it), summed per star, per kind and per agent."""

from __future__ import annotations

import datetime as dt

import pytest

from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.ratings import RatingStore

NOW = dt.datetime(2026, 12, 7, 10, 0)


@pytest.fixture
def ratings() -> RatingStore:
    engine = engine_for("sqlite://")
    create_schema(engine)
    return RatingStore(session_factory(engine))


def test_rating_again_changes_the_rating(ratings: RatingStore) -> None:
    ratings.rate("c1", "ticket:T1", 2, "太慢", ticket_id="T1", now=NOW)
    ratings.rate("c1", "ticket:T1", 4, None, ticket_id="T1", now=NOW + dt.timedelta(minutes=1))
    [kept] = ratings.of_conversation("c1")
    assert (kept.stars, kept.comment) == (4, None)


def test_the_summary_counts_per_star_kind_and_agent(ratings: RatingStore) -> None:
    ratings.rate("c1", "ticket:T1", 5, "很快", ticket_id="T1", now=NOW)
    ratings.rate("c2", "agent:7:20261207100000", 2, "态度一般", account_id=7, now=NOW)
    ratings.rate("c3", "agent:7:20261207110000", 4, account_id=7, now=NOW + dt.timedelta(hours=1))
    summary = ratings.summary()
    assert summary["all"] == {"count": 3, "average": 3.67, "by_stars": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}}
    assert summary["ticket"]["count"] == 1 and summary["agent"]["average"] == 3.0
    assert summary["by_agent"][7]["count"] == 2
    assert [c["comment"] for c in summary["recent_comments"]] == ["态度一般", "很快"]  # newest first
    assert ratings.summary(since=NOW + dt.timedelta(minutes=30))["all"]["count"] == 1


def test_stars_outside_one_to_five_never_reach_the_table(ratings: RatingStore) -> None:
    with pytest.raises(ValueError):
        ratings.rate("c1", "ticket:T1", 6)
