"""Rasa's RedisLockStore with its read-modify-write steps made atomic across replicas.

Rasa Open Source's RedisLockStore issues and returns conversation tickets by reading the lock
from Redis, changing it in Python and writing it back. Two replicas receiving a message of the
same conversation at the same moment can both read "no lock", both get ticket 0, and both run the
turn; the SQL tracker store then keeps only one of the two user messages (seen in
tests/production/test_replicas.py). Here each of those steps runs under a short Redis mutex
(`SET NX PX`, released by token) per conversation, so tickets are issued one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

# Each guarded step is a few Redis round trips; the timeouts only matter if a process dies holding it.
GUARD_SECONDS = 5


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    @contextmanager
    def _guard(self, conversation_id: str) -> Iterator[None]:
        with self.red.lock(
            f"{self.key_prefix}{conversation_id}:guard", timeout=GUARD_SECONDS, blocking_timeout=GUARD_SECONDS,
            sleep=0.005,
        ):
            yield

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._guard(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._guard(conversation_id):
            super().update_lock(conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        with self._guard(conversation_id):
            super().finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # One guarded step: between "nobody waits" and the delete, no ticket may be issued.
        with self._guard(conversation_id):
            LockStore.finish_serving(self, conversation_id, ticket_number)
            if not self.is_someone_waiting(conversation_id):
                self.delete_lock(conversation_id)
