from __future__ import annotations

import pytest

from complaint_desk.nlu.numerals import find_amounts, find_multipliers, parse_amount, parse_number


@pytest.mark.parametrize(("text", "value"), [
    ("¥500", 500), ("￥500", 500), ("500元", 500), ("五百块", 500), ("5百", 500), ("两千", 2000),
    ("一千五", 1500), ("1.5万", 15000), ("三千二百", 3200), ("５００元", 500), ("十块钱", 10),
    ("二十五元", 25), ("一百零五", 105), ("两万三", 23000), ("一千零五十", 1050), ("3千2", 3200),
    ("伍佰元", 500), ("人民币88元", 88), ("1,299.5元", 1299.5), ("9.9", 9.9), ("十一", 11),
    ("一亿", 100_000_000), ("两百五", 250),
])
def test_parse_amount(text: str, value: float) -> None:
    assert parse_amount(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "三天", "没有金额", "百元店"])
def test_parse_amount_none(text: str) -> None:
    assert parse_amount(text) is None


def test_parse_number_rejects_non_numerals() -> None:
    assert parse_number("五百块") is None
    assert parse_number("") is None


def test_find_amounts_spans_point_into_original_text() -> None:
    text = "再补偿您５００元，另外送您十块钱的券，共¥1,299"
    amounts = find_amounts(text)
    assert [a.value for a in amounts] == [500, 10, 1299]
    for amount in amounts:
        assert text[amount.start:amount.end] == amount.surface
    assert amounts[0].surface == "５００元"


def test_find_amounts_needs_currency() -> None:
    assert find_amounts("三天之内，7个工作日，一张券") == []


def test_find_multipliers() -> None:
    found = find_multipliers("双倍赔偿、三倍、十倍、２倍、翻倍都不能承诺")
    assert [m.factor for m in found] == [2, 3, 10, 2, 2]
    assert found[3].surface == "２倍"


def test_spelled_digit_runs_become_arabic_digits() -> None:
    from complaint_desk.nlu.numerals import spelled_digits_to_arabic

    assert spelled_digits_to_arabic("订单四七二九一八三零五五六一") == "订单472918305561"
    assert spelled_digits_to_arabic("一千五百块") == "一千五百块"  # a number with units is no digit run
