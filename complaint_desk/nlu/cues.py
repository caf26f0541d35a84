"""Matching cue words in shopper text: one normalization (cached), one cue-regex builder with negation,
sentences and clauses, and money amounts and multipliers that ignore order and phone numbers.

Shared by the case (profile, risk, handoff summary) and the emotion cue lexicon, so each rule
reads the same normalized text the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from complaint_desk.nlu.normalize import normalize
from complaint_desk.nlu.numerals import (
    NUMBER_PATTERN,
    AmountMatch,
    MultiplierMatch,
    find_amounts,
    find_multipliers,
    parse_number,
)

_CLAUSE_BREAK_RE = re.compile(r"[，,。！!？?；;\n~～…]+")
_SENTENCE_RE = re.compile(r"[^。！!？?；;\n…]+[。！!？?；;\n…]*")
# Order and phone numbers: the numeral patterns backtrack badly on long digit runs, and such
# runs are never money amounts here, so they are masked (same length) before amounts are read.
_LONG_DIGIT_RUN_RE = re.compile(r"[0-9]{7,}")
_NUMBER_RE = re.compile(NUMBER_PATTERN)
_LARGE_UNIT_RE = re.compile(r"[百佰千仟万萬]")
_NOT_MONEY_AFTER_RE = re.compile(r"[倍天个次件年月日号小分秒岁人台部只斤米公]")  # 三百天, 两千个, 一万次...


@lru_cache(maxsize=8192)
def normalized_text(text: str) -> str:
    """normalize() plus lower-case; same length as the input. Cached: turns are re-read on every message."""
    normalized = normalize(text)
    lowered = normalized.lower()
    return lowered if len(lowered) == len(normalized) else normalized


def sentences(text: str) -> list[str]:
    """Sentences of one message, each with its closing punctuation, stripped."""
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip()]


def clauses(normalized: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_BREAK_RE.split(normalized) if c.strip()]


def _word_alternatives(words: Iterable[str], fold: Callable[[str], str]) -> list[str]:
    """Each distinct word folded and escaped, longest first, so that 没有办法 wins over 没."""
    return [re.escape(fold(str(w))) for w in sorted(set(words), key=len, reverse=True)]


def compile_cues(
    words: Iterable[str] = (), patterns: Iterable[str] = (), fold: Callable[[str], str] = normalized_text
) -> re.Pattern[str] | None:
    """One regex for cue words (folded, longest first) and raw patterns; None when empty.

    `fold` must normalize the words the way the searched text was normalized: `normalized_text` for
    the case rules; the emotion cue lexicon passes its own fully lower-cased form.
    """
    alternatives = _word_alternatives(words, fold)
    alternatives += [f"(?:{pattern})" for pattern in patterns]
    return re.compile("|".join(alternatives)) if alternatives else None


def compile_negation(words: Iterable[str], gap: int = 4) -> re.Pattern[str] | None:
    """Matches at the end of the text before a cue when a negation word precedes it within `gap` characters."""
    alternatives = _word_alternatives(words, normalized_text)
    if not alternatives:
        return None
    return re.compile(rf"(?:{'|'.join(alternatives)})[^，,。！!？?；;\n]{{0,{gap}}}$")


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
