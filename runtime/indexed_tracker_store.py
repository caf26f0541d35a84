"""Rasa's SQL tracker store, which also keeps the agent console's conversation index up to date.

Configured in endpoints.yml and endpoints.production.yml as `tracker_store: type:
runtime.indexed_tracker_store.IndexedSQLTrackerStore`. Every save of a tracker (a customer turn, a
follow-up, an agent's message, a takeover) rewrites that conversation's row in the `conversation_index`
table (complaint_desk/stores/conversation_index.py) from the saved events, in the process that saved it,
so each change is indexed once however many replicas run. The console's list reads only that table.
"""

from __future__ import annotations

import asyncio
import logging

from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from complaint_desk.desk import shared_desk
from runtime.cached_tracker_store import CachedSQLTrackerStore

logger = logging.getLogger(__name__)


class IndexedSQLTrackerStore(CachedSQLTrackerStore):
    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        state = tracker.current_state(EventVerbosity.ALL)
        try:
            await asyncio.to_thread(shared_desk().index_conversation, state)
        except Exception:  # rebuildable (tools/reindex_conversations.py); a turn must not fail
            logger.exception("会话索引更新失败：%s", tracker.sender_id)
