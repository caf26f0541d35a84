"""The page's aggregates of loaded cases, one function per section: volume, emotions, escalation,
resolution, SLA, follow-ups (pure Python: no database)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from complaint_desk.insights.filters import InsightFilter
from complaint_desk.insights.records import TICKET, UNKNOWN, ComplaintRecord, FollowUpFact
from complaint_desk.insights.settings import Settings
from complaint_desk.percentiles import percentile


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _ranked(counter: Counter, labels: Mapping[str, str], key: str) -> list[dict[str, Any]]:
    return [
        {key: item, "label": labels.get(item, item), "count": count}
        for item, count in sorted(counter.items(), key=lambda pair: (-pair[1], pair[0]))
    ]


def _bucket_start(day: dt.date, weekly: bool) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if weekly else day


def volume(cases: Sequence[ComplaintRecord], f: InsightFilter, settings: Settings, today: dt.date | None = None) -> dict[str, Any]:
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


def emotions(cases: Sequence[ComplaintRecord], settings: Settings) -> dict[str, Any]:
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


def is_escalated(case: ComplaintRecord, settings: Settings) -> bool:
    return case.level in settings.escalated_levels or bool(case.handoff_reasons)


def escalation(cases: Sequence[ComplaintRecord], settings: Settings) -> dict[str, Any]:
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


def resolution(cases: Sequence[ComplaintRecord], settings: Settings) -> dict[str, Any]:
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


def sla(cases: Sequence[ComplaintRecord], settings: Settings, now: dt.datetime) -> dict[str, Any]:
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
            "p90_seconds": _round(percentile(response_seconds, 0.9)) if response_seconds else None,
            "by_level": _level_ordered(first_by_level, settings),
        },
        "resolution": {
            **res,
            "median_hours": _round(statistics.median(resolution_hours)) if resolution_hours else None,
            "p90_hours": _round(percentile(resolution_hours, 0.9)) if resolution_hours else None,
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


def _breach(case: ComplaintRecord, kind: str, late_by: dt.timedelta, settings: Settings) -> dict[str, Any]:
    return {
        "ticket_id": case.case_id,
        "kind": kind,
        "category": case.category,
        "category_label": settings.category_titles.get(case.category, settings.unknown_category_label),
        "level": case.level,
        "created_at": case.created_at.isoformat(timespec="minutes"),
        "late_by_minutes": round(late_by.total_seconds() / 60, 1),
    }


def follow_ups(facts: Sequence[FollowUpFact], cases: Sequence[ComplaintRecord], settings: Settings,
               now: dt.datetime) -> dict[str, Any]:
    """Follow-ups overdue and due soon, those the worker gave up on, and the repeat complainants."""
    pending = [fact for fact in facts if fact.fired_at is None and fact.failed_at is None]
    failed = sorted((fact for fact in facts if fact.fired_at is None and fact.failed_at is not None),
                    key=lambda fact: fact.failed_at, reverse=True)
    overdue = sorted((fact for fact in pending if fact.due_at <= now), key=lambda fact: fact.due_at)
    soon_end = now + settings.follow_up_due_soon
    due_soon = sorted((fact for fact in pending if now < fact.due_at <= soon_end), key=lambda fact: fact.due_at)
    later = sum(1 for fact in pending if fact.due_at > soon_end)
    cases_of_customer: dict[str, list[ComplaintRecord]] = defaultdict(list)
    for case in cases:
        cases_of_customer[case.customer].append(case)
    repeat = {customer: own for customer, own in cases_of_customer.items() if len(own) >= settings.repeat_min_cases}
    ranked = sorted(repeat.items(), key=lambda pair: (-len(pair[1]), -pair[1][-1].created_at.timestamp(), pair[0]))
    distribution = Counter(min(len(own), 4) for own in repeat.values())
    return {
        "fired": sum(1 for fact in facts if fact.fired_at is not None),
        "failed": len(failed),
        "failed_list": [
            {"ticket_id": fact.ticket_id, "due_at": fact.due_at.isoformat(timespec="minutes"),
             "failed_at": fact.failed_at.isoformat(timespec="minutes"), "attempts": fact.attempts,
             "last_error": fact.last_error or ""}
            for fact in failed[: settings.list_limit]
        ],
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
