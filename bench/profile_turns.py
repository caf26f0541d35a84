"""Where a full turn's CPU goes: py-spy samples the servers under load, and the samples are put into stages.

    .venv/bin/python -m bench.profile_turns                    # production mode, ours
    .venv/bin/python -m bench.profile_turns --mode dev
    .venv/bin/python -m bench.profile_turns --target stock     # the stock bot of bench/stock_bot, same load

Starts the stack on free ports with a temp var dir (production mode by default, as `bench.run_all`: two
Rasa replicas on PostgreSQL + Redis, falling back to dev if they are unreachable), runs the conversation
load at --concurrency for --seconds while py-spy (requirements/dev.txt) records the first Rasa replica and
the action server. The server CPU per turn (from /proc) is then split by the share of samples in each stage
of a turn: NLU, the policies, reading the tracker, the custom-action calls, writing the tracker, the
conversation index, the rest (channel, Sanic, event loop). Prints the split, the functions with the most
samples, and writes the collapsed stacks (flamegraph input) to var/bench/profile_<process>.txt and the
split to var/bench/profile_split_<target>_<mode>.json. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from bench import loadgen
from bench.common import BENCH_VAR, progress, tree_cpu_seconds
from bench.deployment import DEFAULT_REDIS_URL, choose, sender_ids
from tools.stack import DEFAULT_MODEL, free_port

NOISE = ("<module>", "_run_module_as_main", "_run_code")
PY_SPY = Path(sys.executable).parent / "py-spy"

# A sample belongs to the stage of its outermost frame that names one. A marker is (function, file part);
# py-spy names a method Class.method, so the function matches the end of the name; "*" is any function,
# and a file part starting with ^ matches the start of the path.
RASA_STAGES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("NLU", (("parse_message", "rasa/core/processor.py"),)),
    ("tracker read", (("fetch_tracker_and_update_session", "processor.py"), ("get_tracker", "processor.py"),
                      ("fetch_tracker_with_initial_session", "processor.py"))),
    ("policies", (("_predict_next_with_tracker", "processor.py"), ("predict_next_with_tracker", "processor.py"))),
    ("custom action calls", (("RemoteAction.run", "rasa/core/actions/action.py"),
                             ("_run_custom_action", "rasa/core/actions/action.py"))),
    ("conversation index", (("index_conversation", "desk.py"), ("index_conversations", "desk.py"),
                            ("write_index", "indexed_tracker_store.py"))),
    ("tracker write", (("save_tracker", "processor.py"), ("save", "tracker_store.py"))),
    ("other actions and events", (("_run_action", "processor.py"),)),
)
ACTION_STAGES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("tracker from JSON", (("from_dict", "rasa_sdk/interfaces.py"),)),
    ("our actions", (("*", "^actions/"), ("*", "^complaint_desk/"), ("run", "rasa_sdk/forms.py"))),
    ("request JSON", (("load_json", "sanic/request"), ("loads", "json/"))),
    ("response JSON", (("json", "sanic/response"), ("dumps", "json/"))),
)
# What also counts inside any stage, to see what the length of a conversation costs.
DETAILS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("replaying events into a tracker", (("from_dict", "rasa/shared/core/trackers.py"),
                                        ("replay_events", "trackers.py"))),
    ("tracker states for the policies", (("past_states", "trackers.py"),)),
    ("serializing the tracker", (("current_state", "trackers.py"),)),
    ("TensorFlow", (("quick_execute", "tensorflow/"), ("__call__", "tensorflow/"))),
    ("SQL (connect, execute, commit, close)", (("execute", "sqlalchemy/"), ("connect", "sqlalchemy/"),
                                               ("do_close", "sqlalchemy/"), ("do_commit", "sqlalchemy/"))),
    ("the case from the events", (("Desk.case", "complaint_desk/desk.py"),
                                  ("from_state", "complaint_desk/case"))),
)
# Leaf frames of a process waiting: the event loop (uvloop is native) and idle pool threads.
IDLE_LEAVES = (("serve", "sanic/server/runners.py"), ("_worker", "concurrent/futures/thread.py:81"),
               ("wait", "threading.py"), ("run_forever", "asyncio/base_events.py"))


def _matches(frame: str, marker: tuple[str, str]) -> bool:
    name, file_part = marker
    function, _, where = frame.partition(" (")
    if name != "*" and function != name and not function.endswith("." + name):
        return False
    return where.startswith(file_part[1:]) if file_part.startswith("^") else file_part in where


def read_samples(collapsed: Path) -> list[tuple[list[str], int]]:
    samples = []
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith(NOISE)]
        if frames and not any(_matches(frames[-1], leaf) for leaf in IDLE_LEAVES):
            samples.append((frames, int(count)))
    return samples


def stage_shares(samples: list[tuple[list[str], int]],
                 stages: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]) -> dict[str, float]:
    counts: Counter = Counter()
    total = 0
    for frames, n in samples:
        total += n
        stage = "other (channel, server, event loop)"
        for frame in frames:  # outermost first
            found = next((name for name, markers in stages if any(_matches(frame, m) for m in markers)), None)
            if found:
                stage = found
                break
        counts[stage] += n
    return {stage: n / total for stage, n in counts.most_common()} if total else {}


def detail_shares(samples: list[tuple[list[str], int]]) -> dict[str, float]:
    total = sum(n for _frames, n in samples)
    out = {}
    for name, markers in DETAILS:
        hit = sum(n for frames, n in samples if any(_matches(f, m) for f in frames for m in markers))
        out[name] = hit / total if total else 0.0
    return out


def summarize(collapsed: Path, top: int) -> list[str]:
    inclusive: Counter = Counter()
    self_time: Counter = Counter()
    total = 0
    for frames, samples in read_samples(collapsed):
        total += samples
        if not frames:
            continue
        for frame in set(frames):
            inclusive[frame] += samples
        self_time[frames[-1]] += samples
    lines = [f"{collapsed.name}: {total} samples"]
    lines.append("  inclusive:")
    lines += [f"    {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("  self:")
    lines += [f"    {n / total:6.1%}  {frame}" for frame, n in self_time.most_common(top)]
    return lines


def split_table(process: str, cpu_ms_per_turn: float, shares: dict[str, float], details: dict[str, float]) -> list[str]:
    lines = [f"{process}: {cpu_ms_per_turn:.1f} ms CPU per turn", "| stage | share | ms per turn |", "|---|---|---|"]
    lines += [f"| {stage} | {share:.1%} | {share * cpu_ms_per_turn:.1f} |" for stage, share in shares.items()]
    lines.append("inside any stage: " + ", ".join(
        f"{name} {share:.1%} ({share * cpu_ms_per_turn:.1f} ms)" for name, share in details.items() if share))
    return lines


def _record(py_spy: Path, pid: int, seconds: float, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(py_spy), "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
         "--duration", str(int(seconds) + 5), "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def profile(urls: list[str], recorded: dict[str, int], measured: dict[str, list[int]], args: argparse.Namespace,
            label: str, sender_id: loadgen.SenderId, check: bool) -> dict:
    """Run the load while py-spy records `recorded`; CPU per turn of each role in `measured` (all its pids)."""
    loadgen.warm_up(urls, label, sender_id)
    recorders = {name: (BENCH_VAR / f"profile_{label}_{name}.txt", _record(args.py_spy, pid, args.seconds,
                                                                          BENCH_VAR / f"profile_{label}_{name}.txt"))
                 for name, pid in recorded.items()}
    progress(f"load: {args.concurrency} concurrent conversations for {args.seconds:.0f} s, py-spy recording")
    cpu_before = {name: sum(tree_cpu_seconds(pid) or 0.0 for pid in pids) for name, pids in measured.items()}
    result: dict = {}
    runner = threading.Thread(target=lambda: result.update(loadgen.turn_load(
        urls, args.concurrency, 100000, args.seconds, label, check=check, sender_id=sender_id)))
    runner.start()
    runner.join()
    turns = max(result.get("n") or 0, 1)
    cpu = {name: round((sum(tree_cpu_seconds(pid) or 0.0 for pid in pids) - cpu_before[name]) * 1000 / turns, 1)
           for name, pids in measured.items()}
    for _out, recorder in recorders.values():
        recorder.wait(timeout=120)
    progress(f"{result.get('n')} turns, p50 {result.get('p50_ms')} ms, p95 {result.get('p95_ms')} ms, "
             f"{result.get('turns_per_s')} turns/s, CPU ms per turn {cpu}")
    report: dict = {"turns": result, "cpu_ms_per_turn": cpu, "split": {}}
    for name, (out, recorder) in recorders.items():
        if not out.exists():
            print(f"{out.name}: no output ({recorder.stderr.read().decode(errors='replace')[:300]})")
            continue
        samples = read_samples(out)
        shares = stage_shares(samples, ACTION_STAGES if name == "action_server" else RASA_STAGES)
        details = detail_shares(samples)
        report["split"][name] = {"shares": shares, "details": details}
        print("\n".join(summarize(out, args.top)), flush=True)
        print("\n".join(split_table(name, cpu.get(name, 0.0), shares, details)), flush=True)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--py-spy", type=Path, default=PY_SPY, help="path to the py-spy binary")
    parser.add_argument("--target", choices=("ours", "stock"), default="ours")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--mode", choices=("production", "dev"), default="production")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--stock-epochs", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    if not args.py_spy.exists():
        print(f"py-spy 不在 {args.py_spy}：请先运行 make install（requirements/dev.txt 里有它）", file=sys.stderr)
        return 2
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    if args.target == "stock":
        from bench.stock import start_stock, stock_model

        model, _meta = stock_model(False, args.stock_epochs)
        server = start_stock(model, free_port(), BENCH_VAR / "stock_build", BENCH_VAR / "logs" / "profile_stock.log")
        try:
            pid = server.process.pid
            report = profile([server.rasa_url], {"rasa_server": pid}, {"rasa_server": [pid]}, args, "stock",
                             loadgen.as_is, check=False)
        finally:
            server.stop()
        mode = "in-memory tracker store"
    else:
        deployment = choose("production" if args.mode == "production" else "development", args.replicas,
                            args.database_url, args.redis_url)
        with deployment.running(DEFAULT_MODEL) as stack:
            replicas = [p.pid for role, p in stack.roles.items() if role.startswith("rasa_server")]
            action = stack.roles["action_server"].pid
            report = profile(stack.rasa_urls, {"rasa_server": replicas[0], "action_server": action},
                             {"rasa_server": replicas, "action_server": [action]}, args, "ours",
                             sender_ids(stack), check=True)
        mode = deployment.mode
    report.update(target=args.target, mode=mode, concurrency=args.concurrency)
    out = BENCH_VAR / f"profile_split_{args.target}_{mode.split()[0]}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    progress(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
