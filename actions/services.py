"""The domain services the actions share, built once when the action server starts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from complaint_desk.guard.checker import Guard, load_guard
from complaint_desk.nlu.evidence_mentions import EvidenceReader
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.policy.engine import PolicyEngine
from complaint_desk.policy.faq import PolicyFaq
from complaint_desk.policy.loader import load_policy
from complaint_desk.policy.model import Policy
from complaint_desk.replies import ReplyBook
from complaint_desk.stores.database import create_schema, default_engine, session_factory
from complaint_desk.stores.follow_ups import FollowUpStore
from complaint_desk.stores.handoffs import HandoffQueue
from complaint_desk.stores.orders import OrderStore
from complaint_desk.stores.tickets import TicketStore

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class Services:
    orders: OrderStore
    tickets: TicketStore
    follow_ups: FollowUpStore
    handoffs: HandoffQueue
    policy: Policy
    policy_engine: PolicyEngine
    guard: Guard
    replies: ReplyBook
    faq: PolicyFaq
    evidence: EvidenceReader


@lru_cache(maxsize=1)
def services(knowledge_dir: Path = KNOWLEDGE_DIR) -> Services:
    engine = default_engine()
    create_schema(engine)
    sessions = session_factory(engine)
    orders = OrderStore(sessions)
    seeded = orders.seed_demo_orders(knowledge_dir / "demo_orders.yml", today=dt.date.today())
    logger.info("Seeded %d demo orders into %s", seeded, engine.url)
    policy = load_policy(knowledge_dir / "remedy_policy.yml")
    return Services(
        orders=orders,
        tickets=TicketStore(sessions),
        follow_ups=FollowUpStore(sessions),
        handoffs=HandoffQueue(sessions),
        policy=policy,
        policy_engine=PolicyEngine(policy),
        guard=load_guard(knowledge_dir / "guard_rules.yml"),
        replies=ReplyBook.from_file(knowledge_dir / "replies.yml"),
        faq=PolicyFaq.from_file(knowledge_dir / "policy_faq.yml"),
        evidence=EvidenceReader.from_file(knowledge_dir / "evidence_keywords.yml"),
    )
