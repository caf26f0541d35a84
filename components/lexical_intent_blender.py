"""Rasa graph component that blends DIET's intent ranking with a lexical n-gram model.

Goes right after DIETClassifier (and before FallbackClassifier, which then reads the blended
confidence). A thin wrapper around complaint_desk/nlu/lexical_intents.py.

    - name: components.lexical_intent_blender.LexicalIntentBlender
      lexical_weight: 0.8
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from complaint_desk.nlu.lexical_intents import LexicalIntentModel, blend_rankings
from complaint_desk.nlu.normalize import normalize

logger = logging.getLogger(__name__)

MODEL_FILE_NAME = "lexical_intent_model.joblib"


def _words(message: Message) -> list[str]:
    return [token.text for token in message.get(TOKENS_NAMES[TEXT]) or []]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LexicalIntentBlender(GraphComponent, IntentClassifier):
    """Replaces the intent and ranking with the log-linear blend of the n-gram model and DIET."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # exponent of the n-gram model in the blend (0: DIET alone, 1: n-grams alone); 0.8 was
            # the best of the weights tried in five-fold cross-validation (README, NLU)
            "lexical_weight": 0.8,
            # inverse regularization strength of the logistic regression (the model's own default, which
            # tools.intent_confusions and the eval baseline use too)
            "regularization": LexicalIntentModel.regularization,
            # weight of the complement naive Bayes scores added to the regression's (0: regression alone)
            "naive_bayes_weight": LexicalIntentModel.naive_bayes_weight,
            # how many intents the blended ranking lists (DIET's own default)
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: LexicalIntentModel | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LexicalIntentBlender:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [message for message in training_data.intent_examples if message.get(TEXT)]
        intents = [message.get(INTENT) for message in examples]
        if len(set(intents)) < 2:
            logger.warning("Lexical intents: fewer than two intents; DIET's ranking is kept as it is.")
            self._model = None
        else:
            self._model = LexicalIntentModel(
                regularization=float(self._config["regularization"]),
                naive_bayes_weight=float(self._config["naive_bayes_weight"]),
            ).fit(
                [_words(message) for message in examples],
                [normalize(message.get(TEXT)) for message in examples],
                intents,
            )
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            if self._model is not None:
                joblib.dump(self._model, Path(directory) / MODEL_FILE_NAME, compress=3)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LexicalIntentBlender:
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                if (Path(directory) / MODEL_FILE_NAME).is_file():
                    model = joblib.load(Path(directory) / MODEL_FILE_NAME)
        except ValueError:
            logger.warning("Lexical intents: no trained model found; DIET's ranking is kept as it is.")
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text or not text.strip():
                continue
            model_ranking = {
                item[INTENT_NAME_KEY]: float(item[PREDICTED_CONFIDENCE_KEY])
                for item in message.get(INTENT_RANKING_KEY) or []
            }
            lexical = self._model.probabilities(_words(message), normalize(text))
            blended = blend_rankings(model_ranking, lexical, float(self._config["lexical_weight"]))
            ranking = [
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                for name, confidence in blended[: int(self._config["ranking_length"])]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
