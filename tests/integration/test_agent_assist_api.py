"""The agent-assist API and the storefront upload, over HTTP against the started stack."""

from __future__ import annotations

import struct
import zlib

import pytest
import requests

from complaint_desk.stores.agent_actions import AgentActions
from tests.accounts import make_account, stack_sessions
from tests.integration.conftest import Customer
from tools.stack import Stack

ANGRY = "你们这什么破快递！！一个星期了还没到！气死我了"
DEMO_ORDER = "472918305561"


def agent(stack: Stack) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.agent_token}"
    return session


def api(stack: Stack, path: str) -> str:
    return f"{stack.rasa_url}/webhooks/agent/api/{path}"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "conversations"),
    ("GET", "conversations/anyone"),
    ("GET", "stream"),
    ("POST", "draft-check"),
    ("POST", "conversations/anyone/takeover"),
    ("POST", "conversations/anyone/messages"),
    ("POST", "conversations/anyone/handback"),
    ("POST", "conversations/anyone/close"),
    ("GET", "conversations/anyone/evidence/EV1"),
])
def test_customers_never_reach_the_agent_api(stack: Stack, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Cookie": "agent_session=forged"}):
        reply = requests.request(method, api(stack, path), headers=headers, json={"text": "x"}, timeout=30)
        assert reply.status_code == 401
        assert "登录" in reply.json()["message"]


def test_console_page_needs_login_and_the_login_cookie_opens_it(stack: Stack) -> None:
    browser = requests.Session()
    first = browser.get(f"{stack.rasa_url}/webhooks/agent/console", allow_redirects=False, timeout=30)
    assert first.status_code == 302 and first.headers["Location"].endswith("/webhooks/agent/login")
    login = f"{stack.rasa_url}/webhooks/agent/login"
    username, password = make_account(stack)
    assert browser.post(login, json={"username": username, "password": "wrong-password"}, timeout=30).status_code == 401
    assert browser.post(login, json={"token": stack.agent_token}, timeout=30).status_code == 400
    assert browser.post(login, json={"username": username, "password": password}, timeout=30).ok
    assert browser.get(f"{stack.rasa_url}/webhooks/agent/me", timeout=30).json()["agent"]["username"] == username
    page = browser.get(f"{stack.rasa_url}/webhooks/agent/console", timeout=30)
    assert page.status_code == 200 and "客服工作台" in page.text
    assert browser.get(api(stack, "conversations"), timeout=30).ok


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("POST", "draft-check", None, 400),
    ("POST", "draft-check", {"text": 42}, 400),
    ("POST", "draft-check", {"text": "好" * 5000}, 400),
    ("GET", "conversations/nobody-here", None, 404),
    ("POST", "conversations/nobody-here/takeover", {}, 404),
    ("POST", "conversations/nobody-here/close", {}, 404),
])
def test_bad_requests_get_a_clear_4xx(stack: Stack, method: str, path: str, body: dict | None, status: int) -> None:
    reply = agent(stack).request(method, api(stack, path), json=body, timeout=30)
    assert reply.status_code == status
    assert reply.json()["message"]


def test_malformed_json_is_a_400(stack: Stack) -> None:
    reply = agent(stack).post(api(stack, "draft-check"), data=b"{not json", timeout=30)
    assert reply.status_code == 400 and reply.json()["message"]


def test_takeover_pauses_the_bot_and_hand_back_answers_what_the_customer_said_meanwhile(
    stack: Stack, customer: Customer
) -> None:
    assert customer.say(ANGRY)
    desk = agent(stack)
    path = f"conversations/{customer.sender}"
    assert desk.post(api(stack, f"{path}/messages"), json={"text": "您好"}, timeout=30).status_code == 409
    assert desk.post(api(stack, f"{path}/handback"), timeout=30).status_code == 409
    assert desk.post(api(stack, f"{path}/takeover"), json={"mode": "robot"}, timeout=30).status_code == 400
    assert desk.post(api(stack, f"{path}/takeover"), json={"mode": "takeover"}, timeout=30).ok

    blocked = desk.post(api(stack, f"{path}/messages"), json={"text": "我保证明天就给您全额退款"}, timeout=30)
    assert blocked.status_code == 422 and not blocked.json()["check"]["allowed"]
    assert desk.post(api(stack, f"{path}/messages"), json={"text": "您好，我是人工客服，正在为您核实。"}, timeout=30).ok
    assert customer.say(f"订单号{DEMO_ORDER}") == []  # paused: logged, not answered

    detail = desk.get(api(stack, path), timeout=30).json()
    assert detail["mode"] == "takeover" and detail["paused"] and detail["stage"] == "handoff"
    roles = [line["role"] for line in detail["transcript"]]
    assert roles[-2:] == ["agent", "customer"]

    handed_back = desk.post(api(stack, f"{path}/handback"), timeout=60)
    assert handed_back.json() == {"ok": True, "mode": "bot", "bot": "answered"}
    bot_after = [e["text"] for e in customer.tracker()["events"] if e["event"] == "bot"][-2:]
    assert any("蓝牙耳机" in text for text in bot_after)  # the bot looked up the order given during the takeover
    assert not customer.tracker()["latest_message"] == {} and not customer.tracker().get("paused")


def test_what_a_logged_in_agent_does_is_recorded_and_signed_with_their_name(stack: Stack, customer: Customer) -> None:
    assert customer.say(ANGRY)
    username, password = make_account(stack, display_name="小周")
    desk = requests.Session()
    assert desk.post(f"{stack.rasa_url}/webhooks/agent/login", json={"username": username, "password": password},
                     timeout=30).ok
    path = f"conversations/{customer.sender}"
    assert desk.post(api(stack, f"{path}/takeover"), json={"mode": "takeover"}, timeout=30).ok
    assert desk.post(api(stack, f"{path}/messages"), json={"text": "您好，我是小周，正在为您核实。"}, timeout=30).ok
    assert desk.post(api(stack, f"{path}/close"), timeout=30).ok

    sent = [e for e in customer.tracker()["events"] if e["event"] == "bot" and (e.get("metadata") or {}).get("agent")]
    assert [e["metadata"]["agent_name"] for e in sent] == ["小周"]
    transcript = desk.get(api(stack, path), timeout=30).json()["transcript"]
    assert [line["agent_name"] for line in transcript if line["role"] == "agent"] == ["小周"]
    record = AgentActions(stack_sessions(stack)).of_conversation(customer.sender)
    assert [(a.actor, a.action) for a in record] == [(username, "takeover"), (username, "message"), (username, "close")]
    assert record[1].detail == "您好，我是小周，正在为您核实。"


def test_bot_only_suggests_mode_predicts_without_replying(stack: Stack, customer: Customer) -> None:
    customer.say(ANGRY)
    desk = agent(stack)
    path = f"conversations/{customer.sender}"
    assert desk.post(api(stack, f"{path}/takeover"), json={"mode": "suggest"}, timeout=30).ok
    assert customer.say(f"订单号{DEMO_ORDER}") == []
    detail = desk.get(api(stack, path), timeout=30).json()
    assert detail["mode"] == "suggest"
    assert detail["transcript"][-1]["role"] == "customer"
    assert detail["bot_prediction"]["action"] and 0 < detail["bot_prediction"]["confidence"] <= 1
    assert len(detail["suggestions"]) == 3

    closed = desk.post(api(stack, f"{path}/close"), timeout=30).json()
    assert closed["mode"] == "closed" and DEMO_ORDER in closed["summary"]
    assert desk.get(api(stack, path), timeout=30).json()["closing_summary"] == closed["summary"]
    assert customer.say("你好")  # after closing, the bot answers again


def test_photo_upload_limits_and_storage(stack: Stack, customer: Customer) -> None:
    url = f"{stack.rasa_url}/webhooks/storefront/evidence"

    def upload(data: bytes, content_type: str = "image/png", session: str | None = None) -> requests.Response:
        return requests.post(url, data={"session_id": session or customer.sender},
                             files={"photo": ("photo.png", data, content_type)}, timeout=30)

    assert upload(png()).status_code == 400  # no conversation yet
    customer.say("收到的茶具碎了好几个，箱子都压扁了")
    assert upload(b"<script>alert(1)</script>", "image/png").status_code == 415
    too_big = upload(png() + b"\x00" * (5 * 2**20 + 1))
    assert too_big.status_code == 413 and "MB" in too_big.json()["message"]
    assert requests.post(url, data={"session_id": customer.sender}, timeout=30).status_code == 400
    assert requests.post(url, data=b"garbage", timeout=30).status_code == 400

    stored = upload(png())
    assert stored.ok, stored.text
    evidence_id = stored.json()["evidence_id"]
    detail = agent(stack).get(api(stack, f"conversations/{customer.sender}"), timeout=30).json()
    assert [e["evidence_id"] for e in detail["evidence"]] == [evidence_id]
    photo = agent(stack).get(api(stack, f"conversations/{customer.sender}/evidence/{evidence_id}"), timeout=30)
    assert photo.content == png() and photo.headers["Content-Type"].startswith("image/png")
    assert agent(stack).get(api(stack, f"conversations/someone-else/evidence/{evidence_id}"), timeout=30).status_code == 404


def test_the_list_comes_from_the_conversation_index_and_follows_turns_and_modes(stack: Stack, customer: Customer) -> None:
    desk = agent(stack)

    def listed() -> dict | None:
        body = desk.get(api(stack, "conversations"), params={"limit": 200}, timeout=30).json()
        assert body["total"] >= len(body["conversations"])
        return next((row for row in body["conversations"] if row["conversation_id"] == customer.sender), None)

    assert listed() is None, "no customer turn yet, nothing listed"
    customer.say(ANGRY)
    row = listed()
    assert row is not None and row["last_message"].startswith("你们这什么破快递") and row["mode"] == "bot"
    assert desk.post(api(stack, f"conversations/{customer.sender}/takeover"), json={"mode": "takeover"},
                     timeout=30).ok
    assert listed()["mode"] == "takeover", "a mode change (not in the tracker) reaches the index"
    customer.say(f"订单号{DEMO_ORDER}")
    assert listed()["last_message"] == f"订单号{DEMO_ORDER}"
    assert desk.get(api(stack, "conversations"), params={"limit": "many"}, timeout=30).status_code == 400
