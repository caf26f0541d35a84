"""The agent console's list and search with many conversations: the conversation index against the old
per-request build.

    .venv/bin/python -m bench.bench_console_list [--conversations 10000] [--repeats 100]

- baseline (the list before the index): every request built the row of each of the latest 200 conversations
  from its events (Case + overview; the tracker-store reads it also did are not counted, so this is a floor);
- index: one SQL page of 200 rows plus the total, sorted by risk and recency, over N indexed conversations,
  on SQLite and on PostgreSQL (the machine's, or a throwaway one from tools/services.py);
- search: one request of the console's search (a phone number, a word) over the same N conversations, with the
  baseline of `SELECT count(*)` over the same table (the floor of any scan).
Prints p50/p95 per request and writes var/bench/console_list.json. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from bench.common import BENCH_VAR, progress, timed_ms
from complaint_desk.desk import Desk
from complaint_desk.stores.conversation_index import ConversationIndex, search_text
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from tools.services import provide, scratch_dir

MESSAGES = [
    ("complain_delivery", "angry", "快递一个星期了还没到，你们到底管不管"),
    ("give_order_number", "neutral", "订单号472918305561"),
    ("complain_quality", "disappointed", "耳机用了三天左边就没声音了"),
    ("state_desired_outcome", "neutral", "给我换个新的吧"),
    ("threaten_escalation", "angry", "再不处理我就打12315"),
    ("ask_progress", "anxious", "我的退款到哪一步了"),
]


def synthetic_state(conversation_id: str, turns: int, start: float, rng: random.Random) -> dict:
    events: list[dict] = []
    for turn in range(turns):
        intent, emotion, text = rng.choice(MESSAGES)
        stamp = start + turn * 40.0
        events.append({"event": "user", "text": text, "timestamp": stamp,
                       "parse_data": {"intent": {"name": intent, "confidence": 0.93}, "entities": [],
                                      "emotion": {"name": emotion, "confidence": 0.8, "intensity": 0.5}}})
        events.append({"event": "bot", "text": "收到，我来帮您处理。", "timestamp": stamp + 1.0})
    return {"sender_id": conversation_id, "events": events, "slots": {}, "paused": False, "active_loop": {}}


PHONE_TO_FIND = "13912345678"


def fill_index(desk: Desk, index: ConversationIndex, conversations: int, rng: random.Random) -> None:
    """N rows; each conversation's searchable words are 1-6 customer messages, one in a thousand with the phone
    number the search benchmark looks for."""
    now = time.time()
    templates = [desk.console_row(synthetic_state("template", rng.randint(1, 6), now, rng)) for _ in range(50)]
    for n in range(conversations):
        row = dict(rng.choice(templates))
        row["conversation_id"] = f"bench-{n:06d}"
        row["updated_at"] = now - rng.uniform(0, 7 * 86400)
        words = [rng.choice(MESSAGES)[2] for _ in range(rng.randint(1, 6))]
        if n % 1000 == 0:
            words.append(f"我的电话是{PHONE_TO_FIND[:3]}-{PHONE_TO_FIND[3:7]}-{PHONE_TO_FIND[7:]}")
        index.put(row, search_text(words, [f"{472918300000 + n}"]))
        if (n + 1) % 2000 == 0:
            progress(f"  {n + 1}/{conversations} rows indexed")


def page_request(index: ConversationIndex) -> Callable[[], object]:
    return lambda: json.dumps({"conversations": index.page(200, 0), "total": index.count()}, ensure_ascii=False)


def search_request(index: ConversationIndex, query: str) -> Callable[[], object]:
    return lambda: json.dumps(index.search(query, 20, 0), ensure_ascii=False)


def measure_search(index: ConversationIndex, engine: sa.engine.Engine, repeats: int, results: dict, name: str) -> None:
    def count() -> object:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM conversation_index")).scalar()

    results[f"count_baseline_{name}"] = timed_ms(count, repeats)
    results[f"search_phone_{name}"] = timed_ms(search_request(index, PHONE_TO_FIND), repeats)
    results[f"search_word_{name}"] = timed_ms(search_request(index, "没声音"), repeats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(7)
    scratch = Path(tempfile.mkdtemp(prefix="bench-console-"))
    results: dict[str, dict] = {}
    desk = Desk.build(db_url=f"sqlite:///{scratch / 'desk.db'}", var_dir=scratch)

    progress("baseline: rows of 200 conversations built from their events per request")
    states = [synthetic_state(f"old-{n}", rng.randint(1, 6), time.time(), rng) for n in range(200)]
    results["baseline_build_200_rows"] = timed_ms(
        lambda: sorted((desk.console_row(state) for state in states), key=lambda r: -r["risk"]["rank"]),
        max(5, args.repeats // 10))

    engine = engine_for(f"sqlite:///{scratch / 'index.db'}")
    create_schema(engine)
    index = ConversationIndex(session_factory(engine))
    progress(f"index on SQLite: {args.conversations} conversations")
    fill_index(desk, index, args.conversations, rng)
    results["index_sqlite"] = timed_ms(page_request(index), args.repeats)
    measure_search(index, engine, args.repeats, results, "sqlite")

    services_root = scratch_dir("desk-services-bench-")
    services = provide(services_root)
    schema = f"bench_index_{uuid.uuid4().hex[:6]}"
    try:
        pg_engine = engine_for(services.database_url, schema)
        create_schema(pg_engine)
        pg_index = ConversationIndex(session_factory(pg_engine))
        progress(f"index on PostgreSQL: {args.conversations} conversations")
        fill_index(desk, pg_index, args.conversations, rng)
        results["index_postgresql"] = timed_ms(page_request(pg_index), args.repeats)
        measure_search(pg_index, pg_engine, args.repeats, results, "postgresql")
        with pg_engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        pg_engine.dispose()
    finally:
        services.stop()
        shutil.rmtree(services_root, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)

    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    report = {"conversations": args.conversations, "page_size": 200, "results": results}
    (BENCH_VAR / "console_list.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\n| console list request ({args.conversations} conversations) | p50 ms | p95 ms |\n|---|---|---|")
    for name, figures in results.items():
        print(f"| {name} | {figures['p50_ms']} | {figures['p95_ms']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
