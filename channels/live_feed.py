"""In-process live feed: Rasa's tracker store publishes every new event here, and the agent console's
SSE streams wait on it. Configured in endpoints.yml as `event_broker: type: channels.live_feed.LiveFeedBroker`.

Only the conversation id travels: each stream re-reads the tracker, so a slow console never sees
half a turn and a burst of events costs one refresh.

In production, Rasa's own RabbitMQ broker (PikaEventBroker) carries the events of every replica, and
`BrokerFeed` feeds them into this process's FEED (started by the console's stream, `follow_event_broker`).
"""

from __future__ import annotations

import asyncio
import json
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


# ---------------------------------------------------------------- across replicas (production)


class BrokerFeed:
    """Feeds `FEED` from Rasa's RabbitMQ event broker (`event_broker: type: pika`, endpoints.production.yml).

    Rasa publishes every tracker event of every replica to a fanout exchange. Each replica binds its own
    exclusive, server-named queue to it, so the console on any replica hears the conversations of all
    of them. The queue goes away with the connection; a reconnect (aio-pika's robust connection) declares
    a new one and the open consoles get a full refresh, since events may have been missed meanwhile.
    """

    def __init__(self, broker: Any, feed: LiveFeed = FEED) -> None:
        self.broker = broker
        self.feed = feed
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()

    async def run(self) -> None:
        import aio_pika

        broker = self.broker
        url = broker.host if str(broker.host).startswith("amqp") else None
        connection = await aio_pika.connect_robust(
            url=url, host=broker.host, port=int(broker.port), login=broker.username, password=broker.password
        )
        connection.reconnect_callbacks.add(lambda *_: self.feed.changed(FULL_REFRESH))
        async with connection:
            channel = await connection.channel()
            exchange = await channel.declare_exchange(broker.exchange_name, aio_pika.ExchangeType.FANOUT)
            queue = await channel.declare_queue("", exclusive=True, auto_delete=True)
            await queue.bind(exchange, "")
            self.ready.set()
            logger.info("控制台实时列表已连接 RabbitMQ 交换机 %s（所有副本的对话）", broker.exchange_name)
            async with queue.iterator() as messages:
                async for message in messages:
                    async with message.process():
                        self._changed(message.body)

    def _changed(self, body: bytes) -> None:
        try:
            sender_id = json.loads(body).get("sender_id")
        except (ValueError, AttributeError):
            logger.warning("事件总线上有一条无法解析的消息，已忽略")
            return
        if sender_id:
            self.feed.changed(str(sender_id))

    def start(self) -> None:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self.run())
            self.task.add_done_callback(self._stopped)

    def _stopped(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            logger.error("控制台实时列表与 RabbitMQ 的连接断开：%s；下一个打开的控制台会重新连接", task.exception())


_BROKER_FEEDS: dict[int, BrokerFeed] = {}


def follow_event_broker(event_broker: Any) -> BrokerFeed | None:
    """Start (once per process) feeding the console from Rasa's pika event broker, if that is the broker.

    With the in-process LiveFeedBroker (development) there is nothing to follow: it feeds FEED itself.
    """
    from rasa.core.brokers.pika import PikaEventBroker

    if not isinstance(event_broker, PikaEventBroker):
        return None
    feed = _BROKER_FEEDS.get(id(event_broker))
    if feed is None:
        feed = _BROKER_FEEDS[id(event_broker)] = BrokerFeed(event_broker)
    feed.start()
    return feed
