"""The supervisor API on the running Rasa server: login, filters, aggregates, exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
import requests

from complaint_desk.insights.filters import InsightFilter
from complaint_desk.insights.report import insights
from complaint_desk.stores.database import engine_for, session_factory
from complaint_desk.team.roles import Role
from tests.accounts import make_account
from tools.seed_demo_tickets import seed
from tools.stack import Stack


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> Stack:
    # Idempotent: a second module seeding the same stack writes nothing.
    seed(f"sqlite:///{stack.var_dir / 'complaint_desk.db'}", count=120, seed=99)
    return stack


def url(stack: Stack, path: str = "") -> str:
    return f"{stack.rasa_url}/webhooks/supervisor/{path}"


def get(stack: Stack, path: str, **params: str) -> requests.Response:
    return requests.get(url(stack, path), params=params, timeout=60,
                        headers={"Authorization": f"Bearer {stack.agent_token}"})


def test_everything_needs_the_agent_login(seeded: Stack):
    for path in ("api/insights", "api/export.csv", "api/export.json", "static/app.js"):
        reply = requests.get(url(seeded, path), timeout=30)
        assert reply.status_code == 401, path
        assert "登录" in reply.json()["message"]
    page = requests.get(url(seeded), timeout=30)
    assert page.status_code == 401 and 'id="login-form"' in page.text
    wrong = requests.get(url(seeded, "api/insights"), headers={"Authorization": "Bearer nope"}, timeout=30)
    assert wrong.status_code == 401


def test_the_shared_token_no_longer_opens_a_browser_session(seeded: Stack):
    reply = requests.post(url(seeded, "login"), json={"token": seeded.agent_token}, timeout=30)
    assert reply.status_code == 400 and "用户名" in reply.json()["message"]


def logged_in(stack: Stack, role: Role) -> requests.Session:
    username, password = make_account(stack, role, "王主管" if role == Role.SUPERVISOR else "小周")
    session = requests.Session()
    reply = session.post(url(stack, "login"), json={"username": username, "password": password}, timeout=30)
    assert reply.ok and reply.json()["agent"]["username"] == username
    return session


def test_an_agent_login_is_not_a_supervisor_login(seeded: Stack):
    session = logged_in(seeded, Role.AGENT)
    assert session.get(url(seeded), timeout=30).status_code == 403
    for path in ("api/insights", "api/export.csv", "static/app.js"):
        reply = session.get(url(seeded, path), timeout=30)
        assert reply.status_code == 403 and "主管" in reply.json()["message"], path


def test_logging_out_ends_the_session_on_the_server(seeded: Stack):
    session = logged_in(seeded, Role.SUPERVISOR)
    cookie = session.cookies.get("agent_session")
    assert session.post(url(seeded, "logout"), timeout=30).ok
    # The old cookie, replayed by someone who copied it, no longer works.
    replay = requests.get(url(seeded, "api/insights"), cookies={"agent_session": cookie}, timeout=30)
    assert replay.status_code == 401


def test_a_logged_in_session_gets_the_page_and_its_files(seeded: Stack):
    session = logged_in(seeded, Role.SUPERVISOR)
    page = session.get(url(seeded), timeout=30)
    assert page.status_code == 200 and 'id="chart-volume-category"' in page.text
    chart_js = session.get(url(seeded, "static/chart.umd.min.js"), timeout=30)
    assert chart_js.status_code == 200 and "Chart.js v4.6.1" in chart_js.text[:200]
    assert session.get(url(seeded, "static/index.html"), timeout=30).status_code == 404


def test_the_api_returns_the_same_aggregates_as_the_domain_code(seeded: Stack):
    reply = get(seeded, "api/insights", category="delivery")
    assert reply.status_code == 200
    served = reply.json()
    sessions = session_factory(engine_for(f"sqlite:///{seeded.var_dir / 'complaint_desk.db'}"))
    direct = json.loads(json.dumps(insights(sessions, InsightFilter(category="delivery")).as_dict(), ensure_ascii=False))
    for section in ("volume", "emotions", "escalation", "resolution", "root_causes"):
        assert served[section] == direct[section], section
    assert served["summary"]["cases"] > 0
    only = get(seeded, "api/insights", sections="volume,escalation").json()
    assert "volume" in only and "escalation" in only and "root_causes" not in only


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-02-30"}, "起始日期格式不对"),
        ({"category": "weather"}, "没有这个投诉类别"),
        ({"level": "紧急"}, "没有这个投诉等级"),
        ({"sections": "volume,gossip"}, "没有这个统计项"),
        ({"since": "2026-11-10", "until": "2026-11-01"}, "起始日期不能晚于结束日期"),
    ],
)
def test_bad_filters_get_a_400_in_chinese(seeded: Stack, params: dict, message: str):
    reply = get(seeded, "api/insights", **params)
    assert reply.status_code == 400
    assert message in reply.json()["message"]
    if "sections" not in params:
        assert get(seeded, "api/export.csv", **params).status_code == 400


def test_exports_carry_the_filters(seeded: Stack):
    as_json = get(seeded, "api/export.json", category="quality", level="投诉")
    assert as_json.status_code == 200
    assert "attachment" in as_json.headers["content-disposition"]
    body = as_json.json()
    assert body["filters"] == {"category": "quality", "level": "投诉"}
    assert body["count"] == len(body["cases"]) > 0
    assert {(c["category"], c["level"]) for c in body["cases"]} == {("quality", "投诉")}
    as_csv = get(seeded, "api/export.csv", category="quality", level="投诉")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [row["case_id"] for row in rows] == [case["case_id"] for case in body["cases"]]
    assert any(row["customer_text"] for row in rows)


def test_a_real_conversation_writes_what_the_insights_read(seeded: Stack):
    from tests.integration.conftest import Customer

    customer = Customer(seeded)
    customer.say("我的快递一个星期了还没到，物流信息一直不更新！")
    customer.say("订单号472918305561")
    customer.say("给点补偿吧")
    customer.say("好的，可以")
    ticket_id = customer.tracker()["slots"]["ticket_id"]
    assert ticket_id
    exported = get(seeded, "api/export.json", category="delivery").json()["cases"]
    row = next(case for case in exported if case["case_id"] == ticket_id)
    assert "物流信息一直不更新" in row["customer_text"]
    assert row["first_message_at"] <= row["first_response_at"] <= row["respond_by"]
    assert row["emotion_start"] is not None and row["remedy_id"] == "shipping_coupon"
    assert row["customer"] == customer.sender
