"""Rasa graph component that maps loose entity values onto their canonical ids.

DIET sometimes extracts a little more or less than the annotated word ("补发一个"
instead of "补发"), which EntitySynonymMapper then misses. This component learns,
from the training examples, which words stand for which canonical value of the
configured entities, and maps any value that contains one of them.

    - name: components.entity_canonicalizer.EntityCanonicalizer
      entities: [desired_outcome, channel]
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from complaint_desk.nlu.normalize import normalize

SURFACES_FILE = "surfaces.json"
LOOKUP_EXTRACTOR = "RegexEntityExtractor"


def inside_a_digit_run(entity: dict[str, Any], text: str) -> bool:
    """"12315" inside the order number 812315000001 is no hotline."""
    start, end = entity["start"], entity["end"]
    return (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit())


def drop_overlapping_guesses(entities: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """A lookup-table match wins over a statistical entity covering the same characters."""
    exact = [
        e for e in entities if e.get("extractor") == LOOKUP_EXTRACTOR and not inside_a_digit_run(e, normalize(text))
    ]

    def overlaps_lookup(entity: dict[str, Any]) -> bool:
        return any(e["start"] < entity["end"] and entity["start"] < e["end"] for e in exact)

    kept = exact + [e for e in entities if e.get("extractor") != LOOKUP_EXTRACTOR and not overlaps_lookup(e)]
    return sorted(kept, key=lambda e: e.get("start", 0))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class EntityCanonicalizer(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities": ["desired_outcome", "channel"]}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        surfaces: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self._entities = set(config["entities"])
        self._model_storage = model_storage
        self._resource = resource
        self._surfaces = surfaces or {}
        # Longest surface first, so "退差价" wins over "退".
        self._ordered = {
            entity: sorted(table.items(), key=lambda item: len(item[0]), reverse=True)
            for entity, table in self._surfaces.items()
        }

    @classmethod
    def create(
        cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> EntityCanonicalizer:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EntityCanonicalizer:
        try:
            with model_storage.read_from(resource) as directory:
                surfaces = json.loads((directory / SURFACES_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            surfaces = {}
        return cls(config, model_storage, resource, surfaces)

    def train(self, training_data: TrainingData) -> Resource:
        surfaces: dict[str, dict[str, str]] = {entity: {} for entity in self._entities}
        for example in training_data.entity_examples:
            text = example.get(TEXT) or ""
            for entity in example.get(ENTITIES) or []:
                if entity.get("entity") in self._entities and isinstance(entity.get("value"), str):
                    surface = normalize(text[entity["start"] : entity["end"]]).strip()
                    if surface:
                        surfaces[entity["entity"]][surface] = entity["value"]
        canonical = {entity: set(table.values()) for entity, table in surfaces.items()}
        for entity, values in canonical.items():
            for value in values:
                surfaces[entity].setdefault(normalize(value), value)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / SURFACES_FILE).write_text(json.dumps(surfaces, ensure_ascii=False), encoding="utf-8")
        return self._resource

    def canonical_value(self, entity: str, value: str) -> str | None:
        table = self._surfaces.get(entity, {})
        if value in table.values():
            return value
        normalized = normalize(value)
        if normalized in table:
            return table[normalized]
        return next((canonical for surface, canonical in self._ordered.get(entity, []) if surface in normalized), None)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = drop_overlapping_guesses(message.get(ENTITIES) or [], message.get(TEXT) or "")
            if not any(entity.get("entity") in self._entities for entity in entities):
                message.set(ENTITIES, entities, add_to_output=True)
                continue
            kept = []
            for entity in entities:
                if entity.get("entity") in self._entities and isinstance(entity.get("value"), str):
                    canonical = self.canonical_value(entity["entity"], entity["value"])
                    if canonical is None:
                        continue  # a value no slot could hold
                    if canonical != entity["value"]:
                        entity = {**entity, "value": canonical,
                                  "processors": [*entity.get("processors", []), type(self).__name__]}
                kept.append(entity)
            message.set(ENTITIES, kept, add_to_output=True)
        return messages
