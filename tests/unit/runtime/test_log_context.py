"""JSON log lines with the conversation id (runtime/logging.yml, the containers' logging config)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import logging.config

import pytest
import yaml

from complaint_desk.paths import PROJECT_ROOT
from runtime.log_context import CONVERSATION_ID, set_conversation


@pytest.fixture
def json_logging():
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logging.config.dictConfig(yaml.safe_load((PROJECT_ROOT / "runtime" / "logging.yml").read_text(encoding="utf-8")))
    buffer = io.StringIO()
    [handler] = root.handlers  # the config's stdout handler, written to a buffer here instead
    handler.setStream(buffer)
    yield buffer
    root.handlers[:], root.level = saved


def test_each_line_is_json_with_the_conversation_it_belongs_to(json_logging) -> None:
    async def turn(conversation: str) -> None:
        set_conversation(conversation)
        await asyncio.sleep(0)  # the other conversation runs in between
        logging.getLogger("channels.test").warning("处理消息：%s", conversation)

    async def both() -> None:
        await asyncio.gather(turn("shopper-a"), turn("shopper-b"))

    asyncio.run(both())
    logging.getLogger("channels.test").info("no conversation here")
    raw = json_logging.getvalue()
    lines = [json.loads(line) for line in raw.splitlines()]
    assert [(line["conversation_id"], line["message"]) for line in lines] == [
        ("shopper-a", "处理消息：shopper-a"), ("shopper-b", "处理消息：shopper-b"), (None, "no conversation here")]
    assert {"time", "level", "logger"} <= set(lines[0]) and lines[0]["level"] == "WARNING"
    assert "处理消息" in raw, "Chinese stays readable (no \\u escapes)"
    assert CONVERSATION_ID.get() is None, "set inside tasks, never leaked outside them"
