"""Which outcome a customer asks for, read from their own words (knowledge/outcome_words.yml).

Used where the bot has just asked "您希望我们怎么处理？" or the customer says they changed their mind:
the NLU's desired_outcome entity misses short or roundabout answers ("给我换成黑色的", "把券补给我就行").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from complaint_desk.knowledge import KnowledgeError, line_of, load_knowledge, reading, source_name
from complaint_desk.nlu.normalize import normalize
from complaint_desk.taxonomy import OUTCOMES

_CLAUSE_BREAK = re.compile(r"[，,。.！!？?；;~～\s]+")
_QUESTION_END = re.compile(r"[？?]|[吗嘛么呢][\s。！!~～]*$")
_SETTINGS = ("negations", "negation_window", "not_yet", "asking_words", "asking_short_clause", "information_words")
_FILLERS_AFTER = "的也都"
_A_NOT_A = re.compile(r"(\w)不\1")  # may stand between a wish word and a "not yet" word ("补发的还没到")


@dataclass(frozen=True)
class OutcomeWords:
    cues: tuple[tuple[str, tuple[str, ...]], ...]  # (outcome, words), in the file's order
    negations: tuple[str, ...]
    negation_window: int
    not_yet: tuple[str, ...] = ()  # right after a word: it names something not done ("退款还没到"), not a wish
    asking_words: tuple[str, ...] = ()  # a question with one of these asks for the outcome ("能直接退款不？")
    asking_short_clause: int = 0  # a question this short asks for the outcome too ("赔点？")
    information_words: tuple[str, ...] = ()  # a clause with one of these asks about rules or progress ("几天能到账")

    @classmethod
    def from_file(cls, path: str | Path) -> OutcomeWords:
        raw = load_knowledge(path)
        unknown = [key for key in raw if key not in OUTCOMES and key not in _SETTINGS]
        if unknown:
            raise KnowledgeError(source_name(path), [(line_of(raw, unknown[0]),
                                                      f"未知的诉求编号 '{unknown[0]}'，可用：{'、'.join(OUTCOMES)}")])
        with reading(raw, "诉求说法"):
            cues = tuple((outcome, tuple(normalize(str(word)) for word in raw[outcome]))
                         for outcome in raw if outcome in OUTCOMES)
            return cls(cues, tuple(str(word) for word in raw["negations"]), int(raw["negation_window"]),
                       tuple(str(word) for word in raw.get("not_yet") or ()),
                       tuple(normalize(str(word)) for word in raw.get("asking_words") or ()),
                       int(raw.get("asking_short_clause") or 0),
                       tuple(normalize(str(word)) for word in raw.get("information_words") or ()))

    def read(self, text: str) -> str | None:
        """The outcome asked for, or None. Statements come before questions; negated words do not count."""
        clauses = [clause for clause in _split_clauses(normalize(text or "")) if clause[0]]
        statements = [clause for clause, question in clauses if not question]
        questions = [clause for clause, question in clauses if question]
        for clause in statements + questions:
            found = self._in_clause(clause)
            if found:
                return found
        return None

    def asked(self, text: str) -> str | None:
        """The outcome a question or a hedge asks for ("那能补偿点啥吗", "退钱行不行", "赔点？"), or None: a question
        about the rules or the progress ("退款一般几天能到账？", "退货的运费谁出？") names an outcome without asking
        for it."""
        for clause, question in _split_clauses(normalize(text or "")):
            found = self._in_clause(clause) if self._asking(clause, question) else None
            if found:
                return found
        return None

    def asks(self, text: str) -> bool:
        """Whether the message asks for something (a question or a hedge that is not about rules or progress),
        whatever the words for it: the NLU's entity may name what these words miss ("能退吗")."""
        return any(self._asking(clause, question) for clause, question in _split_clauses(normalize(text or "")))

    def _asking(self, clause: str, question: bool) -> bool:
        if any(word in clause for word in self.information_words):
            return False
        return any(word in clause for word in self.asking_words) or (
            question and 0 < len(clause) <= self.asking_short_clause)

    def _in_clause(self, clause: str) -> str | None:
        best: tuple[int, int, str] | None = None  # (position, file order, outcome)
        for order, (outcome, words) in enumerate(self.cues):
            for word in words:
                for match in re.finditer(re.escape(word), clause, flags=re.IGNORECASE):
                    if self._negated(clause, match.start()) or self._not_yet_done(clause, match.end()):
                        continue
                    candidate = (match.start(), order, outcome)
                    if best is None or candidate < best:
                        best = candidate
        return best[2] if best else None

    def _negated(self, clause: str, start: int) -> bool:
        before = clause[max(0, start - self.negation_window - 1):start]
        before = _A_NOT_A.sub("", before)  # 能不能 / 可不可以 / 给不给 ask; they do not negate
        return any(word in before for word in self.negations)

    def _not_yet_done(self, clause: str, end: int) -> bool:
        after = clause[end:].lstrip(_FILLERS_AFTER)
        return any(after.startswith(word) for word in self.not_yet)


def _split_clauses(text: str) -> list[tuple[str, bool]]:
    """(clause, is a question) pairs; a clause is a question when a question mark or 吗/呢 ends it."""
    clauses: list[tuple[str, bool]] = []
    position = 0
    for match in _CLAUSE_BREAK.finditer(text + "。"):
        clause = text[position:match.start()]
        ending = match.group()
        clauses.append((clause, bool("?" in ending or "？" in ending or _QUESTION_END.search(clause))))
        position = match.end()
    return clauses
