"""The history a signed-in shopper sees on another device: what they saw, not what the desk keeps internally."""

from __future__ import annotations

from complaint_desk.storefront.history import widget_history

EVENTS = [
    {"event": "action", "name": "action_session_start", "timestamp": 1.0},
    {"event": "user", "text": "耳机坏了", "timestamp": 2.0},
    {"event": "bot", "text": "很抱歉给您添麻烦了。", "timestamp": 3.0, "metadata": {}},
    {"event": "user", "text": "/request_human", "timestamp": 4.0, "metadata": {"shown": "转人工"}},
    {"event": "user", "text": "/affirm", "timestamp": 4.5},
    {"event": "bot", "text": "您好，我是小周。", "timestamp": 5.0, "metadata": {"agent": True, "agent_name": "小周"}},
    {"event": "user", "text": "/EXTERNAL_followup", "timestamp": 6.0},
    {"event": "slot", "name": "order_id", "value": "472918305561", "timestamp": 6.5},
    {"event": "bot", "text": "", "timestamp": 7.0},
]


def test_the_shopper_sees_their_words_the_replies_and_who_wrote_them() -> None:
    items = widget_history(EVENTS)
    assert [(item["from"], item["text"]) for item in items] == [
        ("user", "耳机坏了"), ("bot", "很抱歉给您添麻烦了。"), ("user", "转人工"), ("user", "好的"),
        ("bot", "您好，我是小周。"),
    ]
    assert items[-1]["agent"] == "小周" and "agent" not in items[1]
    assert items[0]["at"] == 2000 and items[0]["state"] == "sent"


def test_a_long_conversation_keeps_the_latest() -> None:
    many = [{"event": "user", "text": f"第{n}条", "timestamp": float(n)} for n in range(1, 301)]
    items = widget_history(many)
    assert len(items) == 200 and items[-1]["text"] == "第300条"
