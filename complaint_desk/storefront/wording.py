"""What the chat widget says to shoppers: knowledge/widget.yml, checked at load (a missing key or a placeholder
that cannot be filled names the file and the line)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complaint_desk.knowledge import KnowledgeError, KnowledgeMap, line_of, load_knowledge, reading

# The placeholders each wording may use; anything else is a typo a shopper would see as "{tema}".
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "queue.waiting": frozenset({"team", "ahead", "minutes"}),
    "queue.next_in_line": frozenset({"team", "minutes"}),
    "queue.assigned": frozenset({"agent"}),
    "queue.after_hours": frozenset({"hours", "opening"}),
    "service_hours.closed_banner": frozenset({"hours", "opening"}),
    "leave_message.received": frozenset({"ticket_id", "opening", "contact"}),
    "leave_message.received_open": frozenset({"ticket_id", "contact"}),
    "leave_message.errors.too_long": frozenset({"limit"}),
    "leave_message.errors.too_many_photos": frozenset({"limit"}),
    "rating.question_agent": frozenset({"agent"}),
    "rating.errors.too_long": frozenset({"limit"}),
    "message_state.unread_title": frozenset({"count"}),
    "shopper.greeting": frozenset({"name"}),
    "shopper.order_message": frozenset({"order_id"}),
}
SECTIONS = ("header", "queue", "service_hours", "leave_message", "rating", "shopper", "message_state")
NUMBERS = {"queue.minutes_per_shopper", "leave_message.max_chars", "leave_message.max_photos",
           "rating.max_comment_chars"}


@dataclass(frozen=True)
class WidgetWording:
    texts: Mapping[str, str]  # "queue.waiting" -> template
    star_labels: Mapping[int, str]  # 1..5
    minutes_per_shopper: int
    message_max_chars: int
    max_photos: int
    comment_max_chars: int

    def text(self, key: str, **values: Any) -> str:
        return self.texts[key].format(**values)

    def for_widget(self) -> dict[str, Any]:
        """Everything the widget shows by itself (labels, buttons), sent once with its configuration."""
        return {"texts": dict(self.texts), "stars": {str(k): v for k, v in self.star_labels.items()},
                "limits": {"message_max_chars": self.message_max_chars, "max_photos": self.max_photos,
                           "comment_max_chars": self.comment_max_chars}}


def _flatten(section: Any, prefix: str, out: dict[str, tuple[Any, KnowledgeMap]]) -> None:
    for key, value in section.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict) and name != "rating.stars":
            _flatten(value, name, out)
        else:
            out[name] = (value, section)


def _check_placeholders(key: str, template: str, where: KnowledgeMap) -> None:
    allowed = PLACEHOLDERS.get(key, frozenset())
    try:
        used = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    except ValueError as error:
        raise KnowledgeError(where.source, [(line_of(where, key.rsplit(".", 1)[1]), f"{key}：花括号不配对（{error}）")]) from error
    unknown = used - allowed
    if unknown:
        raise KnowledgeError(where.source, [(line_of(where, key.rsplit(".", 1)[1]),
                                             f"{key}：不认识的占位符 {sorted(unknown)}，可以用的有 {sorted(allowed) or '（无）'}")])


def load_widget_wording(path: str | Path) -> WidgetWording:
    raw = load_knowledge(path)
    values: dict[str, tuple[Any, KnowledgeMap]] = {}
    for section in SECTIONS:
        with reading(raw, "聊天窗口话术"):
            _flatten(raw[section], section, values)
    texts: dict[str, str] = {}
    for key, (value, where) in values.items():
        if key in NUMBERS or key == "rating.stars":
            continue
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeError(where.source, [(line_of(where, key.rsplit(".", 1)[1]), f"{key} 应为一段非空文字")])
        _check_placeholders(key, value, where)
        texts[key] = value.strip()
    missing = [key for key in PLACEHOLDERS if key not in texts]
    if missing:
        raise KnowledgeError(raw.source, [(raw.line, f"缺少必填项 {missing}")])
    stars, stars_at = values.get("rating.stars", (None, raw))
    if not isinstance(stars, dict) or sorted(stars) != [1, 2, 3, 4, 5]:
        raise KnowledgeError(stars_at.source, [(line_of(stars_at, "stars"), "rating.stars 应列出 1 到 5 颗星各自的说明")])
    numbers: dict[str, int] = {}
    for key in NUMBERS:
        value, where = values.get(key, (None, raw))
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise KnowledgeError(where.source, [(line_of(where, key.rsplit(".", 1)[1]), f"{key} 应为正整数")])
        numbers[key] = value
    return WidgetWording(
        texts=texts,
        star_labels={int(k): str(v) for k, v in stars.items()},
        minutes_per_shopper=numbers["queue.minutes_per_shopper"],
        message_max_chars=numbers["leave_message.max_chars"],
        max_photos=numbers["leave_message.max_photos"],
        comment_max_chars=numbers["rating.max_comment_chars"],
    )
