"""What a turn costs as the conversation grows: turn 1 against turns 10, 30 and 60 of the same conversation.

    .venv/bin/python -m bench.turn_length              # the default `make run` stack (one Rasa server, SQLite)
    .venv/bin/python -m bench.turn_length --mode production

Starts the stack on free ports with a temp var dir, then runs --conversations conversations one after the
other, each --turns turns of policy questions and greetings that never open a complaint, one request in
flight. For every turn it records the wall time seen by the client and the CPU the server processes (Rasa,
the action server) spent on it. Prints, per window of turns around length 1, 10, 30 and 60, the median wall
time and the mean server CPU per turn, and the ratio of the last window to the first. Writes
var/bench/turn_length.json. By default it runs twice, first with the tracker cache off (Rasa's SQL tracker
store as shipped, the baseline), then on. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from pathlib import Path

import aiohttp

from bench.common import BENCH_VAR, progress, tree_cpu_seconds
from bench.deployment import DEFAULT_REDIS_URL, choose, sender_ids
from runtime.cached_tracker_store import CACHE_SIZE_ENV, DEFAULT_CACHE_SIZE
from tools.stack import DEFAULT_MODEL

# Questions the bot answers from the policy FAQ, and small talk: the conversation grows, no form opens.
MESSAGES = ("你好", "退款一般几天能到账？", "七天无理由退货怎么算", "在吗", "运费险是怎么赔的", "好的谢谢",
            "价保怎么申请", "你们几点下班", "换货要多久", "嗯嗯")
WINDOWS = ((1, 5), (8, 12), (28, 32), (56, 60))  # turn numbers, 1-based, inclusive


def window_label(window: tuple[int, int]) -> str:
    low, high = window
    return f"turns {low}–{high}"


async def _conversation(urls: list[str], sender: str, turns: int, pids: list[int]) -> list[tuple[float, float]]:
    """(wall ms, server CPU ms) per turn."""
    out = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for turn in range(turns):
            url = f"{urls[turn % len(urls)]}/webhooks/rest/webhook"
            cpu_before = sum(tree_cpu_seconds(pid) or 0.0 for pid in pids)
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": MESSAGES[turn % len(MESSAGES)]}) as reply:
                body = await reply.json(content_type=None)
                if reply.status != 200 or not body:
                    raise RuntimeError(f"turn {turn + 1}: HTTP {reply.status}, reply {str(body)[:200]}")
            wall_ms = (time.perf_counter() - started) * 1000
            # The action server and the tracker index may still be finishing; CPU ticks are 10 ms apart.
            cpu_ms = (sum(tree_cpu_seconds(pid) or 0.0 for pid in pids) - cpu_before) * 1000
            out.append((wall_ms, cpu_ms))
    return out


def summarize(runs: list[list[tuple[float, float]]], turns: int) -> list[dict]:
    rows = []
    for window in WINDOWS:
        low, high = window
        if high > turns:
            continue
        samples = [turn for run in runs for turn in run[low - 1:high]]
        rows.append({
            "window": window_label(window),
            "turns": len(samples),
            "wall_p50_ms": round(statistics.median(s[0] for s in samples), 1),
            "server_cpu_ms_per_turn": round(sum(s[1] for s in samples) / len(samples), 1),
        })
    return rows


def measure(args: argparse.Namespace, cache_size: str) -> dict:
    deployment = choose("production" if args.mode == "production" else "development", args.replicas,
                        args.database_url, args.redis_url)
    os.environ[CACHE_SIZE_ENV] = cache_size
    label = "tracker cache off (stock SQL store)" if cache_size == "0" else f"tracker cache {cache_size}"
    with deployment.running(args.model, f"{label}: ") as stack:
        name = sender_ids(stack)
        pids = [process.pid for role, process in stack.roles.items() if not role.startswith("followup")]
        asyncio.run(_conversation(stack.rasa_urls, name(f"length-warmup-{uuid.uuid4().hex[:6]}"), 10, pids))
        runs = []
        for number in range(args.conversations):
            progress(f"{label}: conversation {number + 1}/{args.conversations}, {args.turns} turns one at a time")
            runs.append(asyncio.run(_conversation(
                stack.rasa_urls, name(f"length-{uuid.uuid4().hex[:8]}"), args.turns, pids)))
    rows = summarize(runs, args.turns)
    first, last = rows[0], rows[-1]
    ratio = {
        "wall_p50": round(last["wall_p50_ms"] / first["wall_p50_ms"], 2),
        "server_cpu": round(last["server_cpu_ms_per_turn"] / max(first["server_cpu_ms_per_turn"], 0.1), 2),
    }
    return {"variant": label, "deployment": deployment.describe(), "windows": rows, "last_over_first": ratio}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("production", "dev"), default="dev")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--conversations", type=int, default=3)
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                        help="first run with the tracker cache off (Rasa's SQL tracker store as shipped)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    variants = (["0"] if args.baseline else []) + [os.environ.get(CACHE_SIZE_ENV) or str(DEFAULT_CACHE_SIZE)]
    results = [measure(args, size) for size in variants]
    report = {"turns": args.turns, "conversations": args.conversations, "results": results}
    (BENCH_VAR / "turn_length.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print("| variant | window | turns measured | wall p50 | server CPU per turn |\n|---|---|---|---|---|")
    for result in results:
        for row in result["windows"]:
            print(f"| {result['variant']} | {row['window']} | {row['turns']} | {row['wall_p50_ms']} ms "
                  f"| {row['server_cpu_ms_per_turn']} ms |")
    for result in results:
        ratio = result["last_over_first"]
        print(f"{result['variant']}: last window / first, wall {ratio['wall_p50']}×, server CPU {ratio['server_cpu']}× "
              f"({result['deployment']['mode']} mode)")
    print(f"written to {BENCH_VAR / 'turn_length.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
