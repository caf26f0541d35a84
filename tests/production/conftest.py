"""Production-mode tests: several Rasa replicas on real PostgreSQL, Redis and RabbitMQ (the machine's own, or
throwaway instances that tools/services.py starts when they do not answer).

Every run gets its own PostgreSQL schema, Redis key prefix and RabbitMQ exchange, all removed afterwards.
All tests here carry the `production` marker (`pytest -m production`). Tests marked
`destructive` kill or restart processes; they run after the other production tests, in file order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
import sqlalchemy as sa

from tools.services import Services
from tools.stack import Stack, start_stack

REPLICAS = 2
# Two replicas load TensorFlow at once; on a busy 2-core machine that takes minutes (a wait, not a check).
STARTUP_WAIT_SECONDS = 480
RUN_ID = uuid.uuid4().hex[:10]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    ours = [item for item in items if here in Path(str(item.fspath)).parents]
    for item in ours:
        item.add_marker(pytest.mark.production)
    destructive = [item for item in ours if item.get_closest_marker("destructive")]
    rest = [item for item in items if item not in destructive]
    last_of_ours = max((index for index, item in enumerate(rest) if item in ours), default=len(rest) - 1)
    items[:] = rest[: last_of_ours + 1] + destructive + rest[last_of_ours + 1 :]


@pytest.fixture(scope="package")
def database(services: Services) -> Iterator[sa.engine.Engine]:
    engine = sa.create_engine(services.database_url, future=True)
    yield engine
    engine.dispose()


@pytest.fixture(scope="package")
def run_schema(database: sa.engine.Engine) -> Iterator[str]:
    """A PostgreSQL schema of our own for this run; dropped with everything in it at the end."""
    schema = f"cd_test_{RUN_ID}"
    yield schema
    with database.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture(scope="package")
def redis_prefix(services: Services) -> Iterator[str]:
    prefix = f"cdtest{RUN_ID}"
    yield prefix
    client = redis.Redis.from_url(services.redis_url)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


class Deployment:
    """The production stack of this test run: replicas, action server, workers, and a way to restart all."""

    def __init__(self, var_dir: Path, schema: str, redis_prefix: str, services: Services) -> None:
        self.var_dir = var_dir
        self.schema = schema
        self.redis_prefix = redis_prefix
        self.services = services
        self.stack = self._start()

    def _start(self) -> Stack:
        # tools.stack reads Redis and RabbitMQ from the environment, as `make run` does.
        settings = {**self.services.redis, **self.services.rabbitmq}
        saved = {name: os.environ.get(name) for name in settings}
        os.environ.update(settings)
        try:
            return start_stack(
                self.var_dir,
                replicas=REPLICAS,
                mode="production",
                database_url=self.services.database_url,
                db_schema=self.schema,
                redis_prefix=self.redis_prefix,
                followup_poll_seconds=1,
                timeout=STARTUP_WAIT_SECONDS,
            )
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def restart(self) -> Stack:
        """Stop every process (SIGTERM), then start all of them again on the same databases."""
        self.stack.stop()
        self.stack = self._start()
        return self.stack

    def stop(self) -> None:
        self.stack.stop()


def delete_broker_objects(env: dict[str, str]) -> None:
    """Remove this run's RabbitMQ exchange and kept-events queue (tools.stack names them after the prefix)."""
    import asyncio

    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect(host=env["RABBITMQ_HOST"], port=int(env["RABBITMQ_PORT"]),
                                            login=env["RABBITMQ_USERNAME"], password=env["RABBITMQ_PASSWORD"])
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(env["RABBITMQ_QUEUE"])
            await channel.exchange_delete(env["RABBITMQ_EXCHANGE"])

    asyncio.run(delete())


@pytest.fixture(scope="package")
def deployment(tmp_path_factory: pytest.TempPathFactory, run_schema: str, redis_prefix: str,
               services: Services) -> Iterator[Deployment]:
    running = Deployment(tmp_path_factory.mktemp("production"), run_schema, redis_prefix, services)
    yield running
    running.stop()
    delete_broker_objects(running.stack.env)


@pytest.fixture
def stack(deployment: Deployment) -> Stack:
    return deployment.stack


class Customer:
    """One shopper over the REST channel, with a sender id issued by the server; each turn may hit any replica."""

    def __init__(self, stack: Stack, sender: str | None = None) -> None:
        self.stack = stack
        self.sender = sender or requests.post(f"{stack.rasa_url}/webhooks/rest/session", timeout=30).json()["sender"]
        self.sent: list[str] = []
        self.received: list[str | None] = []

    def say(self, message: str, replica: int = 0) -> list[dict]:
        response = requests.post(
            f"{self.stack.rasa_urls[replica]}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": message},
            timeout=120,
        )
        assert response.status_code == 200, response.text
        replies = response.json()
        self.sent.append(message)
        self.received += [reply.get("text") for reply in replies]
        return replies

    def say_text(self, message: str, replica: int = 0) -> str:
        return "\n".join(reply.get("text") or "" for reply in self.say(message, replica))

    def tracker(self, replica: int = 0) -> dict:
        response = requests.get(
            f"{self.stack.rasa_urls[replica]}/conversations/{self.sender}/tracker",
            params={"token": self.stack.token, "include_events": "ALL"},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def assert_tracker_matches_transcript(self) -> None:
        """Every message sent and every reply received is in the tracker once, in order, and nothing else."""
        events = self.tracker()["events"]
        user_texts = [event["text"] for event in events if event["event"] == "user"]
        bot_texts = [event.get("text") for event in events if event["event"] == "bot"]
        assert user_texts == self.sent
        assert bot_texts == self.received
        timestamps = [event["timestamp"] for event in events]
        assert timestamps == sorted(timestamps), "events are stored in the order they happened"


def late_delivery_to_ticket(customer: Customer, replicas: list[int]) -> str:
    """The late-delivery complaint up to its ticket, turn i on replicas[i % len(replicas)]; returns the ticket id."""
    turns = ["我的快递一个星期了还没到！", "订单号472918305561", "给点补偿吧", "好的，可以"]
    for index, message in enumerate(turns):
        customer.say(message, replicas[index % len(replicas)])
    return customer.tracker()["slots"]["ticket_id"]


def forget_tickets(database: sa.engine.Engine, schema: str, order_id: str) -> None:
    """A fresh order history, so a complaint about `order_id` is not treated as a repeat complaint."""
    with database.begin() as connection:
        connection.execute(
            sa.text(f'DELETE FROM "{schema}".complaint_tickets WHERE order_id = :order_id'), {"order_id": order_id}
        )


def tickets_in(database: sa.engine.Engine, schema: str) -> list[tuple[str, str]]:
    with database.connect() as connection:
        return [
            (row.ticket_id, row.conversation_id)
            for row in connection.execute(sa.text(f'SELECT ticket_id, conversation_id FROM "{schema}".complaint_tickets'))
        ]
