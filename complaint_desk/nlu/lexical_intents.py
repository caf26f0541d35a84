"""A lexical intent model, and its blend with another classifier's ranking.

Plain Python (no Rasa): `components/lexical_intent_blender.py` wraps it for the NLU pipeline.

Logistic regression over TF-IDF of words + word bigrams and of single characters, its scores
summed with a complement naive Bayes model's on the same features (naive Bayes trusts rare cue
words more than the regression does; together they beat either). On our data this is more accurate
than DIET on its own, and the two make different mistakes: DIET generalizes over phrasing, the
n-grams hold on to the exact cue words ("价保", "转人工"). Blending their probabilities beats either one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB

from complaint_desk.nlu.fast_linear import FastTablesMixin, linear_probabilities, tfidf_blocks, tfidf_row

_FLOOR = 1e-4  # probability of an intent a ranking leaves out


def word_ngrams(words: Sequence[str]) -> list[str]:
    """Words and word bigrams of an already tokenized message (module level, so the model pickles)."""
    words = [word for word in words if word.strip()]
    return words + [f"{first} {second}" for first, second in zip(words, words[1:], strict=False)]


@dataclass
class LexicalIntentModel(FastTablesMixin):
    """`fit` and `predict_proba` take (words, text) pairs: the tokenizer's words and the normalized text."""

    # Chosen in 5-fold cross-validation on our data (README, NLU): single characters beside the words
    # beat character 1-4-grams (macro-F1 0.898 against 0.877), and weak regularization helps.
    regularization: float = 100.0
    # Complement naive Bayes scores added to the regression's, with this weight and smoothing (chosen
    # in the same folds, and checked on three other fold seeds: +0.006 to +0.008 macro-F1 each).
    naive_bayes_weight: float = 0.5
    naive_bayes_smoothing: float = 0.1
    word_vectorizer: TfidfVectorizer = field(
        default_factory=lambda: TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True)
    )
    char_vectorizer: TfidfVectorizer = field(
        default_factory=lambda: TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 1), sublinear_tf=True)
    )
    classifier: LogisticRegression | None = None
    # The regression's and naive Bayes's scores folded into one linear model: softmax(x·coefᵀ + intercept).
    coef: np.ndarray | None = None
    intercept: np.ndarray | None = None

    def _features(self, words: Sequence[Sequence[str]], texts: Sequence[str]) -> sp.csr_matrix:
        return sp.hstack([self.word_vectorizer.transform(words), self.char_vectorizer.transform(texts)]).tocsr()

    def fit(self, words: Sequence[Sequence[str]], texts: Sequence[str], intents: Sequence[str]) -> LexicalIntentModel:
        if not (len(words) == len(texts) == len(intents)):
            raise ValueError("words, texts and intents differ in length")
        if len(set(intents)) < 2:
            raise ValueError("the lexical intent model needs at least two intents")
        self.word_vectorizer.fit(words)
        self.char_vectorizer.fit(texts)
        features = self._features(words, texts)
        self.classifier = LogisticRegression(C=self.regularization, max_iter=3000).fit(features, list(intents))
        naive_bayes = ComplementNB(alpha=self.naive_bayes_smoothing).fit(features, list(intents))
        if list(naive_bayes.classes_) != list(self.classifier.classes_):
            raise RuntimeError("the regression and naive Bayes ordered the intents differently")
        self.coef = np.ascontiguousarray(self.classifier.coef_ + self.naive_bayes_weight * naive_bayes.feature_log_prob_)
        self.intercept = self.classifier.intercept_
        if len(self.classifier.classes_) == 2:  # binary regression keeps one row; give each class its own
            self.coef = np.ascontiguousarray(np.vstack([np.zeros_like(self.classifier.coef_[0]), self.classifier.coef_[0]])
                                             + self.naive_bayes_weight * naive_bayes.feature_log_prob_)
            self.intercept = np.asarray([0.0, self.classifier.intercept_[0]])
        return self

    @property
    def intents(self) -> list[str]:
        if self.classifier is None:
            return []
        return [str(intent) for intent in self.classifier.classes_]

    def predict_proba(self, words: Sequence[Sequence[str]], texts: Sequence[str]) -> np.ndarray:
        """Probabilities, columns in the order of `intents`."""
        if self.coef is None or self.intercept is None:
            raise RuntimeError("the lexical intent model is not trained")
        if len(texts) == 1:
            return self._predict_proba_one(words[0], texts[0])[None, :]
        scores = np.asarray(self._features(words, texts) @ self.coef.T) + self.intercept
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def probabilities(self, words: Sequence[str], text: str) -> dict[str, float]:
        return dict(zip(self.intents, self.predict_proba([words], [text])[0].tolist(), strict=True))

    def _fast_tables(self) -> dict[str, Any]:
        tables = self.__dict__.get("_fast")
        if tables is None:
            assert self.coef is not None
            blocks, _ = tfidf_blocks([self.word_vectorizer, self.char_vectorizer])
            tables = {"blocks": blocks, "coef": self.coef, "intercept": self.intercept}
            self.__dict__["_fast"] = tables
        return tables

    def _predict_proba_one(self, words: Sequence[str], text: str) -> np.ndarray:
        """The live case, one message: the same numbers as sklearn's, faster (complaint_desk.nlu.fast_linear)."""
        tables = self._fast_tables()
        indices, values = tfidf_row(tables["blocks"], [words, text])
        return linear_probabilities(tables["coef"], tables["intercept"], indices, values)


def blend_rankings(
    model_ranking: Mapping[str, float], lexical: Mapping[str, float], lexical_weight: float
) -> list[tuple[str, float]]:
    """(intent, confidence) best first, by log-linear pooling of the two distributions:
    confidence ∝ lexical ** lexical_weight * model ** (1 - lexical_weight).

    A geometric blend keeps the confidences as sharp as the sharper side where both agree, so a
    fallback threshold still separates doubtful messages. An intent missing from one side (a
    truncated ranking) gets the floor probability there.
    """
    if not 0.0 <= lexical_weight <= 1.0:
        raise ValueError("lexical_weight must lie in [0, 1]")
    names = sorted(set(model_ranking) | set(lexical))
    if not names:
        return []
    log_scores = np.asarray([
        lexical_weight * math.log(max(lexical.get(name, 0.0), _FLOOR))
        + (1.0 - lexical_weight) * math.log(max(model_ranking.get(name, 0.0), _FLOOR))
        for name in names
    ])
    scores = np.exp(log_scores - log_scores.max())
    scores /= scores.sum()
    return sorted(zip(names, scores.tolist(), strict=True), key=lambda item: (-item[1], item[0]))
