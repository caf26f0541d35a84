from __future__ import annotations

import datetime as dt

from complaint_desk.case.ticket_facts import customer_words, first_exchange
from complaint_desk.case.turns import CustomerTurn
from complaint_desk.clock import shop_time_zone

# Rasa stamps events in Unix time; the ticket keeps the shop's wall-clock time (complaint_desk.clock).
T0 = dt.datetime(2026, 11, 1, 10, 0, tzinfo=shop_time_zone()).timestamp()


def test_first_exchange_is_the_first_message_and_the_first_reply_after_it():
    events = [
        {"event": "action", "name": "action_listen", "timestamp": T0 - 5},
        {"event": "bot", "text": "您好", "timestamp": T0 - 4},  # a greeting before the customer spoke
        {"event": "user", "text": "快递没到", "timestamp": T0},
        {"event": "bot", "text": "我帮您查", "timestamp": T0 + 1.5},
        {"event": "user", "text": "订单号472918305561", "timestamp": T0 + 30},
        {"event": "bot", "text": "查到了", "timestamp": T0 + 31},
    ]
    message, response = first_exchange(events)
    assert message == dt.datetime(2026, 11, 1, 10, 0)
    assert response == dt.datetime(2026, 11, 1, 10, 0, 1, 500000)


def test_first_exchange_restarts_with_a_new_session_and_tolerates_missing_timestamps():
    events = [
        {"event": "user", "text": "旧的", "timestamp": T0 - 100},
        {"event": "bot", "text": "旧回复", "timestamp": T0 - 99},
        {"event": "session_started", "timestamp": T0 - 1},
        {"event": "user", "text": "新的", "timestamp": T0},
    ]
    assert first_exchange(events) == (dt.datetime(2026, 11, 1, 10, 0), None)
    assert first_exchange([{"event": "user", "text": "x"}]) == (None, None)


def test_customer_words_are_the_turns_read_as_complaints():
    turns = [
        CustomerTurn("你好", intent="greet"),
        CustomerTurn("我的快递一个星期了还没到！", intent="complain_delivery"),
        CustomerTurn("订单号472918305561", intent="inform_order_number"),
        CustomerTurn("我要打12315", intent="threaten_escalation"),
    ]
    assert customer_words(turns) == "我的快递一个星期了还没到！\n我要打12315"
    assert customer_words(turns[:1], fallback="  衣服掉色了  ") == "衣服掉色了"
    assert customer_words(turns[:1]) is None
