from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from complaint_desk.guard.checker import Guard, load_guard
from complaint_desk.guard.verdict import GuardContext, Verdict
from complaint_desk.knowledge import KnowledgeError
from complaint_desk.policy.loader import load_policy
from complaint_desk.policy.model import SlaTable

ROOT = Path(__file__).resolve().parents[3]
CASES = Path(__file__).resolve().parent / "cases"
GUARD_RULES = ROOT / "knowledge" / "guard_rules.yml"
POLICY = ROOT / "knowledge" / "remedy_policy.yml"


@cache
def guard() -> Guard:
    return load_guard(GUARD_RULES, GUARD_RULES.with_name("guard_phrases.yml"))


@cache
def sla() -> SlaTable:
    return load_policy(POLICY).sla


@cache
def contexts() -> dict[str, GuardContext]:
    raw = yaml.safe_load((CASES / "contexts.yml").read_text(encoding="utf-8"))
    return {
        name: GuardContext(approved_remedies=frozenset(row["approved"]), approved_amount=row["amount"],
                           sla=sla(), payment_method=row["payment"])
        for name, row in raw.items()
    }


def _table(name: str) -> list[list[Any]]:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))


OVERPROMISES = _table("overpromises.yml")
COMPLIANT = _table("compliant.yml")


def _describe(verdict: Verdict) -> str:
    return "; ".join(f"{f.rule_id}:{f.matched_text}" for f in verdict.findings) or "no findings"


def coupon_context() -> GuardContext:
    return GuardContext(approved_remedies=frozenset({"shipping_coupon"}), approved_amount=10, sla=sla())


# ---------------------------------------------------------------- tables


def test_tables_are_big_enough_and_distinct() -> None:
    assert len(OVERPROMISES) >= 150
    assert len(COMPLIANT) >= 150
    texts = [row[-1] for row in OVERPROMISES + COMPLIANT]
    assert len(texts) == len(set(texts)), "duplicate rows"
    families = {row[1] for row in OVERPROMISES}
    assert families == set(guard().families)


@pytest.mark.parametrize(("ctx", "family", "text"), OVERPROMISES, ids=[f"over{i:03d}" for i in range(len(OVERPROMISES))])
def test_overpromise_is_blocked_and_rewrite_passes(ctx: str, family: str, text: str) -> None:
    context = contexts()[ctx]
    verdict = guard().check(text, context)
    assert not verdict.allowed, f"not blocked: {text}"
    assert family in {f.family for f in verdict.blocking}, _describe(verdict)
    for finding in verdict.findings:
        assert text[finding.start:finding.end] == finding.matched_text
        assert finding.explanation and finding.suggestion
    rewritten = guard().check(verdict.rewrite, context)
    assert rewritten.allowed, f"rewrite still blocked: {verdict.rewrite} ({_describe(rewritten)})"
    assert verdict.rewrite != guard().fallback_rewrite, f"fell back for: {text}"


@pytest.mark.parametrize(("ctx", "text"), COMPLIANT, ids=[f"ok{i:03d}" for i in range(len(COMPLIANT))])
def test_compliant_reply_passes(ctx: str, text: str) -> None:
    verdict = guard().check(text, contexts()[ctx])
    assert verdict.allowed, _describe(verdict)
    assert verdict.rewrite == text


# ---------------------------------------------------------------- issue examples


def test_issue_example_three_findings_and_rewrite_passes() -> None:
    text = "您放心，我保证今天之内给您全额退款，再补偿您500元"
    verdict = guard().check(text, coupon_context())
    families = {f.family for f in verdict.blocking}
    rule_ids = {f.rule_id for f in verdict.blocking}
    assert not verdict.allowed
    assert len(verdict.blocking) >= 3
    assert "absolute_guarantee" in families
    assert {"time.refund_arrival", "remedy.refund"} & rule_ids
    assert "amount.grant_over_cap" in rule_ids
    assert guard().check(verdict.rewrite, coupon_context()).allowed
    assert "500" not in verdict.rewrite


def test_issue_example_negated_guarantee_passes() -> None:
    assert guard().check("这个我们无法保证，但会尽快为您核实", coupon_context()).allowed


def test_full_refund_depends_on_approval() -> None:
    text = "可以给您全额退款，请您把商品寄回"
    assert not guard().check(text, GuardContext(sla=sla())).allowed
    assert guard().check(text, GuardContext(approved_remedies=frozenset({"refund"}), sla=sla())).allowed


def test_refund_amount_is_checked_only_against_an_amount_that_is_known() -> None:
    text = "按质量问题退货，退款599元原路退回"
    approved = frozenset({"quality_return"})
    assert guard().check(text, GuardContext(approved_remedies=approved, sla=sla())).allowed
    assert not guard().check(text, GuardContext(approved_remedies=approved, approved_amount=299, sla=sla())).allowed
    assert not guard().check(text, GuardContext(sla=sla())).allowed


@pytest.mark.parametrize(("amount", "allowed"), [
    ("9.99元", True), ("10元", True), ("十元", True), ("１０元", True), ("拾元", True),
    ("10.01元", False), ("11元", False), ("十一元", False), ("５百元", False), ("两千块", False),
])
def test_amount_cap_boundaries(amount: str, allowed: bool) -> None:
    verdict = guard().check(f"给您补偿{amount}的运费券", coupon_context())
    assert verdict.allowed is allowed, _describe(verdict)


def test_coupon_cap_used_when_no_amount_approved() -> None:
    context = GuardContext(approved_remedies=frozenset({"goodwill_coupon"}), coupon_cap=5, sla=sla())
    assert guard().check("送您一张5元优惠券", context).allowed
    assert not guard().check("送您一张6元优惠券", context).allowed


def test_traditional_and_fullwidth_are_caught() -> None:
    verdict = guard().check("保證給您全額退款，再賠償您５００元", coupon_context())
    assert {"absolute.guarantee", "remedy.refund", "amount.grant_over_cap"} <= {f.rule_id for f in verdict.findings}
    offsets = {f.rule_id: (f.start, f.end) for f in verdict.findings}
    assert offsets["absolute.guarantee"] == (0, 2)


def test_quoted_customer_words_are_not_flagged() -> None:
    for text in ('您说"客服保证过三天到"，我们这边先核实一下', "您提到「全额退款」，我们需要先核实商品情况",
                 "您刚才说要精神损失费，这个我记录一下"):
        assert guard().check(text, GuardContext(sla=sla())).allowed, text


def test_customer_quotes_from_context_are_not_flagged() -> None:
    text = "关于你们客服保证三天到货这件事，我们正在核实"
    assert not guard().check(text, GuardContext(sla=sla())).allowed
    context = GuardContext(sla=sla(), customer_quotes=("你们客服保证三天到货，结果一周了都没到",))
    assert guard().check(text, context).allowed


def test_refund_time_follows_payment_channel() -> None:
    alipay = GuardContext(approved_remedies=frozenset({"refund"}), sla=sla(), payment_method="alipay")
    bank = GuardContext(approved_remedies=frozenset({"refund"}), sla=sla(), payment_method="bank_card")
    text = "退款3个工作日内到账"
    assert guard().check(text, alipay).allowed
    assert not guard().check(text, bank).allowed
    assert guard().check("退款7个工作日内到账", bank).allowed


def test_time_promise_without_sla_uses_defaults() -> None:
    assert not guard().check("一小时内到账", GuardContext(approved_remedies=frozenset({"refund"}))).allowed


def test_warn_does_not_block() -> None:
    verdict = guard().check("这个我也不知道", GuardContext())
    assert verdict.allowed
    assert [f.severity for f in verdict.findings] == ["warn"]


def test_rewrite_keeps_compliant_parts() -> None:
    verdict = guard().check("非常抱歉让您久等了，我保证明天给您处理好", GuardContext(sla=sla()))
    assert verdict.rewrite.startswith("非常抱歉让您久等了，")
    assert guard().check(verdict.rewrite, GuardContext(sla=sla())).allowed


# ---------------------------------------------------------------- rules file


def test_bad_rules_file_is_rejected(tmp_path: Path) -> None:
    config = yaml.safe_load(GUARD_RULES.read_text(encoding="utf-8"))
    config["rules"][0]["family"] = "no_such_family"
    broken = tmp_path / "guard.yml"
    broken.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="no_such_family"):
        load_guard(broken)


def test_bad_regex_is_rejected(tmp_path: Path) -> None:
    config = yaml.safe_load(GUARD_RULES.read_text(encoding="utf-8"))
    config["rules"][0]["patterns"] = ["保证("]
    broken = tmp_path / "guard.yml"
    broken.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=str(broken)):
        load_guard(broken)


def test_a_statutory_amount_explained_with_its_review_is_not_a_promise() -> None:
    context = GuardContext(approved_remedies=frozenset({"statutory_review"}), sla=sla())
    assert guard().check("依照食品安全法，惩罚性赔偿不足1000元的按1000元算，不过能否适用要专员审核", context).allowed
    assert not guard().check("依照食品安全法，惩罚性赔偿不足1000元的按1000元算，这单给您赔1000元", context).allowed
