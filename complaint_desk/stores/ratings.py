"""Shoppers' 1–5 star ratings: one per ticket and one per agent's closed service (a shopper who rates again
changes their rating). Read by the supervisor's team page."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.stores.tables import SatisfactionRatingRow

STARS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Rating:
    conversation_id: str
    subject: str
    ticket_id: str | None
    account_id: int | None
    stars: int
    comment: str | None
    at: dt.datetime


def _summary(stars: list[int]) -> dict[str, Any]:
    counts = Counter(stars)
    return {"count": len(stars), "average": round(sum(stars) / len(stars), 2) if stars else None,
            "by_stars": {str(n): counts[n] for n in STARS}}


class RatingStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def rate(self, conversation_id: str, subject: str, stars: int, comment: str | None = None, *,
             ticket_id: str | None = None, account_id: int | None = None, now: dt.datetime | None = None) -> Rating:
        if stars not in STARS:
            raise ValueError(f"stars must be 1..5, not {stars!r}")
        with self._sessions.begin() as session:
            row = session.scalars(sa.select(SatisfactionRatingRow).where(
                SatisfactionRatingRow.conversation_id == conversation_id,
                SatisfactionRatingRow.subject == subject).with_for_update()).first()
            if row is None:
                row = SatisfactionRatingRow(conversation_id=conversation_id, subject=subject)
                session.add(row)
            row.ticket_id, row.account_id, row.stars, row.comment = ticket_id, account_id, stars, comment or None
            row.at = now or clock.now()
            session.flush()
            return Rating(row.conversation_id, row.subject, row.ticket_id, row.account_id, row.stars, row.comment,
                          row.at)

    def of_conversation(self, conversation_id: str) -> list[Rating]:
        with self._sessions() as session:
            rows = session.scalars(sa.select(SatisfactionRatingRow)
                                   .where(SatisfactionRatingRow.conversation_id == conversation_id)
                                   .order_by(SatisfactionRatingRow.at, SatisfactionRatingRow.rating_id))
            return [Rating(r.conversation_id, r.subject, r.ticket_id, r.account_id, r.stars, r.comment, r.at)
                    for r in rows]

    def summary(self, since: dt.datetime | None = None, recent_comments: int = 10) -> dict[str, Any]:
        """Counts per star, the average, per agent, and the latest comments; for the supervisor."""
        query = sa.select(SatisfactionRatingRow).order_by(SatisfactionRatingRow.at.desc(),
                                                        SatisfactionRatingRow.rating_id.desc())
        if since is not None:
            query = query.where(SatisfactionRatingRow.at >= since)
        by_kind: dict[str, list[int]] = defaultdict(list)
        by_agent: dict[int, list[int]] = defaultdict(list)
        comments: list[dict[str, Any]] = []
        with self._sessions() as session:
            for row in session.scalars(query):
                kind = row.subject.split(":", 1)[0]
                by_kind["all"].append(row.stars)
                by_kind[kind].append(row.stars)
                if row.account_id is not None:
                    by_agent[row.account_id].append(row.stars)
                if row.comment and len(comments) < recent_comments:
                    comments.append({"stars": row.stars, "comment": row.comment, "kind": kind,
                                     "conversation_id": row.conversation_id,
                                     "at": row.at.isoformat(timespec="seconds")})
        return {
            "all": _summary(by_kind["all"]),
            "ticket": _summary(by_kind["ticket"]),
            "agent": _summary(by_kind["agent"]),
            "by_agent": {account: _summary(stars) for account, stars in by_agent.items()},
            "recent_comments": comments,
        }
