"""components.amount_normalizer: amount entity values become numbers."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.amount_normalizer import AmountNormalizer, amount_value


def _message(text: str, surface: str, entity: str = "amount") -> Message:
    start = text.index(surface)
    return Message(data={
        "text": text,
        "entities": [{"entity": entity, "start": start, "end": start + len(surface), "value": surface,
                      "extractor": "DIETClassifier"}],
    })


@pytest.mark.parametrize(
    ("surface", "expected"),
    [("¥500", 500.0), ("五百元", 500.0), ("5百块", 500.0), ("一千五", 1500.0), ("1.5万", 15000.0),
     ("两千多", 2000.0), ("三百左右", 300.0), ("328", 328.0)],
)
def test_amount_value(surface: str, expected: float) -> None:
    assert amount_value(surface) == expected


@pytest.mark.parametrize(
    ("text", "surface", "expected"),
    [("你们多收了我五百块运费", "五百块", 500.0), ("降价了¥1,200", "¥1,200", 1200.0), ("差价５００元", "５００元", 500.0)],
)
def test_process_sets_float_value_and_keeps_surface(text: str, surface: str, expected: float) -> None:
    component = AmountNormalizer(AmountNormalizer.get_default_config())
    [message] = component.process([_message(text, surface)])
    [entity] = message.get("entities")
    assert entity["value"] == expected
    assert isinstance(entity["value"], float)
    assert entity["text"] == surface
    assert entity["processors"][-1] == "AmountNormalizer"


def test_other_entities_and_unreadable_amounts_untouched() -> None:
    component = AmountNormalizer(AmountNormalizer.get_default_config())
    [message] = component.process([_message("三天了还没到", "三天", entity="time_span")])
    assert message.get("entities")[0]["value"] == "三天"
    [message] = component.process([_message("退一些钱", "一些")])
    assert message.get("entities")[0]["value"] == "一些"
    assert "text" not in message.get("entities")[0]


def test_synonym_mapped_value_still_parsed() -> None:
    message = _message("退我五百", "五百")
    message.get("entities")[0]["value"] = "500元"
    [message] = AmountNormalizer({}).process([message])
    assert message.get("entities")[0]["value"] == 500.0


def test_message_without_entities() -> None:
    message = Message(data={"text": "你好"})
    assert AmountNormalizer({}).process([message])[0].get("entities") is None
