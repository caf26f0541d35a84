"""Throwaway PostgreSQL, Redis and RabbitMQ (tools/services.py): what `make test` starts on a machine without them."""

from __future__ import annotations

import asyncio

import aio_pika
import redis
import sqlalchemy as sa

from tools.services import answers, provide, scratch_dir


def test_throwaway_instances_answer_and_leave_nothing_behind() -> None:
    root = scratch_dir("desk-services-forced-")
    services = provide(root, throwaway=True)
    try:
        assert services.started == ["postgresql", "redis", "rabbitmq"]
        with sa.create_engine(services.database_url).connect() as connection:
            assert connection.execute(sa.text("SELECT current_database()")).scalar() == "test"
        assert redis.Redis.from_url(services.redis_url).ping()

        async def handshake() -> None:
            connection = await aio_pika.connect(services.rabbitmq_url)
            await connection.close()

        asyncio.run(handshake())
    finally:
        services.stop()
    assert list(root.iterdir()) == []
    for url, port in ((services.database_url, 5432), (services.redis_url, 6379), (services.rabbitmq_url, 5672)):
        assert not answers(url, port), f"{url} still answers after stop()"
    root.rmdir()


def test_services_that_answer_are_used_as_they_are(services) -> None:
    if services.started:  # this machine had none: the session's own instances are throwaway ones
        assert set(services.started) <= {"postgresql", "redis", "rabbitmq"}
    for url, port in ((services.database_url, 5432), (services.redis_url, 6379), (services.rabbitmq_url, 5672)):
        assert answers(url, port)
