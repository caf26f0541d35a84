"""Over-promise guard: checks outgoing text (bot replies, agent drafts) against the guard rules.

Rules, phrases and rewrite wording live in knowledge/guard_rules.yml; this module only
knows how to apply them. All regexes are compiled once, at load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complaint_desk.guard.phrase_check import PhraseCheck, load_phrase_check
from complaint_desk.guard.verdict import Finding, GuardContext, Scan, Verdict
from complaint_desk.knowledge import load_knowledge, reading, source_name
from complaint_desk.nlu.normalize import normalize
from complaint_desk.nlu.numerals import NUMBER_PATTERN, parse_number

SEVERITIES = ("block", "warn")
CHECKS = ("phrase", "amount", "refund_time", "resolution_time")
AMOUNT_KINDS = ("grant", "refund", "price_difference")
_CURRENCY_PATTERN = r"(?:块钱|元钱|元整|块|元|圆)"
_MAX_REWRITE_PASSES = 4
_PREFIX_WINDOW = 24
_SUFFIX_WINDOW = 16


@dataclass(frozen=True)
class _Rule:
    rule_id: str
    family: str
    severity: str
    check: str
    patterns: tuple[re.Pattern[str], ...]
    exceptions: re.Pattern[str] | None
    clause_skip: re.Pattern[str] | None
    sentence_skip: re.Pattern[str] | None
    negation: re.Pattern[str] | None
    suffix_negatable: bool
    hedgeable: bool
    conditional_ok: bool
    licensed_by: frozenset[str]
    amount_kind: str | None
    explanation: str
    rewrite: str
    rewrite_capped: str | None


@dataclass(frozen=True)
class _Limits:
    """Numbers a check compares against, resolved once per call from the context."""
    refund_min_days: float
    refund_max_days: float
    resolution_hours: float


def _alternation(words: Iterable[str]) -> str:
    # Longest first so that 没有办法 wins over 没.
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


class Guard:
    def __init__(self, config: Mapping[str, Any], source: str = "<guard rules>",
                 phrases: PhraseCheck | None = None) -> None:
        self.source = source
        self.phrases = phrases
        with reading(config, "过度承诺检查规则"):
            self._load(config)

    # ------------------------------------------------------------ loading

    def _load(self, config: Mapping[str, Any]) -> None:
        markers = config["markers"]
        self.families: dict[str, str] = dict(config["families"])
        self.fallback_rewrite: str = config["fallback_rewrite"]
        self.time_words: dict[str, float] = {k: float(v) for k, v in config["time_words"].items()}
        self.time_units: dict[str, float] = {k: float(v) for k, v in config["time_units"].items()}
        defaults = config["defaults"]
        self.default_refund_max_days = float(defaults["refund_max_days"])
        self.default_resolution_hours = float(defaults["resolution_hours"])
        self.default_level: str = defaults["complaint_level"]
        self.grant_remedies = frozenset(config["grant_remedies"])
        self.refund_remedies = frozenset(config["refund_remedies"])

        breaks = markers["clause_breaks"]
        self._break_chars = frozenset(breaks)
        clause_char = f"[^{re.escape(breaks)}]"
        self._substitutions = {"%NUM%": NUMBER_PATTERN, "%CUR%": _CURRENCY_PATTERN, "%C%": clause_char}
        negations = _alternation(markers["negations"])
        fillers = _alternation(markers["fillers"])
        self._negation_prefix = f"(?:{negations})(?:{fillers}){{0,3}}"
        self._clause_char = clause_char
        self._suffix_negation = re.compile(f"^{clause_char}{{0,8}}?(?:{_alternation(markers['suffix_negations'])})")
        self._hedge = re.compile(_alternation(markers["hedges"]))
        self._conditional = re.compile(_alternation(markers["conditionals"]))
        self._sentence_chars = frozenset(markers["sentence_breaks"])
        self._quote_pairs = [(pair[0], pair[1]) for pair in markers["quote_pairs"]]
        self._quote_intro = re.compile("|".join(f"(?:{p})" for p in markers["quote_intros"]))
        self._negation_cache: dict[int, re.Pattern[str]] = {}

        seen: set[str] = set()
        self.rules: list[_Rule] = []
        for raw in config["rules"]:
            rule = self._compile_rule(raw)
            if rule.rule_id in seen:
                raise ValueError(f"duplicate rule id {rule.rule_id}")
            seen.add(rule.rule_id)
            self.rules.append(rule)

    def _expand(self, pattern: str) -> str:
        for placeholder, replacement in self._substitutions.items():
            pattern = pattern.replace(placeholder, replacement)
        return pattern

    def _regex(self, patterns: Sequence[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{self._expand(pattern)})" for pattern in patterns))

    def _negation_regex(self, gap: int) -> re.Pattern[str]:
        if gap not in self._negation_cache:
            self._negation_cache[gap] = re.compile(f"{self._negation_prefix}{self._clause_char}{{0,{gap}}}$")
        return self._negation_cache[gap]

    def _compile_rule(self, raw: Mapping[str, Any]) -> _Rule:
        rule_id = raw["id"]
        family, severity = raw["family"], raw.get("severity", "block")
        check = raw.get("check", "phrase")
        if family not in self.families:
            raise ValueError(f"rule {rule_id}: unknown family {family!r}")
        if severity not in SEVERITIES:
            raise ValueError(f"rule {rule_id}: severity must be one of {SEVERITIES}")
        if check not in CHECKS:
            raise ValueError(f"rule {rule_id}: check must be one of {CHECKS}")
        amount_kind = raw.get("amount_kind")
        if check == "amount" and amount_kind not in AMOUNT_KINDS:
            raise ValueError(f"rule {rule_id}: amount_kind must be one of {AMOUNT_KINDS}")
        # Compiled one by one: patterns of a rule may reuse group names such as (?P<num>...).
        patterns = tuple(re.compile(self._expand(pattern)) for pattern in raw["patterns"])
        if check != "phrase" and any("num" not in p.groupindex and "word" not in p.groupindex for p in patterns):
            raise ValueError(f"rule {rule_id}: {check} patterns need a (?P<num>...) or (?P<word>...) group")
        return _Rule(
            rule_id=rule_id, family=family, severity=severity, check=check, patterns=patterns,
            exceptions=self._regex(raw["exceptions"]) if raw.get("exceptions") else None,
            clause_skip=self._regex(raw["clause_skip"]) if raw.get("clause_skip") else None,
            sentence_skip=self._regex(raw["sentence_skip"]) if raw.get("sentence_skip") else None,
            negation=self._negation_regex(int(raw.get("negation_gap", 0))) if raw.get("negatable") else None,
            suffix_negatable=bool(raw.get("suffix_negatable", False)),
            hedgeable=bool(raw.get("hedgeable", False)),
            conditional_ok=bool(raw.get("conditional_ok", False)),
            licensed_by=frozenset(raw.get("licensed_by", ())),
            amount_kind=amount_kind, explanation=raw["explanation"], rewrite=raw["rewrite"],
            rewrite_capped=raw.get("rewrite_capped"),
        )

    # ------------------------------------------------------------ checking

    def check(self, text: str, context: GuardContext | None = None) -> Verdict:
        context = context or GuardContext()
        findings = self._findings(text, context)
        allowed = not any(f.severity == "block" for f in findings)
        rewrite = text if allowed else self._rewrite(text, findings, context)
        return Verdict(allowed, tuple(findings), rewrite)

    def scan(self, text: str, context: GuardContext | None = None) -> Scan:
        """The normalized text with its clause and sentence breaks and what it quotes: one splitting, read by
        the rules and the phrase model alike."""
        normalized = normalize(text)
        scan = Scan(normalized, [i for i, char in enumerate(normalized) if char in self._break_chars],
                    [i for i, char in enumerate(normalized) if char in self._sentence_chars])
        scan.quoted = self._quoted_spans(normalized)
        if context is not None:
            scan.customer_quotes = tuple(normalize(quote) for quote in context.customer_quotes)
        return scan

    def _findings(self, text: str, context: GuardContext, own: Sequence[tuple[int, int]] = ()) -> list[Finding]:
        """`own`: spans holding the guard's own rewrite wording (when a rewrite is checked again); the rules
        read them, the phrase model does not."""
        scan = self.scan(text, context)
        normalized = scan.text
        limits = self._limits(context)
        findings: list[Finding] = []
        approved_spans: list[tuple[int, int]] = []  # where the text states a remedy the policy approved
        cleared: list[tuple[int, int, str]] = []  # amounts and times a rule compared with the context, found fine
        for rule in self.rules:
            if rule.licensed_by & context.approved_remedies and rule.check == "phrase":
                approved_spans += [m.span() for pattern in rule.patterns for m in pattern.finditer(normalized)]
                continue
            exception_spans: list[tuple[int, int]] | None = None
            rule_findings: list[Finding] = []
            for match in (m for pattern in rule.patterns for m in pattern.finditer(normalized)):
                start, end = match.span()
                if start == end or scan.is_quoted(start, end):
                    continue
                if rule.exceptions is not None:
                    if exception_spans is None:  # computed only when the rule hits at all
                        exception_spans = [m.span() for m in rule.exceptions.finditer(normalized)]
                    if any(e_start < end and start < e_end for e_start, e_end in exception_spans):
                        continue
                if self._neutralized(rule, scan, start, end):
                    continue
                message = self._violation(rule, match, context, limits)
                if message is None:
                    if rule.check != "phrase":  # an amount or a time within what was approved: judged fine
                        cleared.append((start, end, rule.family))
                    continue
                explanation, suggestion = message
                rule_findings.append(Finding(rule.rule_id, rule.family, start, end, text[start:end],
                                             rule.severity, explanation, suggestion))
            findings.extend(_widest(rule_findings))
        if self.phrases is not None and not context.fixed_wording:
            findings = [f for f in findings if not self.phrases.overruled(scan, f)]
            judged = [(f.start, f.end) for f in findings]  # a rule said block, or (severity warn) only warn
            findings += self.phrases.findings(text, scan, [*judged, *own], context, approved_spans, cleared)
        findings.sort(key=lambda f: (f.start, -f.end))
        return findings

    def _neutralized(self, rule: _Rule, scan: Scan, start: int, end: int) -> bool:
        """Negated, hedged or conditional mentions are not promises."""
        text = scan.text
        clause_start, clause_end = scan.clause(start)
        if rule.clause_skip and rule.clause_skip.search(text, clause_start, max(clause_end, end)):
            return True
        if rule.sentence_skip:
            sentence_start, sentence_end = scan.sentence(start)
            if rule.sentence_skip.search(text, sentence_start, max(sentence_end, end)):
                return True
        if rule.conditional_ok and self._conditional.search(text, scan.sentence_start(start), start):
            return True
        if rule.negation and rule.negation.search(text[max(clause_start, start - _PREFIX_WINDOW):start]):
            return True
        if rule.suffix_negatable and self._suffix_negation.search(text[end:min(clause_end, end + _SUFFIX_WINDOW)]):
            return True
        return bool(rule.hedgeable and self._hedge.search(text, clause_start, end))

    def _violation(self, rule: _Rule, match: re.Match[str], context: GuardContext,
                   limits: _Limits) -> tuple[str, str] | None:
        """(explanation, suggestion) when the match breaks the rule in this context, else None."""
        fmt = {"min_days": f"{limits.refund_min_days:g}", "max_days": f"{limits.refund_max_days:g}",
               "hours": f"{limits.resolution_hours:g}"}
        if rule.check == "phrase":
            return rule.explanation.format(**fmt), rule.rewrite.format(**fmt)
        if rule.check == "amount":
            value = parse_number(match.group("num"))
            if value is None:
                return None
            cap = self._amount_cap(rule.amount_kind or "grant", context)
            if cap is None or value <= cap + 1e-9:
                return None
            fmt.update(value=f"{value:g}", cap=f"{cap:g}")
            suggestion = rule.rewrite_capped if (cap and rule.rewrite_capped) else rule.rewrite
            return rule.explanation.format(**fmt), suggestion.format(**fmt)
        promised_days = self._promised_days(match)
        if promised_days is None:
            return None
        if rule.check == "refund_time" and promised_days >= limits.refund_max_days:
            return None
        if rule.check == "resolution_time" and promised_days * 24 >= limits.resolution_hours:
            return None
        return rule.explanation.format(**fmt), rule.rewrite.format(**fmt)

    def _amount_cap(self, kind: str, context: GuardContext) -> float | None:
        """The most that may be promised for this kind of amount; None means no limit."""
        approved = context.approved_remedies
        if kind == "refund":
            if not approved & self.refund_remedies:
                return 0.0
            return context.approved_amount
        if kind == "price_difference":
            return context.approved_amount if "price_difference" in approved else 0.0
        if not approved & self.grant_remedies:
            return 0.0
        if context.approved_amount is not None:
            return context.approved_amount
        return context.coupon_cap if context.coupon_cap is not None else 0.0

    def _promised_days(self, match: re.Match[str]) -> float | None:
        groups = match.groupdict()
        if groups.get("word"):
            return self.time_words.get(groups["word"])
        if groups.get("num"):
            value = parse_number(groups.get("num2") or groups["num"])
            unit = (groups.get("unit") or "天").lstrip("个")
            factor = self.time_units.get(unit, self.time_units.get(groups.get("unit") or "", 1.0))
            return None if value is None else value * factor
        return None

    def _limits(self, context: GuardContext) -> _Limits:
        sla = context.sla
        if sla is None:
            return _Limits(1, self.default_refund_max_days, self.default_resolution_hours)
        if context.payment_method in sla.refund_arrival:
            min_days, max_days = sla.refund_window(context.payment_method)
        else:
            # Unknown channel: hold promises to the fastest channel's upper bound.
            fastest = min(sla.refund_arrival.values(), key=lambda a: a.max_days)
            min_days, max_days = fastest.min_days, fastest.max_days
        level = context.complaint_level or self.default_level
        row = sla.levels.get(level)
        hours = row.resolution_hours if row else self.default_resolution_hours
        return _Limits(min_days, max_days, hours)

    def _quoted_spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for opener, closer in self._quote_pairs:
            position = 0
            while True:
                start = text.find(opener, position)
                if start < 0:
                    break
                end = text.find(closer, start + 1)
                if end < 0:
                    break
                spans.append((start, end + 1))
                position = end + 1
        for match in self._quote_intro.finditer(text):
            end = match.end()
            while end < len(text) and text[end] not in self._break_chars:
                end += 1
            spans.append((match.start(), end))
        return spans

    # ------------------------------------------------------------ rewriting

    def _rewrite(self, text: str, findings: Sequence[Finding], context: GuardContext) -> str:
        """Each blocked span replaced by its suggestion and checked again, until nothing blocks, at most
        _MAX_REWRITE_PASSES times; else the fallback. Checked twice: as anyone would check it (the agent sends
        it, it is checked again), and with the guard's own wording masked for the phrase model, so that the
        calm words the guard put in cannot excuse what is left of the agent's sentence beside them."""
        current, current_findings, own = text, list(findings), []
        for _ in range(_MAX_REWRITE_PASSES):
            current, own = self._replace_blocked(current, current_findings, own)
            current_findings = self._findings(current, context)
            if own and not any(f.severity == "block" for f in current_findings):
                current_findings = self._findings(current, context, own)
            if not any(f.severity == "block" for f in current_findings):
                return current
        return self.fallback_rewrite

    @staticmethod
    def _replace_blocked(text: str, findings: Sequence[Finding],
                         own: Sequence[tuple[int, int]] = ()) -> tuple[str, list[tuple[int, int]]]:
        """Replace each cluster of overlapping blocked spans by the suggestion of its widest finding. Returns
        the new text and where the guard's own wording now stands in it (`own`: where it stood before)."""
        blocked = sorted((f for f in findings if f.severity == "block"), key=lambda f: (f.start, -f.end))
        clusters: list[list[Finding]] = []
        for finding in blocked:
            if clusters and finding.start < max(f.end for f in clusters[-1]):
                clusters[-1].append(finding)
            else:
                clusters.append([finding])
        pieces: list[str] = []
        placed: list[tuple[int, int]] = []
        position = length = 0  # position in the old text, length of the new text so far

        def keep(until: int) -> None:
            nonlocal length
            for o_start, o_end in own:  # the guard's earlier wording in the part kept as it was
                if position <= o_start and o_end <= until:
                    placed.append((o_start - position + length, o_end - position + length))
            pieces.append(text[position:until])
            length += until - position

        for cluster in clusters:
            start, end = cluster[0].start, max(f.end for f in cluster)
            widest = max(cluster, key=lambda f: f.end - f.start)
            keep(start)
            pieces.append(widest.suggestion)
            placed.append((length, length + len(widest.suggestion)))
            length += len(widest.suggestion)
            position = end
        keep(len(text))
        return "".join(pieces), placed


def _widest(findings: list[Finding]) -> list[Finding]:
    """Several patterns of one rule may hit the same words; keep hits not contained in another."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if not any(k.start <= finding.start and finding.end <= k.end for k in kept):
            kept.append(finding)
    return kept


def load_guard(path: str | Path, phrases: str | Path | None = None) -> Guard:
    """Read and compile knowledge/guard_rules.yml, and with `phrases` (knowledge/guard_phrases.yml) the phrase
    model that reads each sentence for the phrase families."""
    return Guard(load_knowledge(path), source_name(path), load_phrase_check(phrases) if phrases else None)
