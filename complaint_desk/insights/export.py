"""The cases as flat records, one per case, for the CSV and JSON exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from complaint_desk.insights.records import ComplaintRecord
from complaint_desk.insights.settings import Settings
from complaint_desk.personal_data import masked

EXPORT_COLUMNS = (
    "case_id", "kind", "customer", "order_id", "category", "category_label", "level", "status", "created_at",
    "remedy_id", "remedy_title", "declined", "satisfaction", "emotion_start", "emotion_end", "emotions",
    "first_message_at", "first_response_at", "respond_by", "resolve_by", "resolved_at", "handoff_reasons",
    "customer_text",
)


def export_rows(cases: Iterable[ComplaintRecord], settings: Settings,
                mask_personal_data: bool = True) -> Iterator[dict[str, Any]]:
    """One flat record per case, for CSV and JSON export; the customer's words with personal data masked unless
    asked otherwise (supervisors, recorded by the caller)."""
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
            "customer_text": masked(case.customer_text) if mask_personal_data else case.customer_text,
        }
