import random
from pathlib import Path

import yaml

from complaint_desk.replies import ReplyBook
from complaint_desk.taxonomy import COMPLAINT_CATEGORIES, EMOTIONS

REPLIES_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "replies.yml"


def test_every_category_has_a_restatement_and_every_emotion_an_empathy_line() -> None:
    entries = yaml.safe_load(REPLIES_FILE.read_text(encoding="utf-8"))
    assert set(entries["restate"]) == set(COMPLAINT_CATEGORIES)
    assert set(entries["empathize"]) == set(EMOTIONS)


def test_empathy_avoids_the_wording_already_used() -> None:
    book = ReplyBook.from_file(REPLIES_FILE)
    book._rng = random.Random(3)
    first = book.empathize("angry")
    for _ in range(20):
        assert book.empathize("angry", avoid=[first]) != first


def test_templates_are_filled() -> None:
    book = ReplyBook.from_file(REPLIES_FILE)
    text = book.text("order_not_found", order_id="123456789012")
    assert "123456789012" in text and "{" not in text


def test_every_category_has_a_closed_question_with_choices_for_a_too_short_first_message() -> None:
    book = ReplyBook.from_file(REPLIES_FILE)
    for category in COMPLAINT_CATEGORIES:
        question, options = book.closed_detail_question(category)
        assert question.endswith("？") and len(options) >= 2
    assert book.closed_detail_question(None) is None


def test_a_wording_is_told_from_another_that_contains_its_first_words() -> None:
    book = ReplyBook({"ask": ["订单 {order_id} 是这一单吗？", "查到订单 {order_id}，麻烦确认一下是这一单吗？"]})
    sent = "查到订单 472918305563，麻烦确认一下是这一单吗？"
    assert all(book.text("ask", avoid=[sent], order_id="472918305563").startswith("订单 ") for _ in range(20))
