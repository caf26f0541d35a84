"""Rasa graph component: the intent to act on when one message carries two things.

Goes after the intent blender, the emotion classifier and the entity extractors, before FallbackClassifier.
The decision is
complaint_desk/nlu/message_acts.py; whether a message threatens an outside channel is the risk rules'
(knowledge/risk_rules.yml), the same check that hands a conversation to a person.

    - name: components.message_acts.MessageActs
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from complaint_desk.case.risk import RiskRules, load_risk_rules, threatened_channels, withheld_threat
from complaint_desk.case.turns import CustomerTurn
from complaint_desk.nlu.message_acts import THREAT_INTENT, MessageSignals, RankedIntent, acted_on_intent, reranked
from complaint_desk.paths import KNOWLEDGE_DIR
from components.emotion_classifier import EMOTION_KEY


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MessageActs(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"risk_rules": str(KNOWLEDGE_DIR / "risk_rules.yml")}

    def __init__(self, risk: RiskRules) -> None:
        self._risk = risk

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> MessageActs:
        return cls(load_risk_rules({**cls.get_default_config(), **config}["risk_rules"]))

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> MessageActs:
        return cls.create(config, model_storage, resource, execution_context)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = [RankedIntent(item[INTENT_NAME_KEY], float(item[PREDICTED_CONFIDENCE_KEY]))
                       for item in message.get(INTENT_RANKING_KEY) or []]
            if not text.strip() or not ranking:
                continue
            turn = CustomerTurn(text, entities=tuple(message.get(ENTITIES) or ()))
            emotion = message.get(EMOTION_KEY) or {}
            signals = MessageSignals(
                threatens=bool(threatened_channels([turn], self._risk)),
                # only a top intent of threaten_escalation can be withdrawn: not worked out for any other
                withholds_threat=ranking[0].name == THREAT_INTENT and withheld_threat(text, self._risk),
                emotion=emotion.get("name"),
                emotion_confidence=float(emotion.get("confidence") or 0.0),
            )
            chosen = acted_on_intent(text, ranking, signals)
            if chosen is None:
                continue
            new_ranking = [{INTENT_NAME_KEY: r.name, PREDICTED_CONFIDENCE_KEY: r.confidence}
                           for r in reranked(ranking, chosen)]
            message.set(INTENT, new_ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, new_ranking, add_to_output=True)
        return messages
