"""Complaint insights for supervisors: volume, emotions, escalation, resolution, SLA, follow-ups, root causes.

A *case* is one complaint as a supervisor counts it: a ticket, or a conversation that was handed
to a human without a ticket (the customer declined every offer, threatened outside channels...).
Handoffs in a conversation that has tickets are the escalation triggers of those tickets.

Everything here is plain Python over the ticket, follow-up and handoff tables; the wording
(labels, emotion order, stopwords) comes from knowledge/insights.yml and the files it names.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jieba
import jieba.analyse
import sqlalchemy as sa
import yaml
from sqlalchemy.orm import sessionmaker

from complaint_desk.case.handoff_summary import load_handoff_data
from complaint_desk.nlu.normalize import normalize
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.policy.loader import load_policy
from complaint_desk.policy.model import Policy
from complaint_desk.policy.taxonomy import COMPLAINT_CATEGORIES, COMPLAINT_LEVELS, EMOTIONS
from complaint_desk.stores.follow_ups import FollowUpRow
from complaint_desk.stores.handoffs import HandoffRow
from complaint_desk.stores.tickets import TicketRow

DEFAULT_SETTINGS_PATH = KNOWLEDGE_DIR / "insights.yml"
DEFAULT_STOPWORDS_PATH = KNOWLEDGE_DIR / "root_cause_stopwords.txt"
USER_DICT_PATH = KNOWLEDGE_DIR / "jieba" / "userdict.txt"
PHRASES_PATH = KNOWLEDGE_DIR / "root_cause_phrases.txt"
UNKNOWN = "unknown"
TICKET, HANDOFF = "ticket", "handoff"
# Numbers, codes and counted amounts (八十块, 两千块, 三次) say how much, not why.
_NOT_A_PHRASE_RE = re.compile(r"[0-9a-z._\-#]+|.*[0-9].*|[一二两三四五六七八九十百千万几半]+[块元个次天件瓶周月年]", re.IGNORECASE)


class InsightsError(ValueError):
    """A filter or a settings file is invalid; the message is meant for people (Chinese)."""


# ---------------------------------------------------------------- settings


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


def load_settings(path: Path = DEFAULT_SETTINGS_PATH, policy: Policy | None = None,
                  stopwords_path: Path = DEFAULT_STOPWORDS_PATH) -> Settings:
    policy = policy or load_policy(KNOWLEDGE_DIR / "remedy_policy.yml")
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
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
            trigger_labels={**load_handoff_data().reason_labels, **(raw.get("trigger_short_labels") or {})},
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
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as error:
        raise InsightsError(f"{path}: {type(error).__name__}: {error}") from error
    if not settings.escalated_levels <= set(COMPLAINT_LEVELS):
        raise InsightsError(f"{path}: escalated_levels 只能是 {COMPLAINT_LEVELS}")
    return settings


@cache
def default_settings() -> Settings:
    return load_settings()


def read_stopwords(path: Path) -> frozenset[str]:
    words = (line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines())
    return frozenset(normalize(w).lower() for w in words if w and not w.startswith("#"))


# ---------------------------------------------------------------- filters


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


# ---------------------------------------------------------------- cases


@dataclass(slots=True)
class Case:
    case_id: str  # ticket id, or "handoff:<conversation id>"
    kind: str  # "ticket" | "handoff"
    customer: str  # the conversation / sender id
    category: str  # taxonomy id, or "unknown"
    level: str
    created_at: dt.datetime
    status: str = "open"
    order_id: str | None = None
    remedy_id: str | None = None
    remedy_title: str | None = None
    satisfaction: str | None = None
    emotions: tuple[str, ...] = ()
    customer_text: str | None = None
    first_message_at: dt.datetime | None = None
    first_response_at: dt.datetime | None = None
    respond_by: dt.datetime | None = None
    resolve_by: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    declined: tuple[str, ...] = ()
    handoff_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUpFact:
    ticket_id: str
    due_at: dt.datetime
    fired_at: dt.datetime | None


def _raw(column: Any) -> Any:
    """A DateTime column read as the driver gives it: SQLAlchemy's per-value SQLite date parsing is the slowest
    part of loading 10,000 tickets; _datetime() below parses the ISO text in C instead."""
    return sa.type_coerce(column, sa.String).label(column.key)


def _datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


_TICKET_COLUMNS = (
    TicketRow.ticket_id, TicketRow.conversation_id, TicketRow.order_id, TicketRow.category, TicketRow.level,
    TicketRow.remedy_id, TicketRow.remedy_title, TicketRow.emotion_trend, TicketRow.status, TicketRow.satisfaction,
    _raw(TicketRow.created_at), _raw(TicketRow.resolve_by), TicketRow.customer_text, _raw(TicketRow.first_message_at),
    _raw(TicketRow.first_response_at), _raw(TicketRow.respond_by), TicketRow.declined_remedies,
    _raw(TicketRow.resolved_at),
)


def _ticket_conditions(f: InsightFilter) -> list[Any]:
    conditions: list[Any] = []
    if f.start():
        conditions.append(TicketRow.created_at >= f.start())
    if f.end():
        conditions.append(TicketRow.created_at < f.end())
    if f.category:
        conditions.append(TicketRow.category == f.category)
    if f.level:
        conditions.append(TicketRow.level == f.level)
    return conditions


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(value.split(",")) if value else ()


def load_cases(sessions: sessionmaker, f: InsightFilter) -> list[Case]:
    """The filtered cases, oldest first, with their handoff reasons attached."""
    ticket_conditions = _ticket_conditions(f)
    with sessions() as orm_session:
        session = orm_session.connection()  # Core rows: the ORM's per-row bookkeeping is not needed here
        ticket_rows = session.execute(
            sa.select(*_TICKET_COLUMNS).where(*ticket_conditions).order_by(TicketRow.created_at)
        ).all()
        ticket_handoffs = session.execute(
            sa.select(HandoffRow.conversation_id, HandoffRow.reason, _raw(HandoffRow.created_at))
            .where(HandoffRow.conversation_id.in_(
                sa.select(TicketRow.conversation_id).where(*ticket_conditions).scalar_subquery()
            ))
            .order_by(HandoffRow.created_at)
        ).all()
        handoff_conditions: list[Any] = [
            ~sa.exists().where(TicketRow.conversation_id == HandoffRow.conversation_id)
        ]
        if f.start():
            handoff_conditions.append(HandoffRow.created_at >= f.start())
        if f.end():
            handoff_conditions.append(HandoffRow.created_at < f.end())
        if f.category:
            handoff_conditions.append(HandoffRow.category == f.category)
        if f.level:
            handoff_conditions.append(HandoffRow.level == f.level)
        handoff_rows = session.execute(
            sa.select(HandoffRow.conversation_id, HandoffRow.reason, HandoffRow.category, HandoffRow.level,
                      _raw(HandoffRow.created_at))
            .where(*handoff_conditions)
            .order_by(HandoffRow.created_at)
        ).all()

    cases = [
        Case(
            case_id=row.ticket_id, kind=TICKET, customer=row.conversation_id, category=row.category,
            level=row.level, created_at=_datetime(row.created_at), status=row.status, order_id=row.order_id,
            remedy_id=row.remedy_id, remedy_title=row.remedy_title, satisfaction=row.satisfaction,
            emotions=_split(row.emotion_trend), customer_text=row.customer_text,
            first_message_at=_datetime(row.first_message_at), first_response_at=_datetime(row.first_response_at),
            respond_by=_datetime(row.respond_by), resolve_by=_datetime(row.resolve_by),
            resolved_at=_datetime(row.resolved_at), declined=_split(row.declined_remedies),
        )
        for row in ticket_rows
    ]
    for case, reasons_of_case in _attach_handoffs(cases, ticket_handoffs):
        case.handoff_reasons = tuple(reasons_of_case)
    # One case per handed-off conversation without a ticket: its first handoff, with all its reasons.
    first_handoff: dict[str, Any] = {}
    reasons: dict[str, list[str]] = defaultdict(list)
    for row in handoff_rows:
        first_handoff.setdefault(row.conversation_id, row)
        if row.reason not in reasons[row.conversation_id]:
            reasons[row.conversation_id].append(row.reason)
    for conversation_id, row in first_handoff.items():
        cases.append(
            Case(
                case_id=f"handoff:{conversation_id}", kind=HANDOFF, customer=conversation_id,
                category=row.category or UNKNOWN, level=row.level or UNKNOWN, created_at=_datetime(row.created_at),
                status="handed_off", handoff_reasons=tuple(reasons[conversation_id]),
            )
        )
    cases.sort(key=lambda case: case.created_at)
    return cases


def _attach_handoffs(tickets: Sequence[Case], handoff_rows: Sequence[Any]) -> list[tuple[Case, list[str]]]:
    """Each handoff belongs to the latest ticket of its conversation opened before it, else to the first one."""
    tickets_of_conversation: dict[str, list[Case]] = defaultdict(list)
    for ticket in tickets:  # oldest first
        tickets_of_conversation[ticket.customer].append(ticket)
    reasons: dict[int, list[str]] = defaultdict(list)
    owners: dict[int, Case] = {}
    for handoff in handoff_rows:
        own = tickets_of_conversation.get(handoff.conversation_id)
        if not own:
            continue
        at = _datetime(handoff.created_at)
        before = [t for t in own if t.created_at <= at]
        owner = before[-1] if before else own[0]
        owners[id(owner)] = owner
        if handoff.reason not in reasons[id(owner)]:
            reasons[id(owner)].append(handoff.reason)
    return [(owners[key], value) for key, value in reasons.items()]


def load_follow_ups(sessions: sessionmaker, f: InsightFilter) -> list[FollowUpFact]:
    """Follow-ups of the filtered tickets."""
    with sessions() as session:
        rows = session.connection().execute(
            sa.select(FollowUpRow.ticket_id, _raw(FollowUpRow.due_at), _raw(FollowUpRow.fired_at))
            .join(TicketRow, TicketRow.ticket_id == FollowUpRow.ticket_id)
            .where(*_ticket_conditions(f))
        ).all()
    return [FollowUpFact(row.ticket_id, _datetime(row.due_at), _datetime(row.fired_at)) for row in rows]


# ---------------------------------------------------------------- aggregates


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _ranked(counter: Counter, labels: Mapping[str, str], key: str) -> list[dict[str, Any]]:
    return [
        {key: item, "label": labels.get(item, item), "count": count}
        for item, count in sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))
    ]


def _bucket_start(day: dt.date, weekly: bool) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if weekly else day


def volume(cases: Sequence[Case], f: InsightFilter, settings: Settings, today: dt.date | None = None) -> dict[str, Any]:
    """Cases per day (or per ISO week for long ranges), by category and by level, zero-filled.

    The range is the filter's; an open end is the first/last case, or today when only `since` is set.
    """
    days = [case.created_at.date() for case in cases]
    first = f.since or (min(days) if days else None)
    last = f.until or (today if f.since and today else max(days) if days else None)
    if first is None or last is None:
        return {"granularity": "day", "buckets": [], "by_category": {}, "by_level": {}, "total": 0}
    weekly = (last - first).days + 1 > settings.daily_buckets_up_to_days
    step = dt.timedelta(days=7 if weekly else 1)
    buckets: list[dt.date] = []
    current = _bucket_start(first, weekly)
    while current <= last:
        buckets.append(current)
        current += step
    index = {bucket: position for position, bucket in enumerate(buckets)}
    categories = [c for c in settings.category_titles if any(case.category == c for case in cases)]
    categories += sorted({case.category for case in cases} - set(categories))
    levels = [lvl for lvl in settings.levels if any(case.level == lvl for case in cases)]
    levels += sorted({case.level for case in cases} - set(levels))
    by_category = {c: [0] * len(buckets) for c in categories}
    by_level = {lvl: [0] * len(buckets) for lvl in levels}
    for case, day in zip(cases, days, strict=True):
        position = index[_bucket_start(day, weekly)]
        by_category[case.category][position] += 1
        by_level[case.level][position] += 1
    return {
        "granularity": "week" if weekly else "day",
        "buckets": [bucket.isoformat() for bucket in buckets],
        "by_category": by_category,
        "by_level": by_level,
        "total": len(cases),
    }


def emotions(cases: Sequence[Case], settings: Settings) -> dict[str, Any]:
    """Emotion at the start and at the end of each conversation, and whether customers ended calmer."""
    start: Counter = Counter()
    end: Counter = Counter()
    change: Counter = Counter()
    matrix: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        known = [e for e in case.emotions if e in settings.agitation]
        if not known:
            change["unknown"] += 1
            continue
        first, last = known[0], known[-1]
        start[first] += 1
        end[last] += 1
        matrix[first][last] += 1
        difference = settings.agitation[last] - settings.agitation[first]
        change["calmer" if difference < 0 else "worse" if difference > 0 else "same"] += 1
    measured = change["calmer"] + change["same"] + change["worse"]
    order = list(settings.emotion_labels)
    return {
        "order": order,
        "start": {e: start[e] for e in order},
        "end": {e: end[e] for e in order},
        "change": {k: change[k] for k in ("calmer", "same", "worse", "unknown")},
        "calmer_rate": _rate(change["calmer"], measured),
        "worse_rate": _rate(change["worse"], measured),
        "matrix": {s: {e: matrix[s][e] for e in order} for s in order},
    }


def is_escalated(case: Case, settings: Settings) -> bool:
    return case.level in settings.escalated_levels or bool(case.handoff_reasons)


def escalation(cases: Sequence[Case], settings: Settings) -> dict[str, Any]:
    """Share of cases escalated (top level or handed to a human), and what triggered the handoffs."""
    escalated = [case for case in cases if is_escalated(case, settings)]
    triggers = Counter(reason for case in cases for reason in set(case.handoff_reasons))
    by_category: dict[str, dict[str, int]] = {}
    for case in cases:
        row = by_category.setdefault(case.category, {"cases": 0, "escalated": 0})
        row["cases"] += 1
        row["escalated"] += is_escalated(case, settings)
    return {
        "cases": len(cases),
        "escalated": len(escalated),
        "rate": _rate(len(escalated), len(cases)),
        "handed_off": sum(1 for case in cases if case.handoff_reasons),
        "top_level": sum(1 for case in cases if case.level in settings.escalated_levels),
        "triggers": _ranked(triggers, settings.trigger_labels, "trigger"),
        "by_category": by_category,
    }


def resolution(cases: Sequence[Case], settings: Settings) -> dict[str, Any]:
    """Resolution rate over all cases, the remedies accepted, and who declined what."""
    tickets = [case for case in cases if case.kind == TICKET]
    resolved = [case for case in tickets if case.status in settings.resolved_statuses]
    accepted = Counter(case.remedy_id for case in tickets if case.remedy_id)
    accepted_titles = {case.remedy_id: settings.remedy_titles.get(case.remedy_id or "", case.remedy_title or "")
                       for case in tickets if case.remedy_id}
    declined = Counter(remedy for case in cases for remedy in set(case.declined))
    declined_customers = {case.customer for case in cases if case.declined or "offers_exhausted" in case.handoff_reasons}
    satisfaction = Counter(case.satisfaction or UNKNOWN for case in tickets)
    return {
        "cases": len(cases),
        "tickets": len(tickets),
        "resolved": len(resolved),
        "rate": _rate(len(resolved), len(cases)),
        "status": dict(Counter(case.status for case in cases)),
        "remedies_accepted": _ranked(accepted, accepted_titles, "remedy"),
        "remedies_declined": _ranked(declined, settings.remedy_titles, "remedy"),
        "customers_declined": len(declined_customers),
        "declined_then_accepted": sum(1 for case in tickets if case.declined),
        "declined_everything": sum(1 for case in cases if "offers_exhausted" in case.handoff_reasons),
        "satisfaction": {k: satisfaction[k] for k in ("satisfied", "unsatisfied", UNKNOWN)},
    }


def _percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def sla(cases: Sequence[Case], settings: Settings, now: dt.datetime) -> dict[str, Any]:
    """First response and resolution against their deadlines, per level, and the latest breaches."""
    first = {"measured": 0, "within": 0, "breached": 0}
    first_by_level: dict[str, dict[str, Any]] = {}
    response_seconds: list[float] = []
    res = {"resolved_within": 0, "resolved_late": 0, "open_within": 0, "open_overdue": 0}
    res_by_level: dict[str, dict[str, Any]] = {}
    resolution_hours: list[float] = []
    breaches: list[dict[str, Any]] = []
    for case in cases:
        if case.kind != TICKET:
            continue
        level_row = first_by_level.setdefault(
            case.level, {"within": 0, "breached": 0, "deadline_minutes": settings.first_response_minutes.get(case.level)}
        )
        if case.first_message_at and case.first_response_at:
            deadline = case.respond_by or _plus_minutes(case.first_message_at, settings.first_response_minutes.get(case.level))
            seconds = (case.first_response_at - case.first_message_at).total_seconds()
            response_seconds.append(seconds)
            first["measured"] += 1
            late = deadline is not None and case.first_response_at > deadline
            first["breached" if late else "within"] += 1
            level_row["breached" if late else "within"] += 1
            if late:
                breaches.append(_breach(case, "first_response", case.first_response_at - deadline, settings))
        deadline = case.resolve_by or _plus_hours(case.created_at, settings.resolution_hours.get(case.level))
        row = res_by_level.setdefault(
            case.level,
            {"resolved_within": 0, "resolved_late": 0, "open_within": 0, "open_overdue": 0,
             "deadline_hours": settings.resolution_hours.get(case.level)},
        )
        if case.status in settings.resolved_statuses:
            finished = case.resolved_at
            if finished is not None:
                resolution_hours.append((finished - case.created_at).total_seconds() / 3600)
            late = finished is not None and deadline is not None and finished > deadline
            state = "resolved_late" if late else "resolved_within"
            if late:
                breaches.append(_breach(case, "resolution", finished - deadline, settings))
        else:
            late = deadline is not None and now > deadline
            state = "open_overdue" if late else "open_within"
            if late:
                breaches.append(_breach(case, "open_overdue", now - deadline, settings))
        res[state] += 1
        row[state] += 1
    breaches.sort(key=lambda b: b["created_at"], reverse=True)
    tickets = sum(1 for case in cases if case.kind == TICKET)
    breached_tickets = len({b["ticket_id"] for b in breaches})
    return {
        "first_response": {
            **first,
            "median_seconds": _round(statistics.median(response_seconds)) if response_seconds else None,
            "p90_seconds": _round(_percentile(response_seconds, 0.9)),
            "by_level": _level_ordered(first_by_level, settings),
        },
        "resolution": {
            **res,
            "median_hours": _round(statistics.median(resolution_hours)) if resolution_hours else None,
            "p90_hours": _round(_percentile(resolution_hours, 0.9)),
            "by_level": _level_ordered(res_by_level, settings),
        },
        "tickets": tickets,
        "breached_tickets": breached_tickets,
        "breach_rate": _rate(breached_tickets, tickets),
        "breach_count": len(breaches),
        "breaches": breaches[: settings.list_limit],
    }


def _plus_minutes(start: dt.datetime, minutes: float | None) -> dt.datetime | None:
    return start + dt.timedelta(minutes=minutes) if minutes is not None else None


def _plus_hours(start: dt.datetime, hours: float | None) -> dt.datetime | None:
    return start + dt.timedelta(hours=hours) if hours is not None else None


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _level_ordered(rows: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    ordered = [lvl for lvl in settings.levels if lvl in rows] + sorted(set(rows) - set(settings.levels))
    return {lvl: rows[lvl] for lvl in ordered}


def _breach(case: Case, kind: str, late_by: dt.timedelta, settings: Settings) -> dict[str, Any]:
    return {
        "ticket_id": case.case_id,
        "kind": kind,
        "category": case.category,
        "category_label": settings.category_titles.get(case.category, settings.unknown_category_label),
        "level": case.level,
        "created_at": case.created_at.isoformat(timespec="minutes"),
        "late_by_minutes": round(late_by.total_seconds() / 60, 1),
    }


def follow_ups(facts: Sequence[FollowUpFact], cases: Sequence[Case], settings: Settings,
               now: dt.datetime) -> dict[str, Any]:
    """Follow-ups overdue and due soon, and the repeat complainants."""
    pending = [fact for fact in facts if fact.fired_at is None]
    overdue = sorted((fact for fact in pending if fact.due_at <= now), key=lambda fact: fact.due_at)
    soon_end = now + settings.follow_up_due_soon
    due_soon = sorted((fact for fact in pending if now < fact.due_at <= soon_end), key=lambda fact: fact.due_at)
    later = sum(1 for fact in pending if fact.due_at > soon_end)
    cases_of_customer: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        cases_of_customer[case.customer].append(case)
    repeat = {customer: own for customer, own in cases_of_customer.items() if len(own) >= settings.repeat_min_cases}
    ranked = sorted(repeat.items(), key=lambda pair: (-len(pair[1]), -pair[1][-1].created_at.timestamp(), pair[0]))
    distribution = Counter(min(len(own), 4) for own in repeat.values())
    return {
        "fired": sum(1 for fact in facts if fact.fired_at is not None),
        "overdue": len(overdue),
        "due_soon": len(due_soon),
        "later": later,
        "due_soon_hours": settings.follow_up_due_soon.total_seconds() / 3600,
        "pending": [
            {"ticket_id": fact.ticket_id, "due_at": fact.due_at.isoformat(timespec="minutes"),
             "overdue": fact.due_at <= now}
            for fact in [*overdue, *due_soon][: settings.list_limit]
        ],
        "repeat_complainants": {
            "customers": len(repeat),
            "cases": sum(len(own) for own in repeat.values()),
            "share_of_cases": _rate(sum(len(own) for own in repeat.values()), len(cases)),
            "distribution": {("4+" if n == 4 else str(n)): distribution[n] for n in sorted(distribution)},
            "top": [
                {
                    "customer": customer,
                    "cases": len(own),
                    "categories": sorted({case.category for case in own}),
                    "latest": own[-1].created_at.isoformat(timespec="minutes"),
                    "same_order_repeat": len({c.order_id for c in own if c.order_id}) < sum(1 for c in own if c.order_id),
                }
                for customer, own in ranked[: settings.list_limit]
            ],
        },
    }


# ---------------------------------------------------------------- root causes


@cache
def _tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer of its own (the global one is left alone) with the e-commerce and root-cause dictionaries."""
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(USER_DICT_PATH))
    for line in PHRASES_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, *rest = line.split()
            tokenizer.add_word(normalize(word), int(rest[0]) if rest else None, rest[1] if len(rest) > 1 else None)
    return tokenizer


@lru_cache(maxsize=65536)
def _tokens(line: str) -> tuple[str, ...]:
    return tuple(_tokenizer().cut(line))


@lru_cache(maxsize=65536)
def _words(line: str) -> frozenset[str]:
    return frozenset(_tokens(line))


class _CachedLineTokenizer:
    """What jieba.analyse calls as `tokenizer.cut(text)`: cuts line by line, each line cached.

    Plain cutting, not POS tagging: tagging is about 17 times slower, and the stopword list and
    the phrase dictionary already keep filler words out.
    """

    def cut(self, text: str) -> Iterator[str]:
        for line in text.split("\n"):
            yield from _tokens(line)


@cache
def _extractor(stopwords: frozenset[str]) -> jieba.analyse.TFIDF:
    extractor = jieba.analyse.TFIDF()
    extractor.tokenizer = _CachedLineTokenizer()
    extractor.stop_words = set(extractor.stop_words) | set(stopwords)
    return extractor


def _is_phrase(word: str) -> bool:
    return not _NOT_A_PHRASE_RE.fullmatch(word)


def root_causes(cases: Sequence[Case], settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Top TF-IDF phrases (jieba.analyse) of the customers' own words, per category, with how many cases use each."""
    texts: dict[str, list[str]] = defaultdict(list)
    for case in cases:
        if case.customer_text:
            texts[case.category].append(_one_line(case.customer_text))
    order = [c for c in settings.category_titles if c in texts] + sorted(set(texts) - set(settings.category_titles))
    return {
        category: [dict(item) for item in _top_phrases("\n".join(texts[category]), settings.root_cause_top_k,
                                                        settings.stopwords)]
        for category in order
    }


@lru_cache(maxsize=65536)
def _one_line(text: str) -> str:
    return normalize(text).lower().replace("\n", " ")


@lru_cache(maxsize=64)
def _top_phrases(text: str, top_k: int, stopwords: frozenset[str]) -> tuple[dict[str, Any], ...]:
    """Cached by the category's whole text: the same cases give the same phrases without re-counting."""
    lines = text.split("\n")
    tags = _extractor(stopwords).extract_tags(text, topK=top_k * 3, withWeight=True)
    phrases = [(word, weight) for word, weight in tags if _is_phrase(word)][:top_k]
    return tuple(
        {"phrase": word, "weight": round(weight, 4), "cases": sum(1 for line in lines if word in _words(line))}
        for word, weight in phrases
    )


def warm_up(cache: InsightsCache | None = None) -> None:
    """Load the settings and jieba's dictionaries ahead of the first request (1-3 s), and with a cache
    also compute the unfiltered page once, so that the first page view finds it ready."""
    settings = default_settings()
    _extractor(settings.stopwords)
    _tokens("快递一直不更新")
    if cache is not None:
        cache.get(InsightFilter())


# ---------------------------------------------------------------- all together


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


def compute(cases: Sequence[Case], facts: Sequence[FollowUpFact], f: InsightFilter, settings: Settings,
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
        summary["follow_ups_overdue"] = built["follow_ups"]["overdue"]
    return Insights(
        filters=f.as_params(),
        generated_at=now.isoformat(timespec="seconds"),
        labels=labels(settings),
        summary=summary,
        sections=built,
    )


def insights(sessions: sessionmaker, f: InsightFilter, settings: Settings | None = None,
             now: dt.datetime | None = None, sections: Iterable[str] = SECTIONS) -> Insights:
    """Load the filtered cases and follow-ups and aggregate them."""
    settings = settings or default_settings()
    sections = tuple(sections)
    cases = load_cases(sessions, f)
    facts = load_follow_ups(sessions, f) if "follow_ups" in sections else []
    return compute(cases, facts, f, settings, now or dt.datetime.now(), sections)


def data_version(sessions: sessionmaker) -> tuple[Any, ...]:
    """A cheap fingerprint of the three tables: it changes with every write the stores make
    (new ticket/handoff/follow-up, status, resolution, satisfaction, hand-back, follow-up fired)."""
    with sessions() as session:
        connection = session.connection()
        tickets = connection.execute(sa.select(
            sa.func.count(), sa.func.max(TicketRow.created_at), sa.func.count(TicketRow.resolved_at),
            sa.func.count(TicketRow.satisfaction), sa.func.sum(sa.case((TicketRow.satisfaction == "satisfied", 1), else_=0)),
            sa.func.sum(sa.func.length(TicketRow.status)), sa.func.sum(sa.case((TicketRow.status == "open", 1), else_=0)),
            sa.func.count(TicketRow.customer_text),
        )).one()
        handoffs = connection.execute(sa.select(
            sa.func.count(), sa.func.max(HandoffRow.created_at), sa.func.count(HandoffRow.handed_back_at),
        )).one()
        follow_ups = connection.execute(sa.select(
            sa.func.count(), sa.func.count(FollowUpRow.fired_at), sa.func.max(FollowUpRow.due_at),
        )).one()
    return (*tickets, *handoffs, *follow_ups)


class InsightsCache:
    """Recompute the aggregates only when the data changed, or when the minute turned (SLA and
    follow-up states depend on the time). A hit costs one fingerprint query."""

    def __init__(self, sessions: sessionmaker, size: int = 32) -> None:
        self._sessions = sessions
        self._size = size
        self._results: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, f: InsightFilter, sections: Iterable[str] = SECTIONS,
            now: dt.datetime | None = None) -> dict[str, Any]:
        minute = (now or dt.datetime.now()).replace(second=0, microsecond=0)
        sections = tuple(sections)
        key = (f, sections, minute, data_version(self._sessions))
        with self._lock:
            if key in self._results:
                self.hits += 1
                return self._results[key]
        result = insights(self._sessions, f, now=minute, sections=sections).as_dict()
        with self._lock:
            self.misses += 1
            self._results[key] = result
            while len(self._results) > self._size:
                self._results.pop(next(iter(self._results)))
        return result


# ---------------------------------------------------------------- export

EXPORT_COLUMNS = (
    "case_id", "kind", "customer", "order_id", "category", "category_label", "level", "status", "created_at",
    "remedy_id", "remedy_title", "declined", "satisfaction", "emotion_start", "emotion_end", "emotions",
    "first_message_at", "first_response_at", "respond_by", "resolve_by", "resolved_at", "handoff_reasons",
    "customer_text",
)


def export_rows(cases: Iterable[Case], settings: Settings) -> Iterator[dict[str, Any]]:
    """One flat record per case, for CSV and JSON export."""
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") if value else None

    for case in cases:
        yield {
            "case_id": case.case_id,
            "kind": case.kind,
            "customer": case.customer,
            "order_id": case.order_id,
            "category": case.category,
            "category_label": settings.category_titles.get(case.category, settings.unknown_category_label),
            "level": case.level,
            "status": case.status,
            "created_at": iso(case.created_at),
            "remedy_id": case.remedy_id,
            "remedy_title": case.remedy_title,
            "declined": ",".join(case.declined),
            "satisfaction": case.satisfaction,
            "emotion_start": case.emotions[0] if case.emotions else None,
            "emotion_end": case.emotions[-1] if case.emotions else None,
            "emotions": ",".join(case.emotions),
            "first_message_at": iso(case.first_message_at),
            "first_response_at": iso(case.first_response_at),
            "respond_by": iso(case.respond_by),
            "resolve_by": iso(case.resolve_by),
            "resolved_at": iso(case.resolved_at),
            "handoff_reasons": ",".join(case.handoff_reasons),
            "customer_text": case.customer_text,
        }
