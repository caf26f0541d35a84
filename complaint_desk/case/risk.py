"""Graded escalation warning (seed 001: 升级投诉, 分级预警): green, yellow, orange or red.

Each risk factor that fires adds its weight; the total picks the level, and floor rules
lift it (a channel threat is at least orange; a threat with rising anger is red).
Weights, thresholds and cue words live in knowledge/risk_rules.yml; reasons are Chinese,
for the agent console. Regexes are compiled once per rules file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from complaint_desk.case.turns import (
    RISING,
    CustomerTurn,
    anger_direction,
    anger_level,
)
from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.cues import (
    amounts_in,
    compile_cues,
    compile_negation,
    find_cues,
    is_negated,
    multipliers_in,
    normalized_text,
)
from complaint_desk.taxonomy import RISK_LEVELS, TRIGGERS, category_for_intent, level_rank

UNSPECIFIED_CHANNEL = "unspecified"
MAX_SCORE = 100
_CATEGORY_TRIGGERS = ("privacy", "fraud")
_REASON_SAMPLES: dict[str, dict[str, Any]] = {
    "channel_threat": {"channels": "x"}, "privacy": {}, "fraud": {}, "repeat_same_order": {},
    "earlier_complaints": {"count": 1}, "earlier_handling": {"words": "x"}, "earlier_handling_known": {},
    "beyond_policy": {"words": "x"}, "rising_anger": {"trend": "x"}, "high_anger": {"intensity": 0.9},
    "sla_overdue": {"waited": 1.0, "sla": 1.0}, "floor": {"level": "x", "factors": "x"},
}
_MAX_LISTED_WORDS = 3
_TREND_STEPS = 4
_CLAUSE_RE = re.compile(r"[^，,。！!？?；;\n]+")


@dataclass(frozen=True)
class RiskInput:
    turns: Sequence[CustomerTurn] = ()
    category: str | None = None  # taxonomy id; otherwise read from the turns' complaint intents
    repeat_on_same_order: bool = False  # from the ticket store
    earlier_complaints: int = 0  # from the ticket store
    dissatisfied_with_earlier_handling: bool = False  # known from the ticket store; the text is read too
    order_price: float | None = None  # yuan, for "demand far above the price"
    minutes_waited: float | None = None
    first_response_sla_minutes: float | None = None
    channels: tuple[str, ...] = ()  # channel ids known besides the turns (e.g. a slot)


@dataclass(frozen=True)
class RiskAssessment:
    level: str  # green | yellow | orange | red
    score: int  # 0..100
    reasons: tuple[str, ...]  # Chinese, shown to agents
    triggers: tuple[str, ...] = ()  # ids of the factors that fired (TRIGGERS)
    channels: tuple[str, ...] = ()  # outside channels threatened: 12315, media, lawyer, platform, review, unspecified
    label: str = ""  # 绿色 / 黄色 / 橙色 / 红色


@dataclass(frozen=True)
class _Channel:
    channel_id: str
    label: str
    weight: float
    cues: re.Pattern[str] | None


@dataclass(frozen=True)
class _Floor:
    when: frozenset[str]
    at_least: str


@dataclass(frozen=True, eq=False)  # hashed by identity: per-text features are cached per rules object
class RiskRules:
    level_names: Mapping[str, str]
    thresholds: tuple[tuple[str, float], ...]  # highest level first
    floors: tuple[_Floor, ...]
    channels: Mapping[str, _Channel]
    extra_channel_weight: float
    threat_intents: frozenset[str]
    threat_negation: re.Pattern[str] | None
    weights: Mapping[str, float]
    earlier_complaints_each: float
    earlier_complaints_max: float
    earlier_handling: re.Pattern[str] | None
    earlier_handling_negation: re.Pattern[str] | None
    beyond_policy: re.Pattern[str] | None
    beyond_policy_negation: re.Pattern[str] | None
    demand_words: re.Pattern[str] | None
    max_multiplier: float
    price_ratio: float
    min_excess: float
    absolute_amount: float
    anger_min_change: float
    anger_window: int
    high_anger_intensity: float
    sla_severe_factor: float
    sla_severe_weight: float
    reasons: Mapping[str, str]
    factor_names: Mapping[str, str]

    def reason(self, key: str, **values: Any) -> str:
        return self.reasons[key].format(**values)


# ---------------------------------------------------------------- loading


def load_risk_rules(path: str | Path) -> RiskRules:
    """Read and compile knowledge/risk_rules.yml."""
    raw = load_knowledge(path)
    with reading(raw, "升级风险规则"):
        return parse_risk_rules(raw)


def parse_risk_rules(raw: Mapping[str, Any]) -> RiskRules:
    thresholds = tuple((level, float(raw["levels"][level])) for level in reversed(RISK_LEVELS[1:]))
    if [value for _, value in thresholds] != sorted((value for _, value in thresholds), reverse=True):
        raise ValueError("levels: yellow <= orange <= red")
    floors = []
    for floor in raw.get("floors") or ():
        when = frozenset(floor["when"])
        if not when <= set(TRIGGERS) or floor["at_least"] not in RISK_LEVELS:
            raise ValueError(f"floors: unknown factor or level in {floor}")
        floors.append(_Floor(when, floor["at_least"]))
    factors = raw["factors"]
    threat = factors["channel_threat"]
    channels = {
        str(channel_id): _Channel(str(channel_id), str(entry["label"]), float(entry["weight"]),
                                  compile_cues(entry.get("words") or (), entry.get("patterns") or ()))
        for channel_id, entry in threat["channels"].items()
    }
    if UNSPECIFIED_CHANNEL not in channels:
        raise ValueError(f"factors.channel_threat.channels needs an entry {UNSPECIFIED_CHANNEL!r}")
    handling, beyond = factors["earlier_handling"], factors["beyond_policy"]
    reasons = {key: str(raw["reasons"][key]) for key in _REASON_SAMPLES}
    for key, sample in _REASON_SAMPLES.items():
        reasons[key].format(**sample)  # a broken placeholder fails at load, not mid-conversation
    return RiskRules(
        level_names={level: str(raw["level_names"][level]) for level in RISK_LEVELS},
        thresholds=thresholds,
        floors=tuple(floors),
        channels=channels,
        extra_channel_weight=float(threat["extra_channel"]),
        threat_intents=frozenset(threat.get("intents") or ()),
        threat_negation=compile_negation(threat.get("negations") or (), int(threat.get("negation_gap", 3))),
        weights={name: float(factors[name]["weight"]) for name in
                 ("privacy", "fraud", "repeat_same_order", "earlier_handling", "beyond_policy", "rising_anger",
                  "high_anger", "sla_overdue")},
        earlier_complaints_each=float(factors["earlier_complaints"]["weight_each"]),
        earlier_complaints_max=float(factors["earlier_complaints"]["max"]),
        earlier_handling=compile_cues(handling.get("words") or (), handling.get("patterns") or ()),
        earlier_handling_negation=compile_negation(handling.get("negations") or (),
                                                   int(handling.get("negation_gap", 1))),
        beyond_policy=compile_cues(beyond.get("words") or (), beyond.get("patterns") or ()),
        beyond_policy_negation=compile_negation(beyond.get("negations") or (), int(beyond.get("negation_gap", 2))),
        demand_words=compile_cues(beyond.get("demand_words") or ()),
        max_multiplier=float(beyond["max_multiplier"]),
        price_ratio=float(beyond["price_ratio"]),
        min_excess=float(beyond["min_excess"]),
        absolute_amount=float(beyond["absolute_amount"]),
        anger_min_change=float(factors["rising_anger"]["min_change"]),
        anger_window=int(factors["rising_anger"]["window"]),
        high_anger_intensity=float(factors["high_anger"]["min_intensity"]),
        sla_severe_factor=float(factors["sla_overdue"]["severe_factor"]),
        sla_severe_weight=float(factors["sla_overdue"]["severe_weight"]),
        reasons=reasons,
        factor_names={trigger: str(raw["factor_names"][trigger]) for trigger in TRIGGERS},
    )


# ---------------------------------------------------------------- assessment


def assess_risk(risk_input: RiskInput, rules: RiskRules) -> RiskAssessment:
    fired: dict[str, tuple[float, str]] = {}  # trigger -> (weight, reason)
    turns = risk_input.turns

    channels = threatened_channels(turns, rules, risk_input.channels)
    if channels:
        weight = max(rules.channels[c].weight for c in channels) + rules.extra_channel_weight * (len(channels) - 1)
        labels = "、".join(rules.channels[c].label for c in channels)
        fired["channel_threat"] = (weight, rules.reason("channel_threat", channels=labels))

    categories = {risk_input.category} | {category_for_intent(turn.intent) for turn in turns}
    for category in _CATEGORY_TRIGGERS:
        if category in categories:
            fired[category] = (rules.weights[category], rules.reason(category))

    if risk_input.repeat_on_same_order:
        fired["repeat_same_order"] = (rules.weights["repeat_same_order"], rules.reason("repeat_same_order"))
    if risk_input.earlier_complaints > 0:
        weight = min(rules.earlier_complaints_max, rules.earlier_complaints_each * risk_input.earlier_complaints)
        fired["earlier_complaints"] = (weight, rules.reason("earlier_complaints", count=risk_input.earlier_complaints))

    handling_words = earlier_handling_complaints(turns, rules)
    if handling_words:
        fired["earlier_handling"] = (rules.weights["earlier_handling"],
                                     rules.reason("earlier_handling", words=_join(handling_words)))
    elif risk_input.dissatisfied_with_earlier_handling:
        fired["earlier_handling"] = (rules.weights["earlier_handling"], rules.reason("earlier_handling_known"))

    demands = beyond_policy_demands(turns, rules, risk_input.order_price)
    if demands:
        fired["beyond_policy"] = (rules.weights["beyond_policy"], rules.reason("beyond_policy", words=_join(demands)))

    if anger_direction(turns, rules.anger_min_change, rules.anger_window) == RISING:
        fired["rising_anger"] = (rules.weights["rising_anger"], rules.reason("rising_anger", trend=_anger_trend(turns)))
    latest = next((turn for turn in reversed(turns) if turn.emotion), None)
    if latest and latest.emotion == "angry" and latest.intensity >= rules.high_anger_intensity:
        fired["high_anger"] = (rules.weights["high_anger"], rules.reason("high_anger", intensity=latest.intensity))

    waited, sla = risk_input.minutes_waited, risk_input.first_response_sla_minutes
    if waited is not None and sla is not None and sla >= 0 and waited > sla:
        weight = rules.sla_severe_weight if waited >= sla * rules.sla_severe_factor else rules.weights["sla_overdue"]
        fired["sla_overdue"] = (weight, rules.reason("sla_overdue", waited=round(waited, 1), sla=round(sla, 1)))

    score = int(round(min(MAX_SCORE, sum(weight for weight, _ in fired.values()))))
    level = next((name for name, threshold in rules.thresholds if score >= threshold), RISK_LEVELS[0])
    reasons = [reason for _, reason in fired.values()]
    for floor in rules.floors:
        if floor.when <= fired.keys() and level_rank(floor.at_least) > level_rank(level):
            level = floor.at_least
            reasons.append(rules.reason("floor", level=rules.level_names[level], factors=_factor_names(floor, rules)))
    return RiskAssessment(level=level, score=score, reasons=tuple(reasons), triggers=tuple(fired),
                          channels=tuple(channels), label=rules.level_names[level])


def _factor_names(floor: _Floor, rules: RiskRules) -> str:
    return " + ".join(rules.factor_names[t] for t in TRIGGERS if t in floor.when)


def _join(words: Sequence[str]) -> str:
    return "、".join(words[:_MAX_LISTED_WORDS])


def _anger_trend(turns: Sequence[CustomerTurn]) -> str:
    """Anger of the last few turns, e.g. "0 → 0.7 → 0.9"."""
    levels = [anger_level(turn) for turn in turns if turn.emotion][-_TREND_STEPS:]
    return " → ".join(f"{level:.2g}" if level else "0" for level in levels)


@dataclass(frozen=True)
class _TextFeatures:
    """What the factors read from one message; cached by text, since turns are re-read on every message."""
    channels: tuple[str, ...]  # channel ids named in the text (not negated)
    earlier_handling: tuple[str, ...]
    beyond_policy: tuple[str, ...]
    demanded_multipliers: tuple[tuple[str, float], ...]  # (surface, factor) in clauses that demand something
    demanded_amounts: tuple[tuple[str, float], ...]  # (surface, yuan) in clauses that demand something


@lru_cache(maxsize=8192)
def _features(rules: RiskRules, text: str) -> _TextFeatures:
    normalized = normalized_text(text)
    multipliers: list[tuple[str, float]] = []
    amounts: list[tuple[str, float]] = []
    if rules.demand_words is not None:
        for clause_match in _CLAUSE_RE.finditer(normalized):
            clause = clause_match.group()
            demand = rules.demand_words.search(clause)
            if demand is None or is_negated(normalized, clause_match.start() + demand.start(),
                                             rules.beyond_policy_negation):
                continue
            multipliers += [(m.surface, m.factor) for m in multipliers_in(clause)]
            amounts += [(a.surface.strip(), a.value) for a in amounts_in(clause, bare_large=True)]
    return _TextFeatures(
        channels=tuple(channel.channel_id for channel in rules.channels.values()
                       if find_cues(normalized, channel.cues, rules.threat_negation)),
        earlier_handling=tuple(find_cues(normalized, rules.earlier_handling, rules.earlier_handling_negation)),
        beyond_policy=tuple(find_cues(normalized, rules.beyond_policy, rules.beyond_policy_negation)),
        demanded_multipliers=tuple(multipliers),
        demanded_amounts=tuple(amounts),
    )


def threatened_channels(turns: Sequence[CustomerTurn], rules: RiskRules,
                        known: Sequence[str] = ()) -> list[str]:
    """Outside channels the customer threatens, from channel entities, cue words and threat intents."""
    found: list[str] = []

    def add(channel_id: str) -> None:
        if channel_id not in found:
            found.append(channel_id)

    for channel_id in known:
        add(channel_id if channel_id in rules.channels else _channel_of_word(str(channel_id), rules))
    for turn in turns:
        channel_entities = [e for e in turn.entities if e.get("entity") == "channel" and e.get("value") is not None]
        for entity in channel_entities:
            start = entity.get("start")
            if isinstance(start, int) and is_negated(turn.normalized, start, rules.threat_negation):
                continue
            value = str(entity["value"])
            add(value if value in rules.channels else _channel_of_word(value, rules))
        named = _features(rules, turn.text).channels
        for channel_id in named:
            add(channel_id)
        if turn.intent in rules.threat_intents and not channel_entities and not named:
            add(UNSPECIFIED_CHANNEL)
    if UNSPECIFIED_CHANNEL in found and len(found) > 1:
        found.remove(UNSPECIFIED_CHANNEL)
    return found


def withheld_threat(text: str, rules: RiskRules) -> bool:
    """The text names an outside channel only to say it will not go there ("我不会去12315的，给我换个就行")."""
    normalized = normalized_text(text)
    named = any(find_cues(normalized, channel.cues) for channel in rules.channels.values())
    return named and not _features(rules, text).channels


def _channel_of_word(word: str, rules: RiskRules) -> str:
    """A raw entity value ("消协") to its channel id, or unspecified."""
    text = normalized_text(word)
    for channel in rules.channels.values():
        if channel.cues is not None and channel.cues.search(text):
            return channel.channel_id
    return UNSPECIFIED_CHANNEL


def earlier_handling_complaints(turns: Sequence[CustomerTurn], rules: RiskRules) -> list[str]:
    """Phrases showing dissatisfaction with earlier handling (上次, 还是没解决, 第二次...)."""
    return list(dict.fromkeys(word for turn in turns for word in _features(rules, turn.text).earlier_handling))


def beyond_policy_demands(turns: Sequence[CustomerTurn], rules: RiskRules,
                          order_price: float | None = None) -> list[str]:
    """Demands beyond policy: cue phrases, multipliers above the statutory one, amounts far above the price."""
    demands: list[str] = []
    for turn in turns:
        features = _features(rules, turn.text)
        demands += features.beyond_policy
        demands += [surface for surface, factor in features.demanded_multipliers if factor > rules.max_multiplier]
        demands += [surface for surface, value in features.demanded_amounts if _excessive(value, order_price, rules)]
    return list(dict.fromkeys(demands))


def _excessive(value: float, order_price: float | None, rules: RiskRules) -> bool:
    if order_price is None or order_price <= 0:
        return value > rules.absolute_amount
    return value > order_price * rules.price_ratio and value - order_price >= rules.min_excess
