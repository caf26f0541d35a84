"""Whole complaint conversations over the REST channel: probing, digressions, tickets, handoff."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

import pytest
import requests

from tests.integration.conftest import Customer, db_rows
from tools.stack import Stack, start_stack

WATCH_ORDER = "472918305562"  # 200元 electronics, delivered 3 days ago
LATE_ORDER = "472918305561"
ROBOT_VACUUM_ORDER = "472918305565"


def slots(customer: Customer) -> dict:
    return customer.tracker()["slots"]



def test_damaged_item_proposal_names_the_evidence_then_a_ticket_with_a_follow_up(customer: Customer, stack: Stack) -> None:
    customer.say("收到的手表屏幕碎了，外箱都压扁了")
    assert slots(customer)["complaint_category"] == "damaged_lost"
    customer.say(WATCH_ORDER)
    assert slots(customer)["requested_slot"] == "desired_outcome"
    proposal = customer.say_text("给我补发一个新的")
    assert slots(customer)["desired_outcome"] == "reship"
    assert "补发" in proposal and "照片" in proposal  # what the ticket will need, said with the offer
    assert "传图" in proposal
    confirmation = customer.say_text("可以")
    ticket_id = slots(customer)["ticket_id"]
    assert ticket_id in confirmation
    assert "满意" in confirmation
    [(category, remedy, trend)] = db_rows(
        stack, "select category, remedy_id, emotion_trend from complaint_tickets where ticket_id = ?", ticket_id
    )
    assert (category, remedy) == ("damaged_lost", "reship")
    assert len(trend.split(",")) == 4, "one emotion per customer message"
    [(due_at,)] = db_rows(stack, "select due_at from complaint_follow_ups where ticket_id = ?", ticket_id)
    due = dt.datetime.fromisoformat(due_at).replace(tzinfo=dt.UTC)  # stored as UTC, whatever the shop's zone
    assert dt.timedelta(hours=47) < due - dt.datetime.now(dt.UTC) < dt.timedelta(hours=49)

    customer.say("满意")
    [(satisfaction,)] = db_rows(stack, "select satisfaction from complaint_tickets where ticket_id = ?", ticket_id)
    assert satisfaction == "satisfied"

    progress = customer.say_text("我的投诉处理得怎么样了")
    assert ticket_id in progress and "处理中" in progress


def test_policy_question_mid_form_is_answered_and_the_form_resumes(customer: Customer) -> None:
    customer.say("我的快递一个星期了还没到！")
    assert slots(customer)["requested_slot"] == "order_id"
    answer = customer.say_text("退款一般几天能到账？")
    assert "工作日" in answer
    assert customer.tracker()["active_loop"].get("name") == "complaint_form"
    assert slots(customer)["requested_slot"] == "order_id"
    customer.say(LATE_ORDER)
    assert slots(customer)["order_id"] == LATE_ORDER


def test_an_order_for_another_product_than_described_is_confirmed_before_it_is_used(customer: Customer) -> None:
    customer.say("保温杯盖子拧不紧，一倒水就漏，才用了两天")
    question = customer.say_text(ROBOT_VACUUM_ORDER)
    assert "扫地机器人" in question and "保温杯" in question
    assert slots(customer)["order_id"] is None
    customer.say("/deny")  # the "不是这一单" button
    assert slots(customer)["order_to_confirm"] is None
    assert slots(customer)["requested_slot"] == "order_id"
    assert slots(customer)["order_lookup_failures"] == 0, "a wrong order is no failed lookup"
    question = customer.say_text(ROBOT_VACUUM_ORDER)
    assert "保温杯" in question
    found = customer.say_text("对，就是这一单")
    assert "扫地机器人" in found
    assert slots(customer)["order_id"] == ROBOT_VACUUM_ORDER
    assert slots(customer)["requested_slot"] == "desired_outcome"


def test_an_unknown_number_given_instead_of_confirming_drops_the_order_awaiting_confirmation(customer: Customer) -> None:
    customer.say("保温杯盖子拧不紧，一倒水就漏，才用了两天")
    customer.say(ROBOT_VACUUM_ORDER)
    reply = customer.say_text("472918305599")
    assert "没有找到" in reply or "没有查到" in reply
    assert "扫地机器人" not in reply, "the re-ask is for a number, not about the earlier order"
    assert slots(customer)["order_to_confirm"] is None


def test_an_order_for_the_described_product_is_taken_without_asking(customer: Customer) -> None:
    customer.say("扫地机器人用了两天就不转了")
    found = customer.say_text(ROBOT_VACUUM_ORDER)
    assert "对不上" not in found and "扫地机器人" in found
    assert slots(customer)["order_id"] == ROBOT_VACUUM_ORDER


def test_threat_hands_off_pauses_the_bot_and_an_agent_can_hand_back(customer: Customer, stack: Stack) -> None:
    customer.say("快递一个礼拜没到")
    handoff_text = customer.say_text("再不解决我就打12315投诉你们！")
    assert "人工" in handoff_text
    tracker = customer.tracker()
    assert tracker["paused"] is True
    [(reason, summary)] = db_rows(
        stack, "select reason, summary from complaint_handoffs where conversation_id = ?", customer.sender
    )
    assert reason == "channel_threat"
    assert "12315" in summary

    first_receipt = customer.say_text("人呢？")
    assert "专员" in first_receipt, "a message while waiting for a human is acknowledged, never met with silence"
    second_receipt = customer.say_text("我再补充一下，快递单号也查不到")
    assert second_receipt and second_receipt != first_receipt
    tracker = customer.tracker()
    assert tracker["paused"] is True, "a receipt does not wake the bot"
    assert {"人呢？", "我再补充一下，快递单号也查不到"} <= {e.get("text") for e in tracker["events"] if e["event"] == "user"}

    resumed = requests.post(
        f"{stack.rasa_url}/conversations/{customer.sender}/tracker/events",
        params={"token": stack.token},
        json={"event": "resume"},
        timeout=30,
    )
    assert resumed.status_code == 200
    assert customer.say("你好") != []


def test_request_for_a_human_mid_form_hands_off(customer: Customer, stack: Stack) -> None:
    customer.say("衣服质量太差了，洗一次就起球")
    text = customer.say_text("转人工")
    assert "人工" in text
    assert customer.tracker()["paused"] is True
    [(reason,)] = db_rows(stack, "select reason from complaint_handoffs where conversation_id = ?", customer.sender)
    assert reason == "customer_request"


def test_due_follow_up_fires_once_after_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    var_dir = tmp_path / "var"
    first = start_stack(var_dir)
    try:
        customer = Customer(first)
        customer.say("我的快递一个星期了还没到！")
        customer.say(LATE_ORDER)
        customer.say("补偿一下吧")
        customer.say("好的")
        ticket_id = slots(customer)["ticket_id"]
        assert ticket_id
    finally:
        first.stop()

    with sqlite3.connect(var_dir / "complaint_desk.db") as db:
        db.execute("update complaint_follow_ups set due_at = ? where ticket_id = ?",
                   ((dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).replace(tzinfo=None).isoformat(sep=" "),
                    ticket_id))

    monkeypatch.setenv("FOLLOWUP_POLL_SECONDS", "1")
    second = start_stack(var_dir)
    try:
        customer.stack = second
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            follow_ups = [e for e in customer.tracker()["events"] if e["event"] == "bot" and "回访" in (e.get("text") or "")]
            if follow_ups:
                break
            time.sleep(1)
        assert len(follow_ups) == 1
        time.sleep(3)
        follow_ups = [e for e in customer.tracker()["events"] if e["event"] == "bot" and "回访" in (e.get("text") or "")]
        assert len(follow_ups) == 1, "a follow-up fires once"
        [(fired_at, attempts)] = db_rows(second, "select fired_at, attempts from complaint_follow_ups where ticket_id = ?", ticket_id)
        assert fired_at is not None and attempts == 1
    finally:
        second.stop()


def test_a_too_short_first_message_gets_a_closed_question_with_choices(customer: Customer) -> None:
    replies = customer.say("快递！！")
    question = next(reply for reply in replies if reply.get("buttons"))
    choices = [button["title"] for button in question["buttons"]]
    assert "一直没送到" in choices
    assert slots(customer)["requested_slot"] == "problem_detail"
    customer.say(question["buttons"][0]["payload"])
    assert slots(customer)["problem_detail"] == choices[0]
    assert slots(customer)["requested_slot"] == "order_id"


def test_a_feeling_before_the_facts_is_acknowledged_with_a_question_then_the_complaint_goes_on(
        customer: Customer) -> None:
    first = customer.say_text("真是要被你们气炸了！！")
    assert customer.tracker()["latest_message"]["intent"]["name"] == "vent"
    assert not any(word in first for word in ("不客气", "谢谢您", "感谢您")), first
    assert "？" in first, "it asks what happened"
    assert slots(customer)["complaint_category"] is None
    customer.say("买的耳机九天了还没到，页面上写五天送达")
    assert slots(customer)["complaint_category"] == "delivery"
    assert slots(customer)["requested_slot"] == "order_id"
    again = customer.say_text("烦死了")
    assert slots(customer)["requested_slot"] == "order_id", "the form goes on after the feeling"
    assert "订单号" in again
