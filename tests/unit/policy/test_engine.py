from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from complaint_desk.guard.checker import load_guard
from complaint_desk.guard.verdict import GuardContext
from complaint_desk.knowledge import KnowledgeError
from complaint_desk.policy.engine import PolicyEngine
from complaint_desk.policy.loader import load_policy
from complaint_desk.policy.model import Complaint, ComplaintHistory, Decision, OrderFacts, Policy
from complaint_desk.taxonomy import COMPLAINT_CATEGORIES

ROOT = Path(__file__).resolve().parents[3]
POLICY_PATH = ROOT / "knowledge" / "remedy_policy.yml"
TODAY = dt.date(2024, 6, 20)


@cache
def policy() -> Policy:
    return load_policy(POLICY_PATH)


def engine() -> PolicyEngine:
    return PolicyEngine(policy())


def phone_order(delivered_days_ago: int | None = 3, price: float = 200.0, goods_type: str = "electronics",
                payment_method: str = "alipay", promised_days_ago: int = 4) -> OrderFacts:
    delivered = TODAY - dt.timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None
    return OrderFacts(
        order_id="202406100001", product="手机", goods_type=goods_type, price=price,
        payment_method=payment_method, purchased_at=TODAY - dt.timedelta(days=10),
        promised_delivery_at=TODAY - dt.timedelta(days=promised_days_ago), delivered_at=delivered,
        status="delivered" if delivered else "shipped", no_reason_return_eligible=True,
    )


def evaluate(category: str, **kwargs: object) -> Decision:
    return engine().evaluate(Complaint(category=category, today=TODAY, **kwargs))  # type: ignore[arg-type]


def offered(decision: Decision) -> dict[str, str]:
    return {offer.remedy_id: offer.rule_id for offer in decision.offers}


# ---------------------------------------------------------------- default policy


def test_default_policy_loads_with_every_category() -> None:
    assert set(policy().categories) == set(COMPLAINT_CATEGORIES)
    assert policy().authority.coupon_cap == 10
    assert policy().sla.refund_window("alipay") == (1, 3)
    assert policy().sla.refund_window("bank_card") == (3, 7)


@pytest.mark.parametrize("category", ["quality", "damaged_lost"])
def test_cracked_phone_with_photo_gets_return_exchange_or_refund(category: str) -> None:
    decision = evaluate(category, order=phone_order(), desired_outcome="refund", evidence=frozenset({"photo"}))
    remedies = offered(decision)
    assert {"quality_return", "quality_exchange", "transit_refund", "reship", "no_reason_return"} & set(remedies)
    for offer in decision.offers:
        assert offer.rule_id and offer.rule_id in offer.reason
        assert offer.remedy_id not in {"statutory_review"}
        assert "赔三" not in offer.title and "三倍" not in offer.title
    first = decision.offers[0]
    assert first.matches_desired and first.amount == 200.0
    assert not first.needs_human_approval and not first.pending_checks
    assert first.timeline == "退款审核通过后 1-3 个工作日原路退回（支付宝）"


def test_quality_rules_name_the_law() -> None:
    decision = evaluate("quality", order=phone_order(), evidence=frozenset({"photo"}))
    reasons = {offer.rule_id: offer.reason for offer in decision.offers}
    assert "第二十四条" in reasons["quality.return_7d"]
    assert "第二十五条" in reasons["shared.no_reason_return"]
    assert "quality.repair_warranty" in reasons


def test_desired_outcome_ranks_matching_offers_first() -> None:
    decision = evaluate("quality", order=phone_order(), desired_outcome="repair", evidence=frozenset({"photo"}))
    assert decision.offers[0].remedy_id == "warranty_repair"
    decision = evaluate("quality", order=phone_order(), desired_outcome="exchange", evidence=frozenset({"photo"}))
    assert decision.offers[0].remedy_id == "quality_exchange"


def test_late_delivery_gets_shipping_coupon_within_cap_without_human() -> None:
    order = phone_order(delivered_days_ago=1, promised_days_ago=3)
    decision = evaluate("delivery", order=order, desired_outcome="compensation")
    coupon = decision.offers[0]
    assert coupon.remedy_id == "shipping_coupon"
    assert coupon.cap is not None and coupon.cap <= policy().authority.coupon_cap
    assert not coupon.needs_human_approval
    assert "apology" in offered(decision)
    assert decision.level == "异议"


def test_on_time_delivery_declines_coupon() -> None:
    order = phone_order(delivered_days_ago=5, promised_days_ago=3)
    decision = evaluate("delivery", order=order)
    assert "shipping_coupon" not in offered(decision)
    declined = {d.remedy_id: d.reason for d in decision.declined}
    assert "晚于承诺" in declined["shipping_coupon"]


def test_fraud_needs_human_review_and_never_pays_out_automatically() -> None:
    decision = evaluate("fraud", order=phone_order(), desired_outcome="compensation", evidence=frozenset({"photo"}))
    review = next(o for o in decision.offers if o.remedy_id == "statutory_review")
    assert review.needs_human_approval
    assert review.amount is None
    assert review.pending_checks
    assert "第五十五条" in review.reason and "专员审核" in review.reason
    assert "statutory_review" not in decision.approved_remedies
    for offer in decision.offers:
        assert offer.amount is None or offer.amount <= phone_order().price


def test_outside_seven_days_declines_no_reason_return_with_reason() -> None:
    decision = evaluate("after_sales", order=phone_order(delivered_days_ago=9), desired_outcome="return")
    assert "no_reason_return" not in offered(decision)
    declined = {d.remedy_id: d.reason for d in decision.declined}
    assert "已超过签收后7天" in declined["no_reason_return"]
    assert "第 9 天" in declined["no_reason_return"]


def test_quality_exchange_still_possible_after_return_window() -> None:
    decision = evaluate("quality", order=phone_order(delivered_days_ago=10), evidence=frozenset({"video"}))
    assert "quality_exchange" in offered(decision)
    assert "quality_return" not in offered(decision)


def test_excluded_goods_declined() -> None:
    decision = evaluate("after_sales", order=phone_order(goods_type="custom_made"))
    declined = {d.remedy_id: d.reason for d in decision.declined}
    assert "定制商品" in declined["no_reason_return"]


def test_missing_evidence_is_a_pending_check() -> None:
    decision = evaluate("damaged_lost", order=phone_order(price=300), history=ComplaintHistory(segment="frequent_informed"))
    reship = next(o for o in decision.offers if o.remedy_id == "reship")
    assert any("照片" in check for check in reship.pending_checks)
    assert "reship" not in decision.approved_remedies


def test_first_time_low_value_waives_photo() -> None:
    decision = evaluate("damaged_lost", order=phone_order(price=59), history=ComplaintHistory(segment="first_time"))
    reship = next(o for o in decision.offers if o.remedy_id == "reship")
    assert reship.pending_checks == ()
    assert "reship" in decision.approved_remedies


def test_frequent_unreasonable_gets_strict_standard_handling() -> None:
    history = ComplaintHistory(earlier_complaints=9, segment="frequent_unreasonable")
    decision = evaluate("service", history=history)
    assert "goodwill_coupon" not in offered(decision)
    assert "goodwill_coupon" in {d.remedy_id for d in decision.declined}
    cheap = evaluate("damaged_lost", order=phone_order(price=59), history=history)
    reship = next(o for o in cheap.offers if o.remedy_id == "reship")
    assert any("照片" in c for c in reship.pending_checks)
    assert any("历史投诉" in c for c in reship.pending_checks)


def test_no_order_asks_for_order_number() -> None:
    decision = evaluate("quality", evidence=frozenset({"photo"}))
    assert decision.offers
    assert all("订单号" in " ".join(o.pending_checks) for o in decision.offers)


def test_privacy_escalates_without_compensation() -> None:
    decision = evaluate("privacy")
    assert decision.offers[0].remedy_id == "privacy_escalation"
    assert decision.offers[0].needs_human_approval
    assert all(o.amount is None and o.cap is None for o in decision.offers)
    assert decision.level == "升级投诉"


def test_refund_above_authority_needs_human() -> None:
    decision = evaluate("quality", order=phone_order(price=5999), evidence=frozenset({"photo"}))
    refund = next(o for o in decision.offers if o.remedy_id == "quality_return")
    assert refund.needs_human_approval


def test_sla_by_level_payment_and_urgency() -> None:
    bank = evaluate("quality", order=phone_order(payment_method="bank_card"), evidence=frozenset({"photo"}))
    assert bank.sla.level == "投诉" and bank.sla.resolution_hours == 48
    assert bank.sla.refund_arrival_days == (3, 7)
    urgent = engine().evaluate(Complaint(category="quality", today=TODAY, urgent=True))
    assert urgent.sla.resolution_hours == 24
    repeat = evaluate("delivery", history=ComplaintHistory(earlier_complaints=1, same_order_complaint=True))
    assert repeat.level == "升级投诉"


def test_decision_feeds_the_guard() -> None:
    decision = evaluate("delivery", order=phone_order(delivered_days_ago=1, promised_days_ago=3))
    guard = load_guard(ROOT / "knowledge" / "guard_rules.yml", ROOT / "knowledge" / "guard_phrases.yml")
    context = GuardContext(approved_remedies=decision.approved_remedies, coupon_cap=policy().authority.coupon_cap,
                           sla=policy().sla, payment_method="alipay")
    assert guard.check("给您发一张10元运费券，实在抱歉", context).allowed
    assert not guard.check("给您发一张20元运费券，实在抱歉", context).allowed
    assert not guard.check("给您全额退款", context).allowed


def test_unknown_category_is_rejected() -> None:
    with pytest.raises(ValueError):
        evaluate("weather")


# ---------------------------------------------------------------- malformed policy files


def _broken_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """The default policy with one edit; returns the file and the 1-based line of the edit."""
    text = POLICY_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    edited = text.replace(old, new)
    line = text[:text.index(old)].count("\n") + 1
    path = tmp_path / "remedy_policy.yml"
    path.write_text(edited, encoding="utf-8")
    return path, line


@pytest.mark.parametrize(("old", "new", "message"), [
    ("coupon_cap: 10 ", "coupon_cap: -5 ", "优惠券上限不能为负数 (coupon_cap = -5)"),
    ("        cap: 10\n", "        cap: -1\n", "优惠券上限不能为负数"),
    ("        remedy: quality_exchange\n", "        remedy: free_iphone\n", "未定义的补救措施 'free_iphone'"),
    ("        legal_note: sanbao\n", "        legal_note: cpl_999\n", "未定义的法律依据"),
    ("        evidence_any: [photo, carrier_record]\n        goods_exclude: [custom_made]\n",
     "        evidence_any: [photo, selfie]\n        goods_exclude: [custom_made]\n", "未知的凭证类型 'selfie'"),
    ("  price:\n    title: 价格争议", "  pricing:\n    title: 价格争议", "未知的投诉类别 'pricing'"),
    ("    bank_card: {title: 银行卡, min_days: 3, max_days: 7}",
     "    bank_card: {title: 银行卡, min_days: 8, max_days: 7}", "最长到账天数 (7) 小于最短到账天数 (8)"),
    ("        window: {from: receipt, days: 15}", "        window: {from: receipt, days: 5}", "换货期限（5 天"),
    ("        window: {from: purchase, days: 7}", "        window: {from: order, days: 7}", "时间窗口起点"),
    ("        description: 三包有效期（一年）内出现性能故障，可免费维修\n",
     "        descripton: 三包有效期（一年）内出现性能故障，可免费维修\n", "未知的键 'descripton'"),
    ("    goodwill_allowed: false", "    goodwill_allowed: nope", "应为 true 或 false"),
    ("      - id: service.goodwill_coupon\n", "      - id: service.apology\n", "规则编号 service.apology 重复"),
    ("        cap: 5\n        goodwill: true\n", "        cap: 50\n        needs_human_approval: false\n        goodwill: true\n",
     "自相矛盾"),
])
def test_malformed_policy_names_file_and_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    path, line = _broken_copy(tmp_path, old, new)
    with pytest.raises(KnowledgeError) as caught:
        load_policy(path)
    error = caught.value
    assert message in str(error)
    assert str(path) in str(error)
    matching = [problem_line for problem_line, text in error.problems if message in text]
    assert matching, error.problems
    assert line <= matching[0] <= line + new.count("\n") + 1, (line, error.problems)


def test_missing_required_key_is_reported(tmp_path: Path) -> None:
    path, _ = _broken_copy(tmp_path, "  refund_auto_limit: 2000     # 订单金额", "  # refund_auto_limit: 2000     # 订单金额")
    with pytest.raises(KnowledgeError, match="缺少必填键 'refund_auto_limit'") as caught:
        load_policy(path)
    text = POLICY_PATH.read_text(encoding="utf-8")
    authority_line = text[:text.index("authority:\n")].count("\n") + 1
    assert caught.value.line == authority_line


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("version: 1\nauthority:\n  coupon_cap: 10\n  bad: [unclosed\nremedies: {}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_policy(path)
    assert caught.value.line is not None and 4 <= caught.value.line <= 6
    assert "YAML" in str(caught.value) and str(path) in str(caught.value)


def test_small_file_reports_every_missing_section(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yml"
    path.write_text("version: 1\nauthority:\n  coupon_cap: -5\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_policy(path)
    text = str(caught.value)
    assert f"{path} 第 3 行: 优惠券上限不能为负数 (coupon_cap = -5)" in text
    assert "缺少必填键 'remedies'" in text


def test_duplicate_key_is_reported(tmp_path: Path) -> None:
    path, line = _broken_copy(tmp_path, "  coupon_cap: 10 ", "  coupon_cap: 10\n  coupon_cap: 50 ")
    with pytest.raises(KnowledgeError, match="重复的键") as caught:
        load_policy(path)
    assert caught.value.line == line + 1


def test_missing_file() -> None:
    with pytest.raises(KnowledgeError, match="无法读取"):
        load_policy("/nonexistent/policy.yml")


# ---------------------------------------------------------------- customer-facing wording and ranking


def all_rules() -> list:
    return list({rule.rule_id: rule for category in policy().categories.values() for rule in category.rules}.values())


def test_every_rule_has_customer_wording_that_passes_the_guard() -> None:
    guard = load_guard(ROOT / "knowledge" / "guard_rules.yml", ROOT / "knowledge" / "guard_phrases.yml")
    for rule in all_rules():
        assert rule.customer_wording, f"{rule.rule_id} has no customer_wording"
        assert "客户" not in rule.customer_wording, f"{rule.rule_id} talks about the customer, not to them"
        context = GuardContext(approved_remedies=frozenset({rule.remedy_id}), coupon_cap=policy().authority.coupon_cap,
                               sla=policy().sla)
        verdict = guard.check(rule.customer_wording, context)
        assert verdict.allowed, (rule.rule_id, [finding.rule_id for finding in verdict.findings])


def test_customer_wording_falls_back_to_the_description() -> None:
    rule = policy().rule("delivery.shipping_coupon")
    assert rule.wording_for_customer == rule.customer_wording
    assert type(rule)(**{**rule.__dict__, "customer_wording": None}).wording_for_customer == rule.description


def test_quality_problem_with_evidence_gets_the_quality_return_before_the_shared_no_reason_return() -> None:
    decision = evaluate("quality", order=phone_order(delivered_days_ago=2), desired_outcome="return",
                        evidence=frozenset({"video"}))
    assert [offer.remedy_id for offer in decision.offers][:2] == ["quality_return", "no_reason_return"]


def test_unmet_wish_names_the_declined_remedy_the_customer_asked_for() -> None:
    late_purchase = phone_order()  # bought 10 days ago: outside the 7-day price protection
    decision = evaluate("price", order=late_purchase, desired_outcome="price_difference")
    unmet = engine().unmet_wish(decision, "price_difference")
    assert unmet is not None and unmet.remedy_id == "price_difference"
    assert "7天" in unmet.reason


def test_no_unmet_wish_when_an_offer_matches_or_nothing_was_asked() -> None:
    decision = evaluate("delivery", order=phone_order(delivered_days_ago=None), desired_outcome="compensation")
    assert engine().unmet_wish(decision, "compensation") is None
    assert engine().unmet_wish(decision, None) is None


def test_a_wish_no_rule_of_the_category_gives_is_outside_the_rules() -> None:
    late = phone_order(delivered_days_ago=None)
    for wish in ("repair", "exchange"):  # a late parcel: no repair or exchange rule for delivery problems
        decision = evaluate("delivery", order=late, desired_outcome=wish)
        assert engine().wish_outside_rules(decision, wish)
        assert engine().unmet_wish(decision, wish) is None
    met = evaluate("delivery", order=late, desired_outcome="compensation")
    assert not engine().wish_outside_rules(met, "compensation")  # an offer gives it
    declined = evaluate("price", order=phone_order(), desired_outcome="price_difference")
    assert not engine().wish_outside_rules(declined, "price_difference")  # a rule exists; unmet_wish says why not
    assert not engine().wish_outside_rules(met, None) and not engine().wish_outside_rules(met, "unspecified")
    for care in ("explanation", "apology"):  # never told "没法直接办理"
        assert not engine().wish_outside_rules(evaluate("delivery", order=late, desired_outcome=care), care)
