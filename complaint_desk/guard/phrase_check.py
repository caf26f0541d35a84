"""The phrase families, checked sentence by sentence by the phrase model (knowledge/guard_phrases.yml).

The knowledge file says, for each label of the corpus, which guard family it belongs to, what the
agent is told and what the compliant rewrite says: plain wording, no regular expressions. A sentence
the rules already block, one the customer wrote (quoted back), and labels the context makes fine (an
offer when the policy approved remedies for this conversation) are not read again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from complaint_desk.guard.phrase_model import PhraseModel, train_phrase_model
from complaint_desk.guard.verdict import Finding, GuardContext, Scan
from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.paths import PROJECT_ROOT

_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")
_MIN_SENTENCE_CHARS = 3


@dataclass(frozen=True)
class PhraseLabel:
    family: str
    explanation: str
    rewrite: str


@dataclass(frozen=True)
class PhraseCheck:
    model: PhraseModel
    labels: Mapping[str, PhraseLabel]
    fine_when_remedies_approved: frozenset[str]

    def findings(self, text: str, normalized: str, scan: Scan, found: Sequence[Finding],
                 context: GuardContext) -> list[Finding]:
        blocked = [(f.start, f.end) for f in found if f.severity == "block"]
        skip = self.fine_when_remedies_approved if context.approved_remedies else frozenset()
        out: list[Finding] = []
        for match in _SENTENCE_RE.finditer(normalized):
            start, end = match.span()
            while end > start and not normalized[end - 1].isalnum():
                end -= 1  # the closing punctuation stays outside the span (and outside the rewrite)
            if end - start < _MIN_SENTENCE_CHARS or any(s < end and start < e for s, e in blocked):
                continue
            if scan.is_quoted(start, end):
                continue
            hit = self.model.violation(normalized[start:end], skip)
            if hit is None:
                continue
            label = self.labels[hit[0]]
            out.append(Finding(f"phrase_model.{hit[0]}", label.family, start, end, text[start:end], "block",
                               label.explanation, label.rewrite))
        return out


def load_phrase_check(path: str | Path) -> PhraseCheck:
    raw = load_knowledge(path)
    with reading(raw, "话术判别模型"):
        labels = {str(name): PhraseLabel(str(entry["family"]), str(entry["explanation"]), str(entry["rewrite"]))
                  for name, entry in raw["labels"].items()}
        corpus = [PROJECT_ROOT / str(relative) for relative in raw["corpus"]]
        model = train_phrase_model(corpus, list(labels), float(raw["max_ok_probability"]),
                                   float(raw.get("regularization", 10.0)))
        unknown = set(raw.get("fine_when_remedies_approved") or ()) - labels.keys()
        if unknown:
            raise ValueError(f"fine_when_remedies_approved: 未知的标签 {sorted(unknown)}")
        return PhraseCheck(model, labels, frozenset(raw.get("fine_when_remedies_approved") or ()))
