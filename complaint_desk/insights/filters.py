"""What the supervisor narrowed the page to: a date range, a category, a level (InsightFilter)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from complaint_desk.insights.errors import InsightsError
from complaint_desk.policy.levels import COMPLAINT_LEVELS
from complaint_desk.taxonomy import COMPLAINT_CATEGORIES


@dataclass(frozen=True)
class InsightFilter:
    since: dt.date | None = None  # inclusive
    until: dt.date | None = None  # inclusive
    category: str | None = None
    level: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> InsightFilter:
        """From query parameters (strings; empty means no filter). Raises InsightsError with a Chinese message."""
        def text(name: str) -> str | None:
            value = params.get(name)
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            value = str(value).strip() if value is not None else ""
            return value or None

        since, until = _date(text("since"), "起始日期"), _date(text("until"), "结束日期")
        if since and until and since > until:
            raise InsightsError("起始日期不能晚于结束日期。")
        category, level = text("category"), text("level")
        if category is not None and category not in COMPLAINT_CATEGORIES:
            raise InsightsError(f"没有这个投诉类别：{category}。可选：{'、'.join(COMPLAINT_CATEGORIES)}。")
        if level is not None and level not in COMPLAINT_LEVELS:
            raise InsightsError(f"没有这个投诉等级：{level}。可选：{'、'.join(COMPLAINT_LEVELS)}。")
        return cls(since, until, category, level)

    def as_params(self) -> dict[str, str]:
        values = {"since": self.since, "until": self.until, "category": self.category, "level": self.level}
        return {k: str(v) for k, v in values.items() if v is not None}

    def start(self) -> dt.datetime | None:
        return dt.datetime.combine(self.since, dt.time.min) if self.since else None

    def end(self) -> dt.datetime | None:
        """Exclusive upper bound."""
        return dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time.min) if self.until else None


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise InsightsError(f"{what}格式不对：{value}，应为 YYYY-MM-DD，例如 2026-11-01。") from error
