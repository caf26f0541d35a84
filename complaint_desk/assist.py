"""Agent assist: what the console shows for one conversation, built from plain tracker data.

Input is Rasa's tracker state as a dict (`tracker.current_state(EventVerbosity.ALL)`), so nothing
here imports Rasa. Suggested replies come from the policy engine's offers and the stage wording in
knowledge/assist_phrasing.yml, and every suggestion passes the over-promise guard before an agent
sees it. The draft check is the same guard, with the conversation's approved remedies as context.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from complaint_desk.case.handoff_summary import SummaryInput, summarize_for_agent
from complaint_desk.case.profile import profile_customer
from complaint_desk.case.risk import RiskAssessment, RiskInput, assess_risk, level_rank
from complaint_desk.case.turns import (
    CustomerTurn,
    anger_direction,
    emotion_trend,
    turns_from_tracker_events,
)
from complaint_desk.guard.checker import Guard, GuardContext, Verdict, load_guard
from complaint_desk.nlu.evidence_mentions import NO_EVIDENCE
from complaint_desk.paths import KNOWLEDGE_DIR, PROJECT_ROOT
from complaint_desk.policy.engine import PolicyEngine
from complaint_desk.policy.levels import complaint_level
from complaint_desk.policy.loader import load_policy
from complaint_desk.policy.model import Complaint, ComplaintHistory, Decision, Policy
from complaint_desk.replies import ReplyBook
from complaint_desk.stores.agent_modes import AGENT_MODES, AgentSessionStore
from complaint_desk.stores.database import create_schema, default_engine, engine_for, session_factory
from complaint_desk.stores.evidence_photos import EvidenceStore, UploadLimits
from complaint_desk.stores.handoffs import HandoffQueue
from complaint_desk.stores.orders import Order, OrderStore
from complaint_desk.stores.tickets import TicketStore

SUGGESTION_COUNT = 3
FORM_NAME = "complaint_form"
_CUSTOMER_TEXT_PREVIEW = 40


@dataclass(frozen=True)
class Phrasing:
    stage_names: Mapping[str, str]
    openers: Mapping[str, str]
    probe_asks: Mapping[str, str]
    stages: Mapping[str, Sequence[str]]
    offer: str
    offer_needs_review: str
    close_summary_reason: str
    handback_note: str

    @classmethod
    def from_file(cls, path: Path) -> Phrasing:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(**{key: raw[key] for key in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Suggestion:
    text: str
    source: str  # "offer:<remedy_id>" or "stage:<stage>"
    rewritten: bool  # the guard blocked the wording and this is its compliant rewrite


@dataclass(frozen=True)
class ConversationView:
    """The parts of a tracker state the console needs."""

    conversation_id: str
    events: Sequence[Mapping[str, Any]]
    slots: Mapping[str, Any]
    paused: bool
    active_loop: str | None
    turns: list[CustomerTurn]

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> ConversationView:
        events = state.get("events") or []
        return cls(
            conversation_id=str(state.get("sender_id") or ""),
            events=events,
            slots=state.get("slots") or {},
            paused=bool(state.get("paused")),
            active_loop=(state.get("active_loop") or {}).get("name"),
            turns=turns_from_tracker_events(events),
        )

    @property
    def last_activity(self) -> float:
        stamps = [e.get("timestamp") for e in self.events if isinstance(e.get("timestamp"), int | float)]
        return max(stamps) if stamps else 0.0


def flow_stage(view: ConversationView, mode: str = "bot") -> str:
    """listen → probe → propose → confirm → closing, or handoff when a person answers."""
    if view.paused or mode in AGENT_MODES:
        return "handoff"
    slots = view.slots
    if slots.get("ticket_id"):
        return "closing"
    if slots.get("offered_remedy"):
        return "confirm"
    if view.active_loop == FORM_NAME:
        return "probe"
    if slots.get("complaint_category") and slots.get("order_id"):
        return "propose"
    return "probe" if slots.get("complaint_category") else "listen"


def transcript(view: ConversationView) -> list[dict[str, Any]]:
    """Customer, bot and agent lines plus pause/resume marks, oldest first. Text is raw: the page escapes it."""
    lines: list[dict[str, Any]] = []
    for event in view.events:
        kind = event.get("event")
        stamp = event.get("timestamp")
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            emotion = parse.get("emotion") or {}
            lines.append({
                "role": "customer",
                "text": event.get("text") or "",
                "timestamp": stamp,
                "intent": intent.get("name"),
                "intent_confidence": intent.get("confidence"),
                "emotion": emotion.get("name"),
                "intensity": emotion.get("intensity"),
            })
        elif kind == "bot":
            metadata = event.get("metadata") or {}
            data = event.get("data") or {}
            lines.append({
                "role": "agent" if metadata.get("agent") else "bot",
                "text": event.get("text") or "",
                "timestamp": stamp,
                "buttons": [b.get("title") for b in data.get("buttons") or [] if isinstance(b, Mapping)],
            })
        elif kind in ("pause", "resume"):
            lines.append({"role": "system", "event": kind, "timestamp": stamp})
    return lines


class AssistDesk:
    """Everything the agent console computes, from knowledge files and the complaint desk's stores."""

    def __init__(self, policy: Policy, guard: Guard, replies: ReplyBook, phrasing: Phrasing,
                 orders: OrderStore | None = None, tickets: TicketStore | None = None,
                 handoffs: HandoffQueue | None = None, agent_sessions: AgentSessionStore | None = None,
                 evidence: EvidenceStore | None = None) -> None:
        self.policy = policy
        self.engine = PolicyEngine(policy)
        self.guard = guard
        self.replies = replies
        self.phrasing = phrasing
        self.orders = orders
        self.tickets = tickets
        self.handoffs = handoffs
        self.agent_sessions = agent_sessions
        self.evidence = evidence

    @classmethod
    def from_knowledge(cls, knowledge_dir: Path = KNOWLEDGE_DIR, db_url: str | None = None,
                       var_dir: Path | None = None) -> AssistDesk:
        """The desk with its SQL stores (COMPLAINT_DB_URL) and the photo folder under the var dir."""
        engine = engine_for(db_url) if db_url else default_engine()
        create_schema(engine)  # our tables are registered by the imports above
        sessions = session_factory(engine)
        limits = UploadLimits.from_file(knowledge_dir / "evidence_uploads.yml")
        return cls(
            policy=load_policy(knowledge_dir / "remedy_policy.yml"),
            guard=load_guard(knowledge_dir / "guard_rules.yml"),
            replies=ReplyBook.from_file(knowledge_dir / "replies.yml"),
            phrasing=Phrasing.from_file(knowledge_dir / "assist_phrasing.yml"),
            orders=OrderStore(sessions),
            tickets=TicketStore(sessions),
            handoffs=HandoffQueue(sessions),
            agent_sessions=AgentSessionStore(sessions),
            evidence=EvidenceStore(sessions, (var_dir or PROJECT_ROOT / "var") / "evidence", limits),
        )

    # ------------------------------------------------------------ facts

    def order_of(self, view: ConversationView) -> Order | None:
        order_id = view.slots.get("order_id")
        return self.orders.find(order_id) if order_id and self.orders else None

    def decision(self, view: ConversationView, order: Order | None, today: dt.date | None = None) -> Decision | None:
        category = view.slots.get("complaint_category")
        if category not in self.policy.categories:
            return None
        complaint = Complaint(
            category=category,
            order=order.facts() if order else None,
            desired_outcome=view.slots.get("desired_outcome"),
            evidence=frozenset(view.slots.get("evidence") or ()) - {NO_EVIDENCE},
            history=ComplaintHistory(),
            today=today or dt.date.today(),
        )
        return self.engine.evaluate(complaint)

    def risk(self, view: ConversationView, order: Order | None) -> RiskAssessment:
        earlier = []
        if order is not None and self.tickets is not None:
            earlier = [t for t in self.tickets.for_order(order.order_id) if t.conversation_id != view.conversation_id]
        return assess_risk(RiskInput(
            turns=view.turns,
            category=view.slots.get("complaint_category"),
            repeat_on_same_order=bool(earlier),
            earlier_complaints=len(earlier),
            order_price=order.price if order else None,
        ))

    def guard_context(self, view: ConversationView | None, decision: Decision | None = None,
                      order: Order | None = None, remedy_id: str | None = None) -> GuardContext:
        approved: frozenset[str] = decision.approved_remedies if decision else frozenset()
        amount = None
        if decision is not None:
            chosen = [o for o in decision.offers if o.remedy_id in approved and (remedy_id is None or o.remedy_id == remedy_id)]
            amounts = [o.amount if o.amount is not None else o.cap for o in chosen]
            amounts = [a for a in amounts if a is not None]
            amount = max(amounts) if amounts else None
            if remedy_id is not None:
                approved = approved & {remedy_id}
        return GuardContext(
            approved_remedies=approved,
            approved_amount=amount,
            coupon_cap=self.policy.authority.coupon_cap,
            sla=self.policy.sla,
            payment_method=order.payment_method if order else None,
            customer_quotes=tuple(turn.text for turn in view.turns) if view else (),
        )

    # ------------------------------------------------------------ suggestions and drafts

    def suggestions(self, view: ConversationView, stage: str, decision: Decision | None = None,
                    order: Order | None = None) -> list[Suggestion]:
        """Three distinct, guard-checked replies for the stage: one per approved offer first, then stage wording."""
        latest = view.turns[-1] if view.turns else None
        fields = {
            "opener": self.phrasing.openers.get((latest.emotion if latest else None) or "neutral", ""),
            "restated": self._restated(view),
            "ask": self._probe_ask(view),
            "ticket_id": view.slots.get("ticket_id") or "",
        }
        drafts: list[tuple[str, str, str | None]] = []
        if decision is not None and stage in ("propose", "confirm", "handoff"):
            for offer in decision.offers:
                template = self.phrasing.offer_needs_review if offer.needs_human_approval else self.phrasing.offer
                rule = self.policy.rule(offer.rule_id)
                text = template.format(
                    **fields,
                    rule=rule.title,
                    remedy=offer.display_title,
                    reason=f"{rule.description}。",
                    timeline=f"{offer.timeline}。" if offer.timeline else "",
                )
                drafts.append((text, f"offer:{offer.remedy_id}", offer.remedy_id))
        drafts += [(t.format(**fields), f"stage:{stage}", None) for t in self.phrasing.stages[stage]]
        suggestions: list[Suggestion] = []
        for text, source, remedy_id in drafts:
            verdict = self.guard.check(text, self.guard_context(view, decision, order, remedy_id))
            final = text if verdict.allowed else verdict.rewrite
            if final and all(final != s.text for s in suggestions):
                suggestions.append(Suggestion(final, source, not verdict.allowed))
            if len(suggestions) == SUGGESTION_COUNT:
                break
        return suggestions

    def _probe_ask(self, view: ConversationView) -> str:
        """What the form is asking for; an order found for another product than described is asked about."""
        requested = view.slots.get("requested_slot") or ""
        awaiting = view.slots.get("order_to_confirm")
        order = self.orders.find(awaiting) if requested == "order_id" and awaiting and self.orders else None
        if order is not None:
            return self.phrasing.probe_asks["order_to_confirm"].format(order_id=order.order_id, product=order.product)
        return self.phrasing.probe_asks.get(requested, self.phrasing.probe_asks["default"])

    def check_draft(self, text: str, view: ConversationView | None = None, decision: Decision | None = None,
                    order: Order | None = None) -> dict[str, Any]:
        verdict = self.guard.check(text, self.guard_context(view, decision, order))
        return verdict_json(verdict)

    def _restated(self, view: ConversationView) -> str:
        category = view.slots.get("complaint_category")
        try:
            return self.replies.restate(category) if category else ""
        except KeyError:
            return ""

    # ------------------------------------------------------------ the console's views

    def overview(self, state: Mapping[str, Any], mode: str = "bot") -> dict[str, Any]:
        """One row of the live list: cheap (no policy evaluation)."""
        view = ConversationView.from_state(state)
        order = self.order_of(view)
        risk = self.risk(view, order)
        latest = view.turns[-1] if view.turns else None
        return {
            "conversation_id": view.conversation_id,
            "last_message": (latest.text[:_CUSTOMER_TEXT_PREVIEW] if latest else ""),
            "emotion": latest.emotion if latest else None,
            "intensity": latest.intensity if latest else None,
            "risk": {"level": risk.level, "label": risk.label, "score": risk.score, "rank": level_rank(risk.level)},
            "stage": flow_stage(view, mode),
            "stage_name": self.phrasing.stage_names[flow_stage(view, mode)],
            "mode": mode,
            "paused": view.paused,
            "turns": len(view.turns),
            "updated_at": view.last_activity,
        }

    def analyze(self, state: Mapping[str, Any], mode: str = "bot") -> dict[str, Any]:
        """Everything the console shows for one conversation."""
        view = ConversationView.from_state(state)
        order = self.order_of(view)
        decision = self.decision(view, order)
        risk = self.risk(view, order)
        profile = profile_customer(view.turns)
        stage = flow_stage(view, mode)
        latest = view.turns[-1] if view.turns else None
        level = complaint_level(view.slots.get("complaint_category"), risk.level, [t.intent for t in view.turns], risk.triggers)
        return {
            "conversation_id": view.conversation_id,
            "mode": mode,
            "paused": view.paused,
            "stage": stage,
            "stage_name": self.phrasing.stage_names[stage],
            "requested_slot": view.slots.get("requested_slot"),
            "latest": {
                "text": latest.text,
                "intent": latest.intent,
                "emotion": latest.emotion,
                "intensity": latest.intensity,
            } if latest else None,
            "emotion_trend": emotion_trend(view.turns),
            "anger_direction": anger_direction(view.turns),
            "profile": {"kind": profile.kind, "name": profile.display_name, "reasons": list(profile.reasons)},
            "risk": {"level": risk.level, "label": risk.label, "score": risk.score, "reasons": list(risk.reasons)},
            "complaint_level": level,
            "category": view.slots.get("complaint_category"),
            "category_name": self.replies.name_of("category_names", view.slots.get("complaint_category") or "") or None,
            "order": {"order_id": order.order_id, "product": order.product, "price": order.price,
                      "status": order.status, "carrier": order.carrier} if order else None,
            "offers": [{"remedy_id": o.remedy_id, "title": o.title, "amount": o.amount, "cap": o.cap,
                        "needs_human_approval": o.needs_human_approval} for o in decision.offers] if decision else [],
            "suggestions": [s.__dict__ for s in self.suggestions(view, stage, decision, order)],
            "transcript": transcript(view),
        }

    def close_summary(self, state: Mapping[str, Any]) -> str:
        """The agent's closing summary, in the same format as the bot's handoff summary."""
        view = ConversationView.from_state(state)
        order = self.order_of(view)
        risk = self.risk(view, order)
        titles = {remedy_id: d.title for remedy_id, d in self.policy.remedies.items()}
        declined = tuple(view.slots.get("declined_remedies") or ())
        offered = tuple(filter(None, [*declined, view.slots.get("offered_remedy")]))
        return summarize_for_agent(SummaryInput(
            reason=self.phrasing.close_summary_reason,
            turns=view.turns,
            category=view.slots.get("complaint_category"),
            order_id=order.order_id if order else None,
            product=order.product if order else None,
            desired_outcome=view.slots.get("desired_outcome"),
            complaint_level=complaint_level(view.slots.get("complaint_category"), risk.level,
                                            [t.intent for t in view.turns], risk.triggers),
            profile=profile_customer(view.turns),
            risk=risk,
            offered=tuple(titles.get(r, r) for r in offered),
            declined=tuple(titles.get(r, r) for r in declined),
        ))


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "allowed": verdict.allowed,
        "rewrite": verdict.rewrite,
        "findings": [
            {
                "rule_id": f.rule_id,
                "family": f.family,
                "start": f.start,
                "end": f.end,
                "text": f.matched_text,
                "severity": f.severity,
                "explanation": f.explanation,
                "suggestion": f.suggestion,
            }
            for f in verdict.findings
        ],
    }
