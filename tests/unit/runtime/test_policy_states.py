from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from runtime import policy_states, tracker_replay
from tests.unit.runtime.trackers import tracker_with

STOCK_PAST_STATES = DialogueStateTracker.past_states

ROOT = Path(__file__).resolve().parents[3]
# The argument sets Rasa's policies ask with: RulePolicy (all turns), MemoizationPolicy (rule-only turns hidden).
RULE_ONLY = {"rule_only_slots": ["requested_slot"], "rule_only_loops": ["complaint_form"]}
ARGUMENTS = ((False, False, None), (False, True, RULE_ONLY), (True, False, None))


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    policy_states.forget()
    yield
    policy_states.forget()


def stock(domain: Domain, tracker: DialogueStateTracker, arguments: tuple) -> list:
    omit, ignore, rule_only = arguments
    return Domain.states_for_tracker_history(domain, tracker, omit_unset_slots=omit, ignore_rule_only_turns=ignore,
                                             rule_only_data=rule_only)


def carried_on(domain: Domain, tracker: DialogueStateTracker, arguments: tuple) -> list:
    omit, ignore, rule_only = arguments
    return policy_states.states_for_tracker_history(domain, tracker, omit, ignore, rule_only)


def test_every_prefix_of_every_test_story_gives_rasas_states(domain: Domain, test_stories: list) -> None:
    stories = test_stories
    assert len(stories) > 40
    compared = 0
    for name, events in stories:
        tracker = DialogueStateTracker(name, domain.slots)
        tracker.update(ActionExecuted("action_listen"))
        for event in events:
            tracker.update(event)
            for arguments in ARGUMENTS:
                assert carried_on(domain, tracker, arguments) == stock(domain, tracker, arguments), (name, event)
                compared += 1
    assert compared > 1000


def _conversation(domain: Domain) -> DialogueStateTracker:
    return tracker_with(domain, "rewinds", (
        ActionExecuted("action_listen"), UserUttered("快递还没到", {"name": "complain_delivery"}),
        ActionExecuted("action_acknowledge_complaint"), ActionExecuted("complaint_form"), ActiveLoop("complaint_form"),
        SlotSet("requested_slot", "order_id"), ActionExecuted("action_listen"),
        UserUttered("472918305561", {"name": "give_order_number"})))


@pytest.mark.parametrize("undo", [
    [UserUtteranceReverted()],
    [ActionExecuted("complaint_form"), ActionReverted()],
    [Restarted(), ActionExecuted("action_listen")],
    [ActionExecuted("complaint_form"), ActiveLoop(None), ActionExecuted("complaint_form")],
], ids=["message undone", "action undone", "restart", "form runs again"])
def test_events_that_undo_earlier_ones_give_rasas_states(domain: Domain, undo: list[Event]) -> None:
    tracker = _conversation(domain)
    for arguments in ARGUMENTS:
        carried_on(domain, tracker, arguments)
    for event in undo:
        tracker.update(event)
        for arguments in ARGUMENTS:
            assert carried_on(domain, tracker, arguments) == stock(domain, tracker, arguments)


def test_another_tracker_of_the_same_conversation_is_replayed_from_its_own_events(domain: Domain) -> None:
    first = _conversation(domain)
    carried_on(domain, first, ARGUMENTS[0])
    other = tracker_with(domain, "rewinds", (ActionExecuted("action_listen"), UserUttered("谢谢", {"name": "thank"})))
    assert carried_on(domain, other, ARGUMENTS[0]) == stock(domain, other, ARGUMENTS[0])


def test_changing_the_returned_last_state_leaves_the_next_answer_alone(domain: Domain) -> None:
    tracker = _conversation(domain)
    tracker.update(ActionExecuted("complaint_form"))  # the last state takes the user part of the one before
    first = carried_on(domain, tracker, ARGUMENTS[1])
    for sub_state in first[-1].values():
        sub_state.clear()
    tracker.update(SlotSet("order_id", "472918305561"))
    assert carried_on(domain, tracker, ARGUMENTS[1]) == stock(domain, tracker, ARGUMENTS[1])


def test_the_patch_answers_past_states(domain: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DialogueStateTracker, "past_states", DialogueStateTracker.past_states)
    tracker = _conversation(domain)
    expected = tracker.past_states(domain)
    policy_states.install()
    assert tracker.past_states(domain) == expected
    assert policy_states._kept  # answered by the carried-on replay


def _create(policy_class: type, config: dict, storage: Path) -> Any:
    return policy_class.create({**policy_class.get_default_config(), **config}, LocalModelStorage(storage),
                               Resource(policy_class.__name__), ExecutionContext(GraphSchema({}), "test"))


@pytest.fixture(scope="module")
def policies(domain: Domain, tmp_path_factory: pytest.TempPathFactory) -> tuple[RulePolicy, MemoizationPolicy]:
    """The two policies of config.yml, trained on the project's rules and stories."""
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "data" / "rules"),
                                                                   str(ROOT / "data" / "stories")])
    trackers = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0).generate()
    rules = _create(RulePolicy, {"core_fallback_action_name": "action_default_fallback"},
                    tmp_path_factory.mktemp("rules"))
    memo = _create(MemoizationPolicy, {"max_history": 4}, tmp_path_factory.mktemp("memo"))
    rules.train(trackers, domain)
    memo.train(trackers, domain)
    return rules, memo


def _predictions(policies: tuple[RulePolicy, MemoizationPolicy], tracker: DialogueStateTracker,
                 domain: Domain) -> list[tuple]:
    rules, memo = policies
    out = []
    for predicted in (rules.predict_action_probabilities(tracker, domain),
                      memo.predict_action_probabilities(tracker, domain, rule_only_data=rules._get_rule_only_data())):
        out.append((predicted.probabilities, predicted.events, predicted.hide_rule_turn,
                    predicted.is_end_to_end_prediction, predicted.is_no_user_prediction))
    return out


def _use(patched: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DialogueStateTracker, "past_states",
                        policy_states._past_states if patched else STOCK_PAST_STATES)
    monkeypatch.setattr(RulePolicy, "_prediction_states",
                        policy_states._rule_prediction_states if patched else policy_states._stock_rule_prediction_states)
    monkeypatch.setattr(DialogueStateTracker, "applied_events",
                        tracker_replay.applied_events if patched else tracker_replay._stock_applied_events)


def test_the_policies_predict_as_they_do_from_a_full_replay(domain: Domain, test_stories: list,
                                                            policies: tuple[RulePolicy, MemoizationPolicy],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Long conversations (the test stories one after the other): the same predictions after every event, while
    the kept states go through what the featurizer changes in them from one prediction to the next."""
    assert 0 < policy_states.longest_rule(policies[0]) < 20
    compared = 0
    for start in range(0, len(test_stories), 18):
        tracker = DialogueStateTracker(f"long-{start}", domain.slots)
        tracker.update(ActionExecuted("action_listen"))
        for _name, events in test_stories[start:start + 18]:
            for event in events:
                tracker.update(event)
                if not isinstance(event, (ActionExecuted, UserUttered)):
                    continue
                _use(False, monkeypatch)
                expected = _predictions(policies, tracker, domain)
                _use(True, monkeypatch)
                assert _predictions(policies, tracker, domain) == expected, (tracker.sender_id, len(tracker.events))
                compared += 1
    assert compared > 500
