"""What a ticket records about the conversation behind it, for the supervisor insights.

Works on plain tracker event dicts and CustomerTurns, so nothing here imports Rasa.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from complaint_desk import clock
from complaint_desk.case.turns import CustomerTurn
from complaint_desk.taxonomy import category_for_intent

MAX_CUSTOMER_TEXT_CHARS = 2000


def _timestamp(event: Mapping[str, Any]) -> dt.datetime | None:
    value = event.get("timestamp")
    return clock.from_timestamp(value) if isinstance(value, int | float) else None


def first_exchange(events: Iterable[Mapping[str, Any]]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(the customer's first message, the bot's first reply after it) of the latest session, as local times."""
    first_message: dt.datetime | None = None
    first_response: dt.datetime | None = None
    for event in events:
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            first_message = first_response = None
        elif kind == "user" and first_message is None:
            first_message = _timestamp(event)
        elif kind == "bot" and first_message is not None and first_response is None:
            first_response = _timestamp(event)
    return first_message, first_response


def customer_words(turns: Sequence[CustomerTurn], fallback: str | None = None) -> str | None:
    """The customer's own description of the problem: the turns read as a complaint, else `fallback`."""
    texts = [turn.text.strip() for turn in turns if category_for_intent(turn.intent) and turn.text.strip()]
    if not texts and fallback and fallback.strip():
        texts = [fallback.strip()]
    return "\n".join(texts)[:MAX_CUSTOMER_TEXT_CHARS] or None
