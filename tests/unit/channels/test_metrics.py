"""Prometheus metrics: turn counters and the backlog read from the database at scrape time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prometheus_client import REGISTRY

from channels.metrics import AGENT_BLOCKS, DeskBacklog, TurnTimer
from complaint_desk import clock
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.follow_ups import FollowUpStore, RetryPolicy
from complaint_desk.stores.handoffs import HandoffQueue


def sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_timed_turn_is_counted_by_channel_and_outcome() -> None:
    before = sample("complaint_desk_turns_total", {"channel": "rest", "outcome": "silent_fallback"})
    timed = sample("complaint_desk_turn_seconds_count", {"channel": "rest"})
    TurnTimer("rest").done("silent_fallback")
    assert sample("complaint_desk_turns_total", {"channel": "rest", "outcome": "silent_fallback"}) == before + 1
    assert sample("complaint_desk_turn_seconds_count", {"channel": "rest"}) == timed + 1
    AGENT_BLOCKS.labels("promise").inc()
    assert sample("complaint_desk_agent_messages_blocked_total", {"family": "promise"}) >= 1


def test_the_backlog_counts_waiting_handoffs_and_follow_ups_overdue_and_given_up(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'metrics.db'}")
    create_schema(engine)
    sessions = session_factory(engine)
    handoffs = HandoffQueue(sessions)
    handoffs.hand_off("c1", "privacy", "客户反映个人信息泄露")
    handoffs.hand_off("c4", "red_risk", "…", respond_by=clock.now() - dt.timedelta(minutes=1))  # nobody answered
    handoffs.hand_off("c5", "red_risk", "…", respond_by=clock.now() - dt.timedelta(minutes=1))
    handoffs.answered("c5")
    follow_ups = FollowUpStore(sessions, retry=RetryPolicy(max_attempts=1))
    past = clock.now() - dt.timedelta(hours=2)
    follow_ups.schedule("T1", "c1", past)
    follow_ups.schedule("T2", "c2", past)
    [first, _] = follow_ups.claim_due(clock.now())
    follow_ups.release(first, clock.now(), "HTTP 503")  # the only attempt: given up
    follow_ups.schedule("T3", "c3", past)
    gauges = {family.name: family.samples[0].value for family in DeskBacklog(lambda: sessions).collect()}
    assert gauges == {"complaint_desk_handoffs_waiting": 3.0, "complaint_desk_handoffs_overdue": 1.0,
                      "complaint_desk_open_tickets": 0.0,
                      "complaint_desk_follow_ups_overdue": 2.0, "complaint_desk_follow_ups_failed": 1.0}


def test_a_database_failure_leaves_the_gauges_out_instead_of_failing_the_scrape() -> None:
    def broken() -> None:
        raise RuntimeError("database down")

    assert list(DeskBacklog(broken).collect()) == []


def test_the_age_of_the_newest_worker_heartbeat_is_a_gauge(tmp_path: Path) -> None:
    from complaint_desk.stores.heartbeats import Heartbeats

    engine = engine_for(f"sqlite:///{tmp_path / 'beats.db'}")
    create_schema(engine)
    sessions = session_factory(engine)
    Heartbeats(sessions).beat("host-a:followup_worker", "followup_worker", clock.now() - dt.timedelta(seconds=90))
    gauges = {family.name: family.samples[0].value for family in DeskBacklog(lambda: sessions).collect()}
    assert 89 <= gauges["complaint_desk_followup_worker_seconds_since_beat"] <= 120
