"""The trained emotion model: angry, anxious, disappointed, neutral or satisfied, with an intensity.

Plain Python (no Rasa): `components/emotion_classifier.py` wraps it for the NLU pipeline and
complaint_desk.nlu.emotion_training fits it.

The classifier is a multinomial logistic regression over
- character 1-3-grams and jieba words/word bigrams of the folded text (simplified, half-width,
  lower case, digits folded),
- counts of our own cue words (complaint_desk.nlu.emotion_cues): swearing, threats, anxious,
  disappointed and satisfied words, emoji, !!!, ??, repetition,
- general-domain knowledge (complaint_desk.nlu.emotion_general_knowledge): DUTIR/HowNet lexicon
  hits and the review polarity model's log-odds.

Intensity (0..1) is scored from the predicted emotion, its confidence and the cues.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from complaint_desk.nlu.emotion_cues import CueLexicon, clean_text, fold_cleaned
from complaint_desk.nlu.emotion_general_knowledge import PolarityModel, general_lexicon_features
from complaint_desk.nlu.fast_linear import FastTablesMixin, linear_probabilities, tfidf_blocks, tfidf_row

NEGATIVE_EMOTIONS = frozenset({"angry", "anxious", "disappointed"})
MODEL_FILE_NAME = "emotion_model.joblib"

_PUNCTUATION_RE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class EmotionResult:
    name: str
    confidence: float
    intensity: float

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": round(self.confidence, 4), "intensity": round(self.intensity, 3)}


@lru_cache(maxsize=1)
def word_tokenizer() -> Any:
    """A private jieba tokenizer with jieba's own dictionary, so that the words do not depend on
    user dictionaries that other components load into jieba's global tokenizer. Shared with the guard's
    phrase model (one copy in memory)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def jieba_words(text: str) -> list[str]:
    """Jieba words and word bigrams of folded text (punctuation and spaces dropped)."""
    words = [word for word in word_tokenizer().lcut(text) if word.strip() and not _PUNCTUATION_RE.fullmatch(word)]
    return words + [f"{first} {second}" for first, second in zip(words, words[1:], strict=False)]


@dataclass
class EmotionModel(FastTablesMixin):
    """Trained emotion classifier; `predict` takes raw customer text."""

    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    cues: CueLexicon
    general_lexicon: dict[str, str]
    polarity: PolarityModel | None
    word_vectorizer: TfidfVectorizer | None = None

    def dense_features(self, cleaned_texts: Sequence[str], folded_texts: Sequence[str]) -> np.ndarray:
        """Lexicon, cue and polarity features (log-scaled counts)."""
        rows = []
        for text in cleaned_texts:
            cue_counts = self.cues.counts(text)
            row = [math.log1p(count) for count in cue_counts.values()]
            row += general_lexicon_features(text, self.general_lexicon)
            row.append(math.log1p(len(text)) / 4.0)
            rows.append(row)
        dense = np.asarray(rows, dtype=np.float64)
        if self.polarity is not None:
            log_odds = np.clip(self.polarity.log_odds_negative(folded_texts), -6, 6) / 3.0
        else:
            log_odds = np.zeros(len(folded_texts))
        return np.hstack([dense, log_odds[:, None]])

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        cleaned = [clean_text(text) for text in texts]
        folded = [fold_cleaned(text) for text in cleaned]
        dense = self.dense_features(cleaned, folded)
        blocks = [self.vectorizer.transform(folded)]
        if self.word_vectorizer is not None:
            blocks.append(self.word_vectorizer.transform(folded))
        return sp.hstack([*blocks, sp.csr_matrix(dense)]).tocsr()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, columns in the order of `self.labels`."""
        if len(texts) == 1:
            return self._predict_proba_one(texts[0])[None, :]
        return self.classifier.predict_proba(self.features(texts))

    # Fast path for one message (the live case): the same numbers as `features` +
    # `classifier.predict_proba`, without sklearn's per-call overhead (about 10x faster).

    def _fast_tables(self) -> dict[str, Any]:
        tables = self.__dict__.get("_fast")
        if tables is None:
            vectorizers = [self.vectorizer] + ([self.word_vectorizer] if self.word_vectorizer is not None else [])
            blocks, width = tfidf_blocks(vectorizers)
            tables = {
                "blocks": blocks,
                "dense_offset": width,
                "coef": np.ascontiguousarray(self.classifier.coef_),
                "intercept": self.classifier.intercept_,
            }
            self.__dict__["_fast"] = tables
        return tables

    def _predict_proba_one(self, text: str) -> np.ndarray:
        tables = self._fast_tables()
        cleaned = clean_text(text)
        folded = fold_cleaned(cleaned)
        indices, values = tfidf_row(tables["blocks"], [folded] * len(tables["blocks"]))
        dense = self.dense_features([cleaned], [folded])[0]
        indices += list(range(tables["dense_offset"], tables["dense_offset"] + len(dense)))
        values += dense.tolist()
        return linear_probabilities(tables["coef"], tables["intercept"], indices, values)

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.classifier.classes_]

    def predict_many(self, texts: Sequence[str]) -> list[EmotionResult]:
        if not texts:
            return []
        probabilities = self.predict_proba(texts)
        results = []
        for text, row in zip(texts, probabilities, strict=True):
            best = int(np.argmax(row))
            name = self.labels[best]
            confidence = float(row[best])
            intensity = self.cues.intensity(self.cues.counts(clean_text(text)), name, confidence)
            results.append(EmotionResult(name, confidence, intensity))
        return results

    def predict(self, text: str) -> EmotionResult:
        if not text or not text.strip():
            return EmotionResult("neutral", 1.0, 0.0)
        return self.predict_many([text])[0]

    def save(self, directory: str | Path) -> Path:
        path = Path(directory) / MODEL_FILE_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)
        return path

    @classmethod
    def load(cls, directory: str | Path) -> EmotionModel:
        model = joblib.load(Path(directory) / MODEL_FILE_NAME)
        if not isinstance(model, cls):
            raise TypeError(f"{directory} holds no EmotionModel")
        return model
