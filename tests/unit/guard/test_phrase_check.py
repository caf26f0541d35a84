"""The phrase model as the guard uses it. The sentences here are this test's own, not corpus or blind lines."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from complaint_desk.guard.phrase_model import OK, LabelledReply, PhraseModel, read_corpus
from complaint_desk.guard.verdict import GuardContext
from complaint_desk.knowledge import KnowledgeError
from tests.unit.shipped_knowledge import GUARD, POLICY

PLAIN = GuardContext.of_policy(POLICY)


@pytest.mark.parametrize("text", [
    "这事交给我，您就等着好消息吧，没跑的",        # certainty in an idiom
    "放宽心，快递小哥晚饭前就给您送到家门口",      # a time of day instead of a number
    "您那天签收的时候多半没看仔细吧",              # polite blame on the customer
    "你把收到的那串数字报给我，我这边帮你操作",    # a code read aloud
])
def test_paraphrased_over_promises_are_blocked_by_the_model(text: str) -> None:
    verdict = GUARD.check(text, PLAIN)
    assert not verdict.allowed
    assert GUARD.check(verdict.rewrite, PLAIN).allowed


@pytest.mark.parametrize("text", [
    "您反映的情况我一定会认真跟进，有结果马上同步给您",  # a commitment to effort
    "提醒您一下，我们的客服任何时候都不会问您要验证码",  # a warning
    "您的问题我已经记下来了，这就去核实",               # "your issue"
    "物流显示已到本地，预计明后天派送，以快递实际为准",  # a hedged timeline
])
def test_replies_that_only_look_like_a_violation_pass(text: str) -> None:
    assert GUARD.check(text, PLAIN).allowed, [(f.rule_id, f.matched_text) for f in GUARD.check(text, PLAIN).findings]


def test_the_bots_fixed_wording_is_left_to_the_rules() -> None:
    text = "这事交给我，您就等着好消息吧，没跑的"
    assert GUARD.check(text, replace(PLAIN, fixed_wording=True)).allowed
    assert not GUARD.check("我保证明天一定到", replace(PLAIN, fixed_wording=True)).allowed  # the rules still apply


def test_the_customers_own_words_quoted_back_are_not_read_as_ours() -> None:
    context = replace(PLAIN, customer_quotes=("你们要是今天不给我退，我就去12315投诉",))
    assert GUARD.check("您说今天不退就去12315投诉，我理解您的着急，我先帮您查退款进度", context).allowed


def test_the_model_is_sure_or_silent() -> None:
    replies = [LabelledReply("您好，请问有什么可以帮您", OK), LabelledReply("爱买不买，不关我事", "dismissive")] * 5
    model = PhraseModel(replies, max_ok_probability=0.5)
    assert model.violation("爱买不买") == ("dismissive", pytest.approx(model.probabilities("爱买不买")["dismissive"]))
    assert model.violation("您好，请问有什么可以帮您") is None
    assert model.violation("爱买不买", skip=frozenset({"dismissive"})) is None


def test_a_bad_corpus_line_names_its_file_and_line(tmp_path: Path) -> None:
    corpus = tmp_path / "replies.jsonl"
    corpus.write_text('{"text": "您好", "label": "ok"}\n{"text": "您好呀", "label": "rude"}\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match="第 2 行: 未知的标签 'rude'"):
        read_corpus([corpus], ["dismissive"])


# ---------------------------------------------------------------- rewrites, masked spans, hedges per clause

# Promises the model has to read (no rule knows their words), each the second clause of a sentence.
_UNHEDGED_PROMISES = ("新机器明天肯定到", "您吃完晚饭新的就送到了", "钱明早睡醒就到您卡上了")


def _offered_wordings() -> set[str]:
    """Every wording the guard puts into a rewrite: the rules', the phrase labels' and the fallback."""
    values = {"min_days": "1", "max_days": "3", "hours": "48", "value": "10", "cap": "10"}
    wordings = {GUARD.fallback_rewrite}
    for rule in GUARD.rules:
        wordings |= {w.format(**values) for w in (rule.rewrite, rule.rewrite_capped) if w}
    assert GUARD.phrases is not None
    wordings |= {label.rewrite for label in GUARD.phrases.labels.values()}
    return {w for w in wordings if not w.startswith("[")}  # [手机号已隐去] and the like are placeholders


# A rewrite_capped wording names the approved amount: it is offered only where one was approved.
CAPPED = replace(PLAIN, approved_remedies=frozenset({"compensation", "quality_return", "price_difference"}),
                 approved_amount=10)


@pytest.mark.parametrize("wording", sorted(_offered_wordings()))
def test_the_guards_own_wordings_pass(wording: str) -> None:
    verdict = GUARD.check(wording, CAPPED if "10元" in wording else PLAIN)
    assert verdict.allowed, [(f.rule_id, f.matched_text) for f in verdict.findings]


def test_the_rewrite_of_a_blocked_sentence_keeps_no_promise() -> None:
    text = "放心，这事包在我身上，新机器明天肯定到"
    verdict = GUARD.check(text, PLAIN)
    assert not verdict.allowed
    assert "time_promise" in {f.family for f in verdict.blocking}
    assert "明天肯定到" not in verdict.rewrite
    again = GUARD.check(verdict.rewrite, PLAIN)
    assert again.allowed, [(f.rule_id, f.matched_text) for f in again.findings]


def test_the_model_reads_what_a_rule_left_of_the_sentence() -> None:
    # 保证 is the rule's; the time promise in words is the model's, in the same sentence.
    verdict = GUARD.check("我保证，新的这台晚饭前就送到您家", PLAIN)
    assert {"absolute_guarantee", "time_promise"} <= {f.family for f in verdict.blocking}
    assert GUARD.check(verdict.rewrite, PLAIN).allowed


@pytest.mark.parametrize("promise", _UNHEDGED_PROMISES)
def test_no_rewrite_leaves_a_promise_beside_the_guards_wording(promise: str) -> None:
    """Every over-promise of the guard's table, with a promise only the model reads after it in the same
    sentence: the rewrite is checked again, passes, and the promise is gone from it."""
    for _ctx, _family, text in _overpromises():
        drafted = f"{text.rstrip('。！!')}，{promise}"
        verdict = GUARD.check(drafted, PLAIN)
        assert not verdict.allowed, drafted
        assert promise not in verdict.rewrite, (drafted, verdict.rewrite)
        assert GUARD.check(verdict.rewrite, PLAIN).allowed, verdict.rewrite


def _overpromises() -> list[list[str]]:
    return yaml.safe_load((Path(__file__).parent / "cases" / "overpromises.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "allowed"), [
    ("我们会尽量帮您催，您吃完晚饭新的就送到了", False),   # the hedge is in the other clause
    ("这事我尽力帮您办，钱明早睡醒就到您卡上了", False),
    ("我们会尽量帮您催，争取晚饭前送到", True),           # each clause leaves room
    ("我们尽量今天帮您催一下，有消息马上告诉您", True),
])
def test_a_hedge_excuses_its_own_clause_only(text: str, allowed: bool) -> None:
    verdict = GUARD.check(text, PLAIN)
    assert verdict.allowed is allowed, [(f.rule_id, f.matched_text) for f in verdict.findings]


def test_rules_and_model_split_sentences_the_same_way() -> None:
    scan = GUARD.scan("您的诉求我记下了；放心，退款您睡个午觉起来就到了。好的")
    assert [scan.text[s:e] for s, e in scan.sentences()] == ["您的诉求我记下了", "放心，退款您睡个午觉起来就到了", "好的"]
    verdict = GUARD.check("您的诉求我记下了；放心，退款您睡个午觉起来就到了", PLAIN)
    assert [f.matched_text for f in verdict.blocking] == ["放心，退款您睡个午觉起来就到了"]
    assert verdict.rewrite.startswith("您的诉求我记下了；")


RESHIP = replace(PLAIN, approved_remedies=frozenset({"reship"}))


@pytest.mark.parametrize(("context", "text", "allowed"), [
    (RESHIP, "这边安排仓库重新给您发一件，单号出来我发您", True),        # the approved remedy, in other words
    (RESHIP, "这边重新给您发一件，另外货款我也退您一大半", False),        # and beside it one nobody approved
    (replace(PLAIN, approved_remedies=frozenset({"apology"})), "东西您留着吧，钱我这边直接全给您退掉", False),
])
def test_an_approved_remedy_excuses_only_the_clause_that_states_it(context: GuardContext, text: str,
                                                                   allowed: bool) -> None:
    verdict = GUARD.check(text, context)
    assert verdict.allowed is allowed, [(f.rule_id, f.matched_text) for f in verdict.findings]


def test_a_time_within_the_sla_excuses_only_its_own_clause() -> None:
    alipay = replace(PLAIN, approved_remedies=frozenset({"no_reason_return"}), payment_method="alipay")
    assert GUARD.check("退款三个工作日内到账，请您留意支付宝通知", alipay).allowed
    assert not GUARD.check("退款三个工作日内到账，新机器明天肯定到", alipay).allowed


@pytest.mark.parametrize("text", ["我一定把您的情况如实反馈给主管", "这件事我一定帮您盯着仓库，有消息就通知您"])
def test_a_commitment_to_an_action_is_not_a_promise_of_outcome(text: str) -> None:
    assert GUARD.check(text, PLAIN).allowed, [(f.rule_id, f.matched_text) for f in GUARD.check(text, PLAIN).findings]


@pytest.mark.parametrize(("text", "allowed"), [
    ("终身免运费这个我做不了主，能给您的是帮您申请一张运费券", True),  # declining is not promising
    ("这个我做不了主，不过新机器明天肯定到", False),                   # the other clause still promises
])
def test_a_refusal_excuses_its_own_clause_only(text: str, allowed: bool) -> None:
    assert GUARD.check(text, PLAIN).allowed is allowed


def test_the_trained_model_is_kept_on_disk_per_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from complaint_desk.guard import phrase_model

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"text": "我保证明天一定到", "label": "absolute_guarantee"}\n'
                      '{"text": "我们会尽快核实", "label": "ok"}\n', encoding="utf-8")
    monkeypatch.setattr(phrase_model, "CACHE_DIR", tmp_path / "cache")
    first = phrase_model.train_phrase_model([corpus], ["absolute_guarantee"], 0.5)
    kept = list((tmp_path / "cache").glob("guard_phrase_model-*.joblib"))
    assert len(kept) == 1
    phrase_model._trained.cache_clear()
    monkeypatch.setattr(phrase_model.PhraseModel, "__init__", lambda *args, **kwargs: pytest.fail("trained again"))
    second = phrase_model.train_phrase_model([corpus], ["absolute_guarantee"], 0.5)
    assert second.probabilities("我保证明天一定到") == first.probabilities("我保证明天一定到")
    kept[0].write_bytes(b"half written")  # a broken file is trained over, not trusted
    phrase_model._trained.cache_clear()
    monkeypatch.undo()
    monkeypatch.setattr(phrase_model, "CACHE_DIR", tmp_path / "cache")
    assert phrase_model.train_phrase_model([corpus], ["absolute_guarantee"], 0.5).labels == first.labels
    phrase_model._trained.cache_clear()
