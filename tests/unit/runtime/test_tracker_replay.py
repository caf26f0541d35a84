from __future__ import annotations

from typing import Any

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from runtime import tracker_replay
from tests.unit.runtime.trackers import tracker_with

EXTRA = [  # events the test stories lack: undos, pauses, restarts, a form interrupted and rejected
    ActionExecuted("action_listen"), UserUttered("算了", {"name": "deny"}), UserUtteranceReverted(),
    ActionExecuted("action_listen"), UserUttered("转人工", {"name": "request_human"}),
    ActionExecuted("action_handoff"), ConversationPaused(), ActionExecuted("action_listen"),
    UserUttered("还在吗", {"name": "greet"}), ConversationResumed(), ActionExecuted("complaint_form"),
    ActiveLoop("complaint_form"), SlotSet("requested_slot", "order_id"), ActionExecuted("action_listen"),
    UserUttered("你们几点下班", {"name": "ask_policy"}), LoopInterrupted(True),
    ActionExecutionRejected("complaint_form"), ActionExecuted("action_answer_policy_question"),
    ActionExecuted("complaint_form"), FollowupAction("action_listen"), ActionExecuted("action_listen"),
    ActionReverted(), BotUttered("好的"), ActiveLoop(None), Restarted(), ActionExecuted("action_listen"),
    SessionStarted(), ActionExecuted("action_listen"), UserUttered("你好", {"name": "greet"}),
]


def _facts(tracker: DialogueStateTracker) -> dict[str, Any]:
    """Everything a tracker holds, comparable."""
    facts = {name: value for name, value in vars(tracker).items() if not name.startswith("_complaint_desk")}
    facts["events"] = [id(event) for event in tracker.events]
    facts["slots"] = {name: (type(slot), slot.value, slot.has_been_set) for name, slot in tracker.slots.items()}
    facts["state"] = tracker.current_state(EventVerbosity.ALL)
    return facts


def _long_conversations(domain: Domain, stories: list[tuple[str, list[Event]]]) -> list[list[Event]]:
    """The test stories one after another (three long conversations), each with the extra events."""
    third = len(stories) // 3 + 1
    return [[event for _name, events in stories[start:start + third] for event in events] + list(EXTRA)
            for start in range(0, len(stories), third)]


def test_applied_events_and_copies_are_rasas_after_every_event(domain: Domain, test_stories: list) -> None:
    compared = 0
    for number, events in enumerate(_long_conversations(domain, test_stories)):
        tracker = DialogueStateTracker(f"long-{number}", domain.slots)
        for event in events:
            tracker.update(event)
            expected = tracker_replay._stock_applied_events(tracker)
            assert [id(e) for e in tracker_replay.applied_events(tracker)] == [id(e) for e in expected]
            assert _facts(tracker_replay.copy_tracker(tracker)) == _facts(tracker_replay._stock_copy(tracker))
            compared += 1
    assert compared > 1000


def test_a_form_seen_for_the_first_time_changes_how_its_earlier_turns_count(domain: Domain) -> None:
    tracker = tracker_with(domain, "late-form", (
        ActionExecuted("action_listen"), UserUttered("快递没到", {"name": "complain_delivery"}),
        ActionExecuted("complaint_form"), ActionExecuted("action_listen"),
        UserUttered("472918305561", {"name": "give_order_number"}), ActionExecuted("complaint_form")))
    tracker_replay.applied_events(tracker)
    tracker.update(ActiveLoop("complaint_form"))
    assert tracker_replay.applied_events(tracker) == tracker_replay._stock_applied_events(tracker)


def test_a_replaced_event_list_is_walked_again(domain: Domain) -> None:
    tracker = tracker_with(domain, "replaced", (ActionExecuted("action_listen"), UserUttered("你好", {"name": "greet"})))
    tracker_replay.applied_events(tracker)
    tracker.events = tracker._create_events([ActionExecuted("action_listen")])
    assert tracker_replay.applied_events(tracker) == list(tracker.events)


def test_the_returned_list_and_the_copy_are_the_callers_own(domain: Domain) -> None:
    tracker = tracker_with(domain, "own", (
        ActionExecuted("action_listen"), UserUttered("快递没到", {"name": "complain_delivery"}),
        ActionExecuted("complaint_form"), ActiveLoop("complaint_form"), SlotSet("order_id", "1")))
    tracker_replay.applied_events(tracker).clear()
    before = _facts(tracker)
    clone = tracker_replay.copy_tracker(tracker)
    for event in (SlotSet("order_id", "2"), LoopInterrupted(True), ActionExecuted("action_x"), ConversationPaused()):
        clone.update(event)
    assert _facts(tracker) == before
    assert tracker_replay.applied_events(tracker) == tracker_replay._stock_applied_events(tracker)


