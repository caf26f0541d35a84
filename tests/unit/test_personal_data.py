"""Personal data masked in what the desk shows: phones, ID cards, bank cards, e-mail, street addresses; order and
ticket numbers, amounts and the city a parcel went to stay readable."""

from __future__ import annotations

import pytest

from complaint_desk.personal_data import mask


@pytest.mark.parametrize(("text", "shown", "kinds"), [
    ("我手机13812345678，打不通就发短信", "我手机138****5678，打不通就发短信", ("phone",)),
    ("电话 138-1234-5678 或 +86 139 1234 5678", "电话 138****5678 或 139****5678", ("phone",)),
    ("座机010-12345678", "座机010-****78", ("phone",)),
    ("身份证号110101199003074512", "身份证号110***********4512", ("id_card",)),
    ("尾号X的：11010119900307451X，手机13812345678", "尾号X的：110***********451X，手机138****5678",
     ("id_card", "phone")),
    ("退到卡号6222 0212 3456 7890 123", "退到卡号**** 0123", ("bank_card",)),
    ("邮箱 zhangsan.88@qq.com", "邮箱 z***@qq.com", ("email",)),
    ("寄到北京市朝阳区建国路88号3栋1201室，收件人张三", "寄到北京市朝阳区****，收件人张三", ("address",)),
    ("广州市天河区体育西路191号中石化大厦", "广州市天河区****中石化大厦", ("address",)),
])
def test_personal_data_is_masked_and_named(text: str, shown: str, kinds: tuple[str, ...]) -> None:
    result = mask(text)
    assert (result.text, result.kinds) == (shown, kinds)


@pytest.mark.parametrize("text", [
    "订单号472918305561，还没到", "工单 TS20261207ABC123 怎么样了", "我付了12345678元？不对，是1299元",
    "等了13天了", "北京市朝阳区的快递站", "😡😡😡", "", "<img src=x onerror=alert(1)>",
])
def test_what_is_not_personal_data_stays_as_written(text: str) -> None:
    assert mask(text).text == text and not mask(text).changed
