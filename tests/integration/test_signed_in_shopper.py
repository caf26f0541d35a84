"""A shopper the shop signed in, on a running stack, over Rasa's socket.io channel: the same conversation on every
device, its history from the server, the shopper's orders; a forged or missing signature is an anonymous shopper,
and an anonymous socket cannot join a signed-in shopper's conversation."""

from __future__ import annotations

import uuid

import requests

from complaint_desk.storefront.shopper_identity import sign
from tests.production.channel_clients import SocketCustomer
from tools.stack import Stack


def route(stack: Stack, path: str) -> str:
    return f"{stack.rasa_url}/webhooks/storefront/{path}"


def signed(stack: Stack, shopper_id: str, name: str = "小明") -> dict:
    return sign(stack.env["SHOPPER_SIGNING_SECRET"], shopper_id, name)


def connect(stack: Stack, session_id: str | None = None, shopper: dict | None = None) -> SocketCustomer:
    customer = SocketCustomer(stack, request_session=False)
    customer.client.emit("session_request", {"session_id": session_id, **({"shopper": shopper} if shopper else {})})
    event, data = customer.client.receive(timeout=90)
    assert event == "session_confirm"
    customer.session_id = data
    return customer


def test_a_signed_in_shopper_has_one_conversation_on_every_device(stack: Stack) -> None:
    stack.rasa_urls = stack.rasa_urls or [stack.rasa_url]
    shopper = signed(stack, f"u-{uuid.uuid4().hex[:8]}")
    phone = connect(stack, shopper=shopper)
    laptop = connect(stack, session_id=f"laptop-{uuid.uuid4().hex[:8]}", shopper=shopper)  # its own old id is ignored
    intruder = connect(stack, session_id=phone.session_id)  # anonymous, knows the id
    forged = connect(stack, session_id=phone.session_id, shopper={**shopper, "name": "小红"})
    try:
        assert laptop.session_id == phone.session_id
        assert intruder.session_id != phone.session_id and forged.session_id != phone.session_id
        replies = phone.send({"message": "耳机收到就坏了，左边没声音", "session_id": phone.session_id})
        assert any(reply.get("text") for reply in replies)
        history = requests.post(route(stack, "history"), json={"shopper": shopper}, timeout=30).json()
        assert history["conversation_id"] == phone.session_id
        assert history["items"][0] == {**history["items"][0], "from": "user", "text": "耳机收到就坏了，左边没声音"}
        assert any(item["from"] == "bot" for item in history["items"])
        button = phone.send({"message": "/request_human", "shown": "转人工", "session_id": phone.session_id})
        assert button
        items = requests.post(route(stack, "history"), json={"shopper": shopper}, timeout=30).json()["items"]
        assert "转人工" in [item["text"] for item in items if item["from"] == "user"]  # the words on the button
    finally:
        for client in (phone, laptop, intruder, forged):
            client.close()


def test_an_anonymous_conversation_becomes_the_shoppers_when_they_sign_in(stack: Stack) -> None:
    stack.rasa_urls = stack.rasa_urls or [stack.rasa_url]
    guest = connect(stack)
    shopper = signed(stack, f"u-{uuid.uuid4().hex[:8]}")
    signed_in = connect(stack, session_id=guest.session_id, shopper=shopper)
    try:
        assert signed_in.session_id == guest.session_id
    finally:
        guest.close()
        signed_in.close()


def test_the_demo_shoppers_orders_and_nobody_elses(stack: Stack) -> None:
    orders = requests.post(route(stack, "orders"), json={"shopper": signed(stack, "demo-xiaoming")}, timeout=30)
    assert orders.ok
    cards = orders.json()["orders"]
    assert {"472918305561", "472918305562"} <= {card["order_id"] for card in cards}
    assert all(card["product"] and card["status"] and card["price"] > 0 for card in cards)
    assert requests.post(route(stack, "orders"), json={"shopper": signed(stack, "u-nobody")}, timeout=30).json() == {
        "orders": []}
    for body in ({}, {"shopper": {**signed(stack, "demo-xiaoming"), "signature": "0" * 64}}, None):
        refused = requests.post(route(stack, "orders"), json=body, timeout=30)
        assert refused.status_code == 401 and refused.json()["message"]
    assert requests.post(route(stack, "history"), json={}, timeout=30).status_code == 401


def test_the_demo_shop_sells_the_demo_orders_products_and_signs_in_its_shopper(stack: Stack) -> None:
    page = requests.get(route(stack, ""), timeout=30).text
    assert "蓝牙耳机" in page and "儿童电话手表" in page and "data-shopper-signature" not in page
    signed_page = requests.get(route(stack, ""), params={"login": "demo"}, timeout=30).text
    assert 'data-shopper-id="demo-xiaoming"' in signed_page and "data-shopper-signature" in signed_page
    assert stack.env["SHOPPER_SIGNING_SECRET"] not in signed_page


def test_a_message_with_an_id_is_confirmed_before_the_bot_answers(stack: Stack) -> None:
    stack.rasa_urls = stack.rasa_urls or [stack.rasa_url]
    customer = connect(stack)
    try:
        customer.client.emit("user_uttered", {"message": "你好", "id": "m-1"})
        assert customer.client.receive(timeout=90) == ["message_received", {"id": "m-1"}]
        assert customer.collect()  # then the bot's reply
        customer.client.emit("user_uttered", {"message": "", "id": "m-2"})  # refused: the refusal names the message
        event, refusal = customer.client.receive(timeout=90)
        assert event == "bot_uttered" and refusal["id"] == "m-2" and refusal["error"] == "empty_message"
        customer.client.emit("user_uttered", {"message": "在吗", "id": "<script>" * 10})  # not echoed back
        event, data = customer.client.receive(timeout=90)
        assert event == "bot_uttered" and "id" not in data
    finally:
        customer.close()
