"""A 留言 needs words and a way back to the shopper; a phone number is read however it was typed."""

from __future__ import annotations

import pytest

from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.storefront.left_message import LeftMessageRejected, check_left_message, normalized_contact
from complaint_desk.storefront.wording import load_widget_wording

WORDING = load_widget_wording(KNOWLEDGE_DIR / "widget.yml")


@pytest.mark.parametrize(("typed", "kept"), [
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),  # full-width digits from a Chinese keyboard
    ("xiaoming@example.com", "xiaoming@example.com"),
])
def test_a_contact_is_read_however_it_was_typed(typed: str, kept: str) -> None:
    assert normalized_contact(typed) == kept


@pytest.mark.parametrize("typed", ["", "12345", "2380013800", "138001380001", "找我", "a@b", "<script>@x.com"])
def test_what_reaches_nobody_is_refused(typed: str) -> None:
    assert normalized_contact(typed) is None


def test_the_message_is_kept_with_its_contact_masked_for_the_receipt() -> None:
    message = check_left_message("  耳机左边没声音  ", "138 0013 8000", 0, WORDING)
    assert message.text == "耳机左边没声音" and message.masked_contact == "138****8000"
    assert message.customer_text().endswith("联系方式：13800138000")


@pytest.mark.parametrize(("text", "contact", "photos", "code"), [
    ("   ", "13800138000", 0, "empty_text"),
    (None, "13800138000", 0, "empty_text"),
    ("字" * 1001, "13800138000", 0, "too_long"),
    ("耳机坏了", "电话", 0, "bad_contact"),
    ("耳机坏了", None, 0, "bad_contact"),
    ("耳机坏了", "13800138000", 4, "too_many_photos"),
])
def test_a_message_that_cannot_be_kept_says_why_in_chinese(text: str | None, contact: str | None, photos: int,
                                                            code: str) -> None:
    with pytest.raises(LeftMessageRejected) as rejected:
        check_left_message(text, contact, photos, WORDING)
    assert rejected.value.code == code and str(rejected.value) == WORDING.text(
        f"leave_message.errors.{code}", limit=WORDING.message_max_chars if code == "too_long" else WORDING.max_photos)
