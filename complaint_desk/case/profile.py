"""Customer profile from the conversation so far (seed 004): very angry, prepared, talkative, terse, ordinary.

The profile changes how replies are phrased (reply_style). Cue words, points and thresholds
live in knowledge/customer_profiles.yml; this module only scores them. Regexes are compiled
once per rules file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from complaint_desk.case.turns import CustomerTurn
from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.cues import (
    amounts_in,
    clauses,
    compile_cues,
    compile_negation,
    find_cues,
    normalized_text,
)

KINDS = ("very_angry", "prepared", "talkative", "terse", "ordinary")
REPLY_STYLES = ("de_escalate_first", "cite_policy", "summarize", "closed_questions", "standard")
_SCORED_KINDS = KINDS[:-1]
_REASON_KEYS = {
    "high_anger": {"turn": 1, "intensity": 0.9}, "swear": {"words": "x"}, "exclamation": {"count": 1},
    "law": {"words": "x"}, "policy": {"words": "x"}, "evidence": {"words": "x"}, "amount": {"words": "x"},
    "date": {"words": "x"}, "long_average": {"chars": 1}, "very_long": {"count": 1, "chars": 1},
    "repeat": {"words": "x"}, "filler": {"count": 1}, "terse": {"turns": 1, "short": 1, "chars": 1},
    "ordinary": {},
}
_MAX_LISTED_WORDS = 3
_LONG_RUN_RE = re.compile(r"[0-9a-z]{5,}")  # an order number or URL counts as one character
_NOT_CONTENT_RE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class CustomerProfile:
    kind: str  # very_angry | prepared | talkative | terse | ordinary
    reasons: tuple[str, ...]  # Chinese, shown to agents
    display_name: str  # 极其愤怒 / 有备而来 / 喋喋不休 / 少言寡语 / 普通
    reply_style: str  # de_escalate_first | cite_policy | summarize | closed_questions | standard
    traits: tuple[str, ...] = ()  # every kind that matched, main kind first


@dataclass(frozen=True)
class _CueGroup:
    regex: re.Pattern[str] | None
    points: float
    max_points: float


@dataclass(frozen=True, eq=False)  # hashed by identity: per-text features are cached per rules object
class ProfileRules:
    priority: tuple[str, ...]
    display_names: Mapping[str, str]
    reply_styles: Mapping[str, str]
    reasons: Mapping[str, str]
    negation: re.Pattern[str] | None
    very_angry: Mapping[str, float]
    swear: _CueGroup
    exclamation_run: re.Pattern[str]
    prepared: Mapping[str, float]
    prepared_cues: Mapping[str, _CueGroup]  # law, policy, evidence, date
    amount: _CueGroup
    talkative: Mapping[str, float]
    filler: re.Pattern[str] | None
    terse: Mapping[str, float]

    def reason(self, key: str, **values: Any) -> str:
        return self.reasons[key].format(**values)

    def profile(self, kind: str, reasons: Sequence[str], traits: Sequence[str] = ()) -> CustomerProfile:
        return CustomerProfile(kind, tuple(reasons), self.display_names[kind], self.reply_styles[kind], tuple(traits))


# ---------------------------------------------------------------- loading


def load_profile_rules(path: str | Path) -> ProfileRules:
    """Read and compile knowledge/customer_profiles.yml."""
    raw = load_knowledge(path)
    with reading(raw, "顾客画像规则"):
        return parse_profile_rules(raw)


def parse_profile_rules(raw: Mapping[str, Any]) -> ProfileRules:
    kinds = raw["kinds"]
    display_names = {kind: str(kinds[kind]["display_name"]) for kind in KINDS}
    reply_styles = {kind: str(kinds[kind]["reply_style"]) for kind in KINDS}
    for kind, style in reply_styles.items():
        if style not in REPLY_STYLES:
            raise ValueError(f"kinds.{kind}.reply_style must be one of {REPLY_STYLES}")
    priority = tuple(raw["priority"])
    if set(priority) != set(_SCORED_KINDS):
        raise ValueError(f"priority must list each of {_SCORED_KINDS} once")
    reasons = {key: str(raw["reasons"][key]) for key in _REASON_KEYS}
    for key, sample in _REASON_KEYS.items():
        reasons[key].format(**sample)  # a broken placeholder fails at load, not mid-conversation

    angry, prepared, talkative = raw["very_angry"], raw["prepared"], raw["talkative"]
    return ProfileRules(
        priority=priority, display_names=display_names, reply_styles=reply_styles, reasons=reasons,
        negation=compile_negation(raw.get("negations") or ()),
        very_angry=_numbers(angry, "recent_turns", "min_points", "high_anger_intensity", "high_anger_points",
                            "exclamation_points", "exclamation_max_points"),
        swear=_CueGroup(compile_cues(angry.get("swear_words") or (), angry.get("swear_patterns") or ()),
                        float(angry["swear_points"]), float(angry["swear_max_points"])),
        exclamation_run=re.compile(f"[!！]{{{int(angry['exclamation_run'])},}}"),
        prepared={"min_points": float(prepared["min_points"])},
        prepared_cues={name: _cue_group(prepared[name]) for name in ("law", "policy", "evidence", "date")},
        amount=_cue_group(prepared["amount"]),
        talkative=_numbers(talkative, "min_points", "min_turns", "long_average_chars", "long_average_points",
                           "very_long_chars", "very_long_points", "very_long_max_points", "repeat_min_chars",
                           "repeat_points", "repeat_max_points", "filler_min_hits", "filler_points"),
        filler=compile_cues(talkative.get("filler_words") or ()),
        terse=_numbers(raw["terse"], "min_turns", "short_chars", "short_share", "max_average_chars"),
    )


def _numbers(section: Mapping[str, Any], *keys: str) -> dict[str, float]:
    return {key: float(section[key]) for key in keys}


def _cue_group(section: Mapping[str, Any]) -> _CueGroup:
    return _CueGroup(compile_cues(section.get("words") or (), section.get("patterns") or ()),
                     float(section["points"]), float(section["max_points"]))


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class _TextFeatures:
    """What the scorers read from one message; cached by text, since turns are re-read on every message."""
    swears: tuple[str, ...]
    exclamation_runs: int
    prepared_hits: Mapping[str, tuple[str, ...]]  # law, policy, evidence, date, amount
    length: int
    repeatable_clauses: tuple[str, ...]
    fillers: int


@lru_cache(maxsize=8192)
def _features(rules: ProfileRules, text: str) -> _TextFeatures:
    normalized = normalized_text(text)
    hits = {name: tuple(find_cues(normalized, group.regex, rules.negation))
            for name, group in rules.prepared_cues.items()}
    hits["amount"] = tuple(dict.fromkeys(a.surface.strip() for a in amounts_in(normalized)))
    min_clause = rules.talkative["repeat_min_chars"]
    return _TextFeatures(
        swears=tuple(find_cues(normalized, rules.swear.regex, rules.negation)),
        exclamation_runs=len(rules.exclamation_run.findall(normalized)),
        prepared_hits=hits,
        length=content_length(normalized),
        repeatable_clauses=tuple(c for c in clauses(normalized) if content_length(c) >= min_clause),
        fillers=len(rules.filler.findall(normalized)) if rules.filler else 0,
    )


def profile_customer(turns: Sequence[CustomerTurn], rules: ProfileRules) -> CustomerProfile:
    """The customer's profile: the first kind in priority order that reaches its points, else ordinary."""
    if not turns:
        return rules.profile("ordinary", (rules.reason("ordinary"),))
    features = [_features(rules, turn.text) for turn in turns]
    matched: dict[str, list[str]] = {}
    for kind in rules.priority:
        reasons = _SCORERS[kind](turns, features, rules)
        if reasons is not None:
            matched[kind] = reasons
    if not matched:
        return rules.profile("ordinary", (rules.reason("ordinary"),))
    kind = next(iter(matched))
    return rules.profile(kind, matched[kind], tuple(matched))


def _join(words: Sequence[str]) -> str:
    return "、".join(words[:_MAX_LISTED_WORDS])


def _distinct(groups: Sequence[Sequence[str]]) -> list[str]:
    return list(dict.fromkeys(word for group in groups for word in group))


def _very_angry(turns: Sequence[CustomerTurn], features: Sequence[_TextFeatures],
                rules: ProfileRules) -> list[str] | None:
    config = rules.very_angry
    first = max(0, len(turns) - int(config["recent_turns"]))
    points, reasons = 0.0, []
    angriest = max(range(first, len(turns)), key=lambda i: (turns[i].emotion == "angry", turns[i].intensity))
    turn = turns[angriest]
    if turn.emotion == "angry" and turn.intensity >= config["high_anger_intensity"]:
        points += config["high_anger_points"]
        reasons.append(rules.reason("high_anger", turn=angriest + 1, intensity=turn.intensity))
    swears = _distinct([f.swears for f in features[first:]])
    if swears:
        points += min(rules.swear.max_points, rules.swear.points * len(swears))
        reasons.append(rules.reason("swear", words=_join(swears)))
    runs = sum(f.exclamation_runs for f in features[first:])
    if runs:
        points += min(config["exclamation_max_points"], config["exclamation_points"] * runs)
        reasons.append(rules.reason("exclamation", count=runs))
    return reasons if points >= config["min_points"] else None


def _prepared(turns: Sequence[CustomerTurn], features: Sequence[_TextFeatures],
              rules: ProfileRules) -> list[str] | None:
    points, reasons = 0.0, []
    groups = {**rules.prepared_cues, "amount": rules.amount}
    for name in ("law", "policy", "evidence", "amount", "date"):
        hits = _distinct([f.prepared_hits[name] for f in features])
        if hits:
            points += min(groups[name].max_points, groups[name].points * len(hits))
            reasons.append(rules.reason(name, words=_join(hits)))
    return reasons if points >= rules.prepared["min_points"] else None


def content_length(normalized: str) -> int:
    """Characters that carry content: no punctuation, spaces or emoji; a long digit/letter run counts once."""
    return len(_NOT_CONTENT_RE.sub("", _LONG_RUN_RE.sub("#", normalized)))


def _talkative(turns: Sequence[CustomerTurn], features: Sequence[_TextFeatures],
               rules: ProfileRules) -> list[str] | None:
    config = rules.talkative
    points, reasons = 0.0, []
    lengths = [f.length for f in features]
    average = sum(lengths) / len(lengths)
    if len(lengths) >= config["min_turns"] and average >= config["long_average_chars"]:
        points += config["long_average_points"]
        reasons.append(rules.reason("long_average", chars=round(average)))
    very_long = sum(1 for length in lengths if length >= config["very_long_chars"])
    if very_long:
        points += min(config["very_long_max_points"], config["very_long_points"] * very_long)
        reasons.append(rules.reason("very_long", count=very_long, chars=int(config["very_long_chars"])))
    said = Counter(clause for f in features for clause in f.repeatable_clauses)
    repeated = [clause for clause, count in said.items() if count > 1]
    if repeated:
        repeats = sum(said[clause] - 1 for clause in repeated)
        points += min(config["repeat_max_points"], config["repeat_points"] * repeats)
        reasons.append(rules.reason("repeat", words=_join(repeated)))
    fillers = sum(f.fillers for f in features)
    if fillers >= config["filler_min_hits"]:
        points += config["filler_points"]
        reasons.append(rules.reason("filler", count=fillers))
    return reasons if points >= config["min_points"] else None


def _terse(turns: Sequence[CustomerTurn], features: Sequence[_TextFeatures],
           rules: ProfileRules) -> list[str] | None:
    config = rules.terse
    if len(features) < config["min_turns"]:
        return None
    lengths = [f.length for f in features]
    short = sum(1 for length in lengths if length <= config["short_chars"])
    if short / len(lengths) >= config["short_share"] and sum(lengths) / len(lengths) <= config["max_average_chars"]:
        return [rules.reason("terse", turns=len(lengths), short=short, chars=int(config["short_chars"]))]
    return None


_SCORERS: dict[str, Callable[[Sequence[CustomerTurn], Sequence[_TextFeatures], ProfileRules], list[str] | None]] = {
    "very_angry": _very_angry, "prepared": _prepared, "talkative": _talkative, "terse": _terse,
}
