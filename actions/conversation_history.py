"""What the conversation looked like just before the customer's latest message (from the tracker's events)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

ACTION_LISTEN = "action_listen"


def _events_before_latest_message(tracker: Tracker) -> list[dict[str, Any]]:
    last_user = max((i for i, event in enumerate(tracker.events) if event.get("event") == "user"), default=-1)
    return tracker.events[:max(last_user, 0)]


def slot_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the customer's latest message was processed."""
    value = None
    for event in _events_before_latest_message(tracker):
        if event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value")
    return value


def action_before_latest_message(tracker: Tracker) -> str | None:
    """The bot's last action (other than listening) before the customer's latest message."""
    actions = [event.get("name") for event in _events_before_latest_message(tracker)
               if event.get("event") == "action" and event.get("name") != ACTION_LISTEN]
    return actions[-1] if actions else None


def set_in_reply_to_previous_message(tracker: Tracker, slot: str) -> bool:
    """Whether `slot` got a value while the bot answered the customer's previous message (the order it found)."""
    users = [index for index, event in enumerate(tracker.events) if event.get("event") == "user"]
    if len(users) < 2:
        return False
    return any(event.get("event") == "slot" and event.get("name") == slot and event.get("value")
               for event in tracker.events[users[-2] + 1:users[-1]])
