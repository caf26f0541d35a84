"""tools.eval_nlu and its stages: the same seeded folds for every measurement, the lexical intent baseline,
the complaint rule, parse timing and the command line."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from tools.eval_nlu import latency_summary, main
from tools.eval_nlu_cross_validation import held_out_fallback_count, lexical_intent_cross_validation
from tools.eval_nlu_external import predicted_complaint
from tools.eval_nlu_timing import shopper_messages
from tools.nlu_folds import fold_indices

NLU_YAML = """
version: "3.1"
nlu:
- intent: complain_delivery
  examples: |
    - 快递一个礼拜了还没到
    - 物流三天没动了
    - 包裹怎么还在路上
    - 说好次日达，到现在都没送
    - 快递员把东西乱放
- intent: thank
  examples: |
    - 谢谢你
    - 太感谢了
    - 多谢多谢
    - 谢谢客服小姐姐
    - 感谢帮忙
"""


def _training_data():
    return RasaYAMLReader().reads(NLU_YAML)


def test_folds_are_seeded_stratified_and_cover_every_example() -> None:
    examples = _training_data().intent_examples
    first, second = fold_indices(5, examples), fold_indices(5, examples)
    assert first == second
    held_out = sorted(i for _, test in first for i in test)
    assert held_out == list(range(len(examples)))
    for _, test in first:
        assert {examples[i].get("intent") for i in test} == {"complain_delivery", "thank"}


def test_lexical_baseline_reports_macro_f1_and_accuracy() -> None:
    scores = lexical_intent_cross_validation(_training_data(), 5)
    assert 0.0 <= scores["intent_macro_f1"] <= 1.0
    assert scores["intent_accuracy"] >= 0.6  # the two intents share no words


def test_praise_on_a_complaint_topic_is_not_a_complaint() -> None:
    praise = {"intent": {"name": "complain_delivery"}, "emotion": {"name": "satisfied"}}
    assert predicted_complaint(praise) is False
    assert predicted_complaint(praise, refined=False) is True
    assert predicted_complaint({"intent": {"name": "greet"}, "emotion": {"name": "angry"}}) is True


def test_shopper_messages_are_spread_over_our_examples() -> None:
    picked = shopper_messages(_training_data(), count=4)
    assert len(picked) == 4
    assert {"快递一个礼拜了还没到", "谢谢你"} <= set(picked)  # from both intents, not the first four
    assert len(shopper_messages(_training_data(), count=100)) == 10


def test_latency_summary() -> None:
    summary = latency_summary([float(ms) for ms in range(1, 101)])
    assert summary["messages"] == 100
    assert summary["max"] == 100.0
    assert 50 <= summary["p50"] <= 51 and 95 <= summary["p95"] <= 96


def test_a_missing_model_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--skip-cv", "--model", "/no/such/model.tar.gz"])
    assert "找不到模型文件" in capsys.readouterr().err


def test_fallbacks_are_counted_on_the_held_out_half_of_each_fold_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.nlu.test as nlu_test
    from rasa.nlu.classifiers import fallback_classifier

    fell_back = {"intent": {"name": "nlu_fallback", "confidence": 0.7}}
    confident = {"intent": {"name": "thank", "confidence": 0.9}}

    async def parse_and_check(*args, **kwargs):  # stands in for Rasa's combine_result → get_eval_data
        for result in args[4]:
            nlu_test.fallback_classifier.is_fallback_classifier_prediction(result)

    monkeypatch.setattr(nlu_test, "combine_result", parse_and_check)
    original = fallback_classifier.is_fallback_classifier_prediction
    with held_out_fallback_count() as counts:
        asyncio.run(nlu_test.combine_result({}, {}, {}, None, [fell_back, fell_back, fell_back]))  # training half
        asyncio.run(nlu_test.combine_result({}, {}, {}, None, [fell_back, confident, confident, confident], [], [], []))
    assert counts == {"messages": 4, "fell_back": 1}
    assert fallback_classifier.is_fallback_classifier_prediction is original
