"""What agents do with the replies the console offers them (suggestions and library entries): sent as is, sent
after editing, or ignored. Rates per stage and per kind of source for the supervisors."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.stores.tables import SuggestionFeedbackRow

IGNORED, AS_IS, EDITED = "ignored", "as_is", "edited"


def source_kind(source: str) -> str:
    """offer / stage / library: what produced the reply."""
    return source.split(":", 1)[0]


class SuggestionFeedback:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def shown(self, conversation_id: str, turn: int, stage: str, offers: Iterable[tuple[str, str]],
              now: dt.datetime | None = None) -> None:
        """The console showed these (source, text) for this customer turn; each counts once, as ignored until
        it is sent."""
        offers = list(offers)
        if not offers:
            return
        with self._sessions.begin() as session:
            known = set(session.scalars(sa.select(SuggestionFeedbackRow.source).where(
                SuggestionFeedbackRow.conversation_id == conversation_id, SuggestionFeedbackRow.turn == turn)))
            for source, text in offers:
                if source not in known:
                    known.add(source)
                    session.add(SuggestionFeedbackRow(conversation_id=conversation_id, turn=turn, source=source,
                                                      stage=stage, offered_text=text, outcome=IGNORED,
                                                      at=now or clock.now()))

    def sent(self, conversation_id: str, turn: int, stage: str, source: str, offered_text: str, sent_text: str,
             account_id: int | None, now: dt.datetime | None = None) -> str:
        """An agent sent a message that started from an offered reply; returns as_is or edited."""
        outcome = AS_IS if _same(offered_text, sent_text) else EDITED
        with self._sessions.begin() as session:
            row = session.scalars(sa.select(SuggestionFeedbackRow).where(
                SuggestionFeedbackRow.conversation_id == conversation_id, SuggestionFeedbackRow.turn == turn,
                SuggestionFeedbackRow.source == source).with_for_update()).first()
            if row is None:
                row = SuggestionFeedbackRow(conversation_id=conversation_id, turn=turn, source=source, stage=stage,
                                            offered_text=offered_text)
                session.add(row)
            row.outcome, row.account_id, row.at = outcome, account_id, now or clock.now()
        return outcome

    def rates(self, since: dt.datetime | None = None) -> dict[str, dict[str, dict[str, float]]]:
        """{"by_stage": {stage: {...}}, "by_source": {kind: {...}}}, each with as_is / edited / ignored counts,
        the total and the share used (as is or edited)."""
        query = sa.select(SuggestionFeedbackRow.stage, SuggestionFeedbackRow.source, SuggestionFeedbackRow.outcome)
        if since is not None:
            query = query.where(SuggestionFeedbackRow.at >= since)
        counts: dict[str, dict[str, dict[str, int]]] = {"by_stage": defaultdict(lambda: defaultdict(int)),
                                                        "by_source": defaultdict(lambda: defaultdict(int))}
        with self._sessions() as session:
            for stage, source, outcome in session.execute(query):
                counts["by_stage"][stage][outcome] += 1
                counts["by_source"][source_kind(source)][outcome] += 1
        return {group: {key: _summary(values) for key, values in sorted(table.items())}
                for group, table in counts.items()}


def _same(offered: str, sent: str) -> bool:
    return "".join(offered.split()) == "".join(sent.split())


def _summary(values: dict[str, int]) -> dict[str, float]:
    total = sum(values.values())
    used = values.get(AS_IS, 0) + values.get(EDITED, 0)
    return {AS_IS: values.get(AS_IS, 0), EDITED: values.get(EDITED, 0), IGNORED: values.get(IGNORED, 0),
            "total": total, "used_rate": round(used / total, 3) if total else 0.0}
