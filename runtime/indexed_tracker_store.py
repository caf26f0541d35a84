"""Rasa's SQL tracker store, which also keeps the agent console's conversation index up to date.

Configured in endpoints.yml and endpoints.production.yml as `tracker_store: type:
runtime.indexed_tracker_store.IndexedSQLTrackerStore`. The console's list reads only the `conversation_index`
table (complaint_desk/stores/conversation_index.py); each saved conversation's row is rewritten from its events
in the process that saved it, so each change is indexed once however many replicas run.

The row is written behind the turn, not in it: a save notes the conversation, and a few seconds later
(`CONVERSATION_INDEX_DELAY_SECONDS`, default 2; 0 writes it within every save) every conversation noted since is
written in one go, once each however many turns it had meanwhile. The turn no longer waits for it, and a busy
conversation is indexed once per delay instead of once per message (docs/measurements.md, session 19).
- The console of this process sees every save: its list and search wait for the notes to be written first
  (`index_written`). A console on another replica sees them at most the delay later; its live stream reads the
  trackers themselves and is not delayed.
- A process that stops writes what it has noted (Rasa's shutdown, `install`). One that is killed loses at most
  the delay's worth; the next process to start writes, before anything else, every conversation of the last
  day whose events are newer than its row. `tools/reindex_conversations.py` rebuilds all of it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import rasa.core.run
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from complaint_desk.desk import shared_desk
from runtime.cached_tracker_store import CachedSQLTrackerStore
from runtime.rasa_version import require_pinned_rasa

require_pinned_rasa()  # rasa.core.run.close_resources of Rasa 3.6.21, registered by serve_application at start

logger = logging.getLogger(__name__)

DELAY_ENV = "CONVERSATION_INDEX_DELAY_SECONDS"
DEFAULT_DELAY_SECONDS = 2.0
CATCH_UP_SECONDS = 24 * 3600  # how far back a starting process looks for conversations its row misses


def index_delay() -> float:
    value = os.environ.get(DELAY_ENV, "").strip()
    if not value:
        return DEFAULT_DELAY_SECONDS
    try:
        delay = float(value)
    except ValueError:
        delay = -1.0
    if not 0 <= delay <= 60:
        raise ValueError(f"{DELAY_ENV} 应为 0 到 60 之间的秒数（0 表示每次保存时立即写索引），现在是 {value!r}")
    return delay


def _write_rows(states: Iterable[Mapping[str, Any]]) -> int:
    return shared_desk().index_conversations(states)


def _stored_updates(since: float) -> dict[str, float]:
    return shared_desk().conversation_index.updated_since(since)


class IndexedSQLTrackerStore(CachedSQLTrackerStore):
    # The desk's functions, replaced in the tests.
    write_rows: Callable[[Iterable[Mapping[str, Any]]], int] = staticmethod(_write_rows)
    stored_updates: Callable[[float], dict[str, float]] = staticmethod(_stored_updates)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._delay = index_delay()
        self._noted: dict[str, DialogueStateTracker] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._writing = asyncio.Lock()
        self._index_caught_up = False
        self._background: set[asyncio.Task[None]] = set()

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        self._noted[tracker.sender_id] = tracker
        if not self._delay:
            await self.write_index()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._delay, self._write_in_background)

    def _write_in_background(self) -> None:
        self._timer = None
        task = asyncio.ensure_future(self.write_index())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def write_index(self) -> None:
        """Write the row of every conversation saved since the last write (and, first in a process, catch up)."""
        async with self._writing:
            if not self._index_caught_up:
                self._index_caught_up = True
                await self._catch_up()
            noted, self._noted = self._noted, {}
            if not noted:
                return
            # The tracker as it is now: a turn in progress meanwhile shows its message, and its save notes it again.
            states = [tracker.current_state(EventVerbosity.ALL) for tracker in noted.values()]
            try:
                await asyncio.to_thread(self.write_rows, states)
            except Exception:  # rebuildable (tools/reindex_conversations.py); a turn must not fail
                logger.exception("会话索引更新失败：%d 个会话", len(states))

    async def _catch_up(self) -> None:
        """Note every conversation of the last day whose latest event is newer than its row: a process that was
        killed before it wrote them."""
        try:
            since = time.time() - CATCH_UP_SECONDS
            latest = await asyncio.to_thread(self._latest_events, since)
            stored = await asyncio.to_thread(self.stored_updates, since)
            behind = [sender_id for sender_id, stamp in latest.items()
                      if stored.get(sender_id, -1.0) < stamp and sender_id not in self._noted]
            for sender_id in behind:
                tracker = await SQLTrackerStore.retrieve(self, sender_id)  # from the database, not a lent tracker
                if tracker is not None:
                    self._noted.setdefault(sender_id, tracker)
            if behind:
                logger.info("会话索引补写 %d 个会话（上次进程退出前未写入）", len(behind))
        except Exception:
            logger.exception("会话索引补写失败，可运行 python -m tools.reindex_conversations 重建")

    def _latest_events(self, since: float) -> dict[str, float]:
        event = self.SQLEvent
        with self.session_scope() as session:
            rows = (session.query(event.sender_id, sa.func.max(event.timestamp))
                    .filter(event.timestamp > since).group_by(event.sender_id).all())
        return {sender_id: float(stamp) for sender_id, stamp in rows if stamp is not None}


async def index_written(tracker_store: Any) -> None:
    """Wait until this process's saves are in the conversation index (the console's list and search read it)."""
    store = getattr(tracker_store, "_tracker_store", tracker_store)  # Rasa wraps custom stores (AwaitableTrackerStore)
    if isinstance(store, IndexedSQLTrackerStore):
        await store.write_index()


_stock_close_resources = rasa.core.run.close_resources


async def write_index_then_close(app: Any, loop: Any) -> None:
    """Rasa's shutdown, after the conversations this process noted are written to the index."""
    agent = getattr(app.ctx, "agent", None)
    if agent is not None and agent.tracker_store is not None:
        try:
            await index_written(agent.tracker_store)
        except Exception:
            logger.exception("退出前写会话索引失败")
    await _stock_close_resources(app, loop)


def install() -> None:
    rasa.core.run.close_resources = write_index_then_close
