from __future__ import annotations

import pytest

from complaint_desk.nlu.order_numbers import extract_order_id, without_order_numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("订单号472918305561", "472918305561"),
        ("單號：４７２９１８３０５５６１，麻煩查一下", "472918305561"),
        ("四七二九一八三零五五六一", "472918305561"),
        ("4729183055619", None),
        ("12345", None),
        ("'; DROP TABLE demo_orders; --", None),
    ],
)
def test_extract_order_id(text: str, expected: str | None) -> None:
    assert extract_order_id(text) == expected


def test_without_order_numbers_takes_every_spelling_out() -> None:
    assert without_order_numbers("面膜没到，订单４７２９１８３０５５６６") == "面膜没到，订单"
    assert without_order_numbers("订单四七二九一八三零五五六一") == "订单"
