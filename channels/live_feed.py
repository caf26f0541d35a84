"""In-process live feed: Rasa's tracker store publishes every new event here, and the agent console's
SSE streams wait on it. Configured in endpoints.yml as `event_broker: type: channels.live_feed.LiveFeedBroker`.

Only the conversation id travels: each stream re-reads the tracker, so a slow console never sees
half a turn and a burst of events costs one refresh.
"""

from __future__ import annotations

import asyncio
import logging
from asyncio import AbstractEventLoop
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# Bounded so a console tab that stopped reading cannot grow memory; it then gets a full refresh.
_QUEUE_SIZE = 1000
FULL_REFRESH = ""


class LiveFeed:
    """Fan-out of changed conversation ids to every subscribed stream."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str]] = set()

    def subscribe(self) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue(_QUEUE_SIZE)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        self._queues.discard(queue)

    def changed(self, conversation_id: str) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(conversation_id)
            except asyncio.QueueFull:
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(FULL_REFRESH)


FEED = LiveFeed()


class LiveFeedBroker(EventBroker):
    """An event broker that stays in the Rasa server process and feeds `FEED`."""

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: AbstractEventLoop | None = None
    ) -> LiveFeedBroker:
        return cls()

    def publish(self, event: dict[str, Any]) -> None:
        sender_id = event.get("sender_id")
        if sender_id:
            FEED.changed(str(sender_id))
