"""The phrase model as the guard uses it. The sentences here are this test's own, not corpus or blind lines."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from complaint_desk.guard.phrase_model import OK, LabelledReply, PhraseModel, read_corpus
from complaint_desk.guard.verdict import GuardContext
from complaint_desk.knowledge import KnowledgeError
from tests.unit.shipped_knowledge import GUARD, POLICY

PLAIN = GuardContext(coupon_cap=POLICY.authority.coupon_cap, sla=POLICY.sla)


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
