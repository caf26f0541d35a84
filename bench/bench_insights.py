"""Supervisor page benchmark: aggregates and page load with 10,000 tickets, against plain-SQL baselines.

    .venv/bin/python bench/bench_insights.py [--tickets 10000] [--repeats 15] [--no-stack]

1. In process, on a fresh SQLite file with N seeded demo tickets (plus the handoffs and follow-ups the
   seeder makes): the baselines (`SELECT COUNT(*)`, fetching every ticket row raw), then loading the
   cases and computing all aggregates, the first time (words not yet cut) and again.
2. Unless --no-stack: a real stack on that database. GET /api/insights over HTTP and the page itself in
   Debian chromium (Playwright), from navigation until every chart is drawn, each in two ways:
   "changed" writes a ticket before every request (the server's cache misses and recomputes),
   "unchanged" does not (the cache answers).
Writes var/bench/insights.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.common import BENCH_VAR, progress, summarize_ms, timed_ms  # noqa: E402
from complaint_desk.insights.filters import InsightFilter  # noqa: E402
from complaint_desk.insights.records import load_cases  # noqa: E402
from complaint_desk.insights.report import insights, warm_up  # noqa: E402
from complaint_desk.insights.settings import default_settings  # noqa: E402
from complaint_desk.stores.database import create_schema, engine_for, session_factory  # noqa: E402
from complaint_desk.stores.tickets import NewTicket, TicketStore  # noqa: E402
from tools.seed_demo_tickets import generate, write  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def in_process(url: str, repeats: int) -> dict[str, object]:
    engine = engine_for(url)
    sessions = session_factory(engine)
    everything = InsightFilter()

    def count() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT COUNT(*) FROM complaint_tickets")).scalar_one()

    def raw_rows() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT * FROM complaint_tickets")).fetchall()

    started = time.perf_counter()
    warm_up(default_settings())
    warm_up_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    insights(sessions, everything)  # every complaint's words cut for the first time
    cold_ms = (time.perf_counter() - started) * 1000
    return {
        "baseline_count": timed_ms(count, repeats),
        "baseline_raw_rows": timed_ms(raw_rows, repeats),
        "load_cases": timed_ms(lambda: load_cases(sessions, everything), repeats),
        "warm_up_dictionaries_ms": round(warm_up_ms, 1),
        "aggregates_first_call_cold_words_ms": round(cold_ms, 1),
        "aggregates_all": timed_ms(lambda: insights(sessions, everything), repeats),
        "aggregates_one_category": timed_ms(lambda: insights(sessions, InsightFilter(category="delivery")), repeats),
    }


def touch_data(url: str) -> None:
    """One more ticket, so the server's data fingerprint changes."""
    TicketStore(session_factory(engine_for(url))).open_ticket(NewTicket(
        conversation_id="bench", order_id=None, category="delivery", level="异议", remedy_id="shipping_coupon",
        remedy_title="运费券补偿", remedy_amount=10.0, emotion_trend=["angry", "neutral"],
        resolve_within=None, customer_text="快递一直不更新",
    ))


def timed_after(prepare, function, repeats: int) -> dict[str, float]:
    durations = []
    for _ in range(repeats):
        prepare()
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return summarize_ms(durations)


def over_http(var_dir: Path, repeats: int) -> dict[str, object]:
    from tools.stack import start_stack

    progress("starting the stack (60-180 s under load)")
    stack = start_stack(var_dir)
    try:
        base = f"{stack.rasa_url}/webhooks/supervisor/"
        headers = {"Authorization": f"Bearer {stack.agent_token}"}
        session = requests.Session()
        started = time.perf_counter()
        session.get(base + "api/insights", headers=headers, timeout=120).raise_for_status()
        first_ms = (time.perf_counter() - started) * 1000

        def status() -> None:
            session.get(f"{stack.rasa_url}/version", timeout=60).raise_for_status()

        def api() -> None:
            session.get(base + "api/insights", headers=headers, timeout=60).raise_for_status()

        url = f"sqlite:///{var_dir / 'complaint_desk.db'}"
        result: dict[str, object] = {
            "http_first_request_after_start_ms": round(first_ms, 1),
            "baseline_http_version": timed_ms(status, repeats),
            "http_api_insights_changed": timed_after(lambda: touch_data(url), api, repeats),
            "http_api_insights_unchanged": timed_ms(api, repeats),
        }
        if CHROMIUM.exists():
            result.update(browser_page_load(base, stack.agent_token, repeats, lambda: touch_data(url)))
        else:
            progress("no /usr/bin/chromium: skipping the browser measurement")
        return result
    finally:
        stack.stop()


def browser_page_load(base: str, token: str, repeats: int, change) -> dict[str, dict[str, float]]:
    """From navigation to every chart drawn (the page sets body[data-state=ready]), logged in."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.request.post(base + "login", data={"token": token})

        def load() -> None:
            page.goto(base)
            page.wait_for_selector("body[data-state='ready']", timeout=60_000)

        load()
        result = {
            "browser_page_ready_changed": timed_after(change, load, repeats),
            "browser_page_ready_unchanged": timed_ms(load, repeats),
        }
        browser.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000, help="demo tickets to seed (default 10000)")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--no-stack", action="store_true", help="only the in-process figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-insights-") as tmp:
        var_dir = Path(tmp)
        url = f"sqlite:///{var_dir / 'complaint_desk.db'}"
        progress(f"seeding {args.tickets} demo tickets")
        engine = engine_for(url)
        create_schema(engine)
        demo = generate(int(args.tickets * 1.15), seed=1, days=365)
        kept = {ticket["ticket_id"] for ticket in demo.tickets[: args.tickets]}
        demo.tickets = demo.tickets[: args.tickets]
        demo.follow_ups = [f for f in demo.follow_ups if f["ticket_id"] in kept]
        write(engine, demo)
        report: dict[str, object] = {
            "tickets": len(demo.tickets),
            "handoffs": len(demo.handoffs),
            "follow_ups": len(demo.follow_ups),
        }
        progress(f"{report['tickets']} tickets, {report['handoffs']} handoffs; measuring in process")
        report["in_process"] = in_process(url, args.repeats)
        if not args.no_stack:
            report["stack"] = over_http(var_dir, args.repeats)
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    (BENCH_VAR / "insights.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print_report(report)
    return 0


def print_report(report: dict) -> None:
    print(f"\n{report['tickets']} tickets + {report['handoffs']} handoffs, "
          f"{report['follow_ups']} follow-ups (SQLite)\n")
    print(f"{'measurement':<44}{'p50 ms':>10}{'p95 ms':>10}")
    rows = list(report["in_process"].items()) + list((report.get("stack") or {}).items())
    for name, value in rows:
        if isinstance(value, dict):
            print(f"{name:<44}{value['p50_ms']:>10.1f}{value['p95_ms']:>10.1f}")
        else:
            print(f"{name:<44}{value:>10.1f}")
    print(f"\n(written to {BENCH_VAR / 'insights.json'})")


if __name__ == "__main__":
    sys.exit(main())
