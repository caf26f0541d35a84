"""The shop's clock: what a customer reads does not depend on the server's TZ (containers run on UTC)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from complaint_desk.clock import load_time_zone
from complaint_desk.knowledge import KnowledgeError
from complaint_desk.paths import PROJECT_ROOT

# 2026-12-07 10:30 in Beijing is 02:30 UTC: inside the 9:00-21:00 service hours only on the shop's clock.
MORNING_IN_BEIJING = dt.datetime(2026, 12, 7, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()

SCRIPT = f"""
import json, time
from complaint_desk import clock
from complaint_desk.case.handoff_summary import HandoffReason, customer_handoff_message, load_handoff_data
from tests.unit.shipped_knowledge import HANDOFF_PATH, RISK
data = load_handoff_data(HANDOFF_PATH, RISK)
import datetime, os, sqlalchemy as sa
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.tickets import NewTicket, TicketStore
engine = engine_for(os.environ["TICKETS_DB_URL"])
create_schema(engine)
store = TicketStore(session_factory(engine))
opened = store.open_ticket(NewTicket("c1", None, "delivery", "L1", "reship", "补发", None, ["angry"],
                                     datetime.timedelta(hours=48)), now=clock.from_timestamp({MORNING_IN_BEIJING}))
ticket = store.get(opened.ticket_id)
with engine.connect() as connection:
    stored = list(connection.execute(sa.text("SELECT created_at, resolve_by FROM complaint_tickets")).one())
before = time.time()
now = clock.now()
print(json.dumps({{
    "handoff": customer_handoff_message(HandoffReason.CUSTOMER_REQUEST, clock.from_timestamp({MORNING_IN_BEIJING}),
                                        data=data),
    "deadline": f"{{clock.from_timestamp({MORNING_IN_BEIJING}) + __import__('datetime').timedelta(hours=48):%m月%d日 %H:%M}}",
    "now": now.isoformat(), "before": before, "after": time.time(),
    "stored": stored, "read_back": f"{{ticket.resolve_by:%m月%d日 %H:%M}}",
}}, ensure_ascii=False))
"""


def run_under(tz: str, tmp_path: Path) -> dict:
    env = {**os.environ, "TZ": tz, "PYTHONPATH": str(PROJECT_ROOT),
           "TICKETS_DB_URL": f"sqlite:///{tmp_path / tz.replace('/', '_')}.db"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_customer_reads_the_same_text_whatever_the_server_time_zone(tmp_path: Path):
    readings = {tz: run_under(tz, tmp_path) for tz in ("UTC", "Asia/Shanghai", "America/New_York")}
    assert len({(r["handoff"], r["deadline"], r["read_back"]) for r in readings.values()}) == 1
    beijing = readings["UTC"]
    assert beijing["deadline"] == beijing["read_back"] == "12月09日 10:30"
    # the database holds the instant in UTC, the same whatever the server's zone
    assert all(r["stored"] == ["2026-12-07 02:30:00.000000", "2026-12-09 02:30:00.000000"] for r in readings.values())
    for tz, reading in readings.items():
        shop = ZoneInfo("Asia/Shanghai")
        earliest = dt.datetime.fromtimestamp(reading["before"], shop).replace(tzinfo=None, microsecond=0)
        latest = dt.datetime.fromtimestamp(reading["after"], shop).replace(tzinfo=None)
        assert earliest <= dt.datetime.fromisoformat(reading["now"]) <= latest, tz


def test_service_hours_are_judged_on_the_shop_clock(tmp_path: Path):
    from complaint_desk.case.handoff_summary import HandoffReason, customer_handoff_message, load_handoff_data
    from tests.unit.shipped_knowledge import HANDOFF_PATH, RISK

    data = load_handoff_data(HANDOFF_PATH, RISK)
    at = dt.datetime.fromtimestamp(MORNING_IN_BEIJING, ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    working = customer_handoff_message(HandoffReason.CUSTOMER_REQUEST, at, data=data)
    late = customer_handoff_message(HandoffReason.CUSTOMER_REQUEST, at.replace(hour=23), data=data)
    assert working != late
    assert run_under("UTC", tmp_path)["handoff"] == working


def test_an_unknown_time_zone_names_the_file_and_line(tmp_path: Path):
    path = tmp_path / "shop.yml"
    path.write_text("version: 1\n\ntime_zone: Beijing/China\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_time_zone(path)
    assert "第 3 行" in str(error.value) and "Beijing/China" in str(error.value)


def test_the_shipped_shop_file_is_valid():
    assert load_time_zone().key == "Asia/Shanghai"


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Australia/Adelaide"])
def test_stored_instants_come_back_as_the_shop_wall_clock_across_daylight_saving(zone: str, monkeypatch):
    from complaint_desk import clock

    monkeypatch.setattr(clock, "shop_time_zone", lambda: ZoneInfo(zone))
    clock._offset_during_utc_hour.cache_clear()
    try:
        start = dt.datetime(2026, 1, 1)
        for minutes in range(0, 366 * 24 * 60, 13):  # every 13 minutes of a year, both transitions included
            utc = start + dt.timedelta(minutes=minutes)
            expected = utc.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
            assert clock.from_utc(utc) == expected
            assert clock.from_utc(utc.replace(tzinfo=dt.UTC)) == expected
            first, second = (expected.replace(fold=f, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC) for f in (0, 1))
            # back to the same instant, except in the hour a fall-back repeats: then its first occurrence
            assert clock.to_utc(clock.from_utc(utc)) == first
            assert first == second or utc.replace(tzinfo=dt.UTC) in (first, second)
    finally:
        clock._offset_during_utc_hour.cache_clear()
