"""The complaint desk's wiring: the knowledge files and the stores, built in one place.

The action server and every channel (storefront, agent console, supervisor page) use the same
`Desk`, so the bot and the people see one policy, one guard and one set of tables. Each process
builds it once (`shared_desk()`); tests build their own with `Desk.build(...)`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.assist import ConsoleAssist, Phrasing
from complaint_desk.case.after_ticket import AfterTicketWords
from complaint_desk.case.case import Case, CaseLookups, CaseRules
from complaint_desk.case.handoff_summary import (
    HandoffReason,
    conversation_category,
    is_working_time,
    load_handoff_data,
    next_opening,
)
from complaint_desk.case.profile import load_profile_rules
from complaint_desk.case.risk import load_risk_rules
from complaint_desk.guard.checker import Guard, load_guard
from complaint_desk.guard.verdict import GuardContext, verdict_json
from complaint_desk.insights.settings import Settings, load_settings
from complaint_desk.nlu.evidence_mentions import EvidenceReader
from complaint_desk.nlu.outcome_words import OutcomeWords
from complaint_desk.nlu.product_words import ProductWords
from complaint_desk.paths import KNOWLEDGE_DIR, PROJECT_ROOT
from complaint_desk.policy.engine import PolicyEngine
from complaint_desk.policy.faq import PolicyFaq
from complaint_desk.policy.levels import load_level_table
from complaint_desk.policy.loader import load_policy
from complaint_desk.policy.model import Policy
from complaint_desk.replies import ReplyBook
from complaint_desk.reply_library import LABELS, LibraryEntry, check_entry, load_library, merged
from complaint_desk.storefront.left_message import LEFT_MESSAGE_REMEDY, LeftMessage
from complaint_desk.storefront.queue_status import opening_text, queue_status, service_hours
from complaint_desk.storefront.wording import WidgetWording, load_widget_wording
from complaint_desk.stores import agent_actions
from complaint_desk.stores.accounts import AccountStore
from complaint_desk.stores.agent_actions import AgentActions
from complaint_desk.stores.agent_modes import AgentSessionStore
from complaint_desk.stores.conversation_index import ConversationIndex, search_text
from complaint_desk.stores.database import create_schema, default_engine, engine_for, session_factory
from complaint_desk.stores.evidence_photos import EvidenceStore, UploadLimits
from complaint_desk.stores.follow_ups import FollowUpStore
from complaint_desk.stores.handoffs import Handoff, HandoffQueue
from complaint_desk.stores.notes import NoteStore
from complaint_desk.stores.orders import OrderStore
from complaint_desk.stores.ratings import RatingStore
from complaint_desk.stores.reply_library_edits import ReplyLibraryEdits
from complaint_desk.stores.shopper_conversations import ShopperConversations
from complaint_desk.stores.suggestion_feedback import SuggestionFeedback
from complaint_desk.stores.tickets import NewTicket, Ticket, TicketStore
from complaint_desk.team.assignment import Candidate, pick_owner
from complaint_desk.team.roles import WORKS_THE_QUEUE
from complaint_desk.team.teams import Teams, load_teams

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Desk:
    rules: CaseRules
    guard: Guard
    replies: ReplyBook
    faq: PolicyFaq
    outcome_words: OutcomeWords
    product_words: ProductWords
    assist: ConsoleAssist
    sessions: sessionmaker
    orders: OrderStore
    tickets: TicketStore
    follow_ups: FollowUpStore
    handoffs: HandoffQueue
    agent_modes: AgentSessionStore
    conversation_index: ConversationIndex
    evidence_photos: EvidenceStore
    insights: Settings
    teams: Teams
    accounts: AccountStore
    agent_actions: AgentActions
    notes: NoteStore
    shipped_library: tuple[LibraryEntry, ...]
    library_edits: ReplyLibraryEdits
    suggestion_feedback: SuggestionFeedback
    widget: WidgetWording
    ratings: RatingStore
    shopper_conversations: ShopperConversations

    @classmethod
    def build(cls, knowledge_dir: Path = KNOWLEDGE_DIR, db_url: str | None = None, var_dir: Path | None = None,
              seed_demo_orders: bool = True) -> Desk:
        """Load every knowledge file (each validated at load) and open the stores (COMPLAINT_DB_URL)."""
        policy = load_policy(knowledge_dir / "remedy_policy.yml")
        risk = load_risk_rules(knowledge_dir / "risk_rules.yml")
        product_words = ProductWords.from_file(knowledge_dir / "product_words.yml")
        rules = CaseRules(
            policy=policy,
            engine=PolicyEngine(policy),
            risk=risk,
            levels=load_level_table(policy, knowledge_dir / "risk_rules.yml"),
            profiles=load_profile_rules(knowledge_dir / "customer_profiles.yml"),
            handoff=load_handoff_data(knowledge_dir / "handoff.yml", risk),
            after_ticket=AfterTicketWords.from_file(knowledge_dir / "after_ticket.yml"),
            product_words=product_words,
            evidence_words=EvidenceReader.from_file(knowledge_dir / "evidence_keywords.yml"),
        )
        guard = load_guard(knowledge_dir / "guard_rules.yml", knowledge_dir / "guard_phrases.yml")
        replies = ReplyBook.from_file(knowledge_dir / "replies.yml")
        engine = engine_for(db_url) if db_url else default_engine()
        create_schema(engine)
        sessions = session_factory(engine)
        orders = OrderStore(sessions)
        if seed_demo_orders:
            seeded = orders.seed_demo_orders(knowledge_dir / "demo_orders.yml", today=clock.today())
            logger.info("Seeded %d demo orders into %s", seeded, engine.url)
        limits = UploadLimits.from_file(knowledge_dir / "evidence_uploads.yml")
        return cls(
            rules=rules,
            guard=guard,
            replies=replies,
            faq=PolicyFaq.from_file(knowledge_dir / "policy_faq.yml"),
            outcome_words=OutcomeWords.from_file(knowledge_dir / "outcome_words.yml"),
            product_words=product_words,
            assist=ConsoleAssist(rules.policy, guard, replies, Phrasing.from_file(knowledge_dir / "assist_phrasing.yml"),
                                 orders),
            sessions=sessions,
            orders=orders,
            tickets=TicketStore(sessions),
            follow_ups=FollowUpStore(sessions),
            handoffs=HandoffQueue(sessions),
            agent_modes=AgentSessionStore(sessions),
            conversation_index=ConversationIndex(sessions),
            evidence_photos=EvidenceStore(sessions, (var_dir or PROJECT_ROOT / "var") / "evidence", limits),
            insights=load_settings(knowledge_dir / "insights.yml", policy, rules.handoff.reason_labels,
                                   knowledge_dir / "root_cause_stopwords.txt"),
            teams=load_teams(knowledge_dir / "teams.yml", [reason.value for reason in HandoffReason]),
            accounts=AccountStore(sessions),
            agent_actions=AgentActions(sessions),
            notes=NoteStore(sessions),
            shipped_library=tuple(load_library(knowledge_dir / "reply_library.yml", guard, GuardContext.of_policy(policy))),
            library_edits=ReplyLibraryEdits(sessions),
            suggestion_feedback=SuggestionFeedback(sessions),
            widget=load_widget_wording(knowledge_dir / "widget.yml"),
            ratings=RatingStore(sessions),
            shopper_conversations=ShopperConversations(sessions),
        )

    @property
    def policy(self) -> Policy:
        return self.rules.policy

    def case(self, state: Mapping[str, Any], lookups: CaseLookups | None = None,
             today: dt.date | None = None) -> Case:
        """The case for a tracker state (a dict: Rasa's `current_state()`)."""
        return Case(state, self.rules, lookups or self.lookups(), today)

    def console_row(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The console's list row of a conversation, with its agent mode and its place in the queue (one place
        for the bot and the console)."""
        return self._console_row(self.case(state))

    def _console_row(self, case: Case) -> dict[str, Any]:
        row = self.assist.overview(case, self.agent_modes.get(case.conversation_id).mode)
        row["queue"] = self.queue_entry(case.conversation_id)
        return row

    # ------------------------------------------------------------ the reply library

    def library(self) -> list[LibraryEntry]:
        """The reply library as agents see it now: the shipped entries with the supervisors' changes."""
        edited, deleted = self.library_edits.current()
        return merged(self.shipped_library, edited, deleted)

    def save_library_entry(self, entry_id: str, title: str, stage: str, text: str, by: str) -> LibraryEntry:
        """Check (the guard included) and save a supervisor's entry; LibraryError says what is wrong."""
        entry = check_entry(entry_id, title, stage, text, self.guard, GuardContext.of_policy(self.policy))
        self.library_edits.save(entry, by)
        return entry

    def library_for(self, case: Case, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Each entry filled in with the case and checked again by the guard in the case's context; an entry the
        filled-in check refuses is listed as blocked, never offered for sending."""
        values = self.library_values(case, now)
        context = case.guard_context()
        entries = []
        for entry in self.library():
            text, missing = entry.fill(values)
            verdict = verdict_json(self.guard.check(text, context))
            entries.append({**entry.public(), "filled": text, "missing": [LABELS[name] for name in missing],
                            "allowed": verdict["allowed"],
                            "findings": verdict["findings"]})
        return entries

    def library_values(self, case: Case, now: dt.datetime | None = None) -> dict[str, str | None]:
        order = case.order
        decision = case.decision()
        offer = decision.offers[0] if decision and decision.offers else None
        tickets = self.tickets.for_conversation(case.conversation_id)
        deadline = tickets[-1].resolve_by if tickets and tickets[-1].resolve_by else (
            (now or clock.now()) + dt.timedelta(hours=decision.sla.resolution_hours) if decision else None)
        return {
            "order_id": case.slot("order_id"),
            "product": order.product if order else None,
            "remedy": offer.display_title if offer else None,
            "amount": f"{offer.amount:.0f} 元" if offer and offer.amount is not None else None,
            "deadline": f"{deadline:%m月%d日 %H:%M}" if deadline else None,
        }

    # ------------------------------------------------------------ the queue by team

    def queue_entry(self, conversation_id: str, now: dt.datetime | None = None) -> dict[str, Any] | None:
        """The conversation's open hand-off as the console shows it: team, owner, response deadline."""
        handoff = self.handoffs.open_of(conversation_id)
        return self._queue_entry(handoff, now) if handoff else None

    def _queue_entry(self, handoff: Handoff, now: dt.datetime | None = None) -> dict[str, Any]:
        team = self.teams.get(handoff.team) if handoff.team else None
        owner = self.accounts.by_id(handoff.owner_id) if handoff.owner_id is not None else None
        return {
            "conversation_id": handoff.conversation_id,
            "reason": handoff.reason,
            "team": handoff.team,
            "team_name": team.name if team else None,
            "owner_id": handoff.owner_id,
            "owner": owner.username if owner else None,
            "owner_name": owner.display_name if owner else None,
            "waiting_since": handoff.created_at.isoformat(timespec="seconds"),
            "respond_by": handoff.respond_by.isoformat(timespec="seconds") if handoff.respond_by else None,
            "answered": handoff.answered_at is not None,
            "overdue": handoff.overdue(now or clock.now()),
        }

    def queue(self, team: str | None = None, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Open hand-offs in queue order (oldest first), of one team or all, each with its position."""
        now = now or clock.now()
        entries = [self._queue_entry(handoff, now) for handoff in self.handoffs.waiting(team)]
        for position, entry in enumerate(entries, 1):
            entry["position"] = position
        return entries

    def response_deadline(self, level: str | None, since: dt.datetime) -> dt.datetime:
        """When an agent must first answer a hand-off: the level's first-response time in
        knowledge/remedy_policy.yml (else the pick-up time promised to customers, knowledge/handoff.yml), counted
        from `since`, or from the next opening when it comes outside service hours."""
        row = self.policy.sla.levels.get(level or "")
        minutes = row.first_response_minutes if row else self.rules.handoff.pickup_minutes
        return next_opening(since, self.rules.handoff) + dt.timedelta(minutes=minutes)

    def _queue_workers(self, now: dt.datetime) -> list[Candidate]:
        """Everyone who works the queue (enabled, in a role that takes hand-offs), with their team and whether they
        are online now."""
        online = self.accounts.online_ids(now)
        return [Candidate(a.account_id, a.username, a.team, a.account_id in online)
                for a in self.accounts.all() if not a.disabled and a.role in WORKS_THE_QUEUE]

    def hand_off(self, conversation_id: str, reason: str, summary: str, category: str | None = None,
                 level: str | None = None, now: dt.datetime | None = None, team: str | None = None) -> Handoff:
        """Put a conversation in its team's queue (the reason's team unless `team` is given), with its deadline, and
        give it to the least busy member of the team who is logged in and has room (knowledge/teams.yml), if
        anyone."""
        now = now or clock.now()
        team = team or self.teams.for_handoff(reason).team_id
        owner = pick_owner(team, self._queue_workers(now), self.handoffs.load_by_owner(),
                           self.teams.capacity_per_agent)
        return self.handoffs.hand_off(conversation_id, reason, summary, now=now, category=category, level=level,
                                      team=team, respond_by=self.response_deadline(level, now), owner_id=owner)

    # ------------------------------------------------------------ the shopper's side

    def shopper_status(self, conversation_id: str | None, now: dt.datetime | None = None) -> dict[str, Any]:
        """What the widget shows above the conversation: service hours, and the queue when waiting for a human."""
        now = now or clock.now()
        hours = self.rules.handoff
        handoff = self.handoffs.open_of(conversation_id) if conversation_id else None
        team_queue, online, team_name, agent_name = [], 0, None, None
        if handoff is not None:
            entry = self._queue_entry(handoff, now)
            team_name, agent_name = entry["team_name"], entry["owner_name"]
            team_queue = self.handoffs.waiting(handoff.team)
            online = sum(worker.online for worker in self._queue_workers(now) if worker.team == handoff.team)
        status = queue_status(handoff, team_queue, online, now, team_name=team_name, agent_name=agent_name,
                              hours=hours, wording=self.widget)
        return {"service": service_hours(now, hours, self.widget), "queue": status.as_json()}

    def leave_message(self, conversation_id: str, message: LeftMessage, case: Case,
                      now: dt.datetime | None = None) -> tuple[Ticket, Handoff, str]:
        """A 留言: a ticket (remedy to be decided by an agent) and a queue item whose deadline counts from the next
        opening; returns them and the receipt for the shopper. Fraud and privacy go to their specialists' queue."""
        now = now or clock.now()
        category = case.category or conversation_category(case.turns) or "after_sales"
        level = case.level()
        decision = case.decision()
        sla = decision.sla if decision else None
        ticket = self.tickets.open_ticket(NewTicket(
            conversation_id=conversation_id, order_id=case.slot("order_id"), category=category, level=level,
            remedy_id=LEFT_MESSAGE_REMEDY, remedy_title=self.widget.text("leave_message.summary_prefix"),
            remedy_amount=None, emotion_trend=tuple(turn.emotion or "neutral" for turn in case.turns),
            resolve_within=dt.timedelta(hours=sla.resolution_hours) if sla else None,
            customer_text=message.customer_text(), first_message_at=now,
        ), now=now)
        reason = HandoffReason.LEFT_MESSAGE
        team = self.teams.for_handoff(category if category in (HandoffReason.FRAUD, HandoffReason.PRIVACY)
                                      else reason).team_id
        summary = "\n".join([f"{self.widget.text('leave_message.summary_prefix')}（工单 {ticket.ticket_id}）：",
                             case.handoff_summary(reason)])
        handoff = self.hand_off(conversation_id, str(reason), summary, category=category, level=level, now=now,
                                team=team)
        hours = self.rules.handoff
        receipt = (self.widget.text("leave_message.received_open", ticket_id=ticket.ticket_id,
                                    contact=message.masked_contact) if is_working_time(now, hours)
                   else self.widget.text("leave_message.received", ticket_id=ticket.ticket_id,
                                         contact=message.masked_contact, opening=opening_text(now, hours)))
        return ticket, handoff, receipt

    def shopper_orders(self, shopper_id: str) -> list[dict[str, Any]]:
        """A signed-in shopper's recent orders as the widget's cards."""
        return [{"order_id": order.order_id, "product": order.product, "price": order.price,
                 "purchased_at": order.purchased_at.isoformat(),
                 "status": self.replies.order_status(order.status, delivered_at=f"{order.delivered_at:%m月%d日}"
                                                     if order.delivered_at else "")}
                for order in self.orders.for_shopper(shopper_id)]

    def rating_subject(self, conversation_id: str, about: str) -> tuple[str, str | None, int | None] | None:
        """What a shopper's stars are about: (subject, ticket id, agent account id), or None when there is nothing
        to rate. "ticket": the conversation's latest ticket; "agent": the latest close by an agent."""
        if about == "ticket":
            tickets = self.tickets.for_conversation(conversation_id)
            return (f"ticket:{tickets[-1].ticket_id}", tickets[-1].ticket_id, None) if tickets else None
        if about == "agent":
            closes = [a for a in self.agent_actions.of_conversation(conversation_id) if a.action == agent_actions.CLOSE]
            if not closes:
                return None
            close = closes[-1]
            return f"agent:{close.account_id or 0}:{close.at:%Y%m%d%H%M%S}", None, close.account_id
        return None

    def index_conversation(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """Write the conversation's row, and what it is searched by, into the conversation index; returns the row.

        Its lookups (order, earlier tickets, agent mode, hand-off, owner) and the write share one connection and one
        transaction: a session per lookup cost a pool check-out, a ping and a rollback each, most of a turn's
        database time in production (docs/measurements.md, turn cost)."""
        with self.sessions.kw["bind"].connect() as connection, connection.begin():
            return self._on_one_connection(connection)._write_index_row(state)

    def index_conversations(self, states: Iterable[Mapping[str, Any]]) -> int:
        """`index_conversation` for several conversations on one connection, each in its own transaction: one that
        fails is logged and the others are written. Returns how many were written."""
        written = 0
        with self.sessions.kw["bind"].connect() as connection:
            desk = self._on_one_connection(connection)
            for state in states:
                try:
                    with connection.begin():
                        desk._write_index_row(state)
                    written += 1
                except Exception:  # rebuildable (tools/reindex_conversations.py); the others still go in
                    logger.exception("会话索引更新失败：%s", state.get("sender_id"))
        return written

    def _write_index_row(self, state: Mapping[str, Any]) -> dict[str, Any]:
        case = self.case(state)
        row = self._console_row(case)
        words = search_text((turn.text for turn in case.turns), (case.slot("order_id"), case.slot("ticket_id")))
        self.conversation_index.put(row, words)
        return row

    def _on_one_connection(self, connection: sa.engine.Connection) -> Desk:
        """This desk with the stores the console row reads and writes bound to `connection` and its transaction."""
        sessions = sessionmaker(bind=connection, future=True, expire_on_commit=False)
        return replace(self, sessions=sessions, orders=OrderStore(sessions), tickets=TicketStore(sessions),
                       handoffs=HandoffQueue(sessions), agent_modes=AgentSessionStore(sessions),
                       accounts=AccountStore(sessions), conversation_index=ConversationIndex(sessions))

    def lookups(self) -> CaseLookups:
        return CaseLookups(find_order=self.orders.find, earlier_tickets_on_order=self.tickets.count_on_order_from_others)


@cache
def shared_desk() -> Desk:
    """This process's desk (the action server's, or the Rasa server's channels'), built at first use."""
    var_dir = os.environ.get("COMPLAINT_VAR_DIR")
    return Desk.build(var_dir=Path(var_dir) if var_dir else None)
