"""What the customer hears while a handed-off conversation waits for a human.

The bot is paused after a handoff, so without this every further message meets silence. A receipt is
sent for each message until an agent has written in the conversation; the wording is in
knowledge/handoff.yml (messages.while_waiting). A conversation an agent took over from the console (the
bot did not hand it off) gets none: the agent is already there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from complaint_desk.case.handoff_summary import HandoffData, is_working_time

WAITING_RECEIPT = "waiting_receipt"  # metadata key on the receipts, so they are told apart from the bot's turns
AGENT = "agent"  # metadata key on messages an agent sent from the console
AGENT_NAME = "agent_name"  # the display name of the agent who sent it ("人工客服 小周")


def receipt_kind(events_since_pause: Iterable[Mapping[str, Any]], now: dt.datetime, data: HandoffData,
                 handed_off_by_the_bot: bool = True) -> str | None:
    """Which receipt the customer's latest message gets (a key of `data.waiting_messages`: first / again /
    after_hours), or None once an agent has answered since the pause.

    `events_since_pause` are Rasa events as dicts ({"event": "bot", "metadata": {...}}, ...), oldest first,
    from just after the latest pause up to and including the customer's latest message.
    """
    if not handed_off_by_the_bot:
        return None
    receipts = 0
    for event in events_since_pause:
        if event.get("event") != "bot":
            continue
        metadata = event.get("metadata") or {}
        if metadata.get(AGENT):
            return None
        receipts += bool(metadata.get(WAITING_RECEIPT))
    if receipts:
        return "again"
    return "first" if is_working_time(now, data) else "after_hours"


def receipt_text(kind: str, data: HandoffData, queue_line: str | None = None) -> str:
    """The receipt's words. With the line of where the customer stands in the queue and who will answer (which
    carries its own estimate or opening time), the first receipt is the short `noted` before it; later ones keep
    `again`."""
    if queue_line:
        return data.message(data.waiting_messages["again" if kind == "again" else "noted"]) + queue_line
    return data.message(data.waiting_messages[kind])

