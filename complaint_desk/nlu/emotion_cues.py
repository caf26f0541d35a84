"""The emotion cue lexicon (knowledge/emotion_cues.yml) and the text forms the emotion features read.

Cue groups (swearing, threats, anxious, disappointed and satisfied words, intensifiers) are
counted in a message together with emoji, !!!, ?? and repetition; the counts are features of
the emotion model (complaint_desk.nlu.emotion_model) and score its intensity (0..1).

Every emotion feature reads one of two forms of the customer's text:
- `clean_text`: normalized (simplified, half-width) and lower-cased: what cues and lexicons read;
- `fold_text`: cleaned, digits folded to 0: what the n-grams read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.cues import compile_cues, compile_negation, is_negated
from complaint_desk.nlu.normalize import normalize
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.taxonomy import EMOTIONS

DEFAULT_CUES_PATH = KNOWLEDGE_DIR / "emotion_cues.yml"

_CUE_WORD_GROUPS = ("swear", "threat", "angry", "anxious", "disappointed", "satisfied", "intensifier")
_DIGIT_RE = re.compile(r"\d")
_EXCLAMATION_RE = re.compile(r"[!！]")
_QUESTION_RUN_RE = re.compile(r"[?？]{2,}")
_CHAR_RUN_RE = re.compile(r"([^\W\d_])\1{2,}")  # 啊啊啊
_PHRASE_RUN_RE = re.compile(r"([^\W\d_]{2,4})\1+")  # 快点快点
_CLAUSE_SPLIT_RE = re.compile(r"[，,。.！!？?；;\s~～…]+")


def clean_text(text: str) -> str:
    """Normalized (simplified, half-width) and lower-cased: what the cue lexicon reads."""
    return normalize(text).lower()


def fold_cleaned(cleaned: str) -> str:
    """Digits of cleaned text folded to 0 (order numbers and prices carry no emotion)."""
    return _DIGIT_RE.sub("0", cleaned)


def fold_text(text: str) -> str:
    """Cleaned, digits folded to 0: what the n-grams read."""
    return fold_cleaned(clean_text(text))


@dataclass
class CueGroup:
    """Words and regular expressions of one cue group, with its intensity weight and cap.

    `negations` rule a hit out when one of them comes shortly before it in the same clause
    ("不会去12315", "没打算找律师"); `negations_after` when one follows it ("12315就不打了").
    """

    words: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    weight: float = 0.0
    cap: float = 0.0
    negations: tuple[str, ...] = ()
    negations_after: tuple[str, ...] = ()
    _regex: re.Pattern[str] | None = field(default=None, repr=False)
    _negation: re.Pattern[str] | None = field(default=None, repr=False)
    _negation_after: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._regex = compile_cues(self.words, self.patterns, fold=clean_text)
        self._negation = compile_negation(self.negations, gap=4) if self.negations else None
        after = compile_cues(self.negations_after, fold=clean_text) if self.negations_after else None
        self._negation_after = re.compile(rf"^[^，,。！!？?；;\n]{{0,3}}(?:{after.pattern})") if after else None

    def count(self, text: str) -> int:
        if not self._regex:
            return 0
        if self._negation is None and self._negation_after is None:
            return len(self._regex.findall(text))
        return sum(1 for match in self._regex.finditer(text) if not self._ruled_out(text, match))

    def _ruled_out(self, text: str, match: re.Match[str]) -> bool:
        if is_negated(text, match.start(), self._negation, window=8):
            return True
        return self._negation_after is not None and self._negation_after.search(text[match.end():]) is not None

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
        raw = load_knowledge(path)
        with reading(raw, "情绪线索词表"):
            return cls.from_dict(raw)

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
                negations=tuple(str(word) for word in entry.get("negations") or ()),
                negations_after=tuple(str(word) for word in entry.get("negations_after") or ()),
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
        text = clean_text(text)
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
