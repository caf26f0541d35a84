"""Agent-assist latency: suggested replies and draft checks, p50/p95, against raw guard.check in the same run.

In process (default): conversation states are built from the NLU examples of each complaint category
(customer texts), the demo orders and every flow stage; drafts are the guard case tables. Measured:
  - baseline: `guard.check(draft)` alone (no conversation context)
  - draft check as the API runs it: order lookup + policy decision + guard with the conversation's context
  - suggestions as the API runs them: order lookup + policy decision + three guard-checked replies
  - the whole console payload for one conversation (`ConsoleAssist.analyze`)
Each timed call builds its case from the tracker state, as every API request does.

`--stack` also starts the real stack and measures over HTTP: POST /api/draft-check, GET
/api/conversations/<id>, and the live feed (a customer message posted on the REST channel until its
row arrives on the console's SSE stream).

Usage: .venv/bin/python bench/bench_assist.py [--stack] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import summarize_ms  # noqa: E402
from complaint_desk.assist import flow_stage  # noqa: E402
from complaint_desk.desk import Desk  # noqa: E402
from complaint_desk.paths import KNOWLEDGE_DIR  # noqa: E402
from complaint_desk.taxonomy import EMOTIONS  # noqa: E402

CASES = ROOT / "tests" / "unit" / "guard" / "cases"
NLU_DIR = ROOT / "data" / "nlu"
STAGE_SLOTS: dict[str, Callable[[str, str], dict]] = {
    "listen": lambda category, order: {},
    "probe": lambda category, order: {"complaint_category": category, "requested_slot": "order_id"},
    "propose": lambda category, order: {"complaint_category": category, "order_id": order},
    "confirm": lambda category, order: {"complaint_category": category, "order_id": order, "offered_remedy": "apology"},
}


def customer_texts() -> dict[str, list[str]]:
    """Complaint category -> example customer messages (entity markup stripped)."""
    markup = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
    texts: dict[str, list[str]] = {}
    for path in sorted(NLU_DIR.glob("complaint_*.yml")):
        category = path.stem.removeprefix("complaint_")
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in (block.get("examples") or "").splitlines():
                line = line.strip().removeprefix("- ").strip()
                if line:
                    texts.setdefault(category, []).append(markup.sub(r"\1", line))
    return texts


def build_states(rng: random.Random, orders: list[str], per_stage: int) -> list[dict]:
    states = []
    for category, examples in customer_texts().items():
        for stage, slots in STAGE_SLOTS.items():
            for index in range(per_stage):
                turns = rng.sample(examples, k=min(len(examples), rng.randint(1, 4)))
                events = [
                    {"event": "user", "text": text, "timestamp": float(i),
                     "parse_data": {"intent": {"name": f"complain_{category}", "confidence": 0.9},
                                    "emotion": {"name": rng.choice(EMOTIONS), "intensity": rng.random()},
                                    "entities": []}}
                    for i, text in enumerate(turns)
                ]
                states.append({"sender_id": f"{category}-{stage}-{index}", "events": events,
                               "slots": slots(category, rng.choice(orders)), "paused": False,
                               "active_loop": {"name": "complaint_form"} if stage == "probe" else {}})
    return states


def drafts() -> list[str]:
    over = yaml.safe_load((CASES / "overpromises.yml").read_text(encoding="utf-8"))
    compliant = yaml.safe_load((CASES / "compliant.yml").read_text(encoding="utf-8"))
    return [row[-1] for row in over] + [row[-1] for row in compliant]


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def line(name: str, durations: list[float], baseline_p95: float | None = None) -> None:
    summary = summarize_ms(durations)
    ratio = f"   {summary['p95_ms'] / baseline_p95:5.1f}× baseline p95" if baseline_p95 else ""
    print(f"  {name:<52} n={summary['n']:<6} p50 {summary['p50_ms']:7.2f} ms   p95 {summary['p95_ms']:7.2f} ms{ratio}")


def in_process(repeats: int) -> None:
    rng = random.Random(6)
    with tempfile.TemporaryDirectory() as tmp:
        desk = Desk.build(db_url=f"sqlite:///{tmp}/bench.db", var_dir=Path(tmp))
        orders = [row["order_id"] for row in yaml.safe_load((KNOWLEDGE_DIR / "demo_orders.yml").read_text())["orders"]]
        states = build_states(rng, orders, per_stage=3)
        texts = drafts()
        for state in states[:20]:  # warm-up: opencc, regex and normalization caches
            case = desk.case(state)
            desk.assist.suggestions(case, flow_stage(case))

        baseline, checks, suggestions, analyses = [], [], [], []
        for _ in range(repeats):
            for state in states:
                draft = rng.choice(texts)
                baseline.append(timed(lambda d=draft: desk.guard.check(d)))

                def check(s: dict = state, d: str = draft) -> None:
                    desk.assist.check_draft(d, desk.case(s))

                def suggest(s: dict = state) -> None:
                    case = desk.case(s)
                    desk.assist.suggestions(case, flow_stage(case))

                checks.append(timed(check))
                suggestions.append(timed(suggest))
                analyses.append(timed(lambda s=state: desk.assist.analyze(desk.case(s))))
        print(f"in process: {len(states)} conversation states (categories × stages), {len(texts)} drafts, {repeats} passes")
        base_p95 = summarize_ms(baseline)["p95_ms"]
        line("baseline: guard.check(draft) alone", baseline)
        line("draft check (order + policy + guard in context)", checks, base_p95)
        line("three suggestions (order + policy + 3 guard checks)", suggestions, base_p95)
        line("whole console payload (analyze)", analyses, base_p95)


def over_http(repeats: int) -> None:
    import requests

    from tools.stack import start_stack

    with tempfile.TemporaryDirectory() as tmp:
        print("starting the stack (60-120 s)…", flush=True)
        stack = start_stack(Path(tmp) / "var")
        try:
            agent = requests.Session()
            agent.headers["Authorization"] = f"Bearer {stack.agent_token}"
            api = f"{stack.rasa_url}/webhooks/agent/api"
            arrivals: dict[str, float] = {}
            ready = threading.Event()

            def listen() -> None:
                try:
                    with agent.get(f"{api}/stream", stream=True, timeout=600) as stream:
                        ready.set()
                        event = None
                        for raw in stream.iter_lines(decode_unicode=True):
                            if raw.startswith("event: "):
                                event = raw[7:]
                            elif raw.startswith("data: ") and event == "conversation":
                                row = json.loads(raw[6:])
                                arrivals.setdefault(row["conversation_id"], time.perf_counter())
                except requests.RequestException:
                    pass  # the stream ends when the stack stops

            threading.Thread(target=listen, daemon=True).start()
            ready.wait(30)
            texts = [t for ts in customer_texts().values() for t in ts]
            rng = random.Random(7)
            feed, turn, detail, check = [], [], [], []
            all_drafts = drafts()
            for _ in range(repeats * 10):
                sender = f"bench-{uuid.uuid4().hex[:10]}"
                sent = time.perf_counter()
                requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": rng.choice(texts)}, timeout=60)
                turn.append((time.perf_counter() - sent) * 1000)
                deadline = time.perf_counter() + 30
                while sender not in arrivals and time.perf_counter() < deadline:
                    time.sleep(0.002)
                if sender in arrivals:
                    feed.append((arrivals[sender] - sent) * 1000)
                detail.append(timed(lambda s=sender: agent.get(f"{api}/conversations/{s}", timeout=30).raise_for_status()))
                draft = rng.choice(all_drafts)
                check.append(timed(lambda s=sender, d=draft: agent.post(
                    f"{api}/draft-check", json={"text": d, "conversation_id": s}, timeout=30).raise_for_status()))
            print(f"over HTTP ({stack.rasa_url}), {len(turn)} conversations:")
            line("bot turn (REST webhook, for scale)", turn)
            line("customer message -> console row on SSE", feed)
            line("GET conversation (analysis + 3 suggestions)", detail)
            line("POST draft-check", check)
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--stack", action="store_true", help="also measure over HTTP against a started stack")
    args = parser.parse_args()
    in_process(args.repeats)
    if args.stack:
        over_http(args.repeats)
    print("target: suggestions and draft checks p95 < 100 ms")


if __name__ == "__main__":
    main()
