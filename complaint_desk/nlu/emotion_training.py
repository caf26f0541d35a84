"""Fitting the emotion model (complaint_desk.nlu.emotion_model) on labelled texts.

The labels come from the NLU data's metadata (read by components/emotion_classifier.py) and
from general-domain example files such as data/emotion/general_emotion.yml (`load_labelled_examples`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from complaint_desk.nlu.emotion_cues import DEFAULT_CUES_PATH, CueLexicon, fold_text
from complaint_desk.nlu.emotion_general_knowledge import load_general_lexicon, train_polarity_model
from complaint_desk.nlu.emotion_model import EmotionModel, jieba_words
from complaint_desk.taxonomy import EMOTIONS


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    cues_path: str | Path = DEFAULT_CUES_PATH,
    use_general_knowledge: bool = True,
    regularization: float = 100.0,
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
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1, max_features=80000
    )
    folded = [fold_text(text) for text in texts]
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
