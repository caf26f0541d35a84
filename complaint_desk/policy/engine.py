"""Evaluate a complaint against the remedy policy: ranked offers, declined remedies and SLA deadlines."""

from __future__ import annotations

import datetime as dt

from complaint_desk.policy.model import (
    CategoryPolicy,
    Complaint,
    Decision,
    DeclinedRemedy,
    OrderFacts,
    Policy,
    RemedyDefinition,
    RemedyOffer,
    Rule,
    SegmentPolicy,
    SlaDeadlines,
)
from complaint_desk.taxonomy import CARE_OUTCOMES, OUTCOMES

# Kinds that move money back to the customer through the refund process.
_REFUND_KINDS = frozenset({"return", "refund"})


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


class PolicyEngine:
    """Evaluates a complaint against the policy: ranked offers, declined remedies, SLA."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def evaluate(self, complaint: Complaint) -> Decision:
        if complaint.category not in self.policy.categories:
            raise ValueError(f"unknown complaint category {complaint.category!r}")
        category = self.policy.categories[complaint.category]
        segment = self.policy.segments.get(complaint.history.segment, self.policy.segments["first_time"])
        offers: list[RemedyOffer] = []
        declined: list[DeclinedRemedy] = []
        for rule in category.rules:
            result = self._apply_rule(rule, complaint, segment)
            (offers if isinstance(result, RemedyOffer) else declined).append(result)
        # Stable sort: the customer's wish first, then the order in the policy file.
        offers.sort(key=lambda offer: not offer.matches_desired)
        level = self._level(category, complaint)
        return Decision(complaint.category, level, tuple(offers), tuple(declined),
                        self._deadlines(level, complaint, segment))

    def unmet_wish(self, decision: Decision, desired_outcome: str | None) -> DeclinedRemedy | None:
        """The declined remedy that would have given the customer what they asked for, when no offer does."""
        if not desired_outcome or any(offer.matches_desired for offer in decision.offers):
            return None
        return next((declined for declined in decision.declined
                     if desired_outcome in self.policy.remedies[declined.remedy_id].outcomes), None)

    def wish_outside_rules(self, decision: Decision, desired_outcome: str | None) -> bool:
        """The customer asked for an outcome that no rule for this kind of problem gives at all (not one declined
        for a reason, which `unmet_wish` names): the proposal should still say the wish was heard. An apology or an
        explanation is never "not possible": they are given with any remedy."""
        return (desired_outcome in OUTCOMES and desired_outcome not in CARE_OUTCOMES
                and not any(offer.matches_desired for offer in decision.offers)
                and self.unmet_wish(decision, desired_outcome) is None)

    def _apply_rule(self, rule: Rule, complaint: Complaint, segment: SegmentPolicy) -> RemedyOffer | DeclinedRemedy:
        messages = self.policy.messages
        remedy = self.policy.remedies[rule.remedy_id]
        order = complaint.order
        pending: list[str] = []

        def decline(reason: str) -> DeclinedRemedy:
            return DeclinedRemedy(remedy.remedy_id, remedy.title, rule.rule_id, reason)

        if rule.goodwill and not segment.goodwill_allowed:
            return decline(messages["goodwill_not_allowed"])
        needs_order = bool(rule.window or rule.conditions or rule.goods_include or rule.goods_exclude
                           or rule.amount_source)
        if order is None:
            if needs_order:
                pending.append(messages["order_missing"])
        else:
            refusal = self._order_refusal(rule, order, _as_date(complaint.today))
            if refusal:
                return decline(refusal)

        evidence_needed: frozenset[str] = frozenset()
        if rule.evidence_any and not (complaint.evidence & rule.evidence_any):
            waived = (segment.waive_evidence_below is not None and order is not None
                      and order.price < segment.waive_evidence_below and not segment.strict_verification)
            if not waived:
                evidence_needed = rule.evidence_any
                kinds = "、".join(self.policy.evidence_kinds[k] for k in sorted(rule.evidence_any))
                pending.append(messages["evidence_missing"].format(kinds=kinds))
        pending.extend(rule.pending_checks)
        if segment.strict_verification and remedy.kind not in ("apology", "explanation"):
            pending.extend(segment.extra_checks)

        amount = order.price if (rule.amount_source == "order_price" and order is not None) else None
        needs_human = rule.needs_human_approval or remedy.kind in ("review", "handoff")
        if remedy.kind in _REFUND_KINDS and amount is not None and amount > self.policy.authority.refund_auto_limit:
            needs_human = True
            pending.append(messages["amount_over_authority"].format(
                amount=f"{amount:g}", limit=f"{self.policy.authority.refund_auto_limit:g}"))

        reason = messages["reason"].format(rule_title=rule.title, rule_id=rule.rule_id, description=rule.description)
        if rule.legal_note:
            reason += messages["legal_suffix"].format(legal_title=self.policy.legal_notes[rule.legal_note].title)
        if needs_human:
            reason += f"；{messages['human_approval']}"
        return RemedyOffer(
            remedy_id=remedy.remedy_id, title=remedy.title, rule_id=rule.rule_id, reason=reason,
            amount=amount, cap=rule.cap, needs_human_approval=needs_human, pending_checks=tuple(pending),
            timeline=self._timeline(remedy, complaint), matches_desired=complaint.desired_outcome in remedy.outcomes,
            evidence_needed=evidence_needed,
        )

    def _order_refusal(self, rule: Rule, order: OrderFacts, today: dt.date) -> str | None:
        messages = self.policy.messages
        goods_title = self.policy.goods_types.get(order.goods_type, order.goods_type)
        if order.goods_type in rule.goods_exclude:
            return messages["goods_excluded"].format(goods=goods_title)
        if rule.goods_include and order.goods_type not in rule.goods_include:
            allowed = "、".join(self.policy.goods_types[g] for g in sorted(rule.goods_include))
            return messages["goods_not_included"].format(goods=allowed)
        for condition in rule.conditions:
            if not self._condition_holds(condition, order, today):
                return messages["condition_failed"].format(condition=self.policy.conditions[condition])
        if rule.window:
            anchor_value = order.delivered_at if rule.window.anchor == "receipt" else order.purchased_at
            if anchor_value is None:
                return messages["not_received"]
            anchor_date = _as_date(anchor_value)
            elapsed = (today - anchor_date).days
            if elapsed > rule.window.days:
                anchor_title = messages[f"window_anchor_{rule.window.anchor}"]
                return messages["window_expired"].format(
                    anchor=anchor_title, days=rule.window.days, anchor_date=anchor_date.isoformat(), elapsed=elapsed)
        return None

    @staticmethod
    def _condition_holds(condition: str, order: OrderFacts, today: dt.date) -> bool:
        delivered = order.delivered_at is not None
        if condition == "delivered":
            return delivered
        if condition == "not_delivered":
            return not delivered
        if condition == "no_reason_return_eligible":
            return order.no_reason_return_eligible
        if condition == "late":
            if order.promised_delivery_at is None:
                return False
            promised = _as_date(order.promised_delivery_at)
            arrived = _as_date(order.delivered_at) if order.delivered_at is not None else today
            return arrived > promised
        raise ValueError(condition)

    def _timeline(self, remedy: RemedyDefinition, complaint: Complaint) -> str | None:
        if remedy.timeline is None:
            return None
        template = self.policy.sla.timelines[remedy.timeline]
        method = complaint.order.payment_method if complaint.order else None
        min_days, max_days = self.policy.sla.refund_window(method)
        arrival = self.policy.sla.refund_arrival.get(method or "")
        method_title = arrival.title if arrival else "以支付渠道为准"
        level = self._level(self.policy.categories[complaint.category], complaint)
        return template.format(min_days=min_days, max_days=max_days, method=method_title,
                               resolution_hours=f"{self.policy.sla.levels[level].resolution_hours:g}")

    def _level(self, category: CategoryPolicy, complaint: Complaint) -> str:
        if complaint.level:
            return complaint.level
        if complaint.history.same_order_complaint:
            return self.policy.sla.repeat_on_same_order_level
        return category.level

    def _deadlines(self, level: str, complaint: Complaint, segment: SegmentPolicy) -> SlaDeadlines:
        row = self.policy.sla.levels[level]
        factor = segment.sla_factor * (self.policy.sla.urgent_factor if complaint.urgent else 1.0)
        first_response = row.first_response_minutes * factor
        resolution = row.resolution_hours * factor
        refund_days = None
        if complaint.order is not None:
            refund_days = self.policy.sla.refund_window(complaint.order.payment_method)
        return SlaDeadlines(
            level=level, first_response_minutes=first_response, resolution_hours=resolution,
            refund_arrival_days=refund_days,
        )
