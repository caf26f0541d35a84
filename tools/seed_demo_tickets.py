"""Seed realistic demo complaints (tickets, handoffs, follow-ups) so the supervisor page means something on first run.

    python -m tools.seed_demo_tickets [--count 300] [--seed 20261122] [--days 60] [--db-url URL]

The customers' words and the distributions are in knowledge/demo_complaints.yml. The same seed and
reference time (--now) give the same data. Demo rows belong to conversations named "demo-…"; when
any exist, seeding does nothing, so running it twice is safe. `make run` seeds an empty database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from complaint_desk import clock
from complaint_desk.case.handoff_summary import HandoffReason
from complaint_desk.insights.settings import default_settings
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.policy.loader import load_policy
from complaint_desk.stores.database import create_schema, database_url, engine_for
from complaint_desk.stores.follow_ups import FollowUpRow
from complaint_desk.stores.handoffs import HandoffRow
from complaint_desk.stores.tickets import TicketRow
from complaint_desk.taxonomy import COMPLAINT_CATEGORIES, COMPLAINT_LEVELS

DEFAULT_DATA_PATH = KNOWLEDGE_DIR / "demo_complaints.yml"
DEFAULT_COUNT = 300
DEFAULT_SEED = 20261122
DEFAULT_DAYS = 60
DEMO_PREFIX = "demo-"
# Reasons that end the bot's part before any ticket exists; the others follow a ticket.
_REASONS_BEFORE_TICKET = {"offers_exhausted", "privacy", "fraud", "channel_threat", "customer_request", "red_risk",
                          "order_not_found"}


class DemoDataError(ValueError):
    pass


@dataclass
class DemoData:
    tickets: list[dict[str, Any]] = field(default_factory=list)
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: list[dict[str, Any]] = field(default_factory=list)


def load_demo_data(path: Path = DEFAULT_DATA_PATH) -> dict[str, Any]:
    """Read and check the wording/distribution file against the policy and the taxonomy."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    policy = load_policy(KNOWLEDGE_DIR / "remedy_policy.yml")
    problems: list[str] = []
    for category, spec in raw["categories"].items():
        if category not in COMPLAINT_CATEGORIES:
            problems.append(f"未知类别 {category}")
            continue
        problems += [f"{category}: 未知方案 {r}" for r in spec["remedies"] if r not in policy.remedies]
        problems += [f"{category}: 未知等级 {lvl}" for lvl in spec["levels"] if lvl not in COMPLAINT_LEVELS]
        valid_reasons = {reason.value for reason in HandoffReason}
        problems += [f"{category}: 未知转人工原因 {r}" for r in spec["handoff"]["reasons"] if r not in valid_reasons]
        if len(spec["words"]) < 3:
            problems.append(f"{category}: 原话太少")
    if problems:
        raise DemoDataError(f"{path}: " + "；".join(problems))
    return raw


@cache
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[float(weights[k]) for k in keys])[0]


def _end_emotion(rng: random.Random, start: str, change: str, agitation: Mapping[str, int]) -> str:
    if change == "calmer":
        calmer = [e for e, level in agitation.items() if level < agitation[start]]
        return rng.choice(calmer) if calmer else start
    if change == "worse":
        worse = [e for e, level in agitation.items() if level > agitation[start]]
        return rng.choice(worse) if worse else start
    return start


def _customer_text(rng: random.Random, words: Sequence[str], extras: Sequence[str], traditional_share: float) -> str:
    first = rng.choice(words)
    parts = [first]
    if rng.random() < 0.3:
        second = rng.choice([w for w in words if w != first])
        parts.append(second)
    if rng.random() < 0.25:
        parts.append(rng.choice(extras))
    text = rng.choice(["，", "。", "！", "，"]).join(parts) + rng.choice(["", "！", "。", "！！", "？", ""])
    if rng.random() < traditional_share:
        text = _s2t().convert(text)
    return text


def _created_at(rng: random.Random, now: dt.datetime, days: int) -> dt.datetime:
    # More complaints on recent days and in the evening, fewer at night.
    day_offset = int(days * (1 - rng.random() ** 0.8))
    day = (now - dt.timedelta(days=day_offset)).date()
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 8, 8, 8, 8, 9, 10, 12, 12, 10, 7, 3])[0]
    moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)))
    return min(moment, now - dt.timedelta(minutes=rng.randrange(5, 90)))


def generate(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED, now: dt.datetime | None = None,
             days: int = DEFAULT_DAYS, data: Mapping[str, Any] | None = None) -> DemoData:
    """The demo rows, as column dicts; same arguments give the same rows."""
    now = (now or clock.now()).replace(microsecond=0)
    data = data or load_demo_data()
    settings = default_settings()
    rng = random.Random(seed)
    categories = data["categories"]
    # A small pool of repeat complainants raises a share of the cases; everyone else complains once.
    repeaters = max(1, int(count * float(data["repeat_customer_share"]) / 3))
    next_new_customer = repeaters
    out = DemoData()
    ticket_serial = 0
    orders_of_customer: dict[int, str] = {}
    for _ in range(count):
        category = _pick(rng, {c: spec["weight"] for c, spec in categories.items()})
        spec = categories[category]
        # Repeat complainants come from a small pool, everyone else is new.
        if rng.random() < float(data["repeat_customer_share"]):
            customer = rng.randrange(repeaters)
        else:
            customer, next_new_customer = next_new_customer, next_new_customer + 1
        conversation_id = f"{DEMO_PREFIX}{customer:05d}"
        created = _created_at(rng, now, days)
        start = _pick(rng, spec["start"])
        end = _end_emotion(rng, start, _pick(rng, data["end_change"]), settings.agitation)
        trend = [start] + ([rng.choice([start, end])] if rng.random() < 0.5 else []) + [end]
        level = _pick(rng, spec["levels"])
        text = _customer_text(rng, spec["words"], data["extra_words"], float(data["traditional_share"]))
        handoff_reason = _pick(rng, spec["handoff"]["reasons"]) if rng.random() < spec["handoff"]["probability"] else None
        if customer < repeaters and customer in orders_of_customer and rng.random() < 0.4:
            order_id = orders_of_customer[customer]
        else:
            order_id = f"{rng.randrange(10**11, 10**12)}"
            orders_of_customer.setdefault(customer, order_id)
        if handoff_reason in _REASONS_BEFORE_TICKET and rng.random() < 0.7:
            out.handoffs.append(_handoff(conversation_id, handoff_reason, category, level, created, now, rng))
            continue
        ticket_serial += 1
        ticket = _ticket(rng, data, spec, ticket_serial, conversation_id, order_id, category, level, trend, text,
                         created, now)
        out.tickets.append(ticket)
        if handoff_reason:
            later = created + dt.timedelta(minutes=rng.randrange(5, 600))
            out.handoffs.append(_handoff(conversation_id, handoff_reason, category, level, min(later, now), now, rng))
        due = created + dt.timedelta(hours=settings_follow_up_hours())
        fired = min(due + dt.timedelta(minutes=rng.randrange(1, 20)), now) if due <= now else None
        out.follow_ups.append({"ticket_id": ticket["ticket_id"], "conversation_id": conversation_id, "due_at": due,
                               "claimed_at": fired, "fired_at": fired, "attempts": 1 if fired else 0})
    return out


@cache
def settings_follow_up_hours() -> float:
    return load_policy(KNOWLEDGE_DIR / "remedy_policy.yml").sla.follow_up_after_hours


def _handoff(conversation_id: str, reason: str, category: str, level: str, created: dt.datetime, now: dt.datetime,
             rng: random.Random) -> dict[str, Any]:
    handed_back = created + dt.timedelta(hours=rng.uniform(0.5, 30))
    return {
        "conversation_id": conversation_id,
        "reason": reason,
        "summary": f"【演示数据】转人工原因：{reason}",
        "created_at": created,
        "handed_back_at": handed_back if handed_back < now else None,
        "category": category,
        "level": level,
    }


def _ticket(rng: random.Random, data: Mapping[str, Any], spec: Mapping[str, Any], serial: int, conversation_id: str,
            order_id: str, category: str, level: str, trend: list[str], text: str, created: dt.datetime,
            now: dt.datetime) -> dict[str, Any]:
    settings = default_settings()
    remedies = spec["remedies"]
    remedy_id = _pick(rng, remedies)
    declined: list[str] = []
    if rng.random() < float(data["declined_first_share"]) and len(remedies) > 1:
        declined = [rng.choice([r for r in remedies if r != remedy_id])]
    first_message = created - dt.timedelta(minutes=rng.randrange(2, 15), seconds=rng.randrange(60))
    respond_minutes = settings.first_response_minutes[level]
    if rng.random() < float(data["late_first_response_share"]):
        first_response = first_message + dt.timedelta(minutes=respond_minutes + rng.uniform(1, 40))
    else:
        first_response = first_message + dt.timedelta(seconds=rng.uniform(0.8, 4.5))
    resolve_hours = settings.resolution_hours[level]
    resolve_by = created + dt.timedelta(hours=resolve_hours)
    status = _pick(rng, data["statuses"])
    if status == "open" and resolve_by < now and rng.random() < 0.6:
        status = "resolved"  # most old tickets did get closed
    resolved_at = None
    if status != "open":
        if rng.random() < float(data["late_resolution_share"]):
            resolved_at = resolve_by + dt.timedelta(hours=rng.uniform(1, 36))
        else:
            resolved_at = created + dt.timedelta(hours=rng.uniform(0.2, resolve_hours * 0.9))
        if resolved_at > now:
            status, resolved_at = "open", None
    satisfaction = _pick(rng, data["satisfaction"])
    amount = rng.choice([5.0, 10.0, 20.0, 30.0]) if remedy_id in ("shipping_coupon", "goodwill_coupon") else None
    return {
        "ticket_id": f"TD{created:%Y%m%d}{serial:05d}",
        "conversation_id": conversation_id,
        "order_id": order_id,
        "category": category,
        "level": level,
        "remedy_id": remedy_id,
        "remedy_title": settings.remedy_titles[remedy_id] + (f"（{amount:.0f} 元）" if amount else ""),
        "remedy_amount": amount,
        "emotion_trend": ",".join(trend),
        "status": status,
        "satisfaction": None if satisfaction == "unknown" else satisfaction,
        "created_at": created,
        "resolve_by": resolve_by,
        "customer_text": text,
        "first_message_at": first_message,
        "first_response_at": first_response,
        "respond_by": first_message + dt.timedelta(minutes=respond_minutes),
        "declined_remedies": ",".join(declined) or None,
        "resolved_at": resolved_at,
    }


def has_demo_rows(engine: sa.engine.Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(TicketRow.ticket_id).where(TicketRow.conversation_id.like(f"{DEMO_PREFIX}%")).limit(1)
        ).first() is not None


def ticket_count(engine: sa.engine.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(TicketRow)).scalar_one()


def write(engine: sa.engine.Engine, demo: DemoData) -> None:
    with engine.begin() as connection:
        if demo.tickets:
            connection.execute(TicketRow.__table__.insert(), demo.tickets)
        if demo.handoffs:
            connection.execute(HandoffRow.__table__.insert(), demo.handoffs)
        if demo.follow_ups:
            connection.execute(FollowUpRow.__table__.insert(), demo.follow_ups)


def seed(url: str, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED, now: dt.datetime | None = None,
         days: int = DEFAULT_DAYS, only_if_empty: bool = False) -> DemoData | None:
    """Write the demo rows unless demo rows (or, with only_if_empty, any tickets) are already there."""
    engine = engine_for(url)
    create_schema(engine)
    if has_demo_rows(engine) or (only_if_empty and ticket_count(engine) > 0):
        return None
    demo = generate(count, seed, now, days)
    write(engine, demo)
    return demo


def seed_if_empty(url: str) -> DemoData | None:
    """What `make run` calls: seed the default demo set when there are no tickets at all."""
    return seed(url, only_if_empty=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成演示投诉数据（工单、转人工、回访），供主管看板使用")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="投诉条数（默认 300）")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子，相同种子生成相同数据")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="分布在最近多少天（默认 60）")
    parser.add_argument("--now", help="参照时间 YYYY-MM-DDTHH:MM（默认当前时间）")
    parser.add_argument("--db-url", default=None, help="数据库 URL（默认 COMPLAINT_DB_URL 或 var/complaint_desk.db）")
    parser.add_argument("--if-empty", action="store_true", help="库里已有任何工单时不生成")
    args = parser.parse_args(argv)
    if args.count < 1 or args.days < 1:
        parser.error("--count 和 --days 必须是正整数")
    try:
        now = dt.datetime.fromisoformat(args.now) if args.now else None
    except ValueError:
        parser.error(f"--now 格式不对：{args.now}")
    url = args.db_url or database_url()
    try:
        demo = seed(url, args.count, args.seed, now, args.days, only_if_empty=args.if_empty)
    except DemoDataError as error:
        print(f"演示数据文件有误：{error}", file=sys.stderr)
        return 1
    if demo is None:
        print("已有数据，未重复生成。")
    else:
        print(f"已生成演示数据：{len(demo.tickets)} 张工单，{len(demo.handoffs)} 条转人工，{len(demo.follow_ups)} 条回访。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
