"""What the guard works with and answers: the context of a check, its findings and verdict, and the
scanned text (clauses, sentences, quoted spans) the rules and the phrase model both read."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from complaint_desk.policy.model import Policy, SlaTable

_ECHO_CONTEXT = 2
_ECHO_MIN_LENGTH = 4


@dataclass(frozen=True)
class GuardContext:
    approved_remedies: frozenset[str] = frozenset()
    approved_amount: float | None = None  # approved money amount for the approved remedies, in yuan
    coupon_cap: float | None = None  # the bot's coupon authority when no amount was approved
    sla: SlaTable | None = None
    payment_method: str | None = None
    complaint_level: str | None = None
    customer_quotes: tuple[str, ...] = ()  # the customer's own messages; echoing them is not a promise
    # The bot's own wording from the knowledge files (fixed text the tests check), not what a person typed:
    # the rules check it, the phrase model (which reads paraphrases) does not.
    fixed_wording: bool = False

    @classmethod
    def of_policy(cls, policy: Policy) -> GuardContext:
        """Text judged without a conversation (a draft with no case, a library entry): only the policy's limits."""
        return cls(coupon_cap=policy.authority.coupon_cap, sla=policy.sla)


@dataclass(frozen=True)
class Finding:
    rule_id: str
    family: str
    start: int
    end: int
    matched_text: str
    severity: str  # "block" | "warn"
    explanation: str
    suggestion: str


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    findings: tuple[Finding, ...]
    rewrite: str

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "block")


def _trimmed_end(text: str, start: int, end: int) -> int:
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return end


@dataclass
class Scan:
    text: str
    breaks: list[int]
    sentence_breaks: list[int]
    quoted: list[tuple[int, int]] = field(default_factory=list)
    customer_quotes: tuple[str, ...] = ()

    def clause(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.breaks, position - 1)
        start = self.breaks[index - 1] + 1 if index > 0 else 0
        end = self.breaks[index] if index < len(self.breaks) else len(self.text)
        return start, end

    def sentence_start(self, position: int) -> int:
        index = bisect.bisect_right(self.sentence_breaks, position - 1)
        return self.sentence_breaks[index - 1] + 1 if index > 0 else 0

    def sentence(self, position: int) -> tuple[int, int]:
        """(start, end) of the sentence holding `position`, without its closing punctuation."""
        index = bisect.bisect_right(self.sentence_breaks, position - 1)
        start = self.sentence_breaks[index - 1] + 1 if index > 0 else 0
        end = self.sentence_breaks[index] if index < len(self.sentence_breaks) else len(self.text)
        return start, _trimmed_end(self.text, start, end)

    def sentences(self) -> list[tuple[int, int]]:
        """(start, end) of each sentence that has words, without its closing punctuation: the one splitting
        the rules (a conditional holds for its sentence) and the phrase model (which reads sentences) share."""
        spans = []
        for start, end in zip([0, *(b + 1 for b in self.sentence_breaks)], [*self.sentence_breaks, len(self.text)],
                              strict=True):
            end = _trimmed_end(self.text, start, end)
            if end > start:
                spans.append((start, end))
        return spans

    def clauses(self, start: int, end: int) -> list[tuple[int, int]]:
        """(start, end) of each clause between `start` and `end` (a sentence's clauses split on ， and …)."""
        cuts = [b for b in self.breaks if start <= b < end]
        return [(s, e) for s, e in zip([start, *(b + 1 for b in cuts)], [*cuts, end], strict=True) if e > s]

    def is_quoted(self, start: int, end: int) -> bool:
        if any(q_start <= start and end <= q_end for q_start, q_end in self.quoted):
            return True
        if not self.customer_quotes:
            return False
        # Echoing the customer's own words: the hit with a little context occurs in what they wrote.
        clause_start, clause_end = self.clause(start)
        echo = self.text[max(clause_start, start - _ECHO_CONTEXT):min(clause_end, end + _ECHO_CONTEXT)]
        return len(echo) >= _ECHO_MIN_LENGTH and any(echo in quote for quote in self.customer_quotes)


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """The verdict as the console and the APIs send it."""
    return {
        "allowed": verdict.allowed,
        "rewrite": verdict.rewrite,
        "findings": [
            {
                "rule_id": f.rule_id,
                "family": f.family,
                "start": f.start,
                "end": f.end,
                "text": f.matched_text,
                "severity": f.severity,
                "explanation": f.explanation,
                "suggestion": f.suggestion,
            }
            for f in verdict.findings
        ],
    }
