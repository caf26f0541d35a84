from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.knowledge import KnowledgeError
from complaint_desk.nlu.outcome_words import OutcomeWords

ROOT = Path(__file__).resolve().parents[3]
WORDS = OutcomeWords.from_file(ROOT / "knowledge" / "outcome_words.yml")


@pytest.mark.parametrize(("text", "outcome"), [
    ("给我换成黑色的", "exchange"),
    ("那就換一件吧", "exchange"),            # traditional script
    ("直接退钱", "refund"),
    ("我要退貨", "return"),
    ("把差价退给我", "price_difference"),    # 退差价 is not a refund
    ("补个运费券吧", "compensation"),
    ("重新寄一个过来", "reship"),
    ("拿去修一下", "repair"),
])
def test_a_short_answer_names_its_outcome(text: str, outcome: str) -> None:
    assert WORDS.read(text) == outcome


def test_a_negated_wish_does_not_count() -> None:
    assert WORDS.read("不想换了，退款吧") == "refund"
    assert WORDS.read("不要退款") is None


def test_what_already_happened_or_has_not_happened_yet_is_no_wish() -> None:
    assert WORDS.read("手表我已经退回去了，退款还没到账") is None
    assert WORDS.read("补发的一直没寄出来") is None
    assert WORDS.read("我要退款，钱还没到") == "refund"
    assert WORDS.read("给我换成没问题的") == "exchange"  # 没 further on is not about the wish


def test_a_statement_counts_before_a_question() -> None:
    assert WORDS.read("补发要等多久？我不想等了，直接退款吧") == "refund"
    assert WORDS.read("能换一件新的吗") == "exchange"  # a question alone still says what is wanted


def test_the_first_wish_in_a_clause_wins() -> None:
    assert WORDS.read("还是换一台新的吧，退了还得重新买") == "exchange"


@pytest.mark.parametrize("text", ["可以", "好的谢谢", "", "👍👍"])
def test_no_wish_named_gives_none(text: str) -> None:
    assert WORDS.read(text) is None


def test_an_unknown_outcome_id_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "outcome_words.yml"
    path.write_text("refund: [退款]\nmoney_back: [退钱]\nnegations: [不]\nnegation_window: 2\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="第 2 行.*money_back"):
        OutcomeWords.from_file(path)


@pytest.mark.parametrize(("text", "outcome"), [
    ("那能补偿点啥吗", "compensation"),
    ("能直接退款不？", "refund"),
    ("換一個新的可以嗎？", "exchange"),     # traditional script
    ("退钱行不行", "refund"),
    ("赔点？", "compensation"),              # a bare wish as a question
    ("有没有补发", "reship"),
    ("能不能赔点", "compensation"),
])
def test_a_wish_asked_as_a_question_or_a_hedge_is_read(text: str, outcome: str) -> None:
    assert WORDS.asked(text) == outcome


@pytest.mark.parametrize("text", [
    "那退货的运费谁出？",          # names an outcome, asks about something else
    "退款一般几天能到账？",         # a question about the rules
    "换货要多久才能发出来",
    "退款到账了吗",                # about a refund under way
    "我的投诉处理得怎么样了",
    "不能退款吗？那算了",           # negated
    "快递到哪了",
    "可以",
])
def test_a_question_that_asks_for_no_outcome_is_not_read_as_one(text: str) -> None:
    assert WORDS.asked(text) is None
