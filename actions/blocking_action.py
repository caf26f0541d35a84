"""Database work of the actions runs in worker threads, so one slow query does not stall the action server.

The action server is one asyncio event loop; a synchronous SQLAlchemy call inside an `async def run`
blocks every other conversation's action call until the database answers. Each call still runs its
steps in order (awaited), and each conversation has one action call at a time (Rasa's lock), so the
ordering of a conversation's reads and writes is as before.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.metrics import ACTION_SECONDS
from complaint_desk.desk import shared_desk
from runtime.log_context import set_conversation

P = ParamSpec("P")
T = TypeVar("T")


async def off_loop(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`func(*args, **kwargs)` in a worker thread."""
    shared_desk()  # built on the event loop at first use, never by two threads at once
    return await asyncio.to_thread(func, *args, **kwargs)


class BlockingAction(Action, ABC):
    """An action whose body (`run_blocking`) reads or writes the database. Abstract: the action server
    registers only its subclasses."""

    @abstractmethod
    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """The action's body, run in a worker thread."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        set_conversation(tracker.sender_id)  # the conversation id of this action's log lines
        with ACTION_SECONDS.labels(self.name()).time():
            return await off_loop(self.run_blocking, dispatcher, tracker, domain)
