"""The body of a custom-action call: earlier turns sent lighter, and each of their events encoded once.

Rasa sends the whole tracker to the action server on every custom-action call, encoding every event again,
so a call costs more the longer the conversation is (bench/turn_length.py --profile). The events of earlier
turns (everything before the latest customer message) no longer change. Here each is encoded once, kept on
the event, and the call's JSON joins the kept pieces. They also go without what no action reads:
- the intent ranking and tokens of an earlier message (its intent, entities, emotion and text stay);
- the model id and assistant id Rasa puts in every event's metadata (other metadata stays);
- `user_featurization` events, which tell Rasa's own featurizer how a message was read.
The latest message and everything after it are sent exactly as Rasa sends them.
"""

from __future__ import annotations

from typing import Any

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUtteranceReverted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from runtime import fast_json
from runtime.rasa_version import require_pinned_rasa

require_pinned_rasa()  # the request format of RemoteAction._action_call_format in Rasa 3.6.21

DROPPED_EVENTS = {"user_featurization"}
DROPPED_PARSE_DATA = ("intent_ranking", "text_tokens")
DROPPED_METADATA = ("model_id", "assistant_id")
_KEPT = "_complaint_desk_action_call_json"  # (event dict as sent, its JSON) on an event of an earlier turn


class EncodedCall(dict):
    """The call as a dict (as Rasa's plugins see it), with its JSON already made."""

    encoded: str


def lighter(event: dict[str, Any]) -> dict[str, Any] | None:
    """An event of an earlier turn as it is sent: None if it is not sent."""
    if event.get("event") in DROPPED_EVENTS:
        return None
    out = dict(event)
    metadata = out.get("metadata")
    if isinstance(metadata, dict) and any(key in metadata for key in DROPPED_METADATA):
        out["metadata"] = {key: value for key, value in metadata.items() if key not in DROPPED_METADATA}
    parse_data = out.get("parse_data")
    if isinstance(parse_data, dict) and any(key in parse_data for key in DROPPED_PARSE_DATA):
        out["parse_data"] = {key: value for key, value in parse_data.items() if key not in DROPPED_PARSE_DATA}
    return out


def _earlier_turn(event: Event) -> tuple[dict[str, Any] | None, str | None]:
    kept = getattr(event, _KEPT, None)
    if kept is None:
        sent = lighter(event.as_dict())
        kept = (sent, fast_json.dumps(sent) if sent is not None else None)
        setattr(event, _KEPT, kept)
    return kept


def _latest_message_index(events: list[Event]) -> int:
    """Where the current turn starts: the latest customer message, or the start if a message was taken back
    since (everything is then sent as Rasa sends it)."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUtteranceReverted):
            return 0
        if isinstance(events[index], UserUttered):
            return index
    return 0


def action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> EncodedCall:
    """What `RemoteAction._action_call_format` returns, with the events of earlier turns lighter."""
    state = tracker.current_state(EventVerbosity.NONE)
    state.pop("events", None)
    events = list(tracker.events)
    current = _latest_message_index(events)
    earlier = [_earlier_turn(event) for event in events[:current]]
    latest = [event.as_dict() for event in events[current:]]
    call = EncodedCall(next_action=self._name, sender_id=tracker.sender_id, version=rasa.__version__)
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        call["domain"] = domain.as_dict()
    call["tracker"] = state  # last, and "events" last in it: the events' JSON goes in just before the "}}"
    head = fast_json.dumps(call)
    pieces = [text for _sent, text in earlier if text is not None] + [fast_json.dumps(event) for event in latest]
    call.encoded = f'{head[:-2]},"events":[{",".join(pieces)}]}}}}'
    state["events"] = [sent for sent, _text in earlier if sent is not None] + latest
    return call


def dumps(value: Any) -> str:
    """The JSON encoder of the action endpoint's HTTP session."""
    if isinstance(value, EncodedCall):
        return value.encoded
    return fast_json.dumps(value)


def install() -> None:
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
