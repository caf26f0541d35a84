"""The agent console's live list across replicas: Rasa's RabbitMQ event broker carries every replica's events."""

from __future__ import annotations

import queue
import threading
import time

import requests

from tests.production.conftest import Customer
from tools.services import Services
from tools.stack import Stack

WAIT_SECONDS = 90.0


class ConsoleStream:
    """The console's server-sent events from one replica, read line by line in a thread."""

    def __init__(self, stack: Stack, replica: int) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.response = requests.get(
            f"{stack.rasa_urls[replica]}/webhooks/agent/api/stream",
            headers={"Authorization": f"Bearer {stack.agent_token}"},
            stream=True,
            timeout=(10, WAIT_SECONDS),
        )
        assert self.response.status_code == 200, self.response.text
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                self.lines.put(line or "")
        except (requests.RequestException, AttributeError):
            pass  # closed by the test

    def wait_for(self, text: str) -> str | None:
        """The first data line that mentions `text`, or None when none comes in time."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line.startswith("data:") and text in line:
                return line
        return None

    def opened(self) -> bool:
        """The stream's first line (sent once the replica's broker queue is bound)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                if self.lines.get(timeout=1).startswith("retry:"):
                    return True
            except queue.Empty:
                continue
        return False

    def close(self) -> None:
        self.response.close()


def test_the_console_on_one_replica_sees_a_conversation_handled_by_the_other_live(stack: Stack) -> None:
    console = ConsoleStream(stack, replica=0)
    try:
        assert console.opened()
        customer = Customer(stack)
        customer.say("快递一个星期了还没到，订单号472918305561", replica=1)
        row = console.wait_for(customer.sender)
        assert row is not None, "replica 1's conversation reached the console of replica 0"
        assert "快递" in row, "the row carries the customer's message"
    finally:
        console.close()


def test_every_replica_feed_hears_an_event_published_by_rasa_broker(redis_prefix: str, services: Services) -> None:
    """Rasa's PikaEventBroker → fanout exchange → each replica's own queue → its console feed."""
    import asyncio
    import uuid

    import rasa.shared.core.events  # noqa: F401  (pika.py uses it unimported; a Rasa server has it loaded)
    from rasa.core.brokers.pika import PikaEventBroker
    from rasa.utils.endpoints import EndpointConfig

    from channels.live_feed import BrokerFeed, LiveFeed

    exchange = f"{redis_prefix}.unit.{uuid.uuid4().hex[:6]}"

    async def scenario() -> list[str]:
        rabbitmq = services.rabbitmq
        config = EndpointConfig(url=rabbitmq["RABBITMQ_HOST"], type="pika", port=int(rabbitmq["RABBITMQ_PORT"]),
                                username=rabbitmq["RABBITMQ_USERNAME"], password=rabbitmq["RABBITMQ_PASSWORD"],
                                exchange_name=exchange, queues=[f"{exchange}.kept"])
        broker = await PikaEventBroker.from_endpoint_config(config)
        feeds = [LiveFeed(), LiveFeed()]
        followers = [BrokerFeed(broker, feed) for feed in feeds]
        queues = [feed.subscribe() for feed in feeds]
        for follower in followers:
            follower.start()
            await asyncio.wait_for(follower.ready.wait(), 30)
        broker.publish({"event": "user", "sender_id": "shopper-1", "text": "快递还没到"})
        heard = [await asyncio.wait_for(q.get(), 30) for q in queues]
        for follower in followers:
            follower.task.cancel()
        connection = broker._connection
        channel = await connection.channel()
        await channel.queue_delete(f"{exchange}.kept")
        await channel.exchange_delete(exchange)
        await broker.close()
        return heard

    assert asyncio.run(scenario()) == ["shopper-1", "shopper-1"]


def test_every_replica_is_ready_only_with_its_database_redis_and_broker(stack: Stack) -> None:
    for url in stack.rasa_urls:
        body = requests.get(f"{url}/webhooks/health/ready", timeout=30).json()
        assert body == {"status": "ready", "checks": {
            "model": "ok", "complaint_database": "ok", "tracker_store": "ok", "lock_store": "ok", "event_broker": "ok",
        }}
