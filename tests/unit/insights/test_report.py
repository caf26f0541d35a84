"""The supervisor aggregates against values worked out by hand on a small fixture (see the comments)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from complaint_desk.insights.aggregates import sla
from complaint_desk.insights.errors import InsightsError
from complaint_desk.insights.export import export_rows
from complaint_desk.insights.filters import InsightFilter
from complaint_desk.insights.records import ComplaintRecord, load_cases
from complaint_desk.insights.report import insights
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.follow_ups import FollowUpRow
from complaint_desk.stores.handoffs import HandoffQueue
from complaint_desk.stores.tickets import NewTicket, TicketStore

NOW = dt.datetime(2026, 11, 10, 12, 0)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, second)


@pytest.fixture
def sessions(tmp_path: Path):
    engine = engine_for(f"sqlite:///{tmp_path / 'insights.db'}")
    create_schema(engine)
    sessions = session_factory(engine)
    tickets = TicketStore(sessions)

    def ticket(conversation: str, category: str, level: str, created: dt.datetime, emotions: list[str],
               remedy: str, resolve_hours: float, text: str, **extra) -> str:
        new = NewTicket(conversation_id=conversation, order_id=extra.pop("order_id", None), category=category,
                        level=level, remedy_id=remedy, remedy_title=remedy, remedy_amount=None, emotion_trend=emotions,
                        resolve_within=dt.timedelta(hours=resolve_hours), customer_text=text, **extra)
        return tickets.open_ticket(new, now=created).ticket_id

    # T1 (c1) delivery/异议: angry→neutral (calmer); reply after 2 s (deadline 5 min); resolved after 24 h of 48.
    t1 = ticket("c1", "delivery", "异议", at(1, 10), ["angry", "neutral"], "shipping_coupon", 48,
                "快递一直不更新，物流信息停了三天", order_id="111111111111",
                first_message_at=at(1, 9, 58), first_response_at=at(1, 9, 58, 2),
                respond_within=dt.timedelta(minutes=5), declined_remedies=["reship"])
    tickets.mark_resolved(t1, now=at(2, 10))
    tickets.record_satisfaction(t1, "satisfied")
    # T2 (c2) quality/投诉: disappointed→disappointed (same); reply after 8 min (deadline 3 min: 5 min late);
    # resolved after 72 h of 48 (1440 min late).
    t2 = ticket("c2", "quality", "投诉", at(1, 15), ["disappointed", "disappointed"], "quality_return", 48,
                "衣服掉色，洗一次就掉色", first_message_at=at(1, 14, 50), first_response_at=at(1, 14, 58),
                respond_within=dt.timedelta(minutes=3))
    tickets.mark_resolved(t2, now=at(4, 15))
    # T3 (c1 again, same order) delivery/投诉: anxious→angry (worse); no first-response data; still open,
    # due 11-07 09:00, so 3 d 3 h = 4500 min overdue at NOW; a repeat-complaint handoff on 11-06 belongs to it.
    t3 = ticket("c1", "delivery", "投诉", at(5, 9), ["anxious", "angry"], "reship", 48,
                "物流信息又不更新了，催了也沒用", order_id="111111111111")
    # T4 (c3) service/升级投诉: angry→angry→satisfied (calmer); reply after 1 s; open, due 11-09 20:00 → 960 min late.
    t4 = ticket("c3", "service", "升级投诉", at(8, 20), ["angry", "angry", "satisfied"], "apology", 24,
                "客服态度差，阴阳怪气的", first_message_at=at(8, 19, 59, 30), first_response_at=at(8, 19, 59, 31),
                respond_within=dt.timedelta(minutes=1))
    tickets.record_satisfaction(t4, "unsatisfied")
    handoffs = HandoffQueue(sessions)
    handoffs.hand_off("c1", "repeat_complaint", "…", now=at(6, 10))
    # H1 (c4) price/异议, handed off twice, no ticket: one case with two reasons.
    handoffs.hand_off("c4", "offers_exhausted", "…", now=at(6, 12), category="price", level="异议")
    handoffs.hand_off("c4", "customer_request", "…", now=at(6, 13), category="price", level="异议")
    # H2 (c5) no category or level recorded.
    handoffs.hand_off("c5", "channel_threat", "…", now=at(9, 8))
    with sessions.begin() as session:
        session.add_all([
            FollowUpRow(ticket_id=t1, conversation_id="c1", due_at=at(3, 10), fired_at=at(3, 10, 5), attempts=1),
            FollowUpRow(ticket_id=t2, conversation_id="c2", due_at=at(3, 15), attempts=0),  # overdue
            FollowUpRow(ticket_id=t4, conversation_id="c3", due_at=at(10, 20), attempts=0),  # due within 48 h
            FollowUpRow(ticket_id=t3, conversation_id="c1", due_at=at(13, 9), attempts=0),  # later
        ])
    sessions.ids = {"t1": t1, "t2": t2, "t3": t3, "t4": t4}
    return sessions


def run(sessions, **filters) -> dict:
    return insights(sessions, InsightFilter(**filters), now=NOW).as_dict()


def test_cases_are_tickets_plus_handed_off_conversations_without_a_ticket(sessions):
    cases = load_cases(sessions, InsightFilter())
    ids = sessions.ids
    assert [c.case_id for c in cases] == [ids["t1"], ids["t2"], ids["t3"], "handoff:c4", ids["t4"], "handoff:c5"]
    by_id = {c.case_id: c for c in cases}
    assert by_id[ids["t1"]].handoff_reasons == ()
    assert by_id[ids["t3"]].handoff_reasons == ("repeat_complaint",)
    assert by_id["handoff:c4"].handoff_reasons == ("offers_exhausted", "customer_request")
    assert (by_id["handoff:c4"].category, by_id["handoff:c4"].level) == ("price", "异议")
    assert (by_id["handoff:c5"].category, by_id["handoff:c5"].level) == ("unknown", "unknown")


def test_volume_by_day_category_and_level(sessions):
    volume = run(sessions)["volume"]
    assert volume["granularity"] == "day"
    assert volume["buckets"] == [f"2026-11-{d:02d}" for d in range(1, 10)]
    assert volume["by_category"] == {
        "quality": [1, 0, 0, 0, 0, 0, 0, 0, 0],
        "delivery": [1, 0, 0, 0, 1, 0, 0, 0, 0],
        "price": [0, 0, 0, 0, 0, 1, 0, 0, 0],
        "service": [0, 0, 0, 0, 0, 0, 0, 1, 0],
        "unknown": [0, 0, 0, 0, 0, 0, 0, 0, 1],
    }
    assert volume["by_level"] == {
        "异议": [1, 0, 0, 0, 0, 1, 0, 0, 0],
        "投诉": [1, 0, 0, 0, 1, 0, 0, 0, 0],
        "升级投诉": [0, 0, 0, 0, 0, 0, 0, 1, 0],
        "unknown": [0, 0, 0, 0, 0, 0, 0, 0, 1],
    }
    assert volume["total"] == 6


def test_a_range_open_at_the_end_runs_to_today(sessions):
    volume = run(sessions, since=dt.date(2026, 11, 8))["volume"]
    assert volume["buckets"] == ["2026-11-08", "2026-11-09", "2026-11-10"]
    assert volume["by_category"] == {"service": [1, 0, 0], "unknown": [0, 1, 0]}


def test_long_ranges_are_counted_by_iso_week(sessions):
    volume = run(sessions, since=dt.date(2026, 9, 1), until=dt.date(2026, 11, 10))["volume"]
    assert volume["granularity"] == "week"
    assert volume["buckets"][0] == "2026-08-31"  # the Monday of 2026-09-01's week
    week_of_nov_2 = volume["buckets"].index("2026-11-02")
    # 11-01 (Sunday) falls in the week of 10-26; 11-05, 11-06, 11-08 in the week of 11-02; 11-09 the next.
    assert volume["by_category"]["delivery"][week_of_nov_2 - 1: week_of_nov_2 + 2] == [1, 1, 0]
    assert sum(sum(row) for row in volume["by_level"].values()) == 6


def test_emotion_mix_and_change_within_conversations(sessions):
    emotions = run(sessions)["emotions"]
    assert emotions["start"] == {"angry": 2, "anxious": 1, "disappointed": 1, "neutral": 0, "satisfied": 0}
    assert emotions["end"] == {"angry": 1, "anxious": 0, "disappointed": 1, "neutral": 1, "satisfied": 1}
    assert emotions["change"] == {"calmer": 2, "same": 1, "worse": 1, "unknown": 2}
    assert emotions["calmer_rate"] == 0.5
    assert emotions["worse_rate"] == 0.25
    assert emotions["matrix"]["angry"]["neutral"] == 1 and emotions["matrix"]["angry"]["satisfied"] == 1
    assert emotions["matrix"]["anxious"]["angry"] == 1


def test_escalation_rate_and_triggers(sessions):
    escalation = run(sessions)["escalation"]
    # T3 (handed off), H1, H2 (handoffs) and T4 (升级投诉) of 6 cases.
    assert (escalation["cases"], escalation["escalated"], escalation["rate"]) == (6, 4, 0.6667)
    assert (escalation["handed_off"], escalation["top_level"]) == (3, 1)
    assert [(t["trigger"], t["count"]) for t in escalation["triggers"]] == [
        ("channel_threat", 1), ("customer_request", 1), ("offers_exhausted", 1), ("repeat_complaint", 1)
    ]
    assert escalation["by_category"]["delivery"] == {"cases": 2, "escalated": 1}


def test_resolution_remedies_and_declines(sessions):
    resolution = run(sessions)["resolution"]
    assert (resolution["tickets"], resolution["resolved"], resolution["rate"]) == (4, 2, 0.3333)
    assert [(r["remedy"], r["count"]) for r in resolution["remedies_accepted"]] == [
        ("apology", 1), ("quality_return", 1), ("reship", 1), ("shipping_coupon", 1)
    ]
    assert resolution["remedies_accepted"][0]["label"] == "正式致歉"
    assert [(r["remedy"], r["count"]) for r in resolution["remedies_declined"]] == [("reship", 1)]
    # c1 declined a remedy before accepting another; c4 declined everything and was handed off.
    assert resolution["customers_declined"] == 2
    assert (resolution["declined_then_accepted"], resolution["declined_everything"]) == (1, 1)
    assert resolution["satisfaction"] == {"satisfied": 1, "unsatisfied": 1, "unknown": 2}


def test_sla_first_response_resolution_and_breaches(sessions):
    sla = run(sessions)["sla"]
    first = sla["first_response"]
    assert (first["measured"], first["within"], first["breached"]) == (3, 2, 1)
    assert first["median_seconds"] == 2.0 and first["p90_seconds"] == 480.0
    assert first["by_level"]["投诉"] == {"within": 0, "breached": 1, "deadline_minutes": 3.0}
    resolution = sla["resolution"]
    assert {k: resolution[k] for k in ("resolved_within", "resolved_late", "open_within", "open_overdue")} == {
        "resolved_within": 1, "resolved_late": 1, "open_within": 0, "open_overdue": 2
    }
    assert resolution["median_hours"] == 48.0
    assert (sla["tickets"], sla["breached_tickets"], sla["breach_rate"], sla["breach_count"]) == (4, 3, 0.75, 4)
    ids = sessions.ids
    assert [(b["ticket_id"], b["kind"], b["late_by_minutes"]) for b in sla["breaches"]] == [
        (ids["t4"], "open_overdue", 960.0),
        (ids["t3"], "open_overdue", 4500.0),
        (ids["t2"], "first_response", 5.0),
        (ids["t2"], "resolution", 1440.0),
    ]


def test_the_sla_p90_is_the_nearest_rank():
    tickets = [
        ComplaintRecord(case_id=f"T{n}", kind="ticket", customer=f"c{n}", category="delivery", level="异议",
                        created_at=at(1, 10), first_message_at=at(1, 10), first_response_at=at(1, 10, 0, n))
        for n in range(1, 7)
    ]
    first_response = sla(tickets, _settings(), NOW)["first_response"]
    # Replies after 1..6 s: the nearest rank ceil(0.9 * 6) = 6 gives 6 s (a rounded position would give 5 s).
    assert (first_response["median_seconds"], first_response["p90_seconds"]) == (3.5, 6.0)


def test_follow_ups_due_overdue_and_repeat_complainants(sessions):
    follow_ups = run(sessions)["follow_ups"]
    assert (follow_ups["fired"], follow_ups["overdue"], follow_ups["due_soon"], follow_ups["later"]) == (1, 1, 1, 1)
    assert [(p["ticket_id"], p["overdue"]) for p in follow_ups["pending"]] == [
        (sessions.ids["t2"], True), (sessions.ids["t4"], False)
    ]
    repeat = follow_ups["repeat_complainants"]
    assert (repeat["customers"], repeat["cases"], repeat["share_of_cases"]) == (1, 2, 0.3333)
    assert repeat["distribution"] == {"2": 1}
    assert repeat["top"][0]["customer"] == "c1"
    assert repeat["top"][0]["categories"] == ["delivery"]
    assert repeat["top"][0]["same_order_repeat"] is True


def test_a_follow_up_the_worker_gave_up_on_is_listed_with_its_error_and_counted_overdue(sessions):
    with sessions.begin() as session:
        session.add(FollowUpRow(ticket_id=sessions.ids["t3"], conversation_id="c1", due_at=at(9, 8), attempts=10,
                                failed_at=at(9, 20), last_error="HTTP 503: unavailable"))
    data = run(sessions)
    follow_ups = data["follow_ups"]
    assert (follow_ups["failed"], follow_ups["overdue"]) == (1, 1)
    assert follow_ups["failed_list"] == [{"ticket_id": sessions.ids["t3"], "due_at": "2026-11-09T08:00",
                                          "failed_at": "2026-11-09T20:00", "attempts": 10,
                                          "last_error": "HTTP 503: unavailable"}]
    assert sessions.ids["t3"] not in [p["ticket_id"] for p in follow_ups["pending"]]
    assert (data["summary"]["follow_ups_overdue"], data["summary"]["follow_ups_failed"]) == (2, 1)


def test_root_causes_come_from_the_customers_words_in_either_script(sessions):
    causes = run(sessions)["root_causes"]
    delivery = {item["phrase"]: item["cases"] for item in causes["delivery"]}
    # Both delivery texts say 物流信息 and 不更新; the second is in traditional script (沒用).
    assert delivery["物流信息"] == 2 and delivery["不更新"] == 2
    assert "一直" not in delivery  # a stopword
    assert {item["phrase"] for item in causes["quality"]} >= {"掉色"}
    assert next(item for item in causes["quality"] if item["phrase"] == "掉色")["cases"] == 1
    assert "price" not in causes  # the handoff-only case has no words recorded


def test_filters_by_category_level_and_dates(sessions):
    delivery = run(sessions, category="delivery")
    assert delivery["summary"]["cases"] == 2
    assert delivery["volume"]["buckets"] == [f"2026-11-{d:02d}" for d in range(1, 6)]
    assert delivery["escalation"]["rate"] == 0.5
    assert list(delivery["root_causes"]) == ["delivery"]
    objections = run(sessions, level="异议")
    assert [c["case_id"] for c in export_rows(load_cases(sessions, InsightFilter(level="异议")),
                                              _settings())] == [sessions.ids["t1"], "handoff:c4"]
    assert objections["summary"]["cases"] == 2
    window = run(sessions, since=dt.date(2026, 11, 5), until=dt.date(2026, 11, 8))
    assert window["summary"]["cases"] == 3  # T3, H1, T4
    assert window["volume"]["buckets"] == ["2026-11-05", "2026-11-06", "2026-11-07", "2026-11-08"]


def _settings():
    from complaint_desk.insights.settings import default_settings

    return default_settings()


def test_export_rows_are_flat_records(sessions):
    rows = list(export_rows(load_cases(sessions, InsightFilter(category="delivery")), _settings()))
    first = rows[0]
    assert first["case_id"] == sessions.ids["t1"]
    assert (first["emotion_start"], first["emotion_end"], first["declined"]) == ("angry", "neutral", "reship")
    assert first["category_label"].startswith("配送延迟")
    assert first["resolved_at"] == "2026-11-02T10:00:00"
    assert rows[1]["handoff_reasons"] == "repeat_complaint"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-13-01"}, "起始日期格式不对"),
        ({"until": "yesterday"}, "结束日期格式不对"),
        ({"since": "2026-11-05", "until": "2026-11-01"}, "起始日期不能晚于结束日期"),
        ({"category": "weather"}, "没有这个投诉类别"),
        ({"level": "特急"}, "没有这个投诉等级"),
    ],
)
def test_bad_filters_are_refused_in_chinese(params, message):
    with pytest.raises(InsightsError, match=message):
        InsightFilter.from_params(params)


def test_filters_from_query_parameters():
    f = InsightFilter.from_params({"since": ["2026-11-01"], "until": "", "category": "delivery", "level": "投诉"})
    assert f == InsightFilter(dt.date(2026, 11, 1), None, "delivery", "投诉")
    assert f.as_params() == {"since": "2026-11-01", "category": "delivery", "level": "投诉"}


def test_an_empty_database_gives_empty_aggregates(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'empty.db'}")
    create_schema(engine)
    result = insights(session_factory(engine), InsightFilter(), now=NOW).as_dict()
    assert result["summary"]["cases"] == 0
    assert result["volume"]["buckets"] == []
    assert result["escalation"]["rate"] is None
    assert result["root_causes"] == {}


def test_a_database_from_before_the_insights_columns_is_upgraded_in_place(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        connection.execute(sa.text(
            "CREATE TABLE complaint_tickets (ticket_id VARCHAR(20) PRIMARY KEY, conversation_id VARCHAR(255) NOT NULL,"
            " order_id VARCHAR(12), category VARCHAR(30) NOT NULL, level VARCHAR(10) NOT NULL,"
            " remedy_id VARCHAR(50) NOT NULL, remedy_title VARCHAR(100) NOT NULL, remedy_amount FLOAT,"
            " emotion_trend VARCHAR(255) NOT NULL, status VARCHAR(20) NOT NULL, satisfaction VARCHAR(20),"
            " created_at DATETIME NOT NULL, resolve_by DATETIME)"
        ))
        connection.execute(sa.text(
            "INSERT INTO complaint_tickets VALUES ('TS1', 'old', NULL, 'price', '异议', 'price_difference', '价保', NULL,"
            " 'neutral', 'open', NULL, '2026-11-01 10:00:00', NULL)"
        ))
    create_schema(engine)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("complaint_tickets")}
    assert {"customer_text", "first_response_at", "declined_remedies", "resolved_at"} <= columns
    result = insights(session_factory(engine), InsightFilter(), now=NOW).as_dict()
    assert result["summary"]["cases"] == 1
    assert result["volume"]["by_category"] == {"price": [1]}


def test_the_cache_recomputes_only_when_the_data_or_the_minute_changes(sessions):
    from complaint_desk.insights.report import InsightsCache

    cache = InsightsCache(sessions, _settings())
    first = cache.get(InsightFilter(), now=NOW)
    assert cache.get(InsightFilter(), now=NOW + dt.timedelta(seconds=30)) is first
    assert (cache.hits, cache.misses) == (1, 1)
    TicketStore(sessions).mark_resolved(sessions.ids["t3"], now=at(10, 11))
    after_resolving = cache.get(InsightFilter(), now=NOW)
    assert after_resolving["resolution"]["resolved"] == first["resolution"]["resolved"] + 1
    TicketStore(sessions).record_satisfaction(sessions.ids["t2"], "satisfied")
    assert cache.get(InsightFilter(), now=NOW)["resolution"]["satisfaction"]["satisfied"] == 2
    HandoffQueue(sessions).hand_back("c4", now=NOW)
    cache.get(InsightFilter(), now=NOW)
    cache.get(InsightFilter(), now=NOW + dt.timedelta(minutes=1))
    cache.get(InsightFilter(category="delivery"), now=NOW + dt.timedelta(minutes=1))
    assert (cache.hits, cache.misses) == (1, 6)
