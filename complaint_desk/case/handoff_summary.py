"""Human handoff: reason ids, the summary the agent reads, and what the bot honestly tells the customer.

Wording lives in knowledge/handoff.yml. The customer message promises nothing beyond the
working hours and the usual pickup time; tests run every wording through the guard.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from complaint_desk.case.profile import CustomerProfile, content_length
from complaint_desk.case.risk import RiskAssessment, RiskRules
from complaint_desk.case.turns import (
    STEADY,
    CustomerTurn,
    anger_direction,
    emotion_trend,
    last_named,
)
from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.cues import (
    amounts_in,
    compile_cues,
    normalized_text,
    sentences,
)
from complaint_desk.taxonomy import COMPLAINT_CATEGORIES, EMOTIONS, category_for_intent

ESCALATION_CATEGORY = "escalation"
_LINE_KEYS = ("title", "category", "level", "order", "quotes", "outcome", "emotion", "profile", "risk", "risk_plain",
              "offered", "declined")
WAITING_MESSAGE_KEYS = ("first", "again", "after_hours", "noted")
_QUOTE_WEIGHT_KEYS = ("length", "problem", "first_problem", "outcome", "threat", "number")
_QUOTE_LENGTH_CAP = 40  # characters beyond this add no more to a sentence's score
_WORKING_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DIGIT_RE = re.compile(r"[0-9]")
_NOT_WORD_RE = re.compile(r"[\W_]+")


class HandoffReason(StrEnum):
    CHANNEL_THREAT = "channel_threat"
    PRIVACY = "privacy"
    FRAUD = "fraud"
    REPEAT_COMPLAINT = "repeat_complaint"
    CUSTOMER_REQUEST = "customer_request"
    RED_RISK = "red_risk"
    OFFERS_EXHAUSTED = "offers_exhausted"
    ORDER_NOT_FOUND = "order_not_found"
    LEFT_MESSAGE = "left_message"  # written in the widget outside service hours (留言), not handed off by the bot


@dataclass(frozen=True)
class SummaryInput:
    reason: HandoffReason | str
    turns: Sequence[CustomerTurn] = ()
    category: str | None = None  # taxonomy id; otherwise from the latest complaint intent
    order_id: str | None = None  # otherwise the latest order_id entity
    product: str | None = None  # otherwise the latest product entity
    desired_outcome: str | None = None  # outcome id (refund, exchange, ...) or text; otherwise from entities
    complaint_level: str | None = None  # 咨询 / 异议 / 投诉 / 升级投诉
    profile: CustomerProfile | None = None  # computed from the turns when None
    risk: RiskAssessment | None = None
    offered: tuple[str, ...] = ()  # titles of remedies offered so far
    declined: tuple[str, ...] = ()  # titles of remedies the customer declined


@dataclass(frozen=True, eq=False)  # hashed by identity: sentence scores are cached per data object
class HandoffData:
    reason_labels: Mapping[str, str]
    working_hours: tuple[dt.time, dt.time]
    working_hours_text: str
    pickup_minutes: int
    default_message: str
    after_hours_message: str
    reason_messages: Mapping[str, str]
    waiting_messages: Mapping[str, str]  # first / again / after_hours: receipts while the customer waits
    lines: Mapping[str, str]
    max_quotes: int
    quote_max_chars: int
    quote_min_chars: int
    max_risk_reasons: int
    max_emotion_steps: int
    low_information_intents: frozenset[str]
    low_information_max_chars: int
    quote_weights: Mapping[str, float]
    problem_words: re.Pattern[str] | None
    outcome_words: re.Pattern[str] | None
    direction_names: Mapping[str, str]
    emotion_names: Mapping[str, str]
    reply_style_hints: Mapping[str, str]
    category_names: Mapping[str, str]
    outcome_names: Mapping[str, str]
    # from the risk rules: threat cues raise a quote's score; the anger trend uses the same window
    threat_cues: tuple[re.Pattern[str], ...] = ()
    anger_min_change: float = 0.25
    anger_window: int = 3

    def message(self, template: str) -> str:
        return template.format(hours=self.working_hours_text, pickup_minutes=self.pickup_minutes)


# ---------------------------------------------------------------- loading


def load_handoff_data(path: str | Path, risk: RiskRules) -> HandoffData:
    """Read knowledge/handoff.yml; every wording is formatted once here so that errors show at load."""
    raw = load_knowledge(path)
    with reading(raw, "转人工话术"):
        data = parse_handoff_data(raw, risk)
        for reason in HandoffReason:
            customer_handoff_message(reason, data=data)
        customer_handoff_message(HandoffReason.CUSTOMER_REQUEST, after_hours=True, data=data)
        for template in data.waiting_messages.values():
            data.message(template)
        for sample in _sample_summaries():
            summarize_for_agent(sample, data)
    return data


def parse_handoff_data(raw: Mapping[str, Any], risk: RiskRules) -> HandoffData:
    reason_labels = {reason.value: str(raw["reasons"][reason.value]) for reason in HandoffReason}
    hours = _WORKING_HOURS_RE.match(str(raw["working_hours"]))
    if not hours:
        raise ValueError("working_hours must look like 9:00-21:00")
    start_hour, start_minute, end_hour, end_minute = (int(group) for group in hours.groups())
    messages, summary = raw["messages"], raw["summary"]
    unknown = set(messages.get("by_reason") or {}) - {reason.value for reason in HandoffReason}
    if unknown:
        raise ValueError(f"messages.by_reason: unknown reasons {sorted(unknown)}")
    return HandoffData(
        reason_labels=reason_labels,
        working_hours=(dt.time(start_hour, start_minute), dt.time(end_hour % 24, end_minute)),
        working_hours_text=str(raw["working_hours"]).strip(),
        pickup_minutes=int(raw["pickup_minutes"]),
        default_message=str(messages["default"]),
        after_hours_message=str(messages["after_hours"]),
        reason_messages={str(k): str(v) for k, v in (messages.get("by_reason") or {}).items()},
        waiting_messages={key: str(messages["while_waiting"][key]) for key in WAITING_MESSAGE_KEYS},
        lines={key: str(summary["lines"][key]) for key in _LINE_KEYS},
        max_quotes=int(summary["max_quotes"]),
        quote_max_chars=int(summary["quote_max_chars"]),
        quote_min_chars=int(summary["quote_min_chars"]),
        max_risk_reasons=int(summary["max_risk_reasons"]),
        max_emotion_steps=int(summary["max_emotion_steps"]),
        low_information_intents=frozenset(summary.get("low_information_intents") or ()),
        low_information_max_chars=int(summary["low_information_max_chars"]),
        quote_weights={key: float(summary["quote_weights"][key]) for key in _QUOTE_WEIGHT_KEYS},
        problem_words=compile_cues(summary.get("problem_words") or ()),
        outcome_words=compile_cues(summary.get("outcome_words") or ()),
        direction_names=dict(summary["direction_names"]),
        emotion_names={emotion: str(summary["emotion_names"][emotion]) for emotion in EMOTIONS},
        reply_style_hints=dict(summary["reply_style_hints"]),
        category_names={category: str(summary["category_names"][category]) for category in COMPLAINT_CATEGORIES},
        outcome_names=dict(summary["outcome_names"]),
        threat_cues=tuple(channel.cues for channel in risk.channels.values() if channel.cues is not None),
        anger_min_change=risk.anger_min_change,
        anger_window=risk.anger_window,
    )


def _sample_summaries() -> tuple[SummaryInput, ...]:
    """Inputs that use every summary line, to check the line templates at load."""
    turn = CustomerTurn("屏幕裂了，我要退款", intent="complain_quality", emotion="angry", intensity=0.9)
    full = SummaryInput(HandoffReason.RED_RISK, (CustomerTurn("你好", emotion="neutral"), turn), order_id="1",
                        product="x", desired_outcome="refund", complaint_level="投诉",
                        risk=RiskAssessment("red", 80, ("x",), label="红色"), offered=("x",), declined=("x",))
    plain = SummaryInput(HandoffReason.RED_RISK, (turn,), risk=RiskAssessment("green", 0, ()))
    return full, plain


# ---------------------------------------------------------------- customer side


def handoff_label(reason: HandoffReason | str, data: HandoffData) -> str:
    """Chinese label of a handoff reason, for the agent console."""
    return data.reason_labels.get(str(reason), str(reason))


def is_working_time(now: dt.datetime, data: HandoffData) -> bool:
    start, end = data.working_hours
    return start <= now.time() < end if start < end else (now.time() >= start or now.time() < end)


def next_opening(now: dt.datetime, data: HandoffData) -> dt.datetime:
    """`now` within working hours; otherwise when they next begin (a human's clock starts then)."""
    if is_working_time(now, data):
        return now
    start = data.working_hours[0]
    opening = dt.datetime.combine(now.date(), start)
    return opening if opening > now else opening + dt.timedelta(days=1)


def customer_handoff_message(reason: HandoffReason | str, now: dt.datetime | None = None, *,
                             after_hours: bool | None = None, data: HandoffData) -> str:
    """What the bot tells the customer at handoff. Outside working hours (from `now` or after_hours) it says so."""
    if after_hours is None:
        after_hours = now is not None and not is_working_time(now, data)
    if after_hours:
        return data.message(data.after_hours_message)
    return data.message(data.reason_messages.get(str(reason), data.default_message))


# ---------------------------------------------------------------- agent side


def summarize_for_agent(summary: SummaryInput, data: HandoffData) -> str:
    """A short Chinese summary for the human agent: one line per known item."""
    lines = data.lines
    turns = summary.turns
    out = [lines["title"].format(reason=handoff_label(summary.reason, data))]

    category = summary.category or conversation_category(turns)
    if category:
        out.append(lines["category"].format(category=data.category_names.get(category, category)))
    if summary.complaint_level:
        out.append(lines["level"].format(level=summary.complaint_level))

    order_id = summary.order_id or last_named(turns, "order_id")
    product = summary.product or last_named(turns, "product")
    if order_id or product:
        order = f"{order_id}（{product}）" if order_id and product else (order_id or product)
        out.append(lines["order"].format(order=order))

    quotes = pick_quotes(turns, data)
    if quotes:
        out.append(lines["quotes"].format(quotes="；".join(f"“{quote}”" for quote in quotes)))

    outcomes = [summary.desired_outcome] if summary.desired_outcome else _entity_values(turns, "desired_outcome")
    if outcomes:
        out.append(lines["outcome"].format(outcome="、".join(data.outcome_names.get(o, o) for o in outcomes)))

    trend = _emotion_line(turns, data)
    if trend:
        out.append(lines["emotion"].format(trend=trend))

    profile = summary.profile
    if profile:
        hint = data.reply_style_hints.get(profile.reply_style, profile.reply_style)
        out.append(lines["profile"].format(profile=profile.display_name, hint=hint))

    risk = summary.risk
    if risk:
        level = risk.label or risk.level
        reasons = "；".join(risk.reasons[:data.max_risk_reasons])
        key = "risk" if reasons else "risk_plain"
        out.append(lines[key].format(level=level, score=risk.score, reasons=reasons))

    if summary.offered:
        out.append(lines["offered"].format(remedies="、".join(summary.offered)))
    if summary.declined:
        out.append(lines["declined"].format(remedies="、".join(summary.declined)))
    return "\n".join(out)


def conversation_category(turns: Sequence[CustomerTurn]) -> str | None:
    """The latest complaint category from the intents; a concrete one (quality, ...) wins over escalation."""
    categories = [c for c in map(category_for_intent, (turn.intent for turn in reversed(turns))) if c]
    return next((c for c in categories if c != ESCALATION_CATEGORY), categories[0] if categories else None)


def _entity_values(turns: Sequence[CustomerTurn], entity: str) -> list[str]:
    values: list[str] = []
    for turn in turns:
        values += [value for value in turn.entity_values(entity) if value not in values]
    return values


def _emotion_line(turns: Sequence[CustomerTurn], data: HandoffData) -> str:
    steps: list[str] = []
    for emotion in emotion_trend(turns):
        name = data.emotion_names.get(emotion, emotion)
        if not steps or steps[-1] != name:
            steps.append(name)
    if not steps:
        return ""
    direction = anger_direction(turns, data.anger_min_change, data.anger_window)
    trend = " → ".join(steps[-data.max_emotion_steps:])
    return trend if direction == STEADY else f"{trend}（{data.direction_names.get(direction, direction)}）"


@dataclass(frozen=True)
class _Sentence:
    text: str
    key: str  # content only, to drop sentences said twice
    length: int
    score: float
    describes_problem: bool


@lru_cache(maxsize=8192)
def _scored_sentences(data: HandoffData, text: str) -> tuple[_Sentence, ...]:
    """Sentences of one message with their informativeness score; cached by text."""
    weights = data.quote_weights
    scored = []
    for sentence in sentences(text):
        normalized = normalized_text(sentence)
        length = content_length(normalized)
        score = weights["length"] * min(length, _QUOTE_LENGTH_CAP) / _QUOTE_LENGTH_CAP
        describes_problem = data.problem_words is not None and data.problem_words.search(normalized) is not None
        if describes_problem:
            score += weights["problem"]
        if data.outcome_words is not None and data.outcome_words.search(normalized):
            score += weights["outcome"]
        if any(cues.search(normalized) for cues in data.threat_cues):
            score += weights["threat"]
        if _DIGIT_RE.search(normalized) or amounts_in(normalized):
            score += weights["number"]
        scored.append(_Sentence(sentence.strip(), _NOT_WORD_RE.sub("", normalized), length, score, describes_problem))
    return tuple(scored)


def pick_quotes(turns: Sequence[CustomerTurn], data: HandoffData) -> list[str]:
    """The most informative customer sentences (problem, outcome, threat, numbers), in conversation order."""
    candidates: list[tuple[float, int, str]] = []
    seen: set[str] = set()
    position = 0
    first_problem_seen = False
    for turn in turns:
        low_information = turn.intent in data.low_information_intents
        for sentence in _scored_sentences(data, turn.text):
            position += 1
            if sentence.length < data.quote_min_chars or sentence.key in seen:
                continue
            if low_information and sentence.length <= data.low_information_max_chars:
                continue
            seen.add(sentence.key)
            score = sentence.score
            if sentence.describes_problem and not first_problem_seen:
                score += data.quote_weights["first_problem"]  # the opening description of the problem
                first_problem_seen = True
            candidates.append((score, position, sentence.text))
    best = sorted(candidates, key=lambda item: (-item[0], item[1]))[:data.max_quotes]
    return [_trim(text, data.quote_max_chars) for _, _, text in sorted(best, key=lambda item: item[1])]


def _trim(sentence: str, max_chars: int) -> str:
    sentence = sentence.strip()
    return sentence if len(sentence) <= max_chars else sentence[:max_chars - 1] + "…"
