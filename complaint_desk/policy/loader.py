"""Load and validate the policy file (knowledge/remedy_policy.yml) into a Policy.

Loading validates the whole file before anything is returned, and every error names the file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from complaint_desk.knowledge import KnowledgeError, parse_knowledge, read_knowledge_text, source_name
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.policy.model import (
    Authority,
    CategoryPolicy,
    LegalNote,
    Policy,
    RefundArrival,
    RemedyDefinition,
    Rule,
    SegmentPolicy,
    SlaLevel,
    SlaTable,
    Window,
)
from complaint_desk.policy.yaml_reader import YamlReader
from complaint_desk.taxonomy import (
    AMOUNT_SOURCES,
    COMPLAINT_CATEGORIES,
    COMPLAINT_LEVELS,
    CONDITIONS,
    EVIDENCE_KINDS,
    OUTCOMES,
    PAYMENT_METHODS,
    REMEDY_KINDS,
    SEGMENTS,
    WINDOW_ANCHORS,
)

DEFAULT_POLICY_PATH = KNOWLEDGE_DIR / "remedy_policy.yml"
REQUIRED_MESSAGES = (
    "reason", "legal_suffix", "window_expired", "window_anchor_receipt", "window_anchor_purchase",
    "not_received", "goods_excluded", "goods_not_included", "condition_failed", "evidence_missing",
    "evidence_waived", "order_missing", "goodwill_not_allowed", "human_approval", "amount_over_authority",
)



def load_policy(path: str | Path) -> Policy:
    """Load and fully validate a policy file. Raises KnowledgeError naming the file and line."""
    return parse_policy(read_knowledge_text(path), source_name(path))


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    data = parse_knowledge(text, source)  # syntax errors and duplicate keys, with their lines
    if data is None:
        raise KnowledgeError(source, [(None, "政策文件为空")])
    reader = YamlReader()
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    reader.record_lines(node, ())
    policy = _build_policy(reader, data, source)
    if reader.problems:
        reader.problems.sort(key=lambda problem: problem[0] or 0)
        raise KnowledgeError(source, reader.problems)
    return policy


def _build_policy(r: YamlReader, data: Any, source: str) -> Policy:
    root = r.mapping(data, (), required=(
        "version", "goods_types", "evidence_kinds", "authority", "legal_notes", "remedies",
        "categories", "segments", "sla", "conditions", "messages",
    ), optional=("shared_rules",))

    version = r.integer(root.get("version", 1), ("version",), "版本号")
    goods_types = _labels(r, root.get("goods_types"), ("goods_types",))
    evidence_kinds = _labels(r, root.get("evidence_kinds"), ("evidence_kinds",))
    for kind in evidence_kinds:
        if kind not in EVIDENCE_KINDS:
            r.problem(("evidence_kinds", kind), f"未知的凭证类型 {kind!r}（可选：{', '.join(EVIDENCE_KINDS)}）")
    conditions = _labels(r, root.get("conditions"), ("conditions",))
    for condition in CONDITIONS:
        if condition not in conditions:
            r.problem(("conditions",), f"conditions 缺少条件说明 {condition!r}")
    for condition in conditions:
        if condition not in CONDITIONS:
            r.problem(("conditions", condition), f"程序不认识的条件 {condition!r}（可选：{', '.join(CONDITIONS)}）")
    messages = _labels(r, root.get("messages"), ("messages",))
    for key in REQUIRED_MESSAGES:
        if key not in messages:
            r.problem(("messages",), f"messages 缺少提示语 {key!r}")

    authority = _build_authority(r, root.get("authority"))
    legal_notes = _build_legal_notes(r, root.get("legal_notes"))
    sla = _build_sla(r, root.get("sla"))
    remedies = _build_remedies(r, root.get("remedies"), sla)
    context = _RuleContext(remedies, legal_notes, goods_types, evidence_kinds, authority)
    shared = {}
    for index, raw in enumerate(root.get("shared_rules") or []):
        rule = _build_rule(r, raw, ("shared_rules", index), context)
        if rule:
            shared[rule.rule_id] = rule
    categories = _build_categories(r, root.get("categories"), context, shared)
    segments = _build_segments(r, root.get("segments"))

    return Policy(
        source=source, version=version, goods_types=goods_types, evidence_kinds=evidence_kinds,
        authority=authority, legal_notes=legal_notes, remedies=remedies, categories=categories,
        segments=segments, sla=sla, conditions=conditions, messages=messages,
    )


def _labels(r: YamlReader, value: Any, path: tuple[Any, ...]) -> dict[str, str]:
    mapping = r.mapping(value, path)
    return {str(key): r.text(label, (*path, key)) for key, label in mapping.items()}


def _build_authority(r: YamlReader, value: Any) -> Authority:
    path = ("authority",)
    raw = r.mapping(value, path, required=("coupon_cap", "cash_compensation_cap", "refund_auto_limit"))
    return Authority(
        coupon_cap=r.number(raw.get("coupon_cap", 0), (*path, "coupon_cap"), "优惠券上限"),
        cash_compensation_cap=r.number(raw.get("cash_compensation_cap", 0), (*path, "cash_compensation_cap"),
                                       "现金补偿上限"),
        refund_auto_limit=r.number(raw.get("refund_auto_limit", 0), (*path, "refund_auto_limit"),
                                   "自动退款金额上限"),
    )


def _build_legal_notes(r: YamlReader, value: Any) -> dict[str, LegalNote]:
    notes = {}
    for note_id, raw in r.mapping(value, ("legal_notes",)).items():
        path = ("legal_notes", note_id)
        raw = r.mapping(raw, path, required=("title", "text"))
        notes[note_id] = LegalNote(note_id, r.text(raw.get("title"), (*path, "title")),
                                   r.text(raw.get("text"), (*path, "text")))
    return notes


def _build_sla(r: YamlReader, value: Any) -> SlaTable:
    path = ("sla",)
    raw = r.mapping(value, path, required=(
        "levels", "urgent_factor", "repeat_on_same_order_level", "refund_arrival", "timelines"),
        optional=("follow_up_after_hours",))
    levels = {}
    raw_levels = r.mapping(raw.get("levels"), (*path, "levels"))
    for level in COMPLAINT_LEVELS:
        if level not in raw_levels:
            r.problem((*path, "levels"), f"SLA 缺少投诉等级 {level!r}")
    for level, row in raw_levels.items():
        row_path = (*path, "levels", level)
        if level not in COMPLAINT_LEVELS:
            r.problem(row_path, f"未知的投诉等级 {level!r}（可选：{', '.join(COMPLAINT_LEVELS)}）")
        row = r.mapping(row, row_path, required=("first_response_minutes", "resolution_hours"))
        first = r.number(row.get("first_response_minutes", 0), (*row_path, "first_response_minutes"), "首次响应时限")
        resolution = r.number(row.get("resolution_hours", 0), (*row_path, "resolution_hours"), "处理时限")
        if first > resolution * 60:
            r.problem(row_path, f"首次响应时限（{first:g} 分钟）不能长于处理时限（{resolution:g} 小时）")
        levels[level] = SlaLevel(first, resolution)
    arrivals = {}
    raw_arrivals = r.mapping(raw.get("refund_arrival"), (*path, "refund_arrival"))
    for method in PAYMENT_METHODS:
        if method not in raw_arrivals:
            r.problem((*path, "refund_arrival"), f"退款到账时效缺少支付方式 {method!r}")
    for method, row in raw_arrivals.items():
        row_path = (*path, "refund_arrival", method)
        if method not in PAYMENT_METHODS:
            r.problem(row_path, f"未知的支付方式 {method!r}（可选：{', '.join(PAYMENT_METHODS)}）")
        row = r.mapping(row, row_path, required=("title", "min_days", "max_days"))
        min_days = r.integer(row.get("min_days", 0), (*row_path, "min_days"), "最短到账天数")
        max_days = r.integer(row.get("max_days", 0), (*row_path, "max_days"), "最长到账天数")
        if min_days > max_days:
            r.problem((*row_path, "max_days"), f"最长到账天数 ({max_days}) 小于最短到账天数 ({min_days})")
        arrivals[method] = RefundArrival(method, r.text(row.get("title"), (*row_path, "title")), min_days, max_days)
    factor = r.number(raw.get("urgent_factor", 1), (*path, "urgent_factor"), "紧急系数", 1.0)
    if not 0 < factor <= 1:
        r.problem((*path, "urgent_factor"), f"紧急系数应在 0 到 1 之间 (urgent_factor = {factor:g})")
    repeat_level = raw.get("repeat_on_same_order_level", "升级投诉")
    if repeat_level not in COMPLAINT_LEVELS:
        r.problem((*path, "repeat_on_same_order_level"), f"未知的投诉等级 {repeat_level!r}")
    timelines = _labels(r, raw.get("timelines"), (*path, "timelines"))
    follow_up = r.number(raw.get("follow_up_after_hours", 48), (*path, "follow_up_after_hours"), "回访间隔", 48.0)
    if follow_up <= 0:
        r.problem((*path, "follow_up_after_hours"), f"回访间隔必须大于 0 (follow_up_after_hours = {follow_up:g})")
    return SlaTable(levels, arrivals, timelines, factor, repeat_level, follow_up)


def _build_remedies(r: YamlReader, value: Any, sla: SlaTable) -> dict[str, RemedyDefinition]:
    remedies = {}
    for remedy_id, raw in r.mapping(value, ("remedies",)).items():
        path = ("remedies", remedy_id)
        raw = r.mapping(raw, path, required=("title", "kind", "outcomes"), optional=("timeline",))
        kind = raw.get("kind")
        if kind not in REMEDY_KINDS:
            r.problem((*path, "kind"), f"未知的补救类型 {kind!r}（可选：{', '.join(REMEDY_KINDS)}）")
        outcomes = r.ids(raw.get("outcomes"), (*path, "outcomes"), OUTCOMES, "客户诉求")
        timeline = raw.get("timeline")
        if timeline is not None and timeline not in sla.timelines:
            r.problem((*path, "timeline"), f"时效 {timeline!r} 未在 sla.timelines 中定义")
        remedies[remedy_id] = RemedyDefinition(
            remedy_id, r.text(raw.get("title"), (*path, "title")), str(kind), frozenset(outcomes), timeline)
    return remedies


@dataclass(frozen=True)
class _RuleContext:
    remedies: Mapping[str, RemedyDefinition]
    legal_notes: Mapping[str, LegalNote]
    goods_types: Mapping[str, str]
    evidence_kinds: Mapping[str, str]
    authority: Authority


_RULE_KEYS = (
    "legal_note", "window", "conditions", "evidence_any", "goods_include", "goods_exclude",
    "amount", "cap", "needs_human_approval", "goodwill", "pending_checks", "customer_wording",
)


def _build_rule(r: YamlReader, value: Any, path: tuple[Any, ...], context: _RuleContext) -> Rule | None:
    raw = r.mapping(value, path, required=("id", "title", "remedy", "description"), optional=_RULE_KEYS)
    if not raw:
        return None
    rule_id = r.text(raw.get("id"), (*path, "id"), "?")
    remedy_id = raw.get("remedy")
    if remedy_id not in context.remedies:
        r.problem((*path, "remedy"), f"规则 {rule_id} 引用了未定义的补救措施 {remedy_id!r}")
    legal_note = raw.get("legal_note")
    if legal_note is not None and legal_note not in context.legal_notes:
        r.problem((*path, "legal_note"), f"规则 {rule_id} 引用了未定义的法律依据 {legal_note!r}")
    window = None
    if "window" in raw:
        window_path = (*path, "window")
        raw_window = r.mapping(raw["window"], window_path, required=("from", "days"))
        anchor = raw_window.get("from")
        if anchor not in WINDOW_ANCHORS:
            r.problem((*window_path, "from"), f"时间窗口起点应为 receipt（签收）或 purchase（下单），当前为 {anchor!r}")
        days = r.integer(raw_window.get("days", 0), (*window_path, "days"), "时间窗口天数")
        window = Window(str(anchor), days, r.line((*window_path, "days")) or 0)
    amount_source = raw.get("amount")
    if amount_source is not None and amount_source not in AMOUNT_SOURCES:
        r.problem((*path, "amount"), f"金额来源应为 {', '.join(AMOUNT_SOURCES)}，当前为 {amount_source!r}")
    cap = r.number(raw["cap"], (*path, "cap"), "优惠券上限") if "cap" in raw else None
    needs_human = r.boolean(raw.get("needs_human_approval"), (*path, "needs_human_approval"), False)
    remedy = context.remedies.get(remedy_id)
    if cap is not None and remedy is not None and remedy.kind == "coupon":
        over_authority = cap > context.authority.coupon_cap
        if over_authority and raw.get("needs_human_approval") is False:
            r.problem((*path, "cap"), f"规则 {rule_id} 的上限 {cap:g} 元超过机器人权限 "
                                      f"{context.authority.coupon_cap:g} 元，却声明无需人工审批（自相矛盾）")
        needs_human = needs_human or over_authority
    goods_include = r.ids(raw.get("goods_include"), (*path, "goods_include"), context.goods_types, "商品类型")
    goods_exclude = r.ids(raw.get("goods_exclude"), (*path, "goods_exclude"), context.goods_types, "商品类型")
    overlap = set(goods_include) & set(goods_exclude)
    if overlap:
        r.problem((*path, "goods_exclude"), f"规则 {rule_id} 的商品类型 {', '.join(sorted(overlap))} 同时被包含和排除")
    conditions = r.ids(raw.get("conditions"), (*path, "conditions"), CONDITIONS, "条件")
    if "delivered" in conditions and "not_delivered" in conditions:
        r.problem((*path, "conditions"), f"规则 {rule_id} 同时要求已签收和未签收（自相矛盾）")
    if window and window.anchor == "receipt" and "not_delivered" in conditions:
        r.problem((*path, "window"), f"规则 {rule_id} 从签收日计时，却要求订单未签收（自相矛盾）")
    return Rule(
        rule_id=rule_id, title=r.text(raw.get("title"), (*path, "title")), remedy_id=str(remedy_id),
        description=r.text(raw.get("description"), (*path, "description")), line=r.line(path) or 0,
        legal_note=legal_note, window=window, conditions=conditions,
        evidence_any=frozenset(r.ids(raw.get("evidence_any"), (*path, "evidence_any"), context.evidence_kinds, "凭证类型")),
        goods_include=frozenset(goods_include), goods_exclude=frozenset(goods_exclude),
        amount_source=amount_source, cap=cap, needs_human_approval=needs_human,
        goodwill=r.boolean(raw.get("goodwill"), (*path, "goodwill"), False),
        customer_wording=r.text(raw.get("customer_wording"), (*path, "customer_wording")) or None,
        pending_checks=r.texts(raw.get("pending_checks"), (*path, "pending_checks")),
    )


def _build_categories(r: YamlReader, value: Any, context: _RuleContext,
                      shared: Mapping[str, Rule]) -> dict[str, CategoryPolicy]:
    raw_categories = r.mapping(value, ("categories",))
    for category in COMPLAINT_CATEGORIES:
        if category not in raw_categories:
            r.problem(("categories",), f"缺少投诉类别 {category!r}")
    categories = {}
    seen_rule_ids: dict[str, tuple[Any, ...]] = {rule_id: ("shared_rules",) for rule_id in shared}
    for category, raw in raw_categories.items():
        path = ("categories", category)
        if category not in COMPLAINT_CATEGORIES:
            r.problem(path, f"未知的投诉类别 {category!r}（可选：{', '.join(COMPLAINT_CATEGORIES)}）")
        raw = r.mapping(raw, path, required=("title", "level", "rules"), optional=("shared",))
        level = raw.get("level")
        if level not in COMPLAINT_LEVELS:
            r.problem((*path, "level"), f"未知的投诉等级 {level!r}（可选：{', '.join(COMPLAINT_LEVELS)}）")
        rules: list[Rule] = []
        raw_rules = raw.get("rules")
        if not isinstance(raw_rules, list) or not raw_rules:
            r.problem((*path, "rules"), f"类别 {category} 至少需要一条规则")
            raw_rules = []
        for index, raw_rule in enumerate(raw_rules):
            rule_path = (*path, "rules", index)
            rule = _build_rule(r, raw_rule, rule_path, context)
            if rule is None:
                continue
            if rule.rule_id in seen_rule_ids:
                r.problem((*rule_path, "id"), f"规则编号 {rule.rule_id} 重复")
            seen_rule_ids[rule.rule_id] = rule_path
            rules.append(rule)
        # Shared rules come after the category's own: the specific remedy is offered first.
        for index, shared_id in enumerate(raw.get("shared") or []):
            if shared_id not in shared:
                r.problem((*path, "shared", index), f"引用了未定义的共用规则 {shared_id!r}")
            else:
                rules.append(shared[shared_id])
        _check_window_order(r, path, rules, context.remedies)
        categories[category] = CategoryPolicy(category, r.text(raw.get("title"), (*path, "title")),
                                              str(level), tuple(rules))
    return categories


def _check_window_order(r: YamlReader, path: tuple[Any, ...], rules: list[Rule],
                        remedies: Mapping[str, RemedyDefinition]) -> None:
    """An exchange window shorter than the return window in the same category is contradictory."""
    def longest(kind: str) -> Rule | None:
        candidates = [rule for rule in rules if rule.window and rule.remedy_id in remedies
                      and remedies[rule.remedy_id].kind == kind and rule.window.anchor == "receipt"
                      and not rule.rule_id.startswith("shared.")]
        return max(candidates, key=lambda rule: rule.window.days if rule.window else 0, default=None)

    return_rule, exchange_rule = longest("return"), longest("exchange")
    if return_rule and exchange_rule and return_rule.window and exchange_rule.window:
        if exchange_rule.window.days < return_rule.window.days:
            r.problems.append((exchange_rule.window.line or exchange_rule.line or r.line(path), (
                f"换货期限（{exchange_rule.window.days} 天，{exchange_rule.rule_id}）短于退货期限"
                f"（{return_rule.window.days} 天，{return_rule.rule_id}），自相矛盾")))


def _build_segments(r: YamlReader, value: Any) -> dict[str, SegmentPolicy]:
    raw_segments = r.mapping(value, ("segments",))
    for segment in SEGMENTS:
        if segment not in raw_segments:
            r.problem(("segments",), f"缺少客户分群 {segment!r}")
    segments = {}
    for segment, raw in raw_segments.items():
        path = ("segments", segment)
        if segment not in SEGMENTS:
            r.problem(path, f"未知的客户分群 {segment!r}（可选：{', '.join(SEGMENTS)}）")
        raw = r.mapping(raw, path, required=("title", "description"), optional=(
            "waive_evidence_below", "goodwill_allowed", "strict_verification", "sla_factor", "extra_checks"))
        waive = raw.get("waive_evidence_below")
        factor = r.number(raw.get("sla_factor", 1.0), (*path, "sla_factor"), "时限系数", 1.0)
        if not 0 < factor <= 1:
            r.problem((*path, "sla_factor"), f"时限系数应在 0 到 1 之间 (sla_factor = {factor:g})")
        strict = r.boolean(raw.get("strict_verification"), (*path, "strict_verification"), False)
        if strict and waive is not None:
            r.problem((*path, "waive_evidence_below"), f"分群 {segment} 要求严格查证，却又免予提供凭证（自相矛盾）")
        segments[segment] = SegmentPolicy(
            segment=segment, title=r.text(raw.get("title"), (*path, "title")),
            description=r.text(raw.get("description"), (*path, "description")),
            waive_evidence_below=(r.number(waive, (*path, "waive_evidence_below"), "免凭证金额")
                                  if waive is not None else None),
            goodwill_allowed=r.boolean(raw.get("goodwill_allowed"), (*path, "goodwill_allowed"), True),
            strict_verification=strict, sla_factor=factor,
            extra_checks=r.texts(raw.get("extra_checks"), (*path, "extra_checks")),
        )
    return segments
