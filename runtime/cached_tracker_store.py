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
import json
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from complaint_desk.stores.database import sqlite_pool_options
from runtime.rasa_version import require_pinned_rasa

logger = logging.getLogger(__name__)

require_pinned_rasa()  # uses SQLTrackerStore's engine, session_scope, SQLEvent, _additional_events and its row format

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
        pooled = sqlite_pool_options(str(self.engine.url))
        if pooled:  # Rasa creates a SQLite engine without a pool
            self.engine.dispose()
            self.engine = sa.create_engine(self.engine.url, **pooled)
            self.sessionmaker = sessionmaker(bind=self.engine)
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
            # As loaded from the database: the processor stamps these for the turn it runs.
            kept.tracker.model_id = None
            kept.tracker.assistant_id = None
            return kept.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._keep(sender_id, _Kept(tracker, len(tracker.events), rows, lent=True))
        return tracker

    def _new_events(self, session: Any, tracker: DialogueStateTracker, rows: _Rows) -> list[Event]:
        kept = self._kept.get(tracker.sender_id)
        if kept is not None and kept.tracker is tracker and kept.rows == rows:
            return list(itertools.islice(tracker.events, kept.stored, None))
        # Not a tracker this store lent, or the database changed since: count the rows, as the stock store does.
        return list(super()._additional_events(session, tracker))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """The stock save (publish the new events, insert them) in one database session."""
        sender_id = tracker.sender_id
        try:
            with self.session_scope() as session:
                new_events = self._new_events(session, tracker, self._rows(session, sender_id))
                if self.event_broker is not None:
                    await self._stream_new_events(self.event_broker, new_events, sender_id)
                for event in new_events:
                    session.add(self._row(sender_id, event))
                session.flush()
                rows = self._rows(session, sender_id)
                session.commit()
        except BaseException:
            self._kept.pop(sender_id, None)
            raise
        if not self._size or sum(isinstance(event, SessionStarted) for event in tracker.events) > 1:
            # Off, or a new session began in this tracker: the next read starts at it, as the stock store's does.
            self._kept.pop(sender_id, None)
            return
        self._keep(sender_id, _Kept(tracker, len(tracker.events), rows))

    def _row(self, sender_id: str, event: Event) -> Any:
        # As SQLTrackerStore.save writes it.
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
