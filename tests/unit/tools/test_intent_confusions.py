from pathlib import Path

from tools.intent_confusions import cross_validated_predictions, load_intent_examples

NLU = """version: "3.1"
nlu:
- regex: order_id
  examples: |
    - \\d{12}
- intent: complain_delivery
  metadata:
    emotion: angry
  examples: |
    - 快递[一个礼拜](time_span)还没到
    - 订单[582047193650](order_id)物流不动了
- intent: thank
  examples: |
    - 谢谢{"entity"}
"""


def test_examples_are_read_per_intent_without_annotations(tmp_path: Path) -> None:
    (tmp_path / "delivery.yml").write_text(NLU, encoding="utf-8")
    texts, intents = load_intent_examples(tmp_path)
    assert texts[:2] == ["快递一个礼拜还没到", "订单582047193650物流不动了"]
    assert intents == ["complain_delivery", "complain_delivery", "thank"]


def test_cross_validation_predicts_one_known_intent_per_example() -> None:
    texts = ["快递没到", "物流不动", "快递太慢", "物流好慢", "谢谢你", "多谢了", "感谢感谢", "谢啦"]
    intents = ["complain_delivery"] * 4 + ["thank"] * 4
    predicted = cross_validated_predictions(texts, intents, folds=2)
    assert len(predicted) == len(texts) and set(predicted) <= set(intents)
    assert sum(p == t for p, t in zip(predicted, intents, strict=True)) >= 6
