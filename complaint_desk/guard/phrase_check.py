"""The phrase families, checked sentence by sentence by the phrase model (knowledge/guard_phrases.yml).

The knowledge file says, for each label of the corpus, which guard family it belongs to, what the
agent is told and what the compliant rewrite says: plain wording, no regular expressions. The model
reads each sentence (split where the rules split them, Scan.sentences) in the agent's own words: what
it quotes (the customer's words) and the spans a rule already judged (blocked, or only warned about)
are masked, and the rest is read. Labels the context makes fine (an offer when the policy approved
remedies for this conversation) are not findings; a hedge (尽量, 预计...) excuses the hedgeable labels
in its own clause only, so 「尽力让您满意，新机器明天肯定到」 is still a time promise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from complaint_desk.guard.phrase_model import PhraseModel, model_options, train_phrase_model
from complaint_desk.guard.verdict import Finding, GuardContext, Scan
from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.normalize import normalize
from complaint_desk.paths import PROJECT_ROOT

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
    # the words that state each remedy (补发, 运费券...): a clause stating an approved one is that remedy's offer
    remedy_words: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    refusal: re.Pattern[str] | None = None  # 我做不了主, 没办法答应...: a clause that declines promises nothing
    fine_when_refused: frozenset[str] = frozenset()

    def findings(self, text: str, scan: Scan, judged: Sequence[tuple[int, int]], context: GuardContext,
                 approved_spans: Sequence[tuple[int, int]] = (),
                 cleared: Sequence[tuple[int, int, str]] = ()) -> list[Finding]:
        """The model's findings, one per sentence it reads as breaking a rule. `judged`: spans already judged
        (a rule's findings, the guard's own rewrite wording), masked; `approved_spans`: where the text states
        a remedy the policy approved; there the labels in fine_when_stating_approved_remedy are fine.
        `cleared`: amounts and times a rule compared with the context (the approved amount, the SLA table) and
        found fine, with the rule's family: in their clause the labels of that family are fine, as the
        model, which knows no context, cannot tell 3 个工作日 from 3 个小时 as the rule can."""
        normalized = scan.text
        skip = self.fine_when_remedies_approved if context.approved_remedies else frozenset()
        stating = [words for remedy, words in self.remedy_words.items() if remedy in context.approved_remedies]
        skip |= {label for label, words in self.fine_when_message_mentions.items() if words.search(normalized)}
        out: list[Finding] = []
        for start, end in scan.sentences():
            if scan.is_quoted(start, end):
                continue
            masked = [(s, e) for s, e in scan.quoted if s < end and start < e]
            masked += [(s, e) for s, e in judged if s < end and start < e]
            hit = self._violation(scan, start, end, masked, skip, approved_spans, stating, cleared)
            if hit is None:
                continue
            label = self.labels[hit]
            out.append(Finding(f"phrase_model.{hit}", label.family, start, end, text[start:end], "block",
                               label.explanation, label.rewrite))
        return out

    def _violation(self, scan: Scan, start: int, end: int, masked: list[tuple[int, int]], fine: frozenset[str],
                   approved_spans: Sequence[tuple[int, int]] = (),
                   stating: Sequence[re.Pattern[str]] = (),
                   cleared: Sequence[tuple[int, int, str]] = ()) -> str | None:
        """The label the sentence breaks, or None. Some clauses excuse labels, in that clause only: a hedged one
        (尽量, 预计...) the hedgeable labels, one declining (我做不了主) the promise labels, one stating a remedy
        the policy approved the offer labels, one with
        an amount or a time a rule found within the context's limits the labels of that rule's family. Such a
        sentence is read twice: whole, with those labels fine, and without its excusing clauses."""
        sentence = _readable(scan.text, start, end, masked)
        if sentence is None:
            return None
        excused: set[str] = set()
        excusing = []
        for c_start, c_end in scan.clauses(start, end):
            labels = set()
            if self.hedge and self.hedge.search(scan.text, c_start, c_end):
                labels |= self.fine_when_hedged
            if self.refusal and self.refusal.search(scan.text, c_start, c_end):
                labels |= self.fine_when_refused
            if any(s < c_end and c_start < e for s, e in approved_spans) or any(
                    words.search(scan.text, c_start, c_end) for words in stating):
                labels |= self.fine_when_stating_approved_remedy
            families = {family for s, e, family in cleared if s < c_end and c_start < e}
            labels |= {name for name, label in self.labels.items() if label.family in families}
            if labels:
                excused |= labels
                excusing.append((c_start, c_end))
        hit = self.model.violation(sentence, fine | excused)
        if hit is not None or not excusing:
            return hit[0] if hit else None
        rest = _readable(scan.text, start, end, masked + excusing)
        hit = self.model.violation(rest, fine) if rest is not None else None
        return hit[0] if hit else None

    def overruled(self, scan: Scan, finding: Finding) -> bool:
        """A keyword hit of a phrase family in a sentence the model reads as fine with confidence: a commitment
        to effort (一定会认真跟进), a warning (千万别把验证码发给别人), "您的问题" meaning "your issue"."""
        if finding.family not in self.clears_families:
            return False
        start, end = scan.sentence(finding.start)
        if end <= finding.start:
            start, end = finding.start, finding.end
        # Only the model's own "fine": a label the context excuses (an approved offer) says nothing about certainty.
        return self.model.ok_probability(scan.text[start:end]) >= self.clear_at_ok_probability


def _readable(text: str, start: int, end: int, masked: Sequence[tuple[int, int]]) -> str | None:
    """The sentence with the masked spans blanked (quoting a promise is not making one, and what a rule
    judged is judged), or None when too little of it is left to read."""
    chars = list(text[start:end])
    for m_start, m_end in masked:
        for index in range(max(m_start, start), min(m_end, end)):
            chars[index - start] = " "
    sentence = _PLACEHOLDER_RE.sub(" ", "".join(chars))
    return sentence if len(_HAN_RE.findall(sentence)) >= _MIN_SENTENCE_HAN else None


def load_phrase_check(path: str | Path) -> PhraseCheck:
    raw = load_knowledge(path)
    with reading(raw, "话术判别模型"):
        labels = {str(name): PhraseLabel(str(entry["family"]), str(entry["explanation"]), str(entry["rewrite"]))
                  for name, entry in raw["labels"].items()}
        corpus = [PROJECT_ROOT / str(relative) for relative in raw["corpus"]]
        model = train_phrase_model(corpus, list(labels), float(raw["max_ok_probability"]),
                                   min_label_probability=float(raw.get("min_label_probability", 0.0)),
                                   options=model_options(raw))
        unknown = set(raw.get("fine_when_remedies_approved") or ()) - labels.keys()
        clears = frozenset(raw.get("model_clears_families") or ())
        mentions = {str(label): _words(words) for label, words in (raw.get("fine_when_message_mentions") or {}).items()
                    if words}
        unknown |= mentions.keys() - labels.keys()
        unknown |= set(raw.get("fine_when_refused") or ()) - labels.keys()
        if unknown:
            raise ValueError(f"未知的标签 {sorted(unknown)}")
        return PhraseCheck(model, labels, frozenset(raw.get("fine_when_remedies_approved") or ()), clears,
                           float(raw.get("clear_at_ok_probability", 1.01)),
                           frozenset(raw.get("fine_when_hedged") or ()), _words(raw.get("hedges") or ()),
                           fine_when_message_mentions=mentions,
                           fine_when_stating_approved_remedy=frozenset(raw.get("fine_when_stating_approved_remedy") or ()),
                           remedy_words={str(remedy): pattern for remedy, words in
                                         (raw.get("approved_remedy_words") or {}).items()
                                         if (pattern := _words(words)) is not None},
                           refusal=_words(raw.get("refusals") or ()),
                           fine_when_refused=frozenset(raw.get("fine_when_refused") or ()))


def _words(words: Sequence[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(re.escape(normalize(str(w))) for w in words)) if words else None
