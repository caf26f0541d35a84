"""The policies' dialogue states, carried on from the last prediction instead of replayed from the start.

Every policy asks for `tracker.past_states(domain)` on every prediction, several times per turn. Rasa 3.6
answers by replaying all applied events of the conversation into a fresh tracker and building one state
per action, so a turn costs more the longer the conversation is (bench/turn_length.py --profile: 0.3 ms of
states per turn at turns 1–5, 9 ms at turns 56–60). Here the replay of each conversation is kept, per set
of arguments: when the tracker's applied events still start with the events replayed before (the same
event objects, as they are within a turn and, with the kept trackers of runtime/cached_tracker_store.py,
from one turn to the next), only the new events are replayed. Anything else (a rewind, an undone form
turn, another tracker for the same conversation, a new model) replays from the start, as Rasa does.

The loop is `Domain.states_for_tracker_history` of Rasa 3.6.21, split so it can stop and go on.

RulePolicy then gets only as many of the latest states as its longest rule has. It matches a rule against
the states from the latest backwards and takes any state further back than the rule is long as a match, so
the older ones change nothing; but it formats all of them for its debug log and, when no rule applies
(every turn, for the message's text), encodes all of them as a JSON key.
"""

from __future__ import annotations

import json
import operator
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from runtime.rasa_version import require_pinned_rasa

require_pinned_rasa()

MAX_KEPT = 3000  # replays kept (a conversation has one per set of arguments the policies use, two or three)

_Key = tuple[str, int, bool, bool, str]


@dataclass
class _Replay:
    domain: Domain
    applied: list[Event]  # the applied events replayed so far
    tracker: DialogueStateTracker  # a fresh tracker with `applied` replayed into it
    states: list[State]  # one per replayed ActionExecuted (the state before it), unless hidden
    last_ml_action: dict[str, Any] | None = None
    turn_was_hidden: bool = False


_kept: OrderedDict[_Key, _Replay] = OrderedDict()
_lock = threading.Lock()  # the console may predict in a worker thread while a turn runs


def _state_before(replay: _Replay, hide_rule_turn: bool, omit_unset_slots: bool, ignore_rule_only_turns: bool,
                  rule_only_data: dict[str, Any] | None) -> tuple[State | None, dict[str, Any] | None, bool]:
    """One step of Rasa's loop: the state of the replayed tracker (None if the turn is hidden), and the new
    values of the loop's two variables."""
    domain, tracker = replay.domain, replay.tracker
    last_ml_action, turn_was_hidden = replay.last_ml_action, replay.turn_was_hidden
    if ignore_rule_only_turns:
        if not turn_was_hidden:
            last_ml_action = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and not tracker.latest_action_name == tracker.active_loop_name:
            turn_was_hidden = hide_rule_turn
        if turn_was_hidden:
            return None, last_ml_action, turn_was_hidden
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if replay.states:
            domain._substitute_rule_only_user_input(state, replay.states[-1])
        if last_ml_action:
            state[PREVIOUS_ACTION] = last_ml_action
    return domain._clean_state(state), last_ml_action, turn_was_hidden


def _replay_for(key: _Key, domain: Domain, tracker: DialogueStateTracker, applied: list[Event]) -> _Replay:
    replay = _kept.get(key)
    if (replay is None or replay.domain is not domain or len(replay.applied) > len(applied)
            or not all(map(operator.is_, replay.applied, applied))):
        replay = _Replay(domain, [], tracker.init_copy(), [])
        _kept[key] = replay
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    _kept.move_to_end(key)
    return replay


def states_for_tracker_history(domain: Domain, tracker: DialogueStateTracker, omit_unset_slots: bool = False,
                               ignore_rule_only_turns: bool = False,
                               rule_only_data: dict[str, Any] | None = None) -> list[State]:
    """What `Domain.states_for_tracker_history` returns, replaying only the events not replayed before."""
    applied = tracker.applied_events()
    key = (tracker.sender_id, id(domain), omit_unset_slots, ignore_rule_only_turns,
           json.dumps(rule_only_data, sort_keys=True, default=str))
    with _lock:
        replay = _replay_for(key, domain, tracker, applied)
        for event in applied[len(replay.applied):]:
            if isinstance(event, ActionExecuted):
                state, replay.last_ml_action, replay.turn_was_hidden = _state_before(
                    replay, event.hide_rule_turn, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
                if state is not None:
                    replay.states.append(state)
            replay.tracker.update(event)
            replay.applied.append(event)
        # The state after the last event changes with the next event: computed every time, never kept.
        final, _last_ml, _hidden = _state_before(replay, False, omit_unset_slots, ignore_rule_only_turns,
                                                 rule_only_data)
        states = list(replay.states)
    if final is not None:
        # Callers change the last state in place (Rasa's featurizer drops the text or the intent of the latest
        # message); its parts may be shared with the kept states or the replayed tracker.
        states.append({part: dict(sub_state) for part, sub_state in final.items()})
    return states


def _past_states(self: DialogueStateTracker, domain: Domain, omit_unset_slots: bool = False,
                 ignore_rule_only_turns: bool = False, rule_only_data: dict[str, Any] | None = None) -> list[State]:
    return states_for_tracker_history(domain, self, omit_unset_slots, ignore_rule_only_turns, rule_only_data)


_stock_rule_prediction_states = RulePolicy._prediction_states


def longest_rule(policy: RulePolicy) -> int:
    """The number of states in the policy's longest rule (of those it predicts from)."""
    longest = getattr(policy, "_complaint_desk_longest_rule", None)
    if longest is None:
        longest = max((len(policy._rule_key_to_state(key)) for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH)
                       for key in policy.lookup.get(table, {})), default=0)
        policy._complaint_desk_longest_rule = longest  # type: ignore[attr-defined]
    return longest


def _rule_prediction_states(self: RulePolicy, tracker: DialogueStateTracker, domain: Domain,
                            use_text_for_last_user_input: bool = False,
                            rule_only_data: dict[str, Any] | None = None) -> list[State]:
    states = _stock_rule_prediction_states(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
    longest = longest_rule(self)
    return states[-longest:] if longest else states


def install() -> None:
    DialogueStateTracker.past_states = _past_states  # type: ignore[method-assign]
    RulePolicy._prediction_states = _rule_prediction_states  # type: ignore[method-assign]


def forget() -> None:
    """Drop every kept replay (tests)."""
    with _lock:
        _kept.clear()
