"""The wording the bot uses in custom actions, read from knowledge/replies.yml."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from complaint_desk.knowledge import load_knowledge


class ReplyBook:
    def __init__(self, entries: Mapping[str, Any], rng: random.Random | None = None) -> None:
        self._entries = entries
        self._rng = rng or random.Random()

    @classmethod
    def from_file(cls, path: Path) -> ReplyBook:
        return cls(load_knowledge(path))

    def text(self, key: str, avoid: Iterable[str] = (), **fields: Any) -> str:
        """One wording for `key`, preferring one not in `avoid` (texts already sent)."""
        return self._choose(self._entries[key], avoid).format(**fields)

    def restate(self, category: str) -> str:
        return self._entries["restate"][category]

    def empathize(self, emotion: str, avoid: Iterable[str] = ()) -> str:
        return self._by_emotion("empathize", emotion, avoid)

    def feeling_before_the_facts(self, emotion: str, avoid: Iterable[str] = ()) -> str:
        """The feeling acknowledged, and a question about what happened: nothing has been told yet."""
        return self._by_emotion("feeling_before_the_facts", emotion, avoid)

    def _by_emotion(self, key: str, emotion: str, avoid: Iterable[str]) -> str:
        by_emotion = self._entries[key]
        return self._choose(by_emotion.get(emotion) or by_emotion["neutral"], avoid)

    def closed_detail_question(self, category: str | None) -> tuple[str, list[str]] | None:
        """A choice question about what happened, for a category; None when there is none."""
        entry = self._entries.get("closed_detail_questions", {}).get(category or "")
        return (entry["question"], list(entry["options"])) if entry else None

    def order_status(self, status: str, **fields: Any) -> str:
        return self._entries["order_status"][status].format(**fields)

    def name_of(self, table: str, key: str) -> str:
        """A display name from one of the lookup tables (outcome_names, category_names, ticket_status)."""
        return self._entries[table].get(key, key)

    def _choose(self, options: str | list[str], avoid: Iterable[str]) -> str:
        if isinstance(options, str):
            return options
        used = list(avoid)
        fresh = [option for option in options if not any(_wording_of(option).search(text) for text in used)]
        return self._rng.choice(fresh or options)


@functools.lru_cache(maxsize=1024)
def _wording_of(template: str) -> re.Pattern[str]:
    """A template as a pattern that finds it in a text sent: its fields may stand for anything. (Its first words
    alone are not enough: "订单 {order_id}…" would be found in "查到订单 4729…", another wording.)"""
    fixed = [re.escape(part) for part in re.split(r"\{[^{}]*\}", template)]
    return re.compile(".*?".join(fixed), re.DOTALL)
