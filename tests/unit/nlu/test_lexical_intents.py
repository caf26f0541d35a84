"""complaint_desk.nlu.lexical_intents: the n-gram intent model and the log-linear blend."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from complaint_desk.nlu.lexical_intents import LexicalIntentModel, blend_rankings, word_ngrams

EXAMPLES = [
    (["快递", "一周", "还", "没", "到"], "快递一周还没到", "complain_delivery"),
    (["物流", "三天", "没", "动", "了"], "物流三天没动了", "complain_delivery"),
    (["包裹", "怎么", "还", "在", "路上"], "包裹怎么还在路上", "complain_delivery"),
    (["价保", "怎么", "申请"], "价保怎么申请", "ask_policy"),
    (["七天无理由", "怎么", "算"], "七天无理由怎么算", "ask_policy"),
    (["运费险", "谁", "出"], "运费险谁出", "ask_policy"),
    (["转", "人工"], "转人工", "request_human"),
    (["我", "要", "找", "真人", "客服"], "我要找真人客服", "request_human"),
    (["叫", "你们", "主管", "来"], "叫你们主管来", "request_human"),
]


@pytest.fixture(scope="module")
def model() -> LexicalIntentModel:
    words, texts, intents = zip(*EXAMPLES, strict=True)
    return LexicalIntentModel().fit(list(words), list(texts), list(intents))


def test_word_ngrams_adds_bigrams_and_drops_blanks() -> None:
    assert word_ngrams(["转", " ", "人工"]) == ["转", "人工", "转 人工"]


def test_predicts_the_intent_of_its_cue_words(model: LexicalIntentModel) -> None:
    probabilities = model.probabilities(["价保", "能", "申请", "吗"], "价保能申请吗")
    assert max(probabilities, key=probabilities.get) == "ask_policy"
    assert sum(probabilities.values()) == pytest.approx(1.0)


def test_single_message_path_matches_the_batch_path(model: LexicalIntentModel) -> None:
    words = [["快递", "没", "到"], ["转", "人工", "客服"], ["价保"]]
    texts = ["快递没到", "转人工客服", "价保"]
    batch = model.predict_proba(words, texts)
    for row, (message_words, text) in enumerate(zip(words, texts, strict=True)):
        np.testing.assert_allclose(model.predict_proba([message_words], [text])[0], batch[row], rtol=1e-6)


def test_without_naive_bayes_it_is_the_logistic_regression() -> None:
    words, texts, intents = zip(*EXAMPLES, strict=True)
    regression_only = LexicalIntentModel(naive_bayes_weight=0.0).fit(list(words), list(texts), list(intents))
    features = regression_only._features([["快递", "没", "到"]], ["快递没到"])
    assert regression_only.classifier is not None
    np.testing.assert_allclose(regression_only.predict_proba([["快递", "没", "到"]], ["快递没到"]),
                               regression_only.classifier.predict_proba(features), rtol=1e-6)


def test_naive_bayes_changes_the_scores(model: LexicalIntentModel) -> None:
    words, texts, intents = zip(*EXAMPLES, strict=True)
    regression_only = LexicalIntentModel(naive_bayes_weight=0.0).fit(list(words), list(texts), list(intents))
    assert not np.allclose(model.predict_proba([["价保"]], ["价保"]), regression_only.predict_proba([["价保"]], ["价保"]))


def test_two_intents_give_two_probabilities() -> None:
    two = [example for example in EXAMPLES if example[2] != "request_human"]
    words, texts, intents = zip(*two, strict=True)
    model = LexicalIntentModel().fit(list(words), list(texts), list(intents))
    probabilities = model.probabilities(["价保", "怎么", "算"], "价保怎么算")
    assert set(probabilities) == {"ask_policy", "complain_delivery"}
    assert max(probabilities, key=probabilities.get) == "ask_policy"
    batch = model.predict_proba([["价保", "怎么", "算"], ["快递", "没", "到"]], ["价保怎么算", "快递没到"])
    np.testing.assert_allclose(batch[0], model.predict_proba([["价保", "怎么", "算"]], ["价保怎么算"])[0], rtol=1e-6)
    assert batch[1].argmax() == model.intents.index("complain_delivery")


def test_unknown_text_gives_a_distribution(model: LexicalIntentModel) -> None:
    probabilities = model.probabilities([], "😀😀")
    assert sum(probabilities.values()) == pytest.approx(1.0)


def test_pickles_without_its_cache(model: LexicalIntentModel) -> None:
    model.probabilities(["快递"], "快递")  # builds the fast tables
    restored = pickle.loads(pickle.dumps(model))
    assert "_fast" not in restored.__dict__
    assert restored.probabilities(["快递"], "快递") == pytest.approx(model.probabilities(["快递"], "快递"))


def test_fit_rejects_one_intent() -> None:
    with pytest.raises(ValueError):
        LexicalIntentModel().fit([["a"], ["b"]], ["a", "b"], ["greet", "greet"])


def test_predict_before_fit_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        LexicalIntentModel().probabilities(["快递"], "快递")


def test_blend_weights_the_two_sides() -> None:
    diet = {"complain_delivery": 0.9, "ask_policy": 0.1}
    lexical = {"complain_delivery": 0.2, "ask_policy": 0.8}
    assert blend_rankings(diet, lexical, 0.0)[0][0] == "complain_delivery"
    assert blend_rankings(diet, lexical, 1.0)[0][0] == "ask_policy"
    blended = blend_rankings(diet, lexical, 0.5)
    assert sum(confidence for _, confidence in blended) == pytest.approx(1.0)
    assert [name for name, _ in blended] == ["complain_delivery", "ask_policy"]  # 0.9*0.2 > 0.1*0.8


def test_blend_where_both_agree_stays_confident() -> None:
    blended = dict(blend_rankings({"greet": 0.95, "thank": 0.05}, {"greet": 0.6, "thank": 0.4}, 0.7))
    assert blended["greet"] > 0.7


def test_blend_counts_an_intent_missing_from_a_truncated_ranking_as_unlikely() -> None:
    blended = dict(blend_rankings({"greet": 0.99}, {"greet": 0.5, "thank": 0.5}, 0.5))
    assert blended["greet"] > 0.95
    assert blended["thank"] < 0.05


def test_blend_of_nothing_is_empty_and_weight_is_checked() -> None:
    assert blend_rankings({}, {}, 0.5) == []
    with pytest.raises(ValueError):
        blend_rankings({"greet": 1.0}, {"greet": 1.0}, 1.5)
