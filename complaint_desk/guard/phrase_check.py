"""The phrase families, checked sentence by sentence by the phrase model (knowledge/guard_phrases.yml).

The knowledge file says, for each label of the corpus, which guard family it belongs to, what the
agent is told and what the compliant rewrite says: plain wording, no regular expressions. A sentence
a rule already judged (blocked, or only warned about), one the customer wrote (quoted back), and
labels the context makes fine (an offer when the policy approved remedies for this conversation, a
hedged timeline) are not read again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from complaint_desk.guard.phrase_model import PhraseModel, train_phrase_model
from complaint_desk.guard.verdict import Finding, GuardContext, Scan
from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.normalize import normalize
from complaint_desk.paths import PROJECT_ROOT

_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;\n]*")
_PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}?")  # a template's {field}: not words anyone wrote
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
# Fewer Chinese characters than this is a fragment (a button, a keyword): too little for the model to read.
_MIN_SENTENCE_HAN = 6


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
    clears_families: frozenset[str]  # a keyword rule of these families is overruled by a confident model
    clear_at_ok_probability: float
    fine_when_hedged: frozenset[str] = frozenset()
    hedge: re.Pattern[str] | None = None  # words that leave room (尽量, 争取, 预计...)
    fine_when_message_mentions: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    fine_when_stating_approved_remedy: frozenset[str] = frozenset()

    def findings(self, text: str, normalized: str, scan: Scan, found: Sequence[Finding],
                 context: GuardContext, approved_spans: Sequence[tuple[int, int]] = ()) -> list[Finding]:
        """The model's findings for the sentences no rule blocked. `approved_spans`: where the text states a
        remedy the policy approved; there the labels in fine_when_stating_approved_remedy are fine."""
        judged = [(f.start, f.end) for f in found]  # a rule already said block, or (severity warn) only warn
        skip = self.fine_when_remedies_approved if context.approved_remedies else frozenset()
        skip |= {label for label, words in self.fine_when_message_mentions.items() if words.search(normalized)}
        out: list[Finding] = []
        for start, end in sentence_spans(normalized):
            if any(s < end and start < e for s, e in judged) or scan.is_quoted(start, end):
                continue
            sentence = _PLACEHOLDER_RE.sub(" ", own_words(normalized, start, end, scan))
            if len(_HAN_RE.findall(sentence)) < _MIN_SENTENCE_HAN:
                continue
            fine = skip | (self.fine_when_hedged if self.hedge and self.hedge.search(sentence) else frozenset())
            if any(s < end and start < e for s, e in approved_spans):
                fine |= self.fine_when_stating_approved_remedy
            hit = self.model.violation(sentence, fine)
            if hit is None:
                continue
            label = self.labels[hit[0]]
            out.append(Finding(f"phrase_model.{hit[0]}", label.family, start, end, text[start:end], "block",
                               label.explanation, label.rewrite))
        return out

    def overruled(self, normalized: str, finding: Finding) -> bool:
        """A keyword hit of a phrase family in a sentence the model reads as fine with confidence: a commitment
        to effort (一定会认真跟进), a warning (千万别把验证码发给别人), "您的问题" meaning "your issue"."""
        if finding.family not in self.clears_families:
            return False
        start, end = next(((s, e) for s, e in sentence_spans(normalized) if s <= finding.start < e),
                          (finding.start, finding.end))
        # Only the model's own "fine": a label the context excuses (an approved offer) says nothing about certainty.
        return self.model.ok_probability(normalized[start:end]) >= self.clear_at_ok_probability


def own_words(normalized: str, start: int, end: int, scan: Scan) -> str:
    """The sentence without what it quotes (the customer's words, or what a colleague said): quoting a
    promise is not making one."""
    chars = list(normalized[start:end])
    for q_start, q_end in scan.quoted:
        for index in range(max(q_start, start), min(q_end, end)):
            chars[index - start] = " "
    return "".join(chars)


def sentence_spans(normalized: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence long enough to read, without its closing punctuation."""
    spans = []
    for match in _SENTENCE_RE.finditer(normalized):
        start, end = match.span()
        while end > start and not normalized[end - 1].isalnum():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def load_phrase_check(path: str | Path) -> PhraseCheck:
    raw = load_knowledge(path)
    with reading(raw, "话术判别模型"):
        labels = {str(name): PhraseLabel(str(entry["family"]), str(entry["explanation"]), str(entry["rewrite"]))
                  for name, entry in raw["labels"].items()}
        corpus = [PROJECT_ROOT / str(relative) for relative in raw["corpus"]]
        model = train_phrase_model(corpus, list(labels), float(raw["max_ok_probability"]),
                                   float(raw.get("regularization", 10.0)), float(raw.get("min_label_probability", 0.0)))
        unknown = set(raw.get("fine_when_remedies_approved") or ()) - labels.keys()
        clears = frozenset(raw.get("model_clears_families") or ())
        mentions = {str(label): _words(words) for label, words in (raw.get("fine_when_message_mentions") or {}).items()
                    if words}
        unknown |= mentions.keys() - labels.keys()
        if unknown:
            raise ValueError(f"未知的标签 {sorted(unknown)}")
        return PhraseCheck(model, labels, frozenset(raw.get("fine_when_remedies_approved") or ()), clears,
                           float(raw.get("clear_at_ok_probability", 1.01)),
                           frozenset(raw.get("fine_when_hedged") or ()), _words(raw.get("hedges") or ()),
                           fine_when_message_mentions=mentions,
                           fine_when_stating_approved_remedy=frozenset(raw.get("fine_when_stating_approved_remedy") or ()))


def _words(words: Sequence[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(re.escape(normalize(str(w))) for w in words)) if words else None
