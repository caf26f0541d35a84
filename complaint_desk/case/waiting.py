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


def waiting_receipt(events_since_pause: Iterable[Mapping[str, Any]], now: dt.datetime, data: HandoffData,
                    handed_off_by_the_bot: bool = True) -> str | None:
    """The receipt for the customer's latest message, or None once an agent has answered since the pause.

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
        return data.message(data.waiting_messages["again"])
    if not is_working_time(now, data):
        return data.message(data.waiting_messages["after_hours"])
    return data.message(data.waiting_messages["first"])
