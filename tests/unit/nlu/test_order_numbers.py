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


@pytest.mark.parametrize("text", ["应该是 4729 1830 5563", "4729-1830-5563", "单号：472 918 305 563"])
def test_twelve_digits_typed_in_groups_are_one_order_number(text: str) -> None:
    assert extract_order_id(text) == "472918305563"


@pytest.mark.parametrize("text", ["4729 1830 5563 6", "123 4729 1830 5563", "买了 3 件 200 元", "电话 138 0013 8000"])
def test_groups_that_do_not_make_twelve_digits_are_no_order_number(text: str) -> None:
    assert extract_order_id(text) is None
