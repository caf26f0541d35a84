"""What a turn costs as the conversation grows: turn 1 against turns 10, 30 and 60 of the same conversation.

    .venv/bin/python -m bench.turn_length              # the default `make run` stack (one Rasa server, SQLite)
    .venv/bin/python -m bench.turn_length --mode production
    .venv/bin/python -m bench.turn_length --no-baseline --profile   # where the extra CPU of a long conversation goes

Starts the stack on free ports with a temp var dir, then runs --conversations conversations one after the
other, each --turns turns of policy questions and greetings that never open a complaint, one request in
flight. For every turn it records the wall time seen by the client and the CPU the server processes (Rasa,
the action server) spent on it. Prints, per window of turns around length 1, 10, 30 and 60, the median wall
time and the mean server CPU per turn, and the ratio of the last window to the first. Writes
var/bench/turn_length.json. By default it runs twice, first with the tracker cache off (Rasa's SQL tracker
store as shipped, the baseline), then on. With --profile, py-spy (requirements/dev.txt) records the Rasa
server and the action server during the first and the last window of every conversation of the last
variant, and the CPU of each window is split into the stages of bench.profile_turns, so the two windows
show which stage grows. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp

from bench.common import BENCH_VAR, progress, tree_cpu_seconds
from bench.deployment import DEFAULT_REDIS_URL, choose, sender_ids
from bench.profile_turns import ACTION_STAGES, PY_SPY, RASA_STAGES, detail_shares, read_samples, stage_shares
from runtime.cached_tracker_store import CACHE_SIZE_ENV, DEFAULT_CACHE_SIZE
from tools.stack import DEFAULT_MODEL

# Questions the bot answers from the policy FAQ, and small talk: the conversation grows, no form opens.
MESSAGES = ("你好", "退款一般几天能到账？", "七天无理由退货怎么算", "在吗", "运费险是怎么赔的", "好的谢谢",
            "价保怎么申请", "你们几点下班", "换货要多久", "嗯嗯")
WINDOWS = ((1, 5), (8, 12), (28, 32), (56, 60))  # turn numbers, 1-based, inclusive


def window_label(window: tuple[int, int]) -> str:
    low, high = window
    return f"turns {low}–{high}"


class WindowProfiler:
    """py-spy on each server process while the turns of the first and the last window run."""

    def __init__(self, py_spy: Path, processes: dict[str, int], windows: tuple[tuple[int, int], ...]) -> None:
        self.py_spy, self.processes, self.windows = py_spy, processes, windows
        self.files: dict[tuple[str, str], list[Path]] = {}
        self._running: list[subprocess.Popen] = []
        self._count = 0

    def before_turn(self, number: int) -> None:
        window = next((w for w in self.windows if w[0] == number), None)
        if window is None:
            return
        for role, pid in self.processes.items():
            self._count += 1
            out = BENCH_VAR / f"length_profile_{self._count}_{role}.txt"
            self.files.setdefault((window_label(window), role), []).append(out)
            self._running.append(subprocess.Popen(
                [str(self.py_spy), "record", "--pid", str(pid), "--format", "raw", "--rate", "1000", "--nonblocking",
                 "--output", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.5)  # py-spy attaches before the first turn of the window is sent

    def after_turn(self, number: int) -> None:
        if not any(w[1] == number for w in self.windows):
            return
        for recorder in self._running:
            recorder.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        for recorder in self._running:
            recorder.wait(timeout=60)
        self._running = []

    def split(self, window: str, role: str, cpu_ms_per_turn: float) -> dict:
        samples = [sample for path in self.files.get((window, role), []) if path.exists()
                   for sample in read_samples(path)]
        shares = stage_shares(samples, ACTION_STAGES if role == "action_server" else RASA_STAGES)
        details = detail_shares(samples)
        return {"samples": sum(n for _frames, n in samples),
                "stages_ms": {stage: round(share * cpu_ms_per_turn, 1) for stage, share in shares.items()},
                "details_ms": {name: round(share * cpu_ms_per_turn, 1) for name, share in details.items() if share}}


async def _conversation(urls: list[str], sender: str, turns: int, pids: dict[str, list[int]],
                        profiler: WindowProfiler | None = None) -> list[tuple[float, dict[str, float]]]:
    """(wall ms, server CPU ms per role) per turn."""
    out = []

    def cpu() -> dict[str, float]:
        return {role: sum(tree_cpu_seconds(pid) or 0.0 for pid in role_pids) for role, role_pids in pids.items()}

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for turn in range(turns):
            if profiler:
                profiler.before_turn(turn + 1)
            url = f"{urls[turn % len(urls)]}/webhooks/rest/webhook"
            cpu_before = cpu()
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": MESSAGES[turn % len(MESSAGES)]}) as reply:
                body = await reply.json(content_type=None)
                if reply.status != 200 or not body:
                    raise RuntimeError(f"turn {turn + 1}: HTTP {reply.status}, reply {str(body)[:200]}")
            wall_ms = (time.perf_counter() - started) * 1000
            # The action server and the tracker index may still be finishing; CPU ticks are 10 ms apart.
            cpu_after = cpu()
            out.append((wall_ms, {role: (cpu_after[role] - cpu_before[role]) * 1000 for role in pids}))
            if profiler:
                profiler.after_turn(turn + 1)
    return out


def summarize(runs: list[list[tuple[float, dict[str, float]]]], turns: int) -> list[dict]:
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
            "server_cpu_ms_per_turn": round(sum(sum(s[1].values()) for s in samples) / len(samples), 1),
            "cpu_ms_per_turn_by_process": {role: round(sum(s[1][role] for s in samples) / len(samples), 1)
                                           for role in samples[0][1]},
        })
    return rows


def measure(args: argparse.Namespace, cache_size: str, profile: bool = False) -> dict:
    deployment = choose("production" if args.mode == "production" else "development", args.replicas,
                        args.database_url, args.redis_url)
    os.environ[CACHE_SIZE_ENV] = cache_size
    label = "tracker cache off (stock SQL store)" if cache_size == "0" else f"tracker cache {cache_size}"
    with deployment.running(args.model, f"{label}: ") as stack:
        name = sender_ids(stack)
        pids: dict[str, list[int]] = {"rasa_server": [], "action_server": []}
        for role, process in stack.roles.items():
            if role.startswith("rasa_server"):
                pids["rasa_server"].append(process.pid)
            elif role == "action_server":
                pids["action_server"].append(process.pid)
        asyncio.run(_conversation(stack.rasa_urls, name(f"length-warmup-{uuid.uuid4().hex[:6]}"), 10, pids))
        windows = [w for w in WINDOWS if w[1] <= args.turns]
        profiler = WindowProfiler(args.py_spy, {role: role_pids[0] for role, role_pids in pids.items()},
                                  (windows[0], windows[-1])) if profile else None
        runs = []
        for number in range(args.conversations):
            progress(f"{label}: conversation {number + 1}/{args.conversations}, {args.turns} turns one at a time")
            runs.append(asyncio.run(_conversation(
                stack.rasa_urls, name(f"length-{uuid.uuid4().hex[:8]}"), args.turns, pids, profiler)))
    rows = summarize(runs, args.turns)
    if profiler:
        for row in (rows[0], rows[-1]):
            # py-spy watched the first replica: its shares stand for all of them.
            row["profile"] = {role: profiler.split(row["window"], role, ms)
                              for role, ms in row["cpu_ms_per_turn_by_process"].items()}
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
    parser.add_argument("--profile", action="store_true",
                        help="py-spy the first and the last window of the last variant, split into stages")
    parser.add_argument("--py-spy", type=Path, default=PY_SPY, help="path to the py-spy binary")
    args = parser.parse_args()
    if args.profile and not args.py_spy.exists():
        print(f"py-spy 不在 {args.py_spy}：请先运行 make install（requirements/dev.txt 里有它）", file=sys.stderr)
        return 2
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    variants = (["0"] if args.baseline else []) + [os.environ.get(CACHE_SIZE_ENV) or str(DEFAULT_CACHE_SIZE)]
    results = [measure(args, size, profile=args.profile and i == len(variants) - 1) for i, size in enumerate(variants)]
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
    for result in results:
        for row in result["windows"]:
            for role, split in (row.get("profile") or {}).items():
                print(f"\n{result['variant']}, {row['window']}, {role} ({split['samples']} samples), ms per turn:")
                print("  " + ", ".join(f"{stage} {ms}" for stage, ms in split["stages_ms"].items()))
                print("  inside any stage: " + ", ".join(f"{name} {ms}" for name, ms in split["details_ms"].items()))
    print(f"written to {BENCH_VAR / 'turn_length.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
