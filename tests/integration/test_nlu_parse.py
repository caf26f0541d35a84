"""The NLU as the HTTP API serves it: intent, entities and emotion on every parse."""

from __future__ import annotations

import pytest
import requests

from tests.integration.conftest import Customer
from tools.stack import Stack

ANGRY_THREAT = "你们这什么破快递！！一个礼拜了还没到，再不给说法我就打12315"
ANGRY_THREAT_TRADITIONAL = "你們這什麼破快遞！！一個禮拜了還沒到，再不給說法我就打12315"


def parse(stack: Stack, text: str) -> dict:
    response = requests.post(f"{stack.rasa_url}/model/parse", params={"token": stack.token}, json={"text": text}, timeout=30)
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("text", [ANGRY_THREAT, ANGRY_THREAT_TRADITIONAL])
def test_angry_delivery_threat_in_both_scripts(stack: Stack, text: str) -> None:
    result = parse(stack, text)
    assert result["intent"]["name"] == "complain_delivery"
    assert result["emotion"]["name"] == "angry"
    assert result["emotion"]["intensity"] >= 0.7
    assert 0.0 <= result["emotion"]["confidence"] <= 1.0
    assert {"entity": "channel", "value": "12315"}.items() <= next(
        e for e in result["entities"] if e["entity"] == "channel"
    ).items()


def test_amounts_are_numbers(stack: Stack) -> None:
    result = parse(stack, "东西才买三天就坏了，至少赔我五百块吧")
    amounts = [e["value"] for e in result["entities"] if e["entity"] == "amount"]
    assert 500 in amounts


def test_calm_question_is_not_angry(stack: Stack) -> None:
    result = parse(stack, "请问退款一般几天到账")
    assert result["intent"]["name"] == "ask_policy"
    assert result["emotion"]["name"] in {"neutral", "anxious"}
    assert result["emotion"]["intensity"] < 0.5


def test_tracker_latest_message_carries_emotion(customer: Customer) -> None:
    customer.say("气死我了！！快递一个礼拜都没到！！")
    tracker = customer.tracker()
    assert tracker["latest_message"]["emotion"]["name"] == "angry"
    # emotion is read from the messages; a slot for it, filled by an action call on every message, was dropped
    assert "emotion" not in tracker["slots"]


@pytest.mark.parametrize("text", ["", "😡😡😡", "\u200b\u200b", "<script>alert(1)</script>", "a" * 20000])
def test_odd_messages_parse_without_error(stack: Stack, text: str) -> None:
    result = parse(stack, text)
    assert "intent" in result and "emotion" in result
