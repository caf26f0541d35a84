from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels import customer_session
from channels.input_checks import (
    MAX_MESSAGE_CHARS,
    RejectedMessage,
    channel_messages,
    checked_sender,
    checked_text,
    parse_json_object,
)


@pytest.fixture(autouse=True)
def no_signing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(customer_session.SECRET_ENV, raising=False)


def test_every_refusal_has_a_chinese_explanation() -> None:
    for code, text in channel_messages()["errors"].items():
        assert any("\u4e00" <= char <= "\u9fff" for char in text), code
    assert channel_messages()["no_reply_fallback"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"", "not_json"),
        (b"{", "not_json"),
        (b"\xff\xfe", "not_json"),
        (b"[" * 50_000 + b"]" * 50_000, "not_json"),
        (b"[1]", "not_object"),
        (b"null", "not_object"),
        (b'"text"', "not_object"),
    ],
)
def test_bodies_that_are_not_a_json_object_are_refused(raw: bytes, code: str) -> None:
    with pytest.raises(RejectedMessage) as refused:
        parse_json_object(raw)
    assert refused.value.code == code and refused.value.status == 400


def test_a_json_object_is_parsed() -> None:
    assert parse_json_object('{"sender": "a", "message": "你好"}'.encode()) == {"sender": "a", "message": "你好"}


@pytest.mark.parametrize("sender", [None, 1, "", " a", "a/b", "../etc", "a" * 129, "x\x00", "顾客", ["a"]])
def test_malformed_senders_are_refused(sender: object) -> None:
    with pytest.raises(RejectedMessage) as refused:
        checked_sender(sender)
    assert refused.value.code == "bad_sender"


def test_signed_sender_ids_only_when_a_secret_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert checked_sender("shopper-1") == "shopper-1"
    monkeypatch.setenv(customer_session.SECRET_ENV, "test-secret")
    with pytest.raises(RejectedMessage) as refused:
        checked_sender("shopper-1")
    assert (refused.value.code, refused.value.status) == ("unknown_sender", 403)
    issued = customer_session.new_session_id()
    assert checked_sender(issued) == issued


@pytest.mark.parametrize(
    ("text", "code", "status"),
    [
        ("", "empty_message", 400),
        (" \n\t", "empty_message", 400),
        ("\u200b\u200c\u200d\ufeff\u2060", "empty_message", 400),
        ("\x00\x07", "empty_message", 400),
        ("\ud800", "invalid_text", 400),
        ("啊" * (MAX_MESSAGE_CHARS + 1), "too_long", 413),
        ("啊" * 100_000, "too_long", 413),
        (None, "bad_message", 400),
        (12, "bad_message", 400),
        (["a"], "bad_message", 400),
    ],
)
def test_unusable_messages_are_refused(text: object, code: str, status: int) -> None:
    with pytest.raises(RejectedMessage) as refused:
        checked_text(text)
    assert (refused.value.code, refused.value.status) == (code, status)
    assert refused.value.body()["message"]


def test_invisible_characters_are_removed_and_line_breaks_become_spaces() -> None:
    assert checked_text("我\u200b的快递\x00没到\n！") == "我的快递没到 ！"
    assert checked_text("😡😡") == "😡😡"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=500))
def test_any_bytes_are_a_json_object_or_a_clear_refusal(raw: bytes) -> None:
    try:
        assert isinstance(parse_json_object(raw), dict)
    except RejectedMessage as refused:
        assert refused.status == 400 and refused.message


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=[]), max_size=3000))
def test_any_text_is_clean_or_a_clear_refusal(text: str) -> None:
    try:
        cleaned = checked_text(text)
    except RejectedMessage as refused:
        assert 400 <= refused.status < 500 and refused.message
        return
    assert cleaned == cleaned.strip() and 0 < len(cleaned) <= MAX_MESSAGE_CHARS
    assert not any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in cleaned)
    json.dumps(cleaned).encode("utf-8")
