"""Agent assist: what the console shows for one case (complaint_desk.case.case.Case).

The case is the same one the bot's actions read, so the console's risk, level and offers are the bot's;
nothing here imports Rasa. Suggested replies come from the policy engine's offers and the stage wording in
knowledge/assist_phrasing.yml, and every suggestion passes the over-promise guard before an agent
sees it. The draft check is the same guard, with the conversation's approved remedies as context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complaint_desk.case.case import FORM_NAME, Case
from complaint_desk.case.turns import anger_direction, emotion_trend
from complaint_desk.case.waiting import AGENT, AGENT_NAME
from complaint_desk.guard.checker import Guard
from complaint_desk.guard.verdict import GuardContext, verdict_json
from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.personal_data import mask
from complaint_desk.policy.model import Policy
from complaint_desk.replies import ReplyBook
from complaint_desk.stores.agent_modes import AGENT_MODES
from complaint_desk.stores.orders import OrderStore
from complaint_desk.taxonomy import level_rank

SUGGESTION_COUNT = 3
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
    agent_joined_line: str  # {name}: the agent's display name
    agent_left_line: str

    @classmethod
    def from_file(cls, path: Path) -> Phrasing:
        raw = load_knowledge(path)
        with reading(raw, "坐席建议话术"):
            return cls(**{key: raw[key] for key in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Suggestion:
    text: str
    source: str  # "offer:<remedy_id>" or "stage:<stage>"
    rewritten: bool  # the guard blocked the wording and this is its compliant rewrite


def flow_stage(case: Case, mode: str = "bot") -> str:
    """listen → probe → propose → confirm → closing, or handoff when a person answers."""
    if case.paused or mode in AGENT_MODES:
        return "handoff"
    slots = case.slots
    if slots.get("ticket_id"):
        return "closing"
    if slots.get("offered_remedy"):
        return "confirm"
    if case.active_loop == FORM_NAME:
        return "probe"
    if slots.get("complaint_category") and slots.get("order_id"):
        return "propose"
    return "probe" if slots.get("complaint_category") else "listen"


def transcript(case: Case, reveal: bool = False) -> list[dict[str, Any]]:
    """Customer, bot and agent lines plus pause/resume marks, oldest first, each with its `line` number. Personal
    data in the text is masked (`masked`: what kinds) unless `reveal`. Text is not escaped: the page does that."""
    lines = _raw_transcript(case)
    for number, line in enumerate(lines):
        line["line"] = number
        if "text" in line and not reveal:
            hidden = mask(line["text"])
            line["text"], line["masked"] = hidden.text, list(hidden.kinds)
    return lines


def _raw_transcript(case: Case) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for event in case.events:
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
                "role": "agent" if metadata.get(AGENT) else "bot",
                "agent_name": metadata.get(AGENT_NAME),  # who sent it (None: the bot, or an integration's message)
                "text": event.get("text") or "",
                "timestamp": stamp,
                "buttons": [b.get("title") for b in data.get("buttons") or [] if isinstance(b, Mapping)],
            })
        elif kind in ("pause", "resume"):
            lines.append({"role": "system", "event": kind, "timestamp": stamp})
    return lines


class ConsoleAssist:
    """Everything the agent console computes for a case: stage, suggestions, draft checks, the list row."""

    def __init__(self, policy: Policy, guard: Guard, replies: ReplyBook, phrasing: Phrasing,
                 orders: OrderStore | None = None) -> None:
        self.policy = policy
        self.guard = guard
        self.replies = replies
        self.phrasing = phrasing
        self.orders = orders

    # ------------------------------------------------------------ suggestions and drafts

    def suggestions(self, case: Case, stage: str) -> list[Suggestion]:
        """Three distinct, guard-checked replies for the stage: one per approved offer first, then stage wording."""
        latest = case.latest_turn
        fields = {
            "opener": self.phrasing.openers.get((latest.emotion if latest else None) or "neutral", ""),
            "restated": self._restated(case),
            "ask": self._probe_ask(case),
            "ticket_id": case.slot("ticket_id") or "",
        }
        decision = case.decision()
        drafts: list[tuple[str, str, frozenset[str] | None]] = []
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
                drafts.append((text, f"offer:{offer.remedy_id}", decision.approved_remedies & {offer.remedy_id}))
        drafts += [(t.format(**fields), f"stage:{stage}", None) for t in self.phrasing.stages[stage]]
        suggestions: list[Suggestion] = []
        for text, source, remedies in drafts:
            # Checked as a draft is (phrase model included): the agent sends it as one.
            verdict = self.guard.check(text, case.guard_context(remedies))
            final = text if verdict.allowed else verdict.rewrite
            if final and all(final != s.text for s in suggestions):
                suggestions.append(Suggestion(final, source, not verdict.allowed))
            if len(suggestions) == SUGGESTION_COUNT:
                break
        return suggestions

    def _probe_ask(self, case: Case) -> str:
        """What the form is asking for; an order found for another product than described is asked about."""
        requested = case.slot("requested_slot") or ""
        awaiting = case.slot("order_to_confirm")
        order = self.orders.find(awaiting) if requested == "order_id" and awaiting and self.orders else None
        if order is not None:
            return self.phrasing.probe_asks["order_to_confirm"].format(order_id=order.order_id, product=order.product)
        return self.phrasing.probe_asks.get(requested, self.phrasing.probe_asks["default"])

    def check_draft(self, text: str, case: Case | None = None) -> dict[str, Any]:
        """The guard's verdict on an agent's draft, with the case's approved remedies as context."""
        if case is not None:
            context = case.guard_context()
        else:
            context = GuardContext.of_policy(self.policy)
        return verdict_json(self.guard.check(text, context))

    def _restated(self, case: Case) -> str:
        category = case.slot("complaint_category")
        try:
            return self.replies.restate(category) if category else ""
        except KeyError:
            return ""

    # ------------------------------------------------------------ the console's views

    def overview(self, case: Case, mode: str = "bot") -> dict[str, Any]:
        """One row of the live list: cheap (no policy evaluation)."""
        risk = case.risk()
        latest = case.latest_turn
        stage = flow_stage(case, mode)
        return {
            "conversation_id": case.conversation_id,
            "last_message": (mask(latest.text).text[:_CUSTOMER_TEXT_PREVIEW] if latest else ""),
            "emotion": latest.emotion if latest else None,
            "intensity": latest.intensity if latest else None,
            "risk": {"level": risk.level, "label": risk.label, "score": risk.score, "rank": level_rank(risk.level)},
            "stage": stage,
            "stage_name": self.phrasing.stage_names[stage],
            "mode": mode,
            "paused": case.paused,
            "turns": len(case.turns),
            "updated_at": case.last_activity,
        }

    def analyze(self, case: Case, mode: str = "bot") -> dict[str, Any]:
        """Everything the console shows for one conversation."""
        order = case.order
        decision = case.decision()
        risk = case.risk()
        profile = case.profile()
        stage = flow_stage(case, mode)
        latest = case.latest_turn
        category = case.slot("complaint_category")
        return {
            "conversation_id": case.conversation_id,
            "mode": mode,
            "paused": case.paused,
            "stage": stage,
            "stage_name": self.phrasing.stage_names[stage],
            "requested_slot": case.slot("requested_slot"),
            "latest": {
                "text": mask(latest.text).text,
                "intent": latest.intent,
                "emotion": latest.emotion,
                "intensity": latest.intensity,
            } if latest else None,
            "emotion_trend": emotion_trend(case.turns),
            "anger_direction": anger_direction(case.turns),
            "profile": {"kind": profile.kind, "name": profile.display_name, "reasons": list(profile.reasons)},
            "risk": {"level": risk.level, "label": risk.label, "score": risk.score, "reasons": list(risk.reasons)},
            "complaint_level": case.level(),
            "category": category,
            "category_name": self.replies.name_of("category_names", category or "") or None,
            "order": {"order_id": order.order_id, "product": order.product, "price": order.price,
                      "status": order.status, "carrier": order.carrier} if order else None,
            "offers": [{"remedy_id": o.remedy_id, "title": o.title, "amount": o.amount, "cap": o.cap,
                        "needs_human_approval": o.needs_human_approval} for o in decision.offers] if decision else [],
            "suggestions": [s.__dict__ for s in self.suggestions(case, stage)],
            "transcript": transcript(case),
        }

    def close_summary(self, case: Case) -> str:
        """The agent's closing summary, in the same format as the bot's handoff summary."""
        return case.handoff_summary(self.phrasing.close_summary_reason)
