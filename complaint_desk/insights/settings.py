"""The supervisor page's settings: labels, thresholds and stopwords from knowledge/insights.yml, and the
category titles, SLA deadlines and remedy titles from the remedy policy (Settings, load_settings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from complaint_desk.knowledge import KnowledgeError, load_knowledge, reading
from complaint_desk.nlu.normalize import normalize
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.policy.loader import load_policy
from complaint_desk.policy.model import Policy
from complaint_desk.taxonomy import COMPLAINT_CATEGORIES, COMPLAINT_LEVELS, EMOTIONS

DEFAULT_SETTINGS_PATH = KNOWLEDGE_DIR / "insights.yml"
DEFAULT_STOPWORDS_PATH = KNOWLEDGE_DIR / "root_cause_stopwords.txt"
DEFAULT_HANDOFF_PATH = KNOWLEDGE_DIR / "handoff.yml"


@dataclass(frozen=True)
class Settings:
    category_titles: Mapping[str, str]
    levels: tuple[str, ...]
    first_response_minutes: Mapping[str, float]  # by level
    resolution_hours: Mapping[str, float]  # by level
    emotion_labels: Mapping[str, str]
    agitation: Mapping[str, int]
    status_labels: Mapping[str, str]
    resolved_statuses: frozenset[str]
    satisfaction_labels: Mapping[str, str]
    trigger_labels: Mapping[str, str]
    remedy_titles: Mapping[str, str]
    escalated_levels: frozenset[str]
    follow_up_due_soon: dt.timedelta
    repeat_min_cases: int
    daily_buckets_up_to_days: int
    root_cause_top_k: int
    list_limit: int
    unknown_category_label: str
    stopwords: frozenset[str]


def load_settings(path: Path, policy: Policy, reason_labels: Mapping[str, str],
                  stopwords_path: Path = DEFAULT_STOPWORDS_PATH) -> Settings:
    """knowledge/insights.yml, with the category titles, SLA and remedy titles of `policy` and the handoff
    reason labels of knowledge/handoff.yml."""
    raw = load_knowledge(path)
    with reading(raw, "主管看板设置"):
        emotions = raw["emotions"]
        missing = set(EMOTIONS) - emotions.keys()
        if missing:
            raise ValueError(f"emotions 缺少 {sorted(missing)}")
        settings = Settings(
            category_titles={c: policy.categories[c].title for c in COMPLAINT_CATEGORIES if c in policy.categories},
            levels=COMPLAINT_LEVELS,
            first_response_minutes={lvl: row.first_response_minutes for lvl, row in policy.sla.levels.items()},
            resolution_hours={lvl: row.resolution_hours for lvl, row in policy.sla.levels.items()},
            emotion_labels={e: str(emotions[e]["label"]) for e in EMOTIONS},
            agitation={e: int(emotions[e]["agitation"]) for e in EMOTIONS},
            status_labels={str(k): str(v) for k, v in raw["statuses"].items()},
            resolved_statuses=frozenset(raw["resolved_statuses"]),
            satisfaction_labels={str(k): str(v) for k, v in raw["satisfaction"].items()},
            trigger_labels={**reason_labels, **(raw.get("trigger_short_labels") or {})},
            remedy_titles={r: d.title for r, d in policy.remedies.items()},
            escalated_levels=frozenset(raw["escalated_levels"]),
            follow_up_due_soon=dt.timedelta(hours=float(raw["follow_up_due_soon_hours"])),
            repeat_min_cases=int(raw["repeat_complainant_min_cases"]),
            daily_buckets_up_to_days=int(raw["daily_buckets_up_to_days"]),
            root_cause_top_k=int(raw["root_cause_top_k"]),
            list_limit=int(raw["list_limit"]),
            unknown_category_label=str(raw["unknown_category_label"]),
            stopwords=read_stopwords(stopwords_path),
        )
    if not settings.escalated_levels <= set(COMPLAINT_LEVELS):
        raise KnowledgeError(raw.source, [(raw.line_of("escalated_levels"), f"escalated_levels 只能是 {COMPLAINT_LEVELS}")])
    return settings


@cache
def default_settings() -> Settings:
    """The settings from the shipped knowledge files (the command-line report, the bench, the tests)."""
    reasons = load_knowledge(DEFAULT_HANDOFF_PATH)["reasons"]
    return load_settings(DEFAULT_SETTINGS_PATH, load_policy(KNOWLEDGE_DIR / "remedy_policy.yml"), reasons)


def read_stopwords(path: Path) -> frozenset[str]:
    words = (line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines())
    return frozenset(normalize(w).lower() for w in words if w and not w.startswith("#"))
