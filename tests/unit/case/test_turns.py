from __future__ import annotations

import pytest

from complaint_desk.case.turns import (
    FALLING,
    RISING,
    STEADY,
    CustomerTurn,
    anger_direction,
    emotion_trend,
    last_named,
    turns_from_tracker_events,
)
from complaint_desk.nlu.cues import amounts_in, multipliers_in, sentences


def user_event(text: str, intent: str | None = None, emotion: str | None = None, intensity: float = 0.0,
               entities: list[dict] | None = None, timestamp: float = 1_700_000_000.0) -> dict:
    parse_data: dict = {"intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    if emotion:
        parse_data["emotion"] = {"name": emotion, "confidence": 0.8, "intensity": intensity}
    return {"event": "user", "text": text, "timestamp": timestamp, "parse_data": parse_data}


def angry(intensity: float) -> CustomerTurn:
    return CustomerTurn("你们到底管不管！", emotion="angry", intensity=intensity)


def calm(emotion: str = "neutral") -> CustomerTurn:
    return CustomerTurn("请问怎么处理", emotion=emotion, intensity=0.2)


# ---------------------------------------------------------------- tracker events


def test_user_events_become_turns_and_other_events_are_ignored() -> None:
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 1.0},
        user_event("我买的空气炸锅用了两天就不加热了", "complain_quality", "disappointed", 0.45,
                   [{"entity": "product", "value": "空气炸锅", "start": 3, "end": 7}], 1_700_000_010.5),
        {"event": "bot", "text": "非常抱歉给您带来不便", "timestamp": 1_700_000_011.0},
        {"event": "slot", "name": "complaint_category", "value": "quality", "timestamp": 1_700_000_011.0},
        user_event("订单号 835016429371", "give_order_number", "neutral", 0.1,
                   [{"entity": "order_id", "value": "835016429371"}], 1_700_000_030.0),
    ]
    turns = turns_from_tracker_events(events)

    assert [turn.text for turn in turns] == ["我买的空气炸锅用了两天就不加热了", "订单号 835016429371"]
    first = turns[0]
    assert first.intent == "complain_quality"
    assert first.emotion == "disappointed"
    assert first.intensity == pytest.approx(0.45)
    assert first.timestamp == pytest.approx(1_700_000_010.5)
    assert first.entity_values("product") == ["空气炸锅"]
    assert turns[1].entity_values("order_id") == ["835016429371"]


def test_restart_starts_the_conversation_over_unless_asked_not_to() -> None:
    events = [user_event("旧对话：快递丢了"), {"event": "restart"}, user_event("你好，我想问一下退货")]

    assert [t.text for t in turns_from_tracker_events(events)] == ["你好，我想问一下退货"]
    assert len(turns_from_tracker_events(events, since_restart=False)) == 2


def test_missing_or_odd_parse_data_is_tolerated() -> None:
    events = [
        {"event": "user", "text": "在吗", "timestamp": "not a number"},
        {"event": "user", "text": None, "parse_data": {"intent": None, "emotion": "furious"}},
        {"event": "user", "text": "气死了", "parse_data": {"emotion": {"name": "angry", "intensity": 3.2}}},
    ]
    turns = turns_from_tracker_events(events)

    assert [t.text for t in turns] == ["在吗", "", "气死了"]
    assert turns[0].intent is None and turns[0].timestamp is None and turns[0].entities == ()
    assert turns[1].emotion is None  # not one of the five emotions
    assert turns[2].emotion == "angry" and turns[2].intensity == 1.0  # clamped


def test_turn_text_is_normalized_for_matching() -> None:
    turn = CustomerTurn("你們再不處理，我就去消費者協會投訴ＡＢＣ")
    assert turn.normalized == "你们再不处理，我就去消费者协会投诉abc"
    assert len(turn.normalized) == len(turn.text)


# ---------------------------------------------------------------- emotion trend


def test_emotion_trend_lists_known_emotions_in_order() -> None:
    turns = [calm("anxious"), CustomerTurn("835016429371"), calm("disappointed"), angry(0.7)]
    assert emotion_trend(turns) == ["anxious", "disappointed", "angry"]


@pytest.mark.parametrize(("turns", "direction"), [
    ([calm("anxious"), calm("disappointed"), angry(0.8)], RISING),
    ([angry(0.5), angry(0.9)], RISING),
    ([angry(0.9), angry(0.8), calm("disappointed")], FALLING),
    ([angry(0.9), angry(0.5)], FALLING),
    ([angry(0.7), angry(0.75), angry(0.7)], STEADY),
    ([calm(), calm("anxious"), calm("disappointed")], STEADY),
    ([angry(0.9)], STEADY),
    ([], STEADY),
])
def test_anger_direction(turns: list[CustomerTurn], direction: str) -> None:
    assert anger_direction(turns) == direction


def test_anger_that_stays_high_longer_than_the_window_reads_as_steady() -> None:
    turns = [calm(), angry(0.9), angry(0.9)]
    assert anger_direction(turns) == RISING
    assert anger_direction(turns + [angry(0.9)] * 3) == STEADY


def test_angry_turn_without_intensity_counts_as_clearly_angry() -> None:
    assert anger_direction([calm(), CustomerTurn("气死我了", emotion="angry")]) == RISING


def test_turns_without_emotion_do_not_break_the_trend() -> None:
    assert anger_direction([calm(), CustomerTurn("835016429371"), angry(0.8)]) == RISING


# ---------------------------------------------------------------- text helpers


def test_sentences_keep_their_punctuation() -> None:
    assert sentences("屏幕裂了！怎么办？我要换货") == ["屏幕裂了！", "怎么办？", "我要换货"]


def test_amounts_ignore_order_numbers_and_keep_spans() -> None:
    text = "订单835016429371，我付了299元，要求赔两千块"
    found = amounts_in(text)
    assert [a.value for a in found] == [299, 2000]
    assert [text[a.start:a.end] for a in found] == [a.surface for a in found] == ["299元", "两千块"]


def test_multipliers_are_read() -> None:
    assert [m.factor for m in multipliers_in("假一赔十，你们要十倍赔偿")] == [10]


def test_long_digit_runs_are_no_amounts() -> None:
    text = "我的订单号是" + "8350164293718350164293" * 2 + "，手机号13800138000"
    assert amounts_in(text) == []
    assert multipliers_in(text) == []


def test_bare_large_numbers_count_as_money_only_when_asked() -> None:
    assert amounts_in("赔我2万，还要两千") == []
    assert [a.value for a in amounts_in("赔我2万，还要两千", bare_large=True)] == [20000, 2000]
    assert amounts_in("等了三百天，寄了两千个", bare_large=True) == []


def test_last_named_is_the_most_recent_value_of_an_entity() -> None:
    turns = turns_from_tracker_events([
        user_event("保温杯漏水", entities=[{"entity": "product", "value": "保温杯"}]),
        user_event("其实是杯盖和杯子都有问题，还有那个面膜", entities=[{"entity": "product", "value": "杯盖"},
                                                           {"entity": "product", "value": "面膜"}]),
        user_event("472918305565", entities=[{"entity": "order_id", "value": "472918305565"}]),
    ])
    assert last_named(turns, "product") == "面膜"
    assert last_named(turns, "channel") is None
