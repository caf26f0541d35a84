"""The floor: jieba tokenize + TF-IDF + logistic regression, in-process, one message at a time.

No HTTP, no tracker, no dialogue: the least work any intent classifier for this data does per message.
Trained on the data/nlu examples (entity markup stripped); a stratified 80/20 split gives a rough accuracy.
"""

from __future__ import annotations

import logging
import random
import re
import time
from pathlib import Path

import yaml

from bench.common import ROOT, summarize_ms

ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def nlu_examples(nlu_dir: Path = ROOT / "data" / "nlu") -> list[tuple[str, str]]:
    examples: list[tuple[str, str]] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu", []):
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append((ANNOTATION.sub(r"\1", line[2:].strip()), block["intent"]))
    return examples


def run_floor(messages: list[str], repeats: int = 30) -> dict:
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    examples = nlu_examples()

    def tokens(text: str) -> list[str]:
        return [token for token in jieba.lcut(text) if token.strip()]

    def fit(rows: list[tuple[str, str]]):
        vectorizer = TfidfVectorizer(analyzer=tokens, sublinear_tf=True)
        features = vectorizer.fit_transform([text for text, _ in rows])
        model = LogisticRegression(max_iter=2000, C=10.0)
        model.fit(features, [intent for _, intent in rows])
        return vectorizer, model

    rng = random.Random(17)
    by_intent: dict[str, list[tuple[str, str]]] = {}
    for row in examples:
        by_intent.setdefault(row[1], []).append(row)
    train, held_out = [], []
    for rows in by_intent.values():
        rng.shuffle(rows)
        cut = max(1, len(rows) // 5)
        held_out += rows[:cut]
        train += rows[cut:]
    vectorizer, model = fit(train)
    predicted = model.predict(vectorizer.transform([text for text, _ in held_out]))
    accuracy = sum(p == gold for p, (_, gold) in zip(predicted, held_out, strict=True)) / len(held_out)

    fit_started = time.perf_counter()
    vectorizer, model = fit(examples)
    fit_seconds = time.perf_counter() - fit_started

    for text in messages:  # warm-up
        model.predict_proba(vectorizer.transform([text]))
    durations = []
    for _ in range(repeats):
        for text in messages:
            started = time.perf_counter()
            probabilities = model.predict_proba(vectorizer.transform([text]))[0]
            _intent = model.classes_[probabilities.argmax()]
            durations.append((time.perf_counter() - started) * 1000)
    return {
        **summarize_ms(durations),
        "examples": len(examples),
        "intents": len(by_intent),
        "fit_s": round(fit_seconds, 2),
        "held_out_accuracy": round(accuracy, 3),
        "held_out_n": len(held_out),
    }
