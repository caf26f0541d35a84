import pytest

from complaint_desk.nlu.normalize import normalize, to_halfwidth, to_simplified


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我的快遞一個星期了還沒到！", "我的快递一个星期了还没到！"),
        ("訂單號４７２９１８３０５５６１", "订单号472918305561"),
        ("退款ＯＫ嗎？", "退款OK吗？"),
        ("为什么　还没发货", "为什么 还没发货"),
    ],
)
def test_normalize_gives_simplified_half_width_text(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_keeps_length_so_spans_stay_valid() -> None:
    raw = "你們這什麼破快遞！！一個禮拜了還沒到，再不給說法我就打１２３１５"
    assert len(normalize(raw)) == len(raw)
    assert normalize(raw)[-5:] == "12315"


def test_zero_width_characters_become_blanks() -> None:
    assert normalize("退\u200b款") == "退 款"


def test_chinese_punctuation_is_kept_full_width() -> None:
    assert to_halfwidth("好的，谢谢！") == "好的，谢谢！"


def test_to_simplified_leaves_simplified_text_alone() -> None:
    assert to_simplified("七天无理由退货") == "七天无理由退货"
