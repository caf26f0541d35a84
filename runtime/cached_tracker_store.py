"""Rasa's SQL tracker store without the reload of every event on every turn.

Stock `SQLTrackerStore` reads and replays all events of the conversation three times per turn: to start the
turn, again inside `save` to find the events to publish to the event broker, and it counts them to find the
ones to insert. The cost grows with the length of the conversation (bench/turn_length.py).

Here each process keeps the trackers it saved, per conversation (at most `TRACKER_CACHE_CONVERSATIONS`,
default 2000, least recently used dropped; 0 for none). The database stays the only truth. A kept tracker is
used when one indexed query shows the conversation's rows are those it was saved with (count, highest id, and
that row's timestamp). When another replica appended rows since (round-robin balancing), only those rows are
read and applied. Anything else (rows removed or written out of order, a new session) reloads the tracker as
the stock store does, and so does a tracker changed but never saved (a failed turn). A kept tracker is lent to
one caller at a time: the processor holds it for the turn, under the lock store's lock, and a second reader
meanwhile gets its own copy from the database. A save is one database session.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from complaint_desk.stores.database import sqlite_pool_options
from runtime import fast_json
from runtime.rasa_version import require_pinned_rasa

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
    prefix_changed: bool = False  # rows up to a known highest id were added or removed since it was known


@contextmanager
def _plain_session_scope(make_session: Any) -> Iterator[Any]:
    session = make_session()
    try:
        yield session
    finally:
        session.close()


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
        self._schema_checked = False

    def _rows(self, session: Any, sender_id: str, kept: _Kept | None = None) -> _Rows:
        """The conversation's row count and highest id. With a kept tracker, also whether the rows it was
        saved with are still there: as many rows up to its highest id, and that row still the event it saved
        last (a SQLite id can be used again after a delete)."""
        event = self.SQLEvent
        columns = [sa.func.count(event.id), sa.func.max(event.id)]
        known = kept.rows if kept is not None else None
        if known is not None and known.last_id is not None:
            columns += [sa.func.sum(sa.case((event.id <= known.last_id, 1), else_=0)),
                        sa.func.max(sa.case((event.id == known.last_id, event.timestamp)))]
        found = session.query(*columns).filter(event.sender_id == sender_id).one()
        rows = _Rows(int(found[0] or 0), found[1])
        if len(found) > 2 and (int(found[2] or 0) != known.count
                               or found[3] != kept.tracker.events[kept.stored - 1].timestamp):
            return _Rows(rows.count, rows.last_id, prefix_changed=True)
        return rows

    def session_scope(self) -> Any:
        # The stock scope asks PostgreSQL whether the schema exists on every session; once per process is enough.
        if self._schema_checked:
            return _plain_session_scope(self.sessionmaker)
        self._schema_checked = True
        return super().session_scope()

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
        kept = self._kept.get(sender_id)
        if kept is not None and (kept.lent or len(kept.tracker.events) != kept.stored):
            kept = None
        with self.session_scope() as session:
            rows = self._rows(session, sender_id, kept)
            if kept is not None and rows != kept.rows and not self._caught_up(session, kept, rows):
                kept = None
        if kept is None:
            tracker = await super().retrieve(sender_id)
            if tracker is not None:
                self._keep(sender_id, _Kept(tracker, len(tracker.events), rows, lent=True))
            return tracker
        kept.lent = True
        self._kept.move_to_end(sender_id)
        # As loaded from the database: the processor stamps these for the turn it runs.
        kept.tracker.model_id = None
        kept.tracker.assistant_id = None
        return kept.tracker

    def _caught_up(self, session: Any, kept: _Kept, rows: _Rows) -> bool:
        """Apply the rows another process appended since `kept` was saved; False when that is not all that
        changed (rows removed or written out of order, a new session) and the tracker must be loaded again."""
        if rows.prefix_changed or kept.rows.last_id is None or rows.count <= kept.rows.count:
            return False
        event = self.SQLEvent
        newer = session.query(event.data).filter(
            event.sender_id == kept.tracker.sender_id, event.id > kept.rows.last_id).order_by(event.id).all()
        if len(newer) != rows.count - kept.rows.count:
            return False
        events = deserialise_events([json.loads(data) for (data,) in newer])
        if any(isinstance(e, SessionStarted) for e in events):
            return False
        for e in events:
            kept.tracker.update(e)
        kept.stored = len(kept.tracker.events)
        kept.rows = rows
        return True

    def _new_events(self, session: Any, tracker: DialogueStateTracker, kept: _Kept | None, rows: _Rows) -> list[Event]:
        if kept is not None and kept.rows == rows:
            return list(itertools.islice(tracker.events, kept.stored, None))
        # Not a tracker this store lent, or the database changed since: count the rows, as the stock store does.
        return list(super()._additional_events(session, tracker))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """The stock save (publish the new events, insert them) in one database session."""
        sender_id = tracker.sender_id
        try:
            with self.session_scope() as session:
                kept = self._kept.get(sender_id)
                if kept is not None and kept.tracker is not tracker:
                    kept = None
                before = self._rows(session, sender_id, kept)
                new_events = self._new_events(session, tracker, kept, before)
                if self.event_broker is not None:
                    await self._stream_new_events(self.event_broker, new_events, sender_id)
                added = [self._row(sender_id, event) for event in new_events]
                session.add_all(added)
                session.flush()
                rows = _Rows(before.count + len(added), max([before.last_id or 0, *(row.id for row in added)]) or None)
                session.commit()
        except BaseException:
            self._kept.pop(sender_id, None)
            raise
        if (not self._size or before.prefix_changed
                or sum(isinstance(event, SessionStarted) for event in tracker.events) > 1):
            # Off, rows changed under it, or a new session began in this tracker (the next read starts at it, as
            # the stock store's does): the next read loads from the database.
            self._kept.pop(sender_id, None)
            return
        self._keep(sender_id, _Kept(tracker, len(tracker.events), rows))

    def _row(self, sender_id: str, event: Event) -> Any:
        # As SQLTrackerStore.save writes it, with the faster encoder (the JSON reads back the same).
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=fast_json.dumps(data),
        )
