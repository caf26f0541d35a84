"""One complaint case: the conversation as the domain sees it, for the bot and the console alike.

A `Case` is built from a Rasa tracker state as a plain dict (`tracker.current_state()` on the action
server, `current_state(EventVerbosity.ALL)` in the console): once per action call and once per
console request. It turns the conversation into the complaint, the policy decision, the escalation
risk, the complaint level, the customer profile and the guard context in one place, so the remedy the
bot offers, the risk it acts on and the console's suggestions cannot disagree. Nothing here imports Rasa.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from complaint_desk import clock
from complaint_desk.case.after_ticket import AfterTicketWords
from complaint_desk.case.handoff_summary import HandoffData, HandoffReason, SummaryInput, summarize_for_agent
from complaint_desk.case.profile import CustomerProfile, ProfileRules, profile_customer
from complaint_desk.case.risk import RiskAssessment, RiskInput, RiskRules, assess_risk, threatened_channels
from complaint_desk.case.turns import CustomerTurn, turns_from_tracker_events
from complaint_desk.guard.verdict import GuardContext
from complaint_desk.nlu.evidence_mentions import NO_EVIDENCE, EvidenceReader
from complaint_desk.nlu.order_numbers import extract_order_id
from complaint_desk.nlu.product_words import ProductWords
from complaint_desk.policy.engine import PolicyEngine
from complaint_desk.policy.levels import LevelTable, complaint_level
from complaint_desk.policy.model import (
    Complaint,
    ComplaintHistory,
    Decision,
    Policy,
    RemedyOffer,
)
from complaint_desk.stores.orders import Order
from complaint_desk.stores.tickets import Ticket

FORM_NAME = "complaint_form"


@dataclass(frozen=True)
class CaseRules:
    """The knowledge a case is judged by, loaded once (by `complaint_desk.desk.Desk`) and passed in."""

    policy: Policy
    engine: PolicyEngine
    risk: RiskRules
    levels: LevelTable
    profiles: ProfileRules
    handoff: HandoffData
    after_ticket: AfterTicketWords
    product_words: ProductWords
    evidence_words: EvidenceReader


@dataclass(frozen=True)
class CaseLookups:
    """How a case reads the order and counts the earlier tickets on it (a store, or a per-call memo of one)."""

    find_order: Callable[[str], Order | None]
    # (order id, this conversation's id) -> tickets other conversations opened on the order
    earlier_tickets_on_order: Callable[[str, str], int]


class Case:
    """The conversation so far: turns (normalized once), slots, the order and the earlier tickets on it."""

    def __init__(self, state: Mapping[str, Any], rules: CaseRules, lookups: CaseLookups,
                 today: dt.date | None = None) -> None:
        self.conversation_id = str(state.get("sender_id") or "")
        self.events: Sequence[Mapping[str, Any]] = state.get("events") or []
        self.slots: Mapping[str, Any] = dict(state.get("slots") or {})  # a snapshot: forms update theirs in place
        self.paused = bool(state.get("paused"))
        self.active_loop: str | None = (state.get("active_loop") or {}).get("name")
        self.rules = rules
        self._lookups = lookups
        self._today = today

    def slot(self, name: str) -> Any:
        return self.slots.get(name)

    # ------------------------------------------------------------ what the customer said

    @cached_property
    def turns(self) -> list[CustomerTurn]:
        return turns_from_tracker_events(self.events)

    @cached_property
    def turns_since_the_last_ticket(self) -> list[CustomerTurn]:
        """The turns after this conversation's latest ticket was opened (all of them before any): a complaint
        after a ticket is a case of its own, and what was said about the first one is not about it."""
        opened = [index for index, event in enumerate(self.events)
                  if event.get("event") == "slot" and event.get("name") == "ticket_id" and event.get("value")]
        return turns_from_tracker_events(self.events[opened[-1] + 1:]) if opened else self.turns

    @cached_property
    def turns_of_this_complaint(self) -> list[CustomerTurn]:
        """The turns since the current complaint began: a new complaint after a ticket starts afresh with the
        message that raised it (`a_new_case` in actions/complaint_actions.py clears `ticket_id`)."""
        ticket_seen = False
        start = 0
        latest_user = 0
        for index, event in enumerate(self.events):
            if event.get("event") == "user":
                latest_user = index
            elif event.get("event") == "slot" and event.get("name") == "ticket_id":
                if event.get("value"):
                    ticket_seen = True
                elif ticket_seen:
                    start, ticket_seen = latest_user, False
        return turns_from_tracker_events(self.events[start:]) if start else self.turns

    @cached_property
    def evidence(self) -> frozenset[str]:
        """The evidence the customer says they have for this complaint ("照片我都拍了"), said at any point of it."""
        reader = self.rules.evidence_words
        return frozenset(kind for turn in self.turns_of_this_complaint
                         for kind in reader.kinds_mentioned(turn.text)) - {NO_EVIDENCE}

    @property
    def latest_turn(self) -> CustomerTurn | None:
        return self.turns[-1] if self.turns else None

    @property
    def last_activity(self) -> float:
        stamps = [e.get("timestamp") for e in self.events if isinstance(e.get("timestamp"), int | float)]
        return max(stamps) if stamps else 0.0

    # ------------------------------------------------------------ facts from the stores

    @property
    def category(self) -> str | None:
        """The complaint category the bot settled on (taxonomy id), or None before it knows."""
        category = self.slots.get("complaint_category")
        return category if category in self.rules.policy.categories else None

    @cached_property
    def order(self) -> Order | None:
        order_id = self.slots.get("order_id")
        return self._lookups.find_order(order_id) if order_id else None

    @cached_property
    def earlier_tickets(self) -> int:
        """How many tickets other conversations opened on the same order."""
        if self.order is None:
            return 0
        return self._lookups.earlier_tickets_on_order(self.order.order_id, self.conversation_id)

    # ------------------------------------------------------------ the domain's reading of it

    def is_more_about_the_ticket(self) -> bool:
        """Whether the latest message, after this conversation's ticket was opened, is more about that case
        (where to send the parcel, when the money arrives, "盒子我扔了") than a new complaint."""
        turn = self.latest_turn
        if not self.slots.get("ticket_id") or turn is None:
            return False
        words = self.rules.product_words
        named = words.products_named(turn.text, turn.entities)
        another = bool(named and self.order) and not any(words.could_be(product, self.order.product) for product in named)
        return not self.rules.after_ticket.starts_a_new_complaint(
            turn.text, order_number=extract_order_id(turn.text), ticket_order_id=self.slots.get("order_id"),
            names_another_product=another)

    def complaint(self) -> Complaint | None:
        """The complaint as the policy engine sees it; None until the category is known."""
        if self.category is None:
            return None
        return Complaint(
            category=self.category,
            order=self.order.facts() if self.order else None,
            desired_outcome=self.slots.get("desired_outcome"),
            evidence=self.evidence,
            history=ComplaintHistory(),
            today=self._today or clock.today(),
        )

    def decision(self) -> Decision | None:
        return self._decision

    @cached_property
    def _decision(self) -> Decision | None:
        complaint = self.complaint()
        return self.rules.engine.evaluate(complaint) if complaint else None

    def offers(self) -> tuple[RemedyOffer, ...]:
        decision = self.decision()
        return tuple(decision.offers) if decision else ()

    def next_offer(self, declined: Iterable[str] = ()) -> RemedyOffer | None:
        """The best offer the customer has not declined yet."""
        declined = set(declined)
        return next((offer for offer in self.offers() if offer.remedy_id not in declined), None)

    def risk(self) -> RiskAssessment:
        return self._risk

    @cached_property
    def _risk(self) -> RiskAssessment:
        earlier = self.earlier_tickets
        return assess_risk(RiskInput(
            turns=self.turns,
            category=self.slots.get("complaint_category"),
            repeat_on_same_order=earlier > 0,
            earlier_complaints=earlier,
            order_price=self.order.price if self.order else None,
        ), self.rules.risk)

    def level(self) -> str:
        """咨询 / 异议 / 投诉 / 升级投诉."""
        risk = self.risk()
        return complaint_level(self.slots.get("complaint_category"), risk.level,
                               [t.intent for t in self.turns], risk.triggers, table=self.rules.levels)

    def profile(self) -> CustomerProfile:
        return self._profile

    @cached_property
    def _profile(self) -> CustomerProfile:
        return profile_customer(self.turns, self.rules.profiles)

    def threatened_channels(self) -> list[str]:
        return threatened_channels(self.turns, self.rules.risk)

    def needs_a_human_now(self) -> bool:
        """Outside-channel threats and red risk go straight to a person (a repeat complaint on the same order
        counts towards the risk; see knowledge/risk_rules.yml)."""
        return bool(self.threatened_channels()) or self.risk().level == "red"

    # ------------------------------------------------------------ what may be said

    def guard_context(self, remedies: Iterable[str] | None = None) -> GuardContext:
        """What the guard allows in this case. `remedies`: the remedies being stated (the offer the bot
        makes, or () for a reply that offers nothing); None means every remedy the policy approved."""
        decision = self.decision()
        if remedies is None:
            approved = decision.approved_remedies if decision else frozenset()
        else:
            approved = frozenset(remedies)
        amounts = [o.amount if o.amount is not None else o.cap for o in self.offers() if o.remedy_id in approved]
        amounts = [a for a in amounts if a is not None]
        return self._context(approved, max(amounts) if amounts else None)

    def ticket_guard_context(self, ticket: Ticket) -> GuardContext:
        """What may be said about a ticket already agreed (progress, follow-up)."""
        return self._context(frozenset({ticket.remedy_id}), ticket.remedy_amount)

    def _context(self, approved: frozenset[str], amount: float | None) -> GuardContext:
        return GuardContext(
            approved_remedies=approved,
            approved_amount=amount,
            coupon_cap=self.rules.policy.authority.coupon_cap,
            sla=self.rules.policy.sla,
            payment_method=self.order.payment_method if self.order else None,
            customer_quotes=tuple(turn.text for turn in self.turns),
        )

    # ------------------------------------------------------------ for the people who take over

    def remedies_offered(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(titles of every remedy offered so far, titles of those the customer declined)."""
        titles = {remedy_id: d.title for remedy_id, d in self.rules.policy.remedies.items()}
        declined = tuple(self.slots.get("declined_remedies") or ())
        offered = tuple(filter(None, [*declined, self.slots.get("offered_remedy")]))
        return tuple(titles.get(r, r) for r in offered), tuple(titles.get(r, r) for r in declined)

    def handoff_summary(self, reason: HandoffReason | str) -> str:
        """The summary a human reads when the case reaches them (bot handoff or agent close)."""
        offered, declined = self.remedies_offered()
        return summarize_for_agent(SummaryInput(
            reason=reason,
            turns=self.turns,
            category=self.slots.get("complaint_category"),
            order_id=self.order.order_id if self.order else self.slots.get("order_id"),
            product=self.order.product if self.order else None,
            desired_outcome=self.slots.get("desired_outcome"),
            complaint_level=self.level(),
            profile=self.profile(),
            risk=self.risk(),
            offered=offered,
            declined=declined,
        ), self.rules.handoff)
