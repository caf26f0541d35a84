"""The simple baselines `make eval-nlu` prints next to each of our figures (besides the lexical intent
model of tools.nlu_folds): Rasa's default pipeline, and keyword lexicons for emotion and complaints."""

from __future__ import annotations

from typing import Any

from tools.nlu_folds import SEED

# Rasa's default pipeline (`rasa init`), with JiebaTokenizer for Chinese.
BASELINE_PIPELINE: list[dict[str, Any]] = [
    {"name": "JiebaTokenizer"},
    {"name": "RegexFeaturizer"},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
    {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True, "random_seed": SEED},
    {"name": "EntitySynonymMapper"},
    {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
]
# Keyword baseline for complaint detection, fixed before any measurement.
COMPLAINT_KEYWORDS = ("差", "不好", "坏", "破损", "退货", "退款", "假货", "骗", "慢", "垃圾", "失望", "投诉", "问题",
                      "不行", "不值", "后悔", "难用", "太贵")


def keyword_emotion(text: str, cues: Any) -> str:
    """Baseline: the emotion whose cue words (knowledge/emotion_cues.yml) occur most; none -> neutral."""
    from complaint_desk.nlu.normalize import normalize

    counts = cues.counts(normalize(text).lower())
    scores = {
        "angry": counts["swear"] + counts["threat"] + counts["angry"] + counts["emoji_angry"],
        "anxious": counts["anxious"] + counts["emoji_anxious"],
        "disappointed": counts["disappointed"] + counts["emoji_disappointed"],
        "satisfied": counts["satisfied"] + counts["emoji_satisfied"],
    }
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] > 0 else "neutral"


def keyword_complaint(text: str, cues: Any) -> bool:
    from complaint_desk.nlu.emotion_model import NEGATIVE_EMOTIONS

    return keyword_emotion(text, cues) in NEGATIVE_EMOTIONS or any(word in text for word in COMPLAINT_KEYWORDS)
