"""One message through TF-IDF features and a linear model, without sklearn's per-call overhead.

sklearn's `transform` + `predict_proba` cost about a millisecond per call for a single text, and
the live parse scores one message at a time. These helpers give the same numbers (sublinear TF,
l2-normalized per vectorizer) from the fitted vectorizers' vocabularies.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass(frozen=True)
class TfidfBlock:
    """A fitted vectorizer's analyzer, vocabulary and idf, placed at `offset` in the feature row."""

    analyzer: Callable[[Any], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int


def tfidf_blocks(vectorizers: Sequence[TfidfVectorizer]) -> tuple[list[TfidfBlock], int]:
    """Blocks for vectorizers stacked side by side, and the width they take together."""
    blocks, offset = [], 0
    for vectorizer in vectorizers:
        blocks.append(TfidfBlock(vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset))
        offset += len(vectorizer.vocabulary_)
    return blocks, offset


def tfidf_row(blocks: Sequence[TfidfBlock], documents: Sequence[Any]) -> tuple[list[int], list[float]]:
    """Column indices and values of one message's features; documents[i] is what blocks[i] reads."""
    indices: list[int] = []
    values: list[float] = []
    for block, document in zip(blocks, documents, strict=True):
        counts = Counter(block.analyzer(document))
        weighted = {
            block.vocabulary[term]: (1.0 + math.log(count)) * block.idf[block.vocabulary[term]]
            for term, count in counts.items()
            if term in block.vocabulary
        }
        norm = math.sqrt(sum(weight * weight for weight in weighted.values())) or 1.0
        indices += [block.offset + index for index in weighted]
        values += [weight / norm for weight in weighted.values()]
    return indices, values


def linear_probabilities(coef: np.ndarray, intercept: np.ndarray, indices: Sequence[int],
                         values: Sequence[float]) -> np.ndarray:
    """Class probabilities of a fitted (multinomial or binary) logistic regression for one sparse row."""
    scores = coef[:, list(indices)] @ np.asarray(values, dtype=np.float64) + intercept
    if coef.shape[0] == 1:  # binary: one row of coefficients for the second class
        positive = 1.0 / (1.0 + math.exp(-float(scores[0])))
        return np.asarray([1.0 - positive, positive])
    scores = np.exp(scores - scores.max())
    return scores / scores.sum()


class FastTablesMixin:
    """Keeps the fast-path tables (`self.__dict__["_fast"]`) out of the pickled model."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_fast", None)
        return state
