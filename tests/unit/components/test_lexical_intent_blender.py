"""components.lexical_intent_blender: the Rasa graph component around complaint_desk.nlu.lexical_intents."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from components.lexical_intent_blender import LexicalIntentBlender
from components.normalizing_jieba_tokenizer import NormalizingJiebaTokenizer

NLU_YAML = """
version: "3.1"
nlu:
- intent: complain_delivery
  examples: |
    - 快递一个礼拜了还没到
    - 物流三天没动了
    - 包裹怎么还在路上
    - 说好次日达，到现在都没送
- intent: ask_policy
  examples: |
    - 价保怎么申请
    - 七天无理由怎么算
    - 运费险谁出
    - 退货运费是买家出吗
- intent: request_human
  examples: |
    - 转人工
    - 我要找真人客服
    - 叫你们主管来
"""


@pytest.fixture()
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture()
def tokenizer() -> NormalizingJiebaTokenizer:
    return NormalizingJiebaTokenizer({**NormalizingJiebaTokenizer.get_default_config()}, None, None)


def _trained(tmp_path: Path, context: ExecutionContext, tokenizer: NormalizingJiebaTokenizer,
             **config: object) -> tuple[LexicalIntentBlender, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("lexical_intents")
    training_data = tokenizer.process_training_data(RasaYAMLReader().reads(NLU_YAML))
    component = LexicalIntentBlender.create({**LexicalIntentBlender.get_default_config(), **config},
                                            storage, resource, context)
    component.train(training_data)
    return component, storage, resource


def _message(tokenizer: NormalizingJiebaTokenizer, text: str, diet: dict[str, float]) -> Message:
    message = Message.build(text)
    tokenizer.process([message])
    message.set("intent", {"name": max(diet, key=diet.get), "confidence": max(diet.values())})
    message.set("intent_ranking", [{"name": name, "confidence": value} for name, value in diet.items()])
    return message


def test_lexical_side_overrules_an_unsure_diet(tmp_path: Path, context: ExecutionContext,
                                               tokenizer: NormalizingJiebaTokenizer) -> None:
    component, _, _ = _trained(tmp_path, context, tokenizer, lexical_weight=0.7)
    message = _message(tokenizer, "價保怎麼申請", {"complain_delivery": 0.5, "ask_policy": 0.4, "request_human": 0.1})
    component.process([message])
    assert message.get("intent")["name"] == "ask_policy"
    ranking = message.get("intent_ranking")
    assert ranking[0] == message.get("intent")
    assert sum(item["confidence"] for item in ranking) == pytest.approx(1.0)
    assert "intent" in message.as_dict(only_output_properties=True)


def test_weight_zero_keeps_diet_order(tmp_path: Path, context: ExecutionContext,
                                      tokenizer: NormalizingJiebaTokenizer) -> None:
    component, _, _ = _trained(tmp_path, context, tokenizer, lexical_weight=0.0)
    message = _message(tokenizer, "价保怎么申请", {"complain_delivery": 0.6, "ask_policy": 0.3, "request_human": 0.1})
    component.process([message])
    assert [item["name"] for item in message.get("intent_ranking")] == [
        "complain_delivery", "ask_policy", "request_human"]


def test_ranking_length_is_respected(tmp_path: Path, context: ExecutionContext,
                                     tokenizer: NormalizingJiebaTokenizer) -> None:
    component, _, _ = _trained(tmp_path, context, tokenizer, ranking_length=2)
    message = _message(tokenizer, "转人工", {"request_human": 0.8, "ask_policy": 0.2})
    component.process([message])
    assert len(message.get("intent_ranking")) == 2


def test_persisted_model_loads_and_predicts_the_same(tmp_path: Path, context: ExecutionContext,
                                                     tokenizer: NormalizingJiebaTokenizer) -> None:
    component, storage, resource = _trained(tmp_path, context, tokenizer)
    loaded = LexicalIntentBlender.load(LexicalIntentBlender.get_default_config(), storage, resource, context)
    diet = {"complain_delivery": 0.4, "ask_policy": 0.35, "request_human": 0.25}
    first, second = _message(tokenizer, "快递还没到", diet), _message(tokenizer, "快递还没到", diet)
    component.process([first])
    loaded.process([second])
    assert first.get("intent_ranking") == second.get("intent_ranking")
    assert first.get("intent")["name"] == "complain_delivery"


def test_empty_text_and_untrained_component_leave_the_message_alone(
        tmp_path: Path, context: ExecutionContext, tokenizer: NormalizingJiebaTokenizer) -> None:
    component, _, _ = _trained(tmp_path, context, tokenizer)
    empty = Message.build("")
    component.process([empty])
    assert empty.get("intent") is None
    untrained = LexicalIntentBlender.load(LexicalIntentBlender.get_default_config(),
                                          LocalModelStorage(tmp_path / "other"), Resource("none"), context)
    message = _message(tokenizer, "转人工", {"request_human": 0.8, "ask_policy": 0.2})
    untrained.process([message])
    assert message.get("intent") == {"name": "request_human", "confidence": 0.8}
