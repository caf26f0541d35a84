"""Checks on what a chat client sends, shared by the REST and socket.io channels.

A refused message raises `RejectedMessage` with a 4xx status and a Chinese explanation
from knowledge/channel_messages.yml; nothing malformed reaches Rasa.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from typing import Any

import yaml

from channels.customer_session import is_trusted
from complaint_desk.paths import KNOWLEDGE_DIR

MAX_MESSAGE_CHARS = 2000
# Sender ids end up in URLs of Rasa's HTTP API and in a VARCHAR(255) column.
SENDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$")
# Control characters (NUL breaks PostgreSQL text), zero-width and other format characters.
_INVISIBLE = frozenset({"Cc", "Cf"})


@cache
def channel_messages() -> dict[str, Any]:
    return yaml.safe_load((KNOWLEDGE_DIR / "channel_messages.yml").read_text(encoding="utf-8"))


class RejectedMessage(Exception):
    def __init__(self, code: str, status: int = 400, **fields: Any) -> None:
        self.code = code
        self.status = status
        template: str = channel_messages()["errors"][code]
        self.message = template.format(**fields) if fields else template
        super().__init__(self.message)

    def body(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


def parse_json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise RejectedMessage("not_json") from error
    if not isinstance(body, dict):
        raise RejectedMessage("not_object")
    return body


def checked_sender(value: Any) -> str:
    if not isinstance(value, str) or not SENDER_ID.match(value):
        raise RejectedMessage("bad_sender")
    if not is_trusted(value):
        raise RejectedMessage("unknown_sender", status=403)
    return value


def checked_text(value: Any) -> str:
    """The message with invisible characters removed; refused when empty, too long or not text."""
    if not isinstance(value, str):
        raise RejectedMessage("bad_message")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:  # lone surrogates such as "\ud800" from JSON escapes
        raise RejectedMessage("invalid_text") from error
    if len(value) > 4 * MAX_MESSAGE_CHARS:
        raise RejectedMessage("too_long", status=413, limit=MAX_MESSAGE_CHARS)
    text = "".join(
        " " if char in "\n\r\t" else char for char in value if char in "\n\r\t" or unicodedata.category(char) not in _INVISIBLE
    ).strip()
    if not text:
        raise RejectedMessage("empty_message")
    if len(text) > MAX_MESSAGE_CHARS:
        raise RejectedMessage("too_long", status=413, limit=MAX_MESSAGE_CHARS)
    return text


def json_body(request: Any) -> dict[str, Any] | None:
    """The request's JSON object, or None when the body is missing, malformed or not an object."""
    try:
        body = request.json
    except Exception:  # Sanic raises its own error type on malformed JSON
        return None
    return body if isinstance(body, dict) else None
