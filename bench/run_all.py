"""Latency, throughput, training and memory figures for the complaint desk, next to a stock Rasa bot.

`make bench` (or `.venv/bin/python -m bench.run_all`) does, in order:
1. the floor: jieba + TF-IDF + logistic regression in-process, per message;
2. the stock Rasa baseline (bench/stock_bot/ + a copy of data/nlu): trained, or taken from var/bench/;
3. the complaint desk stack (tools.stack.start_stack on free ports, temp var dir): `/model/parse` p50/p95/p99,
   then full REST turns at 1, 10 and 50 concurrent conversations, CPU per turn and peak RSS per process.
   By default in production mode (--mode production): 2 Rasa replicas (the load generator sends each request
   to the next replica), PostgreSQL (a schema of the run's own) and the Redis lock store (a key prefix of its
   own), both removed afterwards; if PostgreSQL or Redis cannot be reached, it says so and runs --mode dev
   (one Rasa server, SQLite);
4. the same parse and turn loads against the stock bot (in-memory tracker store, as `rasa run` ships),
   and again with a SQL tracker store like ours (PostgreSQL in production mode, SQLite in dev), to separate
   the tracker store's share;
5. `rasa train --force` of the complaint desk from scratch into a temp dir (skip with --no-training).
Writes var/bench/report.json and var/bench/report.md, and prints the Markdown table.
The targets in the table are context only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import loadgen
from bench.common import (
    BENCH_VAR,
    ROOT,
    load_average,
    memory_mb,
    progress,
    system_busy_seconds,
    tree_cpu_seconds,
)
from bench.deployment import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, Deployment, choose, sender_ids
from bench.floor import run_floor
from bench.report_table import markdown, ratios, role_of
from bench.stock import SqlTracker, intent_drift, start_stock, stock_model, train_command, train_from_scratch
from tools.stack import DEFAULT_MODEL, free_port

TURN_BUDGETS = {1: (150, 60.0), 10: (600, 75.0), 50: (1000, 90.0)}  # concurrency: (max turns, max seconds)
QUICK_BUDGETS = {1: (30, 20.0), 10: (80, 20.0), 50: (150, 30.0)}


def _on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def measure_bot(label: str, rasa_url: str | list[str], token: str, pids: dict[str, int], levels: list[int], budgets: dict,
                parse_requests: int, check: bool, do_parse: bool = True,
                sender_id: loadgen.SenderId | None = None) -> dict:
    sender_id = sender_id or loadgen.as_is
    result: dict = {}
    progress(f"{label}: warm-up, one pass over each conversation script")
    for name, replies in loadgen.warm_up(rasa_url, label, sender_id):
        first = replies[0].replace("\n", " ")[:70]
        last = replies[-1].replace("\n", " ")[:70]
        progress(f"  {name}: first reply {first!r} … last reply {last!r}")
    if do_parse:
        progress(f"{label}: /model/parse × {parse_requests}, one at a time")
        busy_before, wall_before = system_busy_seconds(), time.perf_counter()
        server_before = sum(tree_cpu_seconds(pid) or 0.0 for pid in pids.values())
        self_before = resource.getrusage(resource.RUSAGE_SELF)
        result["parse"] = loadgen.parse_load(rasa_url, token, requests=parse_requests)
        self_after = resource.getrusage(resource.RUSAGE_SELF)
        server_after = sum(tree_cpu_seconds(pid) or 0.0 for pid in pids.values())
        ours_cpu = (server_after - server_before) + (self_after.ru_utime + self_after.ru_stime
                                                      - self_before.ru_utime - self_before.ru_stime)
        result["parse"]["foreign_cpu_cores"] = round(
            max(0.0, system_busy_seconds() - busy_before - ours_cpu) / (time.perf_counter() - wall_before), 2)
        p = result["parse"]
        progress(f"  parse p50 {p['p50_ms']} ms  p95 {p['p95_ms']} ms  p99 {p['p99_ms']} ms  errors {p['errors']}  "
                 f"other jobs {p['foreign_cpu_cores']} cores")
    result["turns"] = {}
    for concurrency in levels:
        max_turns, max_seconds = budgets.get(concurrency, (max(150, 20 * concurrency), 90.0))
        progress(f"{label}: full turns at {concurrency} concurrent conversations "
                 f"(≤ {max_turns} turns, ≤ {max_seconds:.0f} s)")
        cpu_before = {name: tree_cpu_seconds(pid) for name, pid in pids.items()}
        self_before = resource.getrusage(resource.RUSAGE_SELF)
        busy_before, load_before, wall_before = system_busy_seconds(), load_average(), time.perf_counter()
        turns = loadgen.turn_load(rasa_url, concurrency, max_turns, max_seconds, label, check=check,
                                  sender_id=sender_id)
        busy_after, wall_after = system_busy_seconds(), time.perf_counter()
        self_after = resource.getrusage(resource.RUSAGE_SELF)
        n = max(turns["n"], 1)
        per_process = {
            name: round(((tree_cpu_seconds(pid) or 0.0) - (cpu_before[name] or 0.0)) * 1000 / n, 2)
            for name, pid in pids.items()
        }
        turns["cpu_ms_per_turn"] = by_role(per_process)
        if len(per_process) > len(turns["cpu_ms_per_turn"]):
            turns["cpu_ms_per_turn_per_process"] = per_process
        turns["cpu_ms_per_turn"]["load_generator"] = round(
            ((self_after.ru_utime + self_after.ru_stime) - (self_before.ru_utime + self_before.ru_stime)) * 1000 / n, 2)
        ours_cpu = sum(v for v in turns["cpu_ms_per_turn"].values()) * n / 1000
        # Cores used by processes that are not part of this benchmark (other jobs on the machine).
        turns["foreign_cpu_cores"] = round(max(0.0, (busy_after - busy_before) - ours_cpu) / (wall_after - wall_before), 2)
        turns["load_average_before"] = load_before
        result["turns"][str(concurrency)] = turns
        check_note = (f"  ticket check failed {turns['conversations_failing_check']}/{turns['conversations_checked']}"
                      if check else "")
        progress(f"  {turns['n']} turns: p50 {turns['p50_ms']} ms  p95 {turns['p95_ms']} ms  p99 {turns['p99_ms']} ms  "
                 f"{turns['turns_per_s']} turns/s  errors {turns['errors']}  empty {turns['empty_replies']}"
                 f"{check_note}  CPU ms/turn {turns['cpu_ms_per_turn']}  other jobs {turns['foreign_cpu_cores']} cores")
        for sample in turns["check_failure_samples"][:2]:
            progress(f"    check failure: {sample}")
    result["memory"] = {name: memory_mb(pid) for name, pid in pids.items()}
    progress(f"{label}: peak RSS " + ", ".join(f"{k} {v['peak_rss_mb']} MB" for k, v in result["memory"].items()))
    return result


def by_role(values: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, value in values.items():
        out[role_of(name)] = round(out.get(role_of(name), 0.0) + value, 2)
    return out


def bench_ours(args: argparse.Namespace, deployment: Deployment, levels: list[int], budgets: dict,
               work: Path) -> dict:
    var_dir = work / "ours_var"
    what = (f"{deployment.replicas} Rasa replicas on PostgreSQL + Redis" if deployment.mode == "production"
            else "one Rasa server on SQLite")
    progress(f"complaint desk ({deployment.mode} mode): starting action server + {what} + follow-up worker(s) "
             f"({DEFAULT_MODEL.name}) …")
    started = time.perf_counter()
    stack = deployment.start(var_dir, DEFAULT_MODEL)
    try:
        startup = round(time.perf_counter() - started, 1)
        progress(f"complaint desk: ready in {startup} s at {', '.join(stack.rasa_urls)}")
        pids = {role: process.pid for role, process in stack.roles.items()}
        result = measure_bot("ours", stack.rasa_urls, stack.token, pids, levels, budgets, args.parse_requests,
                             check=True, sender_id=sender_ids(stack))
        result["startup_s"] = startup
        return result
    finally:
        stack.stop()
        progress("complaint desk: stopped")


def bench_stock(args: argparse.Namespace, model: Path, levels: list[int], budgets: dict, work: Path,
                sql: bool, deployment: Deployment) -> dict:
    label = "stock_sql" if sql else "stock"
    build = BENCH_VAR / "stock_build"
    tracker = None
    store = "in-memory"
    if sql:
        (work / "stock_sql").mkdir(parents=True, exist_ok=True)
        # The same tracker database as ours: SQLite in development, our PostgreSQL (own schema) in production.
        if deployment.mode == "production":
            tracker, store = SqlTracker(deployment.database_url, deployment.extra_schema("stock")), "PostgreSQL"
        else:
            tracker, store = SqlTracker(f"sqlite:///{work / 'stock_sql' / 'tracker.db'}"), "SQLite"
    progress(f"{label}: starting `rasa run --enable-api` ({store} tracker store) …")
    started = time.perf_counter()
    server = start_stock(model, free_port(), build, BENCH_VAR / "logs" / f"{label}_server.log", sql_tracker=tracker)
    try:
        startup = round(time.perf_counter() - started, 1)
        progress(f"{label}: ready in {startup} s at {server.rasa_url}")
        result = measure_bot(label, server.rasa_url, server.token, {"rasa_server": server.process.pid}, levels,
                             budgets, args.parse_requests, check=False, do_parse=not sql)
        result["startup_s"] = startup
        result["tracker_store"] = store
        return result
    finally:
        server.stop()
        progress(f"{label}: stopped")


def train_ours(work: Path) -> dict:
    out = work / "train_ours"
    progress("complaint desk: rasa train --force from scratch into a temp dir (about 4 minutes) …")
    training = train_from_scratch(train_command(out, "complaint-desk-bench"), ROOT,
                                  BENCH_VAR / "logs" / "train_ours.log", "complaint desk training")
    training["model_size_mb"] = round((out / "complaint-desk-bench.tar.gz").stat().st_size / 2**20, 1)
    progress(f"complaint desk: trained in {training['seconds']} s, model {training['model_size_mb']} MB, "
             f"peak RSS {training['peak_rss_mb']} MB")
    return training


# ---------------------------------------------------------------- report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--with-training", action=argparse.BooleanOptionalAction, default=True,
                        help="time `rasa train --force` of the complaint desk from scratch (about 4 minutes)")
    parser.add_argument("--stock-sql", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the stock bot with a SQLite tracker store, like ours")
    parser.add_argument("--retrain-stock", action="store_true", help="ignore the cached stock model")
    parser.add_argument("--stock-epochs", type=int, default=None,
                        help="train the stock bot with this many DIET and TED epochs instead of 100 (same networks, "
                             "same inference cost; quicker on a busy machine; its training time is then not reported "
                             "as the stock bot's)")
    parser.add_argument("--levels", default="1,10,50", help="concurrent conversations, comma-separated")
    parser.add_argument("--parse-requests", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="small loads, no training, no SQLite stock run")
    parser.add_argument("--out", type=Path, default=BENCH_VAR / "report.json")
    parser.add_argument("--mode", choices=("production", "dev"), default="production",
                        help="production: --replicas Rasa servers on PostgreSQL + Redis (schema and key prefix of "
                             "the run's own, removed afterwards), falling back to dev if they are unreachable; "
                             "dev: one Rasa server on SQLite")
    parser.add_argument("--replicas", type=int, default=2, help="Rasa replicas in production mode")
    parser.add_argument("--database-url", default=None,
                        help=f"PostgreSQL for production mode (default: $DATABASE_URL, else {DEFAULT_DATABASE_URL})")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="Redis for production mode")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    budgets = TURN_BUDGETS
    if args.quick:
        budgets, args.with_training, args.stock_sql = QUICK_BUDGETS, False, False
        args.parse_requests = min(args.parse_requests, 60)
    signal.signal(signal.SIGTERM, _on_sigterm)
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    if not DEFAULT_MODEL.exists():
        print(f"no model at {DEFAULT_MODEL}: run `make train` first", file=sys.stderr)
        return 2
    missing, extra = intent_drift()
    if missing or extra:
        progress(f"WARNING: stock domain intents differ from domain.yml: missing {sorted(missing)}, extra {sorted(extra)}")

    deployment = choose("production" if args.mode == "production" else "development", args.replicas,
                        args.database_url, args.redis_url)
    progress(f"mode: {deployment.mode}" + (f" ({deployment.replicas} replicas, schema {deployment.schema}, "
                                             f"Redis prefix {deployment.redis_prefix})"
                                             if deployment.mode == "production" else ""))
    report: dict = {"meta": {
        "deployment": deployment.describe(),
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "commit": _git_head(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "levels": levels,
        "budgets": {str(k): v for k, v in budgets.items()},
        "notes": "Load generator, servers and training share the same machine; loopback HTTP; "
                 "latencies are client-side wall time per request.",
    }}
    bench_started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        try:
            progress("floor: jieba + TF-IDF + LogisticRegression on data/nlu, in-process")
            report["floor"] = run_floor(list(loadgen.PARSE_MESSAGES))
            f = report["floor"]
            progress(f"  floor p50 {f['p50_ms']} ms  p95 {f['p95_ms']} ms  p99 {f['p99_ms']} ms  "
                     f"({f['examples']} examples, held-out accuracy {f['held_out_accuracy']})")

            model, meta = stock_model(args.retrain_stock, args.stock_epochs)

            report["ours"] = bench_ours(args, deployment, levels, budgets, work)
            report["ours"]["model_size_mb"] = round(DEFAULT_MODEL.stat().st_size / 2**20, 1)
            _save(report, args.out)

            report["stock"] = bench_stock(args, model, levels, budgets, work, sql=False, deployment=deployment)
            report["stock"]["model_size_mb"] = round(model.stat().st_size / 2**20, 1)
            report["stock"]["training_cached"] = meta["cached"]
            report["stock"]["epochs"] = meta.get("epochs")
            if not meta.get("epochs"):
                report["stock"]["training"] = meta["training"]
            _save(report, args.out)

            if args.stock_sql:
                report["stock_sql"] = bench_stock(args, model, levels, budgets, work, sql=True, deployment=deployment)
                _save(report, args.out)

            if args.with_training:
                report["ours"]["training"] = train_ours(work)
        except KeyboardInterrupt:
            progress("interrupted: writing what was measured so far")
            report["meta"]["interrupted"] = True
        except (RuntimeError, subprocess.SubprocessError, OSError) as error:
            progress(f"FAILED: {error}")
            report["meta"]["error"] = str(error)
        finally:
            try:
                deployment.cleanup()
            except Exception as error:  # noqa: BLE001  (report it, keep the figures)
                progress(f"WARNING: cleanup of the production schema / Redis keys failed: {error}")
    report["meta"]["duration_s"] = round(time.perf_counter() - bench_started, 1)
    report["ratios"] = ratios(report)
    table = markdown(report)
    report["markdown"] = table
    _save(report, args.out)
    args.out.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    progress(f"done in {report['meta']['duration_s']} s: {args.out} and {args.out.with_suffix('.md')}")
    print()
    print(table, flush=True)
    return 1 if report["meta"].get("error") or report["meta"].get("interrupted") else 0


def _save(report: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


def _git_head() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


if __name__ == "__main__":
    sys.exit(main())
