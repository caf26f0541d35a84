"""The remedy policy as loaded from knowledge/remedy_policy.yml, and the complaint and decision it is applied to.

Plain frozen dataclasses: policy/loader.py builds the policy, policy/engine.py evaluates a complaint into a decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

# ---------------------------------------------------------------- policy model


@dataclass(frozen=True)
class Authority:
    coupon_cap: float
    cash_compensation_cap: float
    refund_auto_limit: float


@dataclass(frozen=True)
class LegalNote:
    note_id: str
    title: str
    text: str


@dataclass(frozen=True)
class RemedyDefinition:
    remedy_id: str
    title: str
    kind: str
    outcomes: frozenset[str]
    timeline: str | None


@dataclass(frozen=True)
class Window:
    anchor: str  # "receipt" | "purchase"
    days: int
    line: int = 0


@dataclass(frozen=True)
class Rule:
    rule_id: str
    title: str
    remedy_id: str
    description: str
    line: int
    legal_note: str | None = None
    window: Window | None = None
    conditions: tuple[str, ...] = ()
    evidence_any: frozenset[str] = frozenset()
    goods_include: frozenset[str] = frozenset()
    goods_exclude: frozenset[str] = frozenset()
    amount_source: str | None = None
    cap: float | None = None
    needs_human_approval: bool = False
    goodwill: bool = False
    pending_checks: tuple[str, ...] = ()
    customer_wording: str | None = None  # what the customer reads; `description` is for staff

    @property
    def wording_for_customer(self) -> str:
        return self.customer_wording or self.description


@dataclass(frozen=True)
class CategoryPolicy:
    category: str
    title: str
    level: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class SegmentPolicy:
    segment: str
    title: str
    description: str
    waive_evidence_below: float | None = None
    goodwill_allowed: bool = True
    strict_verification: bool = False
    sla_factor: float = 1.0
    extra_checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlaLevel:
    first_response_minutes: float
    resolution_hours: float


@dataclass(frozen=True)
class RefundArrival:
    method: str
    title: str
    min_days: int
    max_days: int


@dataclass(frozen=True)
class SlaTable:
    levels: Mapping[str, SlaLevel]
    refund_arrival: Mapping[str, RefundArrival]
    timelines: Mapping[str, str]
    urgent_factor: float
    repeat_on_same_order_level: str
    follow_up_after_hours: float = 48.0

    def refund_window(self, payment_method: str | None) -> tuple[int, int]:
        """(min, max) working days for a refund to arrive; the slowest channel when unknown."""
        if payment_method in self.refund_arrival:
            arrival = self.refund_arrival[payment_method]
            return arrival.min_days, arrival.max_days
        return (min(a.min_days for a in self.refund_arrival.values()),
                max(a.max_days for a in self.refund_arrival.values()))


@dataclass(frozen=True)
class Policy:
    source: str
    version: int
    goods_types: Mapping[str, str]
    evidence_kinds: Mapping[str, str]
    authority: Authority
    legal_notes: Mapping[str, LegalNote]
    remedies: Mapping[str, RemedyDefinition]
    categories: Mapping[str, CategoryPolicy]
    segments: Mapping[str, SegmentPolicy]
    sla: SlaTable
    conditions: Mapping[str, str]
    messages: Mapping[str, str]

    def rule(self, rule_id: str) -> Rule:
        for category in self.categories.values():
            for rule in category.rules:
                if rule.rule_id == rule_id:
                    return rule
        raise KeyError(rule_id)


# ---------------------------------------------------------------- complaint model


@dataclass(frozen=True)
class OrderFacts:
    order_id: str
    product: str
    goods_type: str
    price: float
    payment_method: str
    purchased_at: dt.date | dt.datetime
    promised_delivery_at: dt.date | dt.datetime | None = None
    delivered_at: dt.date | dt.datetime | None = None
    status: str = "paid"
    no_reason_return_eligible: bool = True


@dataclass(frozen=True)
class ComplaintHistory:
    earlier_complaints: int = 0
    same_order_complaint: bool = False
    segment: str = "first_time"


@dataclass(frozen=True)
class Complaint:
    category: str
    today: dt.date
    order: OrderFacts | None = None
    desired_outcome: str | None = None
    evidence: frozenset[str] = frozenset()
    history: ComplaintHistory = field(default_factory=ComplaintHistory)
    level: str | None = None  # overrides the category's default level
    urgent: bool = False


@dataclass(frozen=True)
class RemedyOffer:
    remedy_id: str
    title: str
    rule_id: str
    reason: str
    amount: float | None
    cap: float | None
    needs_human_approval: bool
    pending_checks: tuple[str, ...]
    timeline: str | None
    matches_desired: bool
    evidence_needed: frozenset[str] = frozenset()  # any one of these would clear the evidence check

    @property
    def display_title(self) -> str:
        """The remedy as the customer reads it, with its amount or cap."""
        if self.amount is not None:
            return f"{self.title}（¥{self.amount:.0f}）"
        if self.cap is not None:
            return f"{self.title}（{self.cap:.0f} 元）"
        return self.title


@dataclass(frozen=True)
class DeclinedRemedy:
    remedy_id: str
    title: str
    rule_id: str
    reason: str


@dataclass(frozen=True)
class SlaDeadlines:
    level: str
    first_response_minutes: float
    resolution_hours: float
    refund_arrival_days: tuple[int, int] | None


@dataclass(frozen=True)
class Decision:
    category: str
    level: str
    offers: tuple[RemedyOffer, ...]
    declined: tuple[DeclinedRemedy, ...]
    sla: SlaDeadlines

    @property
    def approved_remedies(self) -> frozenset[str]:
        """Remedies the bot may state without a human (for the guard's context)."""
        return frozenset(o.remedy_id for o in self.offers if not o.needs_human_approval and not o.pending_checks)

    @property
    def evidence_needed(self) -> frozenset[str]:
        """Evidence kinds that would clear a pending evidence check on some offer."""
        return frozenset().union(*(offer.evidence_needed for offer in self.offers))
