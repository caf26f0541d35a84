"""Rasa graph component that turns `amount` entity values into numbers.

Place it after the entity extractors and EntitySynonymMapper:

    - name: components.amount_normalizer.AmountNormalizer

"五百块" becomes `value: 500.0`; the customer's words stay in `text`. Amounts that
cannot be read as a number keep their value and get no `text`.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from complaint_desk.nlu.numerals import parse_amount

# "八千多", "五百来块", "两千左右": the approximate part carries no value of its own.
_APPROXIMATE_RE = re.compile(r"(?<=[十百千万亿拾佰仟萬億\d])[多余来几](?=[块元圆]|$)|左右|上下|大概|大约|差不多|约")


def amount_value(surface: str) -> float | None:
    """The number in an amount's surface text, or None."""
    value = parse_amount(surface)
    if value is None:
        value = parse_amount(_APPROXIMATE_RE.sub("", surface))
    return value


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class AmountNormalizer(GraphComponent):
    """Sets each `amount` entity's value to a float, keeping the surface text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entity": "amount"}

    def __init__(self, config: dict[str, Any]) -> None:
        self._entity_name = config.get("entity", "amount")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AmountNormalizer:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if any(entity.get("entity") == self._entity_name for entity in entities):
                message.set(ENTITIES, [self._normalize(entity, message.get(TEXT) or "") for entity in entities],
                            add_to_output=True)
        return messages

    def _normalize(self, entity: dict[str, Any], text: str) -> dict[str, Any]:
        if entity.get("entity") != self._entity_name or isinstance(entity.get("value"), int | float):
            return entity
        start, end = entity.get("start"), entity.get("end")
        surface = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
        value = amount_value(surface) if surface else None
        if value is None and isinstance(entity.get("value"), str):
            value = amount_value(entity["value"])  # e.g. a synonym-mapped value
        if value is None:
            return entity
        normalized = dict(entity)
        normalized["text"] = surface or str(entity.get("value"))
        normalized["value"] = value
        normalized["processors"] = [*entity.get("processors", []), type(self).__name__]
        return normalized
