"""The queue by team on a running stack: a privacy hand-off lands in 隐私's queue and goes to the specialist who
is logged in; colleagues of other teams cannot take it; a transfer with a note; private notes never reach the
customer; the list's views."""

from __future__ import annotations

import datetime as dt

import requests

from complaint_desk import clock
from complaint_desk.stores.handoffs import HandoffQueue
from complaint_desk.team.roles import Role
from tests.accounts import make_account, stack_sessions
from tests.integration.conftest import Customer
from tools.stack import Stack

PRIVACY_LEAK = "我刚在你们这买完东西就接到诈骗电话，对方连我买了啥都知道，是不是你们泄露的"


def api(stack: Stack, path: str) -> str:
    return f"{stack.rasa_url}/webhooks/agent/api/{path}"


def logged_in(stack: Stack, role: Role, name: str, team: str | None) -> tuple[str, requests.Session]:
    username, password = make_account(stack, role, name, team=team)
    session = requests.Session()
    assert session.post(f"{stack.rasa_url}/webhooks/agent/login", json={"username": username, "password": password},
                        timeout=30).ok
    return username, session


def conversation_ids(session: requests.Session, stack: Stack, view: str) -> list[str]:
    reply = session.get(api(stack, f"conversations?view={view}"), timeout=30)
    assert reply.ok, reply.text
    rows = reply.json()["conversations"]
    assert reply.json()["total"] == len(rows), "a view's total counts the view, not every conversation"
    return [row["conversation_id"] for row in rows]


def test_a_privacy_hand_off_goes_to_the_privacy_specialist_and_moves_by_transfer(stack: Stack,
                                                                                  customer: Customer) -> None:
    specialist, privacy_desk = logged_in(stack, Role.SPECIALIST, "小林", "privacy")
    colleague, after_sales_desk = logged_in(stack, Role.AGENT, "小周", "after_sales")
    customer.say(PRIVACY_LEAK)
    path = f"conversations/{customer.sender}"

    entry = privacy_desk.get(api(stack, path), timeout=30).json()["queue"]
    assert (entry["team"], entry["team_name"], entry["owner"]) == ("privacy", "隐私", specialist)
    assert entry["respond_by"] > entry["waiting_since"] and not entry["answered"]
    assert customer.sender in conversation_ids(privacy_desk, stack, "mine")
    assert customer.sender in conversation_ids(privacy_desk, stack, "team")
    assert customer.sender not in conversation_ids(after_sales_desk, stack, "team")
    queue = privacy_desk.get(api(stack, "queue"), timeout=30).json()
    assert queue["team"] == "privacy" and customer.sender in [item["conversation_id"] for item in queue["queue"]]

    # Owned by the specialist: an agent of another team can neither claim nor take it over.
    assert after_sales_desk.post(api(stack, f"{path}/claim"), timeout=30).status_code == 409
    assert after_sales_desk.post(api(stack, f"{path}/takeover"), json={}, timeout=30).status_code == 409

    note = "不是泄露问题，顾客要补偿，请售后跟进"
    moved = privacy_desk.post(api(stack, f"{path}/transfer"), json={"team": "after_sales", "note": note}, timeout=30)
    assert moved.ok and (moved.json()["queue"]["team"], moved.json()["queue"]["owner"]) == ("after_sales", None)
    claimed = after_sales_desk.post(api(stack, f"{path}/claim"), timeout=30)
    assert claimed.ok and claimed.json()["queue"]["owner"] == colleague
    assert customer.sender in conversation_ids(after_sales_desk, stack, "mine")

    assert after_sales_desk.post(api(stack, f"{path}/notes"), json={"text": "已电话联系顾客，明早回电"}, timeout=30).ok
    notes = after_sales_desk.get(api(stack, f"{path}/notes"), timeout=30).json()["notes"]
    assert [(n["author"], n["text"]) for n in notes] == [
        ("小林", f"转交给 售后队列：{note}"), ("小周", "已电话联系顾客，明早回电")]
    said = " ".join(e.get("text") or "" for e in customer.tracker()["events"] if e["event"] == "bot")
    assert note not in said and "明早回电" not in said

    assert after_sales_desk.post(api(stack, f"{path}/takeover"), json={}, timeout=30).ok
    assert after_sales_desk.post(api(stack, f"{path}/messages"), json={"text": "您好，我是小周，来帮您处理。"},
                                 timeout=30).ok
    assert after_sales_desk.get(api(stack, path), timeout=30).json()["queue"]["answered"]


def test_queue_requests_that_make_no_sense_get_a_clear_answer(stack: Stack, customer: Customer) -> None:
    _, desk = logged_in(stack, Role.AGENT, "小周", "after_sales")
    customer.say("你好")
    path = f"conversations/{customer.sender}"
    assert desk.post(api(stack, f"{path}/claim"), timeout=30).status_code == 404  # never handed off
    for body in ({}, {"to": "x", "team": "privacy"}, {"team": 3}, {"team": "privacy", "note": "长" * 3000}):
        reply = desk.post(api(stack, f"{path}/transfer"), json=body, timeout=30)
        assert reply.status_code in (400, 404) and reply.json()["message"]
    assert desk.get(api(stack, "queue?team=nonexistent"), timeout=30).status_code == 400
    assert desk.get(api(stack, "conversations?view=everything"), timeout=30).status_code == 400
    assert desk.post(api(stack, f"{path}/notes"), json={"text": "  "}, timeout=30).status_code == 400


def test_supervisors_see_the_hand_offs_past_their_deadline(stack: Stack) -> None:
    handoffs = HandoffQueue(stack_sessions(stack))
    handoffs.hand_off("overdue-one", "red_risk", "…", team="after_sales",
                      respond_by=clock.now() - dt.timedelta(minutes=5))
    handoffs.hand_off("answered-one", "red_risk", "…", team="after_sales",
                      respond_by=clock.now() - dt.timedelta(minutes=5))
    handoffs.answered("answered-one")
    _, boss = logged_in(stack, Role.SUPERVISOR, "王主管", None)
    figures = boss.get(f"{stack.rasa_url}/webhooks/supervisor/api/team-figures", timeout=30).json()
    overdue = [entry["conversation_id"] for entry in figures["overdue"]]
    assert "overdue-one" in overdue and "answered-one" not in overdue
    _, agent = logged_in(stack, Role.AGENT, "小周", "after_sales")
    assert agent.get(f"{stack.rasa_url}/webhooks/supervisor/api/team-figures", timeout=30).status_code == 403
