from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from runtime import action_call_body

ROOT = Path(__file__).resolve().parents[3]
MODEL_METADATA = {"model_id": "35ab4dc9", "assistant_id": "complaint-desk"}


def _message(text: str, intent: str, **metadata: object) -> UserUttered:
    parse_data = {"intent": {"name": intent, "confidence": 0.9},
                  "intent_ranking": [{"name": intent, "confidence": 0.9}, {"name": "greet", "confidence": 0.1}],
                  "entities": [{"entity": "order_id", "value": "472918305561", "start": 0, "end": 12}],
                  "emotion": {"name": "angry", "confidence": 0.8, "intensity": 0.7},
                  "text_tokens": [[0, 2]]}
    return UserUttered(text, parse_data["intent"], parse_data["entities"], parse_data,
                       metadata={**MODEL_METADATA, **metadata})


def _tracker(domain: Domain, events: list[Event]) -> DialogueStateTracker:
    tracker = DialogueStateTracker("call-body", domain.slots)
    for event in events:
        event.metadata = {**MODEL_METADATA, **(event.metadata or {})}
        tracker.update(event)
    return tracker


def _turns() -> list[Event]:
    return [SessionStarted(), ActionExecuted("action_listen"),
            _message("耳机没声音了 472918305561", "complain_quality"), DefinePrevUserUtteredFeaturization(False),
            ActionExecuted("action_acknowledge_complaint"),
            BotUttered("很抱歉给您添麻烦了", metadata={"utter_action": "utter_sorry", "agent": "小王"}),
            SlotSet("order_id", "472918305561"), ActionExecuted("action_listen"),
            _message("退款吧！", "state_desired_outcome"), DefinePrevUserUtteredFeaturization(False),
            ActionExecuted("complaint_form")]


def _call(domain: Domain, tracker: DialogueStateTracker) -> action_call_body.EncodedCall:
    action = RemoteAction("action_propose_remedy", EndpointConfig("http://127.0.0.1:1/webhook"))
    return action_call_body.action_call_format(action, tracker, domain)


def test_the_json_is_the_call(domain: Domain) -> None:
    call = _call(domain, _tracker(domain, _turns()))
    assert json.loads(call.encoded) == call
    assert action_call_body.dumps(call) == call.encoded
    assert action_call_body.dumps({"a": "退款"}) == '{"a":"退款"}'


def test_the_current_turn_is_sent_as_rasa_sends_it_and_earlier_turns_lighter(domain: Domain) -> None:
    tracker = _tracker(domain, _turns())
    action = RemoteAction("action_propose_remedy", EndpointConfig("http://127.0.0.1:1/webhook"))
    stock = json.loads(json.dumps(RemoteAction._action_call_format(action, tracker, domain)))
    sent = json.loads(_call(domain, tracker).encoded)
    assert {key: value for key, value in sent.items() if key != "tracker"} == \
        {key: value for key, value in stock.items() if key != "tracker"}
    assert {key: value for key, value in sent["tracker"].items() if key != "events"} == \
        {key: value for key, value in stock["tracker"].items() if key != "events"}
    latest = max(index for index, event in enumerate(stock["tracker"]["events"]) if event["event"] == "user")
    earlier = [action_call_body.lighter(event) for event in stock["tracker"]["events"][:latest]]
    assert sent["tracker"]["events"] == [event for event in earlier if event] + stock["tracker"]["events"][latest:]
    first_message = next(event for event in sent["tracker"]["events"] if event["event"] == "user")
    assert "intent_ranking" not in first_message["parse_data"]
    assert first_message["parse_data"]["emotion"] == {"name": "angry", "confidence": 0.8, "intensity": 0.7}
    assert first_message["parse_data"]["entities"][0]["value"] == "472918305561"
    bot = next(event for event in sent["tracker"]["events"] if event["event"] == "bot")
    assert bot["metadata"] == {"utter_action": "utter_sorry", "agent": "小王"}
    latest_message = [event for event in sent["tracker"]["events"] if event["event"] == "user"][-1]
    assert latest_message["text"] == "退款吧！" and latest_message["parse_data"]["intent_ranking"]
    assert [event["event"] for event in sent["tracker"]["events"]].count("user_featurization") == 1


def test_an_earlier_event_is_encoded_once_and_the_next_call_carries_on(domain: Domain,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    lighter = action_call_body.lighter
    monkeypatch.setattr(action_call_body, "lighter", lambda event: made.append(event["event"]) or lighter(event))
    tracker = _tracker(domain, _turns())
    first = _call(domain, tracker)
    assert len(made) == 8  # the events before "退款吧！"
    _call(domain, tracker)
    assert len(made) == 8
    for event in (ActionExecuted("action_listen"), _message("好的", "affirm"), ActionExecuted("action_confirm")):
        tracker.update(event)
    second = json.loads(_call(domain, tracker).encoded)
    assert len(made) == 8 + 4  # the events of "退款吧！"'s turn, now an earlier one
    first_events = json.loads(first.encoded)["tracker"]["events"]
    earlier = max(index for index, event in enumerate(first_events) if event["event"] == "user")
    assert second["tracker"]["events"][:earlier] == first_events[:earlier]
    assert second["tracker"]["events"][-2]["text"] == "好的"
    assert "intent_ranking" in second["tracker"]["events"][-2]["parse_data"]


def test_after_a_message_is_taken_back_everything_is_sent_as_rasa_sends_it(domain: Domain) -> None:
    tracker = _tracker(domain, [*_turns(), UserUtteranceReverted()])
    action = RemoteAction("action_propose_remedy", EndpointConfig("http://127.0.0.1:1/webhook"))
    stock = json.loads(json.dumps(RemoteAction._action_call_format(action, tracker, domain)))
    assert json.loads(_call(domain, tracker).encoded)["tracker"]["events"] == stock["tracker"]["events"]


def test_an_injected_text_cannot_change_the_call(domain: Domain) -> None:
    tricky = '"}},"events":[],"x":{"' + "\u0000events\u0000"
    tracker = _tracker(domain, [*_turns(), ActionExecuted("action_listen"), _message(tricky, "nlu_fallback")])
    sent = json.loads(_call(domain, tracker).encoded)
    assert sent["tracker"]["latest_message"]["text"] == tricky
    # the two user_featurization events of earlier turns are not sent
    assert len(sent["tracker"]["events"]) == len(tracker.current_state(EventVerbosity.ALL)["events"]) - 2
