"""The guard's phrase model: which way a sentence over-promises, learned from labelled agent replies.

The rules in knowledge/guard_rules.yml keep the checks that need the conversation's context (amounts
against the approved amount and the coupon cap, times against the SLA table, remedies against those
approved). Phrasing is open-ended: 包在我身上 is as certain as 保证, 下班前 as much a time promise as
今天之内. So for the phrase families a classifier reads each sentence: TF-IDF over character 1-3-grams
of the normalized text, and a multinomial logistic regression over the labels of the corpus
(knowledge/guard_corpus/*.jsonl: one agent reply per line, labelled `ok` or with the way it breaks the rules).

A sentence is flagged when the model's probability that it is `ok` falls below `max_ok_probability`
(chosen by cross-validation on the corpus, `python -m tools.guard_phrase_cv`); the label is the most
likely of the others. Fitting takes about half a minute; the fitted model is kept in var/cache per corpus content.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from complaint_desk.knowledge import KnowledgeError, source_name
from complaint_desk.nlu.emotion_model import word_tokenizer
from complaint_desk.nlu.fast_linear import tfidf_blocks, tfidf_row
from complaint_desk.nlu.normalize import normalize
from complaint_desk.paths import CACHE_DIR

OK = "ok"
CACHE_VERSION = 1  # bump when PhraseModel's fitted attributes change
logger = logging.getLogger(__name__)
_NOT_A_WORD = re.compile(r"[\W_]+")


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


def words_of(text: str) -> list[str]:
    """Jieba words (dictionary words only, no HMM guesses: steadier and faster) and word bigrams."""
    words = [word for word in word_tokenizer().lcut(text, HMM=False) if word.strip() and not _NOT_A_WORD.fullmatch(word)]
    return words + [f"{first} {second}" for first, second in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class ModelOptions:
    """How the model is built (knowledge/guard_phrases.yml, `model:`); the CV tool reads the same."""
    regularization: float = 10.0
    word_features: bool = False  # jieba words and word bigrams beside the character n-grams
    class_weight: str | None = None  # "balanced": each label weighs as much as `ok`
    joined_pairs: int = 0  # lines made of two corpus lines (a calm clause does not excuse a violating one)


def joined_pairs(replies: Sequence[LabelledReply], count: int, seed: int = 7) -> list[LabelledReply]:
    """`count` lines made of two corpus lines joined by a comma: a violating line beside a compliant one is
    labelled as the violating one, two compliant lines are compliant. Agents write long sentences; a model
    that read only single lines would let a calm clause outweigh a promise beside it."""
    fine = [r for r in replies if r.label == OK]
    bad = [r for r in replies if r.label != OK]
    if not fine or not bad or count <= 0:
        return []
    rng = random.Random(seed)
    out = []
    for index in range(count):
        first = rng.choice(fine)
        second = rng.choice(bad) if index % 2 else rng.choice(fine)
        if rng.random() < 0.5:
            first, second = second, first
        label = first.label if first.label != OK else second.label
        out.append(LabelledReply(f"{first.text.rstrip('。！!？?')}，{second.text}", label))
    return out


class PhraseModel:
    def __init__(self, replies: Sequence[LabelledReply], max_ok_probability: float,
                 regularization: float = 10.0, min_label_probability: float = 0.0,
                 options: ModelOptions | None = None) -> None:
        options = options or ModelOptions(regularization=regularization)
        self.max_ok_probability = max_ok_probability
        self.min_label_probability = min_label_probability  # unsure is not a violation
        replies = [*replies, *joined_pairs(replies, options.joined_pairs)]
        texts = [features_of(r.text) for r in replies]
        self.vectorizers = [TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)]
        if options.word_features:
            self.vectorizers.append(TfidfVectorizer(analyzer=words_of, sublinear_tf=True, min_df=1))
        matrix = sp.hstack([v.fit_transform(texts) for v in self.vectorizers]).tocsr()
        self.classifier = LogisticRegression(C=options.regularization, max_iter=3000,
                                             class_weight=options.class_weight)
        self.classifier.fit(matrix, [r.label for r in replies])
        self.labels: list[str] = list(self.classifier.classes_)
        self._blocks, _width = tfidf_blocks(self.vectorizers)
        coef = self.classifier.coef_
        intercept = self.classifier.intercept_
        if coef.shape[0] == 1:  # two labels only: sklearn keeps one row for the second
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.asarray([-intercept[0] / 2, intercept[0] / 2])
        self._coef, self._intercept = coef, intercept
        self._coef_rows = np.ascontiguousarray(coef.T)  # one row per feature: a sentence's rows are read at once

    def probabilities(self, sentence: str) -> Mapping[str, float]:
        features = features_of(sentence)
        indices, values = tfidf_row(self._blocks, [features] * len(self._blocks))
        if not indices:
            return {OK: 1.0}
        scores = np.asarray(values) @ self._coef_rows[indices] + self._intercept
        probabilities = np.exp(scores - scores.max())
        probabilities /= probabilities.sum()
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
def _trained(digest: str, paths: tuple[Path, ...], labels: tuple[str, ...], options: ModelOptions) -> PhraseModel:
    """Trained once per corpus content and options, and kept on disk: fitting takes half a minute, and every
    process (Rasa, the action server, the console, the tools) loads the guard."""
    key = hashlib.sha256(repr((digest, labels, options, CACHE_VERSION)).encode()).hexdigest()[:24]
    cached = CACHE_DIR / f"guard_phrase_model-{key}.joblib"
    try:
        model = joblib.load(cached)
        if isinstance(model, PhraseModel):
            return model
    except Exception:  # missing, half-written or from another library version: train again
        pass
    model = PhraseModel(read_corpus(paths, labels), 1.0, options=options)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        joblib.dump(model, partial)
        os.replace(partial, cached)  # atomic: a process starting beside this one reads all of it or nothing
    except OSError as error:
        logger.warning("话术模型缓存写入失败（%s），下次启动会重新训练", error)
    return model


def train_phrase_model(paths: Sequence[Path], labels: Sequence[str], max_ok_probability: float,
                       regularization: float = 10.0, min_label_probability: float = 0.0,
                       options: ModelOptions | None = None) -> PhraseModel:
    """The model for these corpus files, trained once per content, options and process (the guard is loaded by
    every process and by many tests); the thresholds are this call's."""
    digest = hashlib.sha256(b"".join(Path(p).read_bytes() for p in paths)).hexdigest()
    options = options or ModelOptions(regularization=regularization)
    model = copy.copy(_trained(digest, tuple(Path(p) for p in paths), tuple(labels), options))
    model.max_ok_probability, model.min_label_probability = max_ok_probability, min_label_probability
    return model


def model_options(raw: Mapping[str, Any]) -> ModelOptions:
    """The `model:` block of knowledge/guard_phrases.yml (with the older top-level `regularization`)."""
    block = dict(raw.get("model") or {})
    unknown = block.keys() - set(ModelOptions.__dataclass_fields__)
    if unknown:
        raise ValueError(f"model: 未知的选项 {sorted(unknown)}")
    block.setdefault("regularization", raw.get("regularization", 10.0))
    return ModelOptions(**block)
