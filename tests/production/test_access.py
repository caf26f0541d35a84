"""Who gets in: Rasa's HTTP API needs its token, and a customer cannot reach another's conversation."""

from __future__ import annotations

import pytest
import requests

from tests.production.agent_api import AGENT_ROUTES
from tests.production.channel_clients import QUIET_SECONDS, SocketCustomer
from tests.production.conftest import Customer
from tools.stack import Stack

RASA_API = [
    ("GET", "/status"),
    ("GET", "/domain"),
    ("GET", "/conversations/{sender}/tracker"),
    ("POST", "/conversations/{sender}/tracker/events"),
    ("PUT", "/conversations/{sender}/tracker/events"),
    ("POST", "/conversations/{sender}/trigger_intent"),
    ("POST", "/conversations/{sender}/messages"),
    ("POST", "/conversations/{sender}/predict"),
    ("POST", "/model/parse"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
]


@pytest.mark.parametrize(("method", "path"), RASA_API)
@pytest.mark.parametrize("token", [None, "wrong-token", ""])
def test_rasa_http_api_refuses_requests_without_its_token(stack: Stack, method: str, path: str,
                                                          token: str | None) -> None:
    victim = Customer(stack)
    params = {} if token is None else {"token": token}
    response = requests.request(
        method, stack.rasa_url + path.format(sender=victim.sender), params=params, json={"event": "pause"}, timeout=30
    )
    assert response.status_code in (401, 403), (method, path, response.status_code)


def test_the_token_is_what_opens_it(stack: Stack) -> None:
    assert requests.get(f"{stack.rasa_url}/status", params={"token": stack.token}, timeout=30).status_code == 200


def test_rest_sender_ids_not_issued_by_the_server_are_refused(stack: Stack) -> None:
    victim = Customer(stack)
    victim.say("我的快递一个星期了还没到！")
    before = victim.tracker()
    raw, _, signature = victim.sender.partition(".")
    forged_signature = ("0" if signature[0] != "0" else "1") + signature[1:]
    for guess in ["shopper-1", "1", raw, f"{raw}.{forged_signature}", f"{raw}.", victim.sender.upper()]:
        response = requests.post(
            f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": guess, "message": "我的投诉处理得怎么样了"},
            timeout=60,
        )
        assert response.status_code == 403, (guess, response.status_code)
        assert response.json()["error"] == "unknown_sender"
    assert victim.tracker()["events"] == before["events"], "nothing was written into the victim's conversation"


def test_evidence_uploads_need_an_issued_conversation_id(stack: Stack) -> None:
    victim = Customer(stack)
    victim.say("收到的茶具碎了好几个，箱子都压扁了")
    raw, _, _signature = victim.sender.partition(".")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    for guess in [raw, f"{raw}.{'0' * 32}", "shopper-1"]:
        response = requests.post(f"{stack.rasa_url}/webhooks/storefront/evidence", data={"session_id": guess},
                                 files={"photo": ("photo.png", png, "image/png")}, timeout=30)
        assert response.status_code == 403, (guess, response.status_code)
        assert response.json()["message"]


def test_socketio_cannot_join_or_write_another_conversation(stack: Stack) -> None:
    victim = SocketCustomer(stack, replica=0)
    attacker = None
    try:
        assert victim.send({"message": "我的快递一个星期了还没到！"})
        raw_part = victim.session_id.partition(".")[0]
        # Asking for the victim's id without its signature gets a fresh conversation instead.
        attacker = SocketCustomer(stack, replica=0, session_id=raw_part)
        assert attacker.session_id != victim.session_id
        # Claiming the victim's id in a message is refused and nothing reaches the victim's conversation.
        refused = attacker.send({"message": "我的投诉处理得怎么样了", "session_id": victim.session_id})
        assert [reply["error"] for reply in refused] == ["session_mismatch"]
        victim_tracker = Customer(stack, sender=victim.session_id).tracker()
        victim_texts = [e["text"] for e in victim_tracker["events"] if e["event"] == "user"]
        assert victim_texts == ["我的快递一个星期了还没到！"]
        # The victim's next replies go to the victim's socket only.
        assert victim.send({"message": "订单号472918305561"})
        assert attacker.collect(first_wait=2 * QUIET_SECONDS) == []
    finally:
        victim.close()
        if attacker is not None:
            attacker.close()


def test_socketio_session_persists_for_its_owner(stack: Stack) -> None:
    first = SocketCustomer(stack, replica=0)
    first.send({"message": "我的快递一个星期了还没到！"})
    first.close()
    again = SocketCustomer(stack, replica=1, session_id=first.session_id)
    try:
        assert again.session_id == first.session_id, "a reconnect with its own issued id resumes the conversation"
        assert "蓝牙耳机" in "".join(r.get("text", "") for r in again.send({"message": "订单号472918305561"}))
    finally:
        again.close()


@pytest.mark.parametrize(("method", "path"), AGENT_ROUTES or [pytest.param("", "", marks=pytest.mark.skip(
    reason="no agent API routes on this branch yet: list them in tests/production/agent_api.py"))])
@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Bearer ", "Basic x"])
def test_agent_api_needs_the_agent_token(stack: Stack, method: str, path: str, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    url = stack.rasa_url + path.format(sender=Customer(stack).sender)
    response = requests.request(method, url, headers=headers, json={}, timeout=30)
    assert response.status_code == 401
    assert response.json()["message"]
