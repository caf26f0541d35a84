"""The guard's phrase model: which way a sentence over-promises, learned from labelled agent replies.

The rules in knowledge/guard_rules.yml keep the checks that need the conversation's context (amounts
against the approved amount and the coupon cap, times against the SLA table, remedies against those
approved). Phrasing is open-ended: 包在我身上 is as certain as 保证, 下班前 as much a time promise as
今天之内. So for the phrase families a classifier reads each sentence: TF-IDF over character 1-3-grams
of the normalized text, and a multinomial logistic regression over the labels of the corpus
(knowledge/guard_corpus/*.jsonl: one agent reply per line, labelled `ok` or with the way it breaks the rules).

A sentence is flagged when the model's probability that it is `ok` falls below `max_ok_probability`
(chosen by cross-validation on the corpus, `python -m tools.guard_phrase_cv`); the label is the most
likely of the others. Training takes about a second and is done once per corpus and process.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from complaint_desk.knowledge import KnowledgeError, source_name
from complaint_desk.nlu.fast_linear import linear_probabilities, tfidf_blocks, tfidf_row
from complaint_desk.nlu.normalize import normalize

OK = "ok"


@dataclass(frozen=True)
class LabelledReply:
    text: str
    label: str


def read_corpus(paths: Sequence[Path], labels: Sequence[str]) -> list[LabelledReply]:
    """Every line of the corpus files; a bad line names its file and line."""
    allowed = {OK, *labels}
    replies: list[LabelledReply] = []
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, label = str(row["text"]), str(row["label"])
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise KnowledgeError(source_name(path), [(number, f"每行应为 {{\"text\", \"label\"}}：{error}")]) from error
            if label not in allowed:
                raise KnowledgeError(source_name(path), [(number, f"未知的标签 {label!r}（可选：{sorted(allowed)}）")])
            replies.append(LabelledReply(text, label))
    return replies


def features_of(text: str) -> str:
    return normalize(text).lower()


class PhraseModel:
    def __init__(self, replies: Sequence[LabelledReply], max_ok_probability: float,
                 regularization: float = 10.0, min_label_probability: float = 0.0) -> None:
        self.max_ok_probability = max_ok_probability
        self.min_label_probability = min_label_probability  # unsure is not a violation
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        matrix = self.vectorizer.fit_transform([features_of(r.text) for r in replies])
        self.classifier = LogisticRegression(C=regularization, max_iter=2000)
        self.classifier.fit(matrix, [r.label for r in replies])
        self.labels: list[str] = list(self.classifier.classes_)
        self._blocks, _width = tfidf_blocks([self.vectorizer])
        coef = self.classifier.coef_
        intercept = self.classifier.intercept_
        if coef.shape[0] == 1:  # two labels only: sklearn keeps one row for the second
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.asarray([-intercept[0] / 2, intercept[0] / 2])
        self._coef, self._intercept = coef, intercept

    def probabilities(self, sentence: str) -> Mapping[str, float]:
        indices, values = tfidf_row(self._blocks, [features_of(sentence)])
        if not indices:
            return {OK: 1.0}
        probabilities = linear_probabilities(self._coef, self._intercept, indices, values)
        return dict(zip(self.labels, (float(p) for p in probabilities), strict=True))

    def ok_probability(self, sentence: str) -> float:
        """How sure the model is that the sentence is fine."""
        return self.probabilities(sentence).get(OK, 1.0)

    def violation(self, sentence: str, skip: frozenset[str] = frozenset()) -> tuple[str, float] | None:
        """(label, probability) when the sentence reads as breaking a rule, else None. Labels in `skip` are
        fine in this context: their probability counts as the sentence being fine."""
        probabilities = self.probabilities(sentence)
        fine = probabilities.get(OK, 1.0) + sum(probabilities.get(label, 0.0) for label in skip)
        if fine >= self.max_ok_probability:
            return None
        label, probability = max(((label, p) for label, p in probabilities.items() if label != OK and label not in skip),
                                 key=lambda item: item[1], default=(None, 0.0))
        return (label, probability) if label and probability >= self.min_label_probability else None


@cache
def _trained(digest: str, paths: tuple[Path, ...], labels: tuple[str, ...], regularization: float) -> PhraseModel:
    return PhraseModel(read_corpus(paths, labels), 1.0, regularization)


def train_phrase_model(paths: Sequence[Path], labels: Sequence[str], max_ok_probability: float,
                       regularization: float = 10.0, min_label_probability: float = 0.0) -> PhraseModel:
    """The model for these corpus files, trained once per content and process (the guard is loaded by
    every process and by many tests); the thresholds are this call's."""
    digest = hashlib.sha256(b"".join(Path(p).read_bytes() for p in paths)).hexdigest()
    model = copy.copy(_trained(digest, tuple(Path(p) for p in paths), tuple(labels), regularization))
    model.max_ok_probability, model.min_label_probability = max_ok_probability, min_label_probability
    return model
