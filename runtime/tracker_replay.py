"""A tracker's applied events and its copies, without replaying the whole conversation each time.

Rasa 3.6 replays every event of the conversation in several places on every turn, so a turn costs more the
longer the conversation is (bench/turn_length.py; a profile of turns 51–60 against turns 1–10):
- `applied_events()` walks all events on every call, seven times a turn (the policies' states, the session
  check). Here the result is kept on the tracker and carried on with the events appended since. The tracker's
  events are only ever appended to (Rasa's own undo events are appended too); a tracker whose event list was
  replaced or trimmed (`max_event_history`), or where a form appears that was not seen before (which changes
  how earlier form turns count), is walked from the start, as Rasa does.
- `copy()` replays all events into a new tracker, before every action the processor runs. A tracker's state
  is, by Rasa's own rule, what replaying its events gives; here the copy takes that state directly.
"""

from __future__ import annotations

import copy
import itertools
from collections import deque
from dataclasses import dataclass, field

from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from runtime.rasa_version import require_pinned_rasa

require_pinned_rasa()  # DialogueStateTracker.applied_events / copy of Rasa 3.6.21

_KEPT = "_complaint_desk_applied_events"
_stock_applied_events = DialogueStateTracker.applied_events
_stock_copy = DialogueStateTracker.copy


@dataclass
class _Applied:
    events: deque  # the tracker's event list these were taken from
    seen: int = 0  # how many of its events were walked
    last: Event | None = None  # the last of them
    applied: list[Event] = field(default_factory=list)
    loop_names: set[str] = field(default_factory=set)


def _walk(tracker: DialogueStateTracker, kept: _Applied, events: list[Event]) -> None:
    """Rasa's loop of `applied_events`, from where `kept` stopped."""
    applied = kept.applied
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (isinstance(event, ActionExecuted) and event.action_name in kept.loop_names
              and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    kept.applied = applied


def applied_events(self: DialogueStateTracker) -> list[Event]:
    """What Rasa's `applied_events` returns, walking only the events appended since the last call."""
    if self._max_event_history is not None or type(self) is not DialogueStateTracker:
        return _stock_applied_events(self)
    events = self.events
    kept: _Applied | None = self.__dict__.get(_KEPT)
    new: list[Event] = []
    if (kept is not None and kept.events is events and kept.seen <= len(events)
            and (kept.seen == 0 or events[kept.seen - 1] is kept.last)):
        new = list(itertools.islice(events, kept.seen, None))
        if any(isinstance(event, ActiveLoop) and event.name and event.name not in kept.loop_names for event in new):
            kept = None
    else:
        kept = None
    if kept is None:
        new = list(events)
        kept = _Applied(events, loop_names={e.name for e in new if isinstance(e, ActiveLoop) and e.name})
        self.__dict__[_KEPT] = kept
    _walk(self, kept, new)
    kept.seen = len(events)
    kept.last = events[-1] if events else None
    return list(kept.applied)


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """What Rasa's `copy()` (a replay of every event into `init_copy()`) gives, taken from the state."""
    if type(self) is not DialogueStateTracker:
        return _stock_copy(self)
    clone = DialogueStateTracker(self.sender_id or DEFAULT_SENDER_ID, None, self._max_event_history,
                                 is_rule_tracker=self.is_rule_tracker)
    clone.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    clone.events.extend(self.events)
    clone._paused = self._paused
    clone.followup_action = self.followup_action
    clone.latest_action = dict(self.latest_action) if self.latest_action is not None else None
    clone.latest_message = self.latest_message
    clone.latest_bot_utterance = self.latest_bot_utterance
    clone.active_loop = copy.copy(self.active_loop)
    return clone


def install() -> None:
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]
    DialogueStateTracker.copy = copy_tracker  # type: ignore[method-assign]
