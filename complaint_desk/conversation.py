"""A neutral model of the conversation so far: the customer's turns, built from plain data.

Used by the Rasa action server (from tracker events) and by the agent-assist API (from
its own records), so nothing here imports Rasa. Also holds the small text helpers that
profile, risk and handoff share: cached normalization and cue-word matching.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from complaint_desk.numerals import (
    NUMBER_PATTERN,
    AmountMatch,
    MultiplierMatch,
    find_amounts,
    find_multipliers,
    parse_number,
)
from complaint_desk.taxonomy import EMOTIONS
from complaint_desk.text_normalize import normalize

RISING, FALLING, STEADY = "rising", "falling", "steady"
# Anger of an angry turn whose intensity was not recorded.
DEFAULT_ANGER_INTENSITY = 0.6
DEFAULT_ANGER_CHANGE = 0.25
DEFAULT_ANGER_WINDOW = 3  # earlier turns (with an emotion) the latest one is compared with

_CLAUSE_BREAK_RE = re.compile(r"[，,。！!？?；;\n~～…]+")
_SENTENCE_RE = re.compile(r"[^。！!？?；;\n…]+[。！!？?；;\n…]*")
# Order and phone numbers: the numeral patterns backtrack badly on long digit runs, and such
# runs are never money amounts here, so they are masked (same length) before amounts are read.
_LONG_DIGIT_RUN_RE = re.compile(r"[0-9]{7,}")
_NUMBER_RE = re.compile(NUMBER_PATTERN)
_LARGE_UNIT_RE = re.compile(r"[百佰千仟万萬]")
_NOT_MONEY_AFTER_RE = re.compile(r"[倍天个次件年月日号小分秒岁人台部只斤米公]")  # 三百天, 两千个, 一万次...


@dataclass(frozen=True)
class CustomerTurn:
    text: str
    intent: str | None = None
    emotion: str | None = None  # angry|anxious|disappointed|neutral|satisfied
    intensity: float = 0.0  # 0..1
    entities: tuple[Mapping[str, Any], ...] = ()  # Rasa-style: {"entity": "channel", "value": "12315", ...}
    timestamp: float | None = None  # unix seconds

    @property
    def normalized(self) -> str:
        """Simplified, half-width, lower-case text (cached by text)."""
        return normalized_text(self.text)

    def entity_values(self, entity: str) -> list[str]:
        return [str(e["value"]) for e in self.entities if e.get("entity") == entity and e.get("value") is not None]


@lru_cache(maxsize=8192)
def normalized_text(text: str) -> str:
    """normalize() plus lower-case; same length as the input. Cached: turns are re-read on every message."""
    normalized = normalize(text)
    lowered = normalized.lower()
    return lowered if len(lowered) == len(normalized) else normalized


def turns_from_tracker_events(events: Iterable[Mapping[str, Any]], since_restart: bool = True) -> list[CustomerTurn]:
    """Customer turns from Rasa tracker event dicts; other events are ignored.

    A "restart" event starts the conversation over (as Rasa does) unless since_restart is False.
    """
    turns: list[CustomerTurn] = []
    for event in events:
        kind = event.get("event")
        if kind == "restart" and since_restart:
            turns.clear()
        elif kind == "user":
            turns.append(_turn_from_user_event(event))
    return turns


def last_named(turns: Sequence[CustomerTurn], entity: str) -> str | None:
    """The value of `entity` the customer gave most recently, if any."""
    for turn in reversed(turns):
        values = turn.entity_values(entity)
        if values:
            return values[-1]
    return None


def _turn_from_user_event(event: Mapping[str, Any]) -> CustomerTurn:
    parse_data = event.get("parse_data") or {}
    intent = parse_data.get("intent") or {}
    emotion = parse_data.get("emotion") or {}
    if isinstance(emotion, str):  # tolerate a bare label
        emotion = {"name": emotion}
    emotion_name = emotion.get("name")
    timestamp = event.get("timestamp")
    return CustomerTurn(
        text=str(event.get("text") or ""),
        intent=intent.get("name") if isinstance(intent, Mapping) else None,
        emotion=emotion_name if emotion_name in EMOTIONS else None,
        intensity=_clamp(emotion.get("intensity") or 0.0),
        entities=tuple(e for e in parse_data.get("entities") or () if isinstance(e, Mapping)),
        timestamp=float(timestamp) if isinstance(timestamp, int | float) else None,
    )


def _clamp(value: Any) -> float:
    try:
        return min(1.0, max(0.0, float(value)))
    except (TypeError, ValueError):
        return 0.0


# ---------------------------------------------------------------- emotion trend


def emotion_trend(turns: Sequence[CustomerTurn]) -> list[str]:
    """The emotion of each turn that has one, in order."""
    return [turn.emotion for turn in turns if turn.emotion]


def anger_level(turn: CustomerTurn) -> float:
    """0 unless the turn is angry; then its intensity (a default when none was recorded)."""
    if turn.emotion != "angry":
        return 0.0
    return turn.intensity if turn.intensity > 0 else DEFAULT_ANGER_INTENSITY


def anger_direction(turns: Sequence[CustomerTurn], min_change: float = DEFAULT_ANGER_CHANGE,
                    window: int = DEFAULT_ANGER_WINDOW) -> str:
    """"rising", "falling" or "steady": the latest turn's anger against the calmest / angriest of the
    `window` turns before it. Anger that stays high for longer than the window reads as steady."""
    levels = [anger_level(turn) for turn in turns if turn.emotion][-(window + 1):]
    if len(levels) < 2:
        return STEADY
    *earlier, latest = levels
    if latest > 0 and latest - min(earlier) >= min_change:
        return RISING
    if max(earlier) - latest >= min_change:
        return FALLING
    return STEADY


# ---------------------------------------------------------------- text helpers


def sentences(text: str) -> list[str]:
    """Sentences of one message, each with its closing punctuation, stripped."""
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip()]


def clauses(normalized: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_BREAK_RE.split(normalized) if c.strip()]


def compile_cues(words: Iterable[str] = (), patterns: Iterable[str] = ()) -> re.Pattern[str] | None:
    """One regex for cue words (normalized, longest first) and raw patterns; None when empty."""
    alternatives = [re.escape(normalized_text(str(w))) for w in sorted(set(words), key=len, reverse=True)]
    alternatives += [f"(?:{pattern})" for pattern in patterns]
    return re.compile("|".join(alternatives)) if alternatives else None


def compile_negation(words: Iterable[str], gap: int = 4) -> re.Pattern[str] | None:
    """Matches at the end of the text before a cue when a negation word precedes it within `gap` characters."""
    words = [re.escape(normalized_text(str(w))) for w in sorted(set(words), key=len, reverse=True)]
    if not words:
        return None
    return re.compile(rf"(?:{'|'.join(words)})[^，,。！!？?；;\n]{{0,{gap}}}$")


def is_negated(text: str, start: int, negation: re.Pattern[str] | None, window: int = 12) -> bool:
    """Whether the cue at `start` is negated ("不会去12315", "不要精神损失费")."""
    return negation is not None and negation.search(text[max(0, start - window):start]) is not None


def find_cues(text: str, cues: re.Pattern[str] | None, negation: re.Pattern[str] | None = None) -> list[str]:
    """Distinct cue hits in normalized text, in order of appearance, skipping negated ones."""
    if cues is None:
        return []
    hits: list[str] = []
    for match in cues.finditer(text):
        if match.group() and match.group() not in hits and not is_negated(text, match.start(), negation):
            hits.append(match.group())
    return hits


def _mask_long_numbers(text: str) -> str:
    return _LONG_DIGIT_RUN_RE.sub(lambda match: "#" * len(match.group()), text)


def amounts_in(text: str, bare_large: bool = False) -> list[AmountMatch]:
    """Money amounts (numerals.find_amounts), ignoring order/phone numbers; spans refer to `text`.

    bare_large also reads numbers with 百/千/万 and no currency ("赔我2万"), for text known to be about money.
    """
    masked = _mask_long_numbers(text)
    found = [AmountMatch(a.start, a.end, a.value, text[a.start:a.end]) for a in find_amounts(masked)]
    if bare_large:
        for match in _NUMBER_RE.finditer(masked):
            start, end = match.span()
            if (_LARGE_UNIT_RE.search(match.group()) and not _NOT_MONEY_AFTER_RE.match(masked, end)
                    and not any(a.start < end and start < a.end for a in found)):
                value = parse_number(match.group())
                if value is not None:
                    found.append(AmountMatch(start, end, value, text[start:end]))
        found.sort(key=lambda a: a.start)
    return found


def multipliers_in(text: str) -> list[MultiplierMatch]:
    """Multipliers (numerals.find_multipliers), ignoring order/phone numbers."""
    masked = _mask_long_numbers(text)
    return [MultiplierMatch(m.start, m.end, m.factor, text[m.start:m.end]) for m in find_multipliers(masked)]
