"""channels.storefront: which conversations a photo upload may attach to."""

from __future__ import annotations

import asyncio

from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from channels.storefront import conversation_started


def test_an_upload_may_attach_to_a_saved_conversation_or_one_whose_first_message_is_being_handled() -> None:
    async def scenario() -> tuple[bool, bool, bool, bool]:
        lock_store = InMemoryLockStore()
        tracker_store = InMemoryTrackerStore(Domain.empty())
        unknown = await conversation_started(lock_store, tracker_store, "never-seen")
        async with lock_store.lock("first-message"):  # Rasa holds this while it handles a message
            while_handled = await conversation_started(lock_store, tracker_store, "first-message")
        after_lock_without_save = await conversation_started(lock_store, tracker_store, "first-message")
        await tracker_store.save(DialogueStateTracker("saved", slots=[]))
        saved = await conversation_started(lock_store, tracker_store, "saved")
        return unknown, while_handled, after_lock_without_save, saved

    assert asyncio.run(scenario()) == (False, True, False, True)
