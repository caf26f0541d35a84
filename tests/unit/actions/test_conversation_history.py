from __future__ import annotations

from rasa_sdk import Tracker

from actions.conversation_history import action_before_latest_message, slot_before_latest_message


def tracker(events: list[dict]) -> Tracker:
    return Tracker("shopper-1", {}, {}, events, False, None, {}, "action_listen")


EVENTS = [
    {"event": "user", "text": "面膜没到"},
    {"event": "action", "name": "action_propose_remedy"},
    {"event": "slot", "name": "desired_outcome", "value": "refund"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "还是换货吧"},
    {"event": "slot", "name": "desired_outcome", "value": "exchange"},
]


def test_the_bots_last_action_before_the_message_skips_the_listen() -> None:
    assert action_before_latest_message(tracker(EVENTS)) == "action_propose_remedy"
    assert action_before_latest_message(tracker(EVENTS[:1])) is None


def test_a_slot_as_it_was_before_the_message() -> None:
    assert slot_before_latest_message(tracker(EVENTS), "desired_outcome") == "refund"
    assert slot_before_latest_message(tracker(EVENTS), "order_id") is None
