"""The late-delivery conversation end to end, over HTTP, against the real servers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import requests

from complaint_desk.guard.checker import load_guard
from complaint_desk.guard.verdict import GuardContext
from complaint_desk.policy.loader import load_policy
from tests.integration.conftest import Customer
from tools.stack import Stack, start_stack

LATE_ORDER = "472918305561"
KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
GUARD = load_guard(KNOWLEDGE / "guard_rules.yml", KNOWLEDGE / "guard_phrases.yml")
POLICY = load_policy(KNOWLEDGE / "remedy_policy.yml")


def slots(customer: Customer) -> dict:
    return customer.tracker()["slots"]


def test_late_delivery_from_complaint_to_ticket(customer: Customer, stack: Stack) -> None:
    first = customer.say("我的快递一个星期了还没到！")
    first_text = "\n".join(reply["text"] for reply in first)
    assert "快递" in first_text, first_text
    assert "订单号" in first_text, "the bot should ask for the order number"
    assert slots(customer)["complaint_category"] == "delivery"
    assert slots(customer)["requested_slot"] == "order_id"

    order_found = customer.say_text(f"订单号{LATE_ORDER}")
    assert "蓝牙耳机" in order_found, "the bot should confirm the order it found"
    assert slots(customer)["order_id"] == LATE_ORDER
    assert slots(customer)["requested_slot"] == "desired_outcome"

    proposal = customer.say("给点补偿吧")
    proposal_text = "\n".join(reply.get("text", "") for reply in proposal)
    assert slots(customer)["desired_outcome"] == "compensation"
    assert any(reply.get("buttons") for reply in proposal), "the proposal offers yes/no buttons"
    assert slots(customer)["offered_remedy"] == "shipping_coupon"
    assert "运费券" in proposal_text

    confirmation = customer.say_text("好的，可以")
    ticket_id = slots(customer)["ticket_id"]
    assert ticket_id and ticket_id in confirmation

    with sqlite3.connect(stack.var_dir / "complaint_desk.db") as db:
        row = db.execute(
            "select category, order_id, conversation_id, remedy_id from complaint_tickets where ticket_id = ?",
            (ticket_id,),
        ).fetchone()
    assert row == ("delivery", LATE_ORDER, customer.sender, slots(customer)["offered_remedy"])

    approved = GuardContext(
        approved_remedies=frozenset({slots(customer)["offered_remedy"]}),
        coupon_cap=POLICY.authority.coupon_cap,
        sla=POLICY.sla,
        fixed_wording=True,  # the bot's wording
    )
    for text in (first_text, order_found, proposal_text, confirmation):
        assert GUARD.check(text, approved).allowed, text


def test_unknown_order_number_is_re_asked_then_a_human_is_offered(customer: Customer) -> None:
    customer.say("快递好几天了都没动静，急死了")
    first_miss = customer.say_text("订单号 123456789012")
    assert "没有" in first_miss and "123456789012" in first_miss
    second_miss = customer.say_text("987654321098")
    assert "转人工" in second_miss
    assert slots(customer)["order_lookup_failures"] == 2
    assert slots(customer)["requested_slot"] == "order_id"


def test_full_width_order_number_in_traditional_script(customer: Customer) -> None:
    customer.say("我的快遞一個星期了還沒到！")
    customer.say("訂單號：４７２９１８３０５５６１")
    assert slots(customer)["order_id"] == LATE_ORDER


def test_declining_gets_a_different_offer(customer: Customer) -> None:
    customer.say("快递超时了，说好前天到的")
    customer.say(LATE_ORDER)
    customer.say("都行，你们看着办")
    first_offer = slots(customer)["offered_remedy"]
    assert first_offer
    customer.say("不行，这个我不接受")
    assert first_offer in slots(customer)["declined_remedies"]
    assert slots(customer)["offered_remedy"] != first_offer


def test_conversation_survives_a_restart(fresh_var_dir: Path) -> None:
    first_run = start_stack(fresh_var_dir)
    try:
        customer = Customer(first_run)
        customer.say("我的快递一个星期了还没到！")
        customer.say(LATE_ORDER)
        events_before = len(customer.tracker()["events"])
    finally:
        first_run.stop()

    second_run = start_stack(fresh_var_dir)
    try:
        customer.stack = second_run
        tracker = customer.tracker()
        assert len(tracker["events"]) >= events_before
        assert tracker["slots"]["order_id"] == LATE_ORDER
        assert any(e.get("text") == "我的快递一个星期了还没到！" for e in tracker["events"] if e["event"] == "user")
    finally:
        second_run.stop()


def test_http_api_needs_the_token(stack: Stack) -> None:
    response = requests.get(f"{stack.rasa_url}/conversations/someone/tracker", timeout=10)
    assert response.status_code == 401
