"""Parsing texts with a trained model as /model/parse does, timing each message (for `make eval-nlu`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from tools.eval_nlu_report import progress

SHOPPER_TIMING_MESSAGES = 600  # of our own NLU examples, timed after the external posts


async def parse_all(model_path: str, texts: Sequence[str]) -> tuple[list[dict[str, Any]], list[float]]:
    """The parse of every text and its latency in milliseconds, after one warm-up message."""
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    await agent.parse_message("你好")  # warm-up
    results, latencies = [], []
    for index, text in enumerate(texts, start=1):
        started = time.perf_counter()
        results.append(await agent.parse_message(text))
        latencies.append((time.perf_counter() - started) * 1000)
        if index % 500 == 0:
            progress(f"  parsed {index}/{len(texts)}")
    return results, latencies


def shopper_messages(training_data: Any, count: int = SHOPPER_TIMING_MESSAGES) -> list[str]:
    """Evenly spaced examples of our own NLU data: shopper-length messages, timed beside the long external posts."""
    texts = [example.get("text") for example in training_data.intent_examples]
    if len(texts) <= count:
        return texts
    return [texts[index * len(texts) // count] for index in range(count)]
