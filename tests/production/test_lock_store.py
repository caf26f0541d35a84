"""The Redis lock store shared by the replicas hands out each conversation ticket once."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from rasa.core.lock_store import RedisLockStore

from runtime.redis_lock_store import AtomicRedisLockStore
from tools.services import Services


def issue_concurrently(stores: list[RedisLockStore], conversation_id: str, per_thread: int = 25) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        batches = pool.map(
            lambda index: [stores[index % len(stores)].issue_ticket(conversation_id) for _ in range(per_thread)],
            range(8),
        )
        return [ticket for batch in batches for ticket in batch]


def test_tickets_issued_at_once_by_two_replicas_are_unique(redis_prefix: str, services: Services) -> None:
    redis = services.redis
    stores = [AtomicRedisLockStore(host=redis["REDIS_HOST"], port=int(redis["REDIS_PORT"]), db=int(redis["REDIS_DB"]),
                                   key_prefix=redis_prefix) for _ in range(2)]
    conversation_id = f"lock-{uuid.uuid4().hex}"
    tickets = issue_concurrently(stores, conversation_id)
    assert sorted(tickets) == list(range(len(tickets)))
    for ticket in tickets:
        stores[ticket % 2].cleanup(conversation_id, ticket)
    assert stores[0].get_lock(conversation_id) is None, "the last cleanup removes the lock"
