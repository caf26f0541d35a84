"""Rasa's SQL tracker store without the reload of every event on every turn.

Stock `SQLTrackerStore` reads and replays all events of the conversation three times per turn: to start the
turn, again inside `save` to find the events to publish to the event broker, and it counts them to find the
ones to insert. The cost grows with the length of the conversation (bench/turn_length.py).

Here each process keeps the trackers it saved, per conversation (at most `CACHED_CONVERSATIONS`, least
recently used dropped; `TRACKER_CACHE_CONVERSATIONS`, default 2000, 0 for none). The database stays the only truth: a kept tracker is used only when one indexed
query shows the conversation's rows are exactly those it was saved with (the same count and the same
highest id), so a write by another replica, by another process or by a replica killed half-way makes the
next read load from the database as before. A kept tracker is lent to one caller at a time (the processor
holds it for the turn, under the lock store's lock); a second reader meanwhile gets its own copy from the
database, and a tracker changed but not saved (a turn that failed) is never lent again.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from runtime.rasa_version import require_pinned_rasa

logger = logging.getLogger(__name__)

require_pinned_rasa()  # uses SQLTrackerStore's session_scope, SQLEvent and _retrieve

CACHE_SIZE_ENV = "TRACKER_CACHE_CONVERSATIONS"  # 0 turns the cache off (the stock store's behaviour)
DEFAULT_CACHE_SIZE = 2000


def cache_size() -> int:
    value = os.environ.get(CACHE_SIZE_ENV, "").strip()
    if not value:
        return DEFAULT_CACHE_SIZE
    if not value.isdigit():
        raise ValueError(f"{CACHE_SIZE_ENV} 应为非负整数（0 表示不缓存），现在是 {value!r}")
    return int(value)


@dataclass(frozen=True)
class _Rows:
    count: int
    last_id: int | None


@dataclass
class _Kept:
    tracker: DialogueStateTracker
    stored: int  # how many of tracker.events are in the database
    rows: _Rows  # the conversation's rows when it was loaded or saved
    lent: bool = False


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._size = cache_size()

    def _rows(self, session: Any, sender_id: str) -> _Rows:
        count, last_id = session.query(sa.func.count(self.SQLEvent.id), sa.func.max(self.SQLEvent.id)).filter(
            self.SQLEvent.sender_id == sender_id).one()
        return _Rows(int(count or 0), last_id)

    def _keep(self, sender_id: str, kept: _Kept) -> None:
        if not self._size:
            return
        self._kept[sender_id] = kept
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if not self._size:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            rows = self._rows(session, sender_id)
        kept = self._kept.get(sender_id)
        if (kept is not None and not kept.lent and kept.rows == rows
                and len(kept.tracker.events) == kept.stored):
            kept.lent = True
            self._kept.move_to_end(sender_id)
            return kept.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._keep(sender_id, _Kept(tracker, len(tracker.events), rows, lent=True))
        return tracker

    def _unsaved_events(self, tracker: DialogueStateTracker) -> list[Event] | None:
        """The events of `tracker` not yet in the database, when this store lent it; None when it cannot tell."""
        kept = self._kept.get(tracker.sender_id)
        if kept is None or kept.tracker is not tracker:
            return None
        with self.session_scope() as session:
            if self._rows(session, tracker.sender_id) != kept.rows:
                return None
        return list(itertools.islice(tracker.events, kept.stored, None))

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        if self.event_broker is None:
            return
        new_events = self._unsaved_events(tracker)
        if new_events is None:
            await super().stream_events(tracker)
        else:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        kept = self._kept.get(tracker.sender_id)
        if kept is not None and kept.tracker is tracker and self._rows(session, tracker.sender_id) == kept.rows:
            return itertools.islice(tracker.events, kept.stored, len(tracker.events))
        return super()._additional_events(session, tracker)

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except BaseException:
            self._kept.pop(tracker.sender_id, None)
            raise
        if not self._size:
            return
        if sum(isinstance(event, SessionStarted) for event in tracker.events) > 1:
            # A new session began in this tracker: the next read starts at it, as the stock store's does.
            self._kept.pop(tracker.sender_id, None)
            return
        with self.session_scope() as session:
            rows = self._rows(session, tracker.sender_id)
        self._keep(tracker.sender_id, _Kept(tracker, len(tracker.events), rows))
