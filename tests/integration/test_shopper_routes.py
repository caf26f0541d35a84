"""The shopper's routes beside the chat on a running stack: the queue while waiting for a human and cancelling it,
a 留言 that becomes a ticket and a queue item, and stars for a ticket and for an agent's service."""

from __future__ import annotations

import uuid

import requests

from complaint_desk.team.roles import Role
from tests.integration.conftest import Customer, db_rows
from tests.integration.test_team_queue import api, logged_in
from tools.stack import Stack

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def route(stack: Stack, path: str) -> str:
    return f"{stack.rasa_url}/webhooks/storefront/{path}"


def shopper_status(stack: Stack, session_id: str) -> dict:
    reply = requests.get(route(stack, "status"), params={"session_id": session_id}, timeout=30)
    assert reply.ok, reply.text
    return reply.json()


def asks_for_a_human(stack: Stack) -> Customer:
    customer = Customer(stack)
    customer.say("快递一直没到，你们怎么回事")
    customer.say("/request_human")
    assert shopper_status(stack, customer.sender)["queue"]["state"] == "waiting"
    return customer


def test_a_conversation_nobody_handed_off_is_not_waiting(stack: Stack) -> None:
    status = shopper_status(stack, f"never-{uuid.uuid4().hex[:8]}")
    assert status["queue"]["state"] == "none"
    assert set(status["service"]) == {"open_now", "hours", "opening", "banner"}
    assert requests.get(route(stack, "status"), params={"session_id": "<script>"}, timeout=30).json()["queue"][
        "state"] == "none"


def test_the_queue_gives_a_position_and_a_later_shopper_stands_behind(stack: Stack) -> None:
    first, second = asks_for_a_human(stack), asks_for_a_human(stack)
    mine, behind = shopper_status(stack, first.sender)["queue"], shopper_status(stack, second.sender)["queue"]
    assert mine["team_name"] == "售后" and mine["can_cancel"] and mine["text"] and mine["next_step"]
    assert mine["position"] == mine["ahead"] + 1 and behind["position"] > mine["position"]


def test_cancelling_the_wait_gives_the_conversation_back_to_the_bot(stack: Stack) -> None:
    customer = asks_for_a_human(stack)
    reply = requests.post(route(stack, "handoff/cancel"), json={"session_id": customer.sender}, timeout=30)
    assert reply.ok and "已取消转人工" in reply.json()["message"]
    assert shopper_status(stack, customer.sender)["queue"]["state"] == "none"
    tracker = customer.tracker()
    said = reply.json()["messages"]
    assert said[1] and not tracker["paused"]  # the form's question again: the bot goes on where it was
    assert [event["text"] for event in tracker["events"][-len(said):]] == said  # in the record
    assert db_rows(stack, "SELECT count(*) FROM complaint_handoffs WHERE conversation_id = ? AND handed_back_at IS NULL",
                   customer.sender) == [(0,)]
    assert "收到" not in customer.say_text("我的订单号是 472918305561")  # the bot answers, not a waiting receipt
    again = requests.post(route(stack, "handoff/cancel"), json={"session_id": customer.sender}, timeout=30)
    assert again.status_code == 409 and again.json()["error"] == "not_waiting"


def test_once_an_agent_has_answered_the_wait_cannot_be_cancelled(stack: Stack) -> None:
    customer = asks_for_a_human(stack)
    _, desk = logged_in(stack, Role.SUPERVISOR, "老王", None)  # may take over whoever owns it (another test's agent)
    path = f"conversations/{customer.sender}"
    assert desk.post(api(stack, f"{path}/takeover"), json={}, timeout=30).ok
    assert desk.post(api(stack, f"{path}/messages"), json={"text": "您好，我来帮您查一下物流。"}, timeout=30).ok
    assert shopper_status(stack, customer.sender)["queue"]["state"] == "with_agent"
    refused = requests.post(route(stack, "handoff/cancel"), json={"session_id": customer.sender}, timeout=30)
    assert refused.status_code == 409 and refused.json()["error"] == "with_agent" and refused.json()["message"]


def test_cancel_refuses_what_is_not_a_conversation(stack: Stack) -> None:
    for body in (None, {"session_id": ""}, {"session_id": "../../etc"}, {"session_id": ["x"]}):
        reply = requests.post(route(stack, "handoff/cancel"), json=body, timeout=30)
        assert reply.status_code == 400 and reply.json()["message"]
    broken = requests.post(route(stack, "handoff/cancel"), data=b"{not json", timeout=30,
                           headers={"Content-Type": "application/json"})
    assert broken.status_code == 400


def leave(stack: Stack, session_id: str, text: str, contact: str, photos: int = 0,
          kind: str = "image/png") -> requests.Response:
    files = [("photo", (f"p{n}.png", PNG, kind)) for n in range(photos)]
    return requests.post(route(stack, "leave-message"), data={"session_id": session_id, "text": text, "contact": contact},
                         files=files or None, timeout=60)


def test_a_left_message_becomes_a_ticket_and_a_queue_item_the_console_shows(stack: Stack) -> None:
    session_id = f"shopper-{uuid.uuid4().hex[:10]}"
    reply = leave(stack, session_id, "买的蓝牙耳机左边没声音了，想换一个，白天上班不方便接电话", "138 0013 8000", photos=1)
    assert reply.ok, reply.text
    body = reply.json()
    assert body["ticket_id"] in body["message"] and "138****8000" in body["message"] and body["photos"] == 1
    [(remedy, customer_text)] = db_rows(stack, "SELECT remedy_id, customer_text FROM complaint_tickets WHERE ticket_id = ?",
                                        body["ticket_id"])
    assert remedy == "left_message" and "13800138000" in customer_text
    assert db_rows(stack, "SELECT reason, team FROM complaint_handoffs WHERE conversation_id = ?", session_id) == [
        ("left_message", "after_sales")]
    assert db_rows(stack, "SELECT count(*) FROM complaint_evidence WHERE ticket_id = ?", body["ticket_id"]) == [(1,)]

    integration = requests.Session()
    integration.headers["Authorization"] = f"Bearer {stack.agent_token}"
    shown = integration.get(api(stack, f"conversations/{session_id}"), timeout=30).json()
    assert "蓝牙耳机" in str(shown) and "13800138000" not in str(shown)  # the console masks the phone number
    assert shown["queue"]["reason"] == "left_message"
    assert shopper_status(stack, session_id)["queue"]["state"] == "waiting"

    later = Customer(stack, session_id).say_text("还有，盒子也压坏了")
    assert "收到" in later  # waiting for the next shift: a receipt, not the bot starting over


def test_a_left_message_that_cannot_be_kept_says_why_and_keeps_nothing(stack: Stack) -> None:
    session_id = f"shopper-{uuid.uuid4().hex[:10]}"
    for reply, error in (
        (leave(stack, session_id, "耳机坏了", "打我电话"), "bad_contact"),
        (leave(stack, session_id, "   ", "13800138000"), "empty_text"),
        (leave(stack, session_id, "耳机坏了", "13800138000", photos=4), "too_many_photos"),
        (leave(stack, session_id, "耳机坏了", "13800138000", photos=1, kind="text/html"), "wrong_type"),
    ):
        assert reply.status_code in (400, 413, 415) and reply.json()["error"] == error and reply.json()["message"]
    not_multipart = requests.post(route(stack, "leave-message"), json={"text": "x"}, timeout=30)
    assert not_multipart.status_code == 400 and not_multipart.json()["message"]
    assert db_rows(stack, "SELECT count(*) FROM complaint_tickets WHERE conversation_id = ?", session_id) == [(0,)]


def rate(stack: Stack, session_id: str, **body: object) -> requests.Response:
    return requests.post(route(stack, "rating"), json={"session_id": session_id, **body}, timeout=30)


def test_stars_for_a_ticket_and_for_the_agent_who_closed(stack: Stack) -> None:
    session_id = f"shopper-{uuid.uuid4().hex[:10]}"
    ticket_id = leave(stack, session_id, "手机壳颜色发错了，要蓝色的", "xiaoming@example.com").json()["ticket_id"]
    assert rate(stack, session_id, about="agent", stars=5).status_code == 409  # nobody closed it yet
    assert rate(stack, session_id, about="ticket", stars=2, comment="有点慢").ok
    good = rate(stack, session_id, about="ticket", stars=5, comment="换好了")  # rating again changes it
    assert good.ok and good.json()["message"]
    assert db_rows(stack, "SELECT stars, comment FROM satisfaction_ratings WHERE ticket_id = ?", ticket_id) == [
        (5, "换好了")]
    assert db_rows(stack, "SELECT satisfaction FROM complaint_tickets WHERE ticket_id = ?", ticket_id) == [
        ("satisfied",)]

    # Whoever closes is rated: here a supervisor (an agent logged in by another test may own the queue item).
    username, supervisor = logged_in(stack, Role.SUPERVISOR, "老王", None)
    path = f"conversations/{session_id}"
    assert supervisor.post(api(stack, f"{path}/takeover"), json={}, timeout=30).ok
    assert supervisor.post(api(stack, f"{path}/close"), timeout=30).ok
    low = rate(stack, session_id, about="agent", stars=2, comment="回复太慢，电话 13912345678")
    assert low.ok and "很抱歉" in low.json()["message"]
    figures = supervisor.get(f"{stack.rasa_url}/webhooks/supervisor/api/team-figures?days=0", timeout=30).json()
    assert figures["ratings"]["by_agent"][username]["by_stars"]["2"] == 1
    assert figures["ratings"]["all"]["count"] >= 2
    comments = [c["comment"] for c in figures["ratings"]["recent_comments"]]
    assert "回复太慢，电话 139****5678" in comments  # the shopper's words are masked like in the console


def test_bad_ratings_get_a_chinese_reason(stack: Stack) -> None:
    session_id = f"shopper-{uuid.uuid4().hex[:10]}"
    for body in ({"about": "ticket", "stars": 9}, {"about": "ticket", "stars": "五"}, {"about": "ticket"}):
        reply = rate(stack, session_id, **body)
        assert reply.status_code == 400 and reply.json()["message"]
    assert rate(stack, session_id, about="everything", stars=3).status_code == 409
    broken = requests.post(route(stack, "rating"), data="stars=5", timeout=30)
    assert broken.status_code == 400 and broken.json()["message"]
