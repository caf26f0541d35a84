"""A neutral model of the conversation so far: the customer's turns, built from plain data.

Built from Rasa tracker event dicts (the action server's and the console's alike), so nothing here
imports Rasa. The text helpers the rules share live in complaint_desk.nlu.cues.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from complaint_desk.nlu.cues import normalized_text
from complaint_desk.taxonomy import EMOTIONS

RISING, FALLING, STEADY = "rising", "falling", "steady"
# Anger of an angry turn whose intensity was not recorded.
DEFAULT_ANGER_INTENSITY = 0.6
DEFAULT_ANGER_CHANGE = 0.25
DEFAULT_ANGER_WINDOW = 3  # earlier turns (with an emotion) the latest one is compared with



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
