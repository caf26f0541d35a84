"""The conversation a log line belongs to: set by the channels for each customer message and agent request,
read by the logging filter of runtime/logging.yml (JSON logs in containers).

A contextvar, so it follows the message through every coroutine Rasa awaits for it, and never leaks into
another conversation handled at the same time.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

CONVERSATION_ID: ContextVar[str | None] = ContextVar("conversation_id", default=None)


def set_conversation(conversation_id: str | None) -> None:
    CONVERSATION_ID.set(conversation_id)


class ConversationFilter(logging.Filter):
    """Adds `conversation_id` to every record (None outside a conversation)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.conversation_id = CONVERSATION_ID.get()
        return True
