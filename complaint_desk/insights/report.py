"""The supervisor page all together: every section's aggregates of the filtered cases (compute, insights),
and the cache that recomputes them only when the data or the minute changed (InsightsCache).

Everything is plain Python over the ticket, follow-up and handoff tables; the wording
(labels, emotion order, stopwords) comes from knowledge/insights.yml and the files it names.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.insights.aggregates import emotions, escalation, follow_ups, resolution, sla, volume
from complaint_desk.insights.errors import InsightsError
from complaint_desk.insights.filters import InsightFilter
from complaint_desk.insights.records import (
    HANDOFF,
    TICKET,
    UNKNOWN,
    ComplaintRecord,
    FollowUpFact,
    data_version,
    load_cases,
    load_follow_ups,
)
from complaint_desk.insights.root_causes import load_dictionaries, root_causes
from complaint_desk.insights.settings import Settings, default_settings

SECTIONS = ("volume", "emotions", "escalation", "resolution", "sla", "follow_ups", "root_causes")


@dataclass
class Insights:
    filters: dict[str, str]
    generated_at: str
    labels: dict[str, Any]
    summary: dict[str, Any]
    sections: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(data.pop("sections"))
        return data


def labels(settings: Settings) -> dict[str, Any]:
    return {
        "categories": {**settings.category_titles, UNKNOWN: settings.unknown_category_label},
        "levels": list(settings.levels),
        "emotions": dict(settings.emotion_labels),
        "triggers": dict(settings.trigger_labels),
        "remedies": dict(settings.remedy_titles),
        "statuses": dict(settings.status_labels),
        "satisfaction": dict(settings.satisfaction_labels),
    }


def compute(cases: Sequence[ComplaintRecord], facts: Sequence[FollowUpFact], f: InsightFilter, settings: Settings,
            now: dt.datetime, sections: Iterable[str] = SECTIONS) -> Insights:
    """The aggregates of already-loaded cases (pure: no database)."""
    wanted = set(sections)
    unknown = wanted - set(SECTIONS)
    if unknown:
        raise InsightsError(f"没有这个统计项：{'、'.join(sorted(unknown))}。可选：{'、'.join(SECTIONS)}。")
    builders = {
        "volume": lambda: volume(cases, f, settings, now.date()),
        "emotions": lambda: emotions(cases, settings),
        "escalation": lambda: escalation(cases, settings),
        "resolution": lambda: resolution(cases, settings),
        "sla": lambda: sla(cases, settings, now),
        "follow_ups": lambda: follow_ups(facts, cases, settings, now),
        "root_causes": lambda: root_causes(cases, settings),
    }
    built = {name: builders[name]() for name in SECTIONS if name in wanted}
    summary = {
        "cases": len(cases),
        "tickets": sum(1 for case in cases if case.kind == TICKET),
        "handoffs_without_ticket": sum(1 for case in cases if case.kind == HANDOFF),
        "escalation_rate": escalation(cases, settings)["rate"] if "escalation" not in built else built["escalation"]["rate"],
        "resolution_rate": built["resolution"]["rate"] if "resolution" in built else resolution(cases, settings)["rate"],
    }
    if "emotions" in built:
        summary["calmer_rate"] = built["emotions"]["calmer_rate"]
    if "sla" in built:
        summary["sla_breach_rate"] = built["sla"]["breach_rate"]
    if "follow_ups" in built:
        # A follow-up the worker gave up on is overdue too: nobody has called that customer.
        summary["follow_ups_overdue"] = built["follow_ups"]["overdue"] + built["follow_ups"]["failed"]
        summary["follow_ups_failed"] = built["follow_ups"]["failed"]
    return Insights(
        filters=f.as_params(),
        generated_at=now.isoformat(timespec="seconds"),
        labels=labels(settings),
        summary=summary,
        sections=built,
    )


def insights(sessions: sessionmaker, f: InsightFilter, settings: Settings | None = None,
             now: dt.datetime | None = None, sections: Iterable[str] = SECTIONS) -> Insights:
    """Load the filtered cases and follow-ups and aggregate them (with default_settings() when no settings
    are given: the command-line report and the bench)."""
    settings = settings or default_settings()
    sections = tuple(sections)
    cases = load_cases(sessions, f)
    facts = load_follow_ups(sessions, f) if "follow_ups" in sections else []
    return compute(cases, facts, f, settings, now or clock.now(), sections)


class InsightsCache:
    """Recompute the aggregates only when the data changed, or when the minute turned (SLA and
    follow-up states depend on the time). A hit costs one fingerprint query."""

    def __init__(self, sessions: sessionmaker, settings: Settings, size: int = 32) -> None:
        self._sessions = sessions
        self.settings = settings
        self._size = size
        self._results: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, f: InsightFilter, sections: Iterable[str] = SECTIONS,
            now: dt.datetime | None = None) -> dict[str, Any]:
        minute = (now or clock.now()).replace(second=0, microsecond=0)
        sections = tuple(sections)
        key = (f, sections, minute, data_version(self._sessions))
        with self._lock:
            if key in self._results:
                self.hits += 1
                return self._results[key]
        result = insights(self._sessions, f, self.settings, now=minute, sections=sections).as_dict()
        with self._lock:
            self.misses += 1
            self._results[key] = result
            while len(self._results) > self._size:
                self._results.pop(next(iter(self._results)))
        return result


def warm_up(settings: Settings, cache: InsightsCache | None = None) -> None:
    """Load jieba's dictionaries ahead of the first request (1-3 s), and with a cache also compute
    the unfiltered page once, so that the first page view finds it ready."""
    load_dictionaries(settings.stopwords)
    if cache is not None:
        cache.get(InsightFilter())
