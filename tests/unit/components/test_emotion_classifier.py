"""components.emotion_classifier: the Rasa graph component around complaint_desk.nlu.emotion_model."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from complaint_desk.nlu.emotion_training import load_labelled_examples
from complaint_desk.paths import PROJECT_ROOT
from complaint_desk.taxonomy import EMOTIONS
from components.emotion_classifier import EmotionClassifier, emotion_label, extra_example_paths

NLU_YAML = """
version: "3.1"
nlu:
- intent: complain_delivery
  metadata:
    emotion: angry
  examples: |
    - 什么破快递！！一个礼拜了还没到
    - 垃圾物流，气死我了
    - 你们到底管不管？再不送到我就打12315
    - 太过分了，说好的次日达，三天了都没影
- intent: complain_delivery
  metadata:
    emotion: anxious
  examples: |
    - 急！快递什么时候能到啊，明天就要用
    - 好担心东西寄丢了，能帮我查一下吗
    - 孩子等着用药，物流两天没动了
- intent: ask_policy
  metadata:
    emotion: neutral
  examples: |
    - 请问退货要怎么操作
    - 运费险怎么理赔
    - 七天无理由是从哪天开始算
- intent: thank
  metadata:
    emotion: satisfied
  examples: |
    - 谢谢，处理得很快
    - 太感谢了，服务很好
    - 好的，非常满意
- intent: goodbye
  examples: |
    - 拜拜
"""


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture()
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _config(**overrides: object) -> dict:
    config = {**EmotionClassifier.get_default_config(), "use_general_knowledge": False}
    config.update(overrides)
    return config


def _train(storage: LocalModelStorage, context: ExecutionContext, **overrides: object) -> EmotionClassifier:
    training_data = RasaYAMLReader().reads(NLU_YAML)
    component = EmotionClassifier.create(_config(**overrides), storage, Resource("emotion"), context)
    component.train(training_data)
    return component


def test_intent_block_metadata_gives_labels() -> None:
    training_data = RasaYAMLReader().reads(NLU_YAML)
    labels = [emotion_label(message) for message in training_data.intent_examples]
    assert labels.count("angry") == 4
    assert labels.count("satisfied") == 3
    assert labels.count(None) == 1  # goodbye has no emotion: skipped


def test_example_metadata_wins() -> None:
    message = Message(data={"text": "好", "metadata": {"example": {"emotion": "satisfied"},
                                                        "intent": {"emotion": "angry"}}})
    assert emotion_label(message) == "satisfied"


def test_train_persist_load_process(storage: LocalModelStorage, context: ExecutionContext) -> None:
    _train(storage, context)
    loaded = EmotionClassifier.load(_config(), storage, Resource("emotion"), context)
    messages = loaded.process([
        Message(data={"text": "你们这什么破快递！！一个礼拜了还没到，再不给说法我就打12315"}),
        Message(data={"text": "谢谢你们，处理得很快"}),
    ])
    angry, thanks = (message.get("emotion") for message in messages)
    assert angry["name"] == "angry" and angry["intensity"] >= 0.7
    assert thanks["name"] == "satisfied"
    # add_to_output: the field reaches /model/parse and the tracker's latest_message
    assert "emotion" in messages[0].as_dict(only_output_properties=True)


def test_without_extra_examples(storage: LocalModelStorage, context: ExecutionContext) -> None:
    component = _train(storage, context, extra_examples=None)
    [message] = component.process([Message(data={"text": "请问退货要怎么操作"})])
    assert message.get("emotion")["name"] in ("neutral", "anxious")


def test_untrained_component_says_neutral(storage: LocalModelStorage, context: ExecutionContext) -> None:
    component = EmotionClassifier.create(_config(), storage, Resource("never-trained"), context)
    [message] = component.process([Message(data={"text": "气死了"})])
    assert message.get("emotion") == {"name": "neutral", "confidence": 0.0, "intensity": 0.0}


def test_fingerprint_addon_tracks_files(tmp_path: Path) -> None:
    examples = tmp_path / "extra.yml"
    examples.write_text("emotions: {}\n", encoding="utf-8")
    before = EmotionClassifier.fingerprint_addon({"extra_examples": str(examples), "cues": None})
    examples.write_text("emotions: {angry: [气死了]}\n", encoding="utf-8")
    after = EmotionClassifier.fingerprint_addon({"extra_examples": str(examples), "cues": None})
    assert before != after


def test_process_training_data_passes_through() -> None:
    training_data = RasaYAMLReader().reads(NLU_YAML)
    component = EmotionClassifier({}, None, Resource("x"))  # type: ignore[arg-type]
    assert component.process_training_data(training_data) is training_data


def test_extra_examples_take_one_path_or_a_list(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    assert extra_example_paths(None) == []
    assert extra_example_paths(str(first)) == [first]
    assert extra_example_paths([str(first), str(second)]) == [first, second]


def test_fingerprint_addon_tracks_every_extra_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    first.write_text("emotions: {}\n", encoding="utf-8")
    second.write_text("emotions: {}\n", encoding="utf-8")
    config = {"extra_examples": [str(first), str(second)], "cues": None}
    before = EmotionClassifier.fingerprint_addon(config)
    second.write_text("emotions: {neutral: [收到的床单少了一个枕套]}\n", encoding="utf-8")
    assert EmotionClassifier.fingerprint_addon(config) != before


def test_shipped_extra_files_are_read(storage: LocalModelStorage, context: ExecutionContext) -> None:
    training_data = RasaYAMLReader().reads(NLU_YAML)
    component = EmotionClassifier.create(_config(), storage, Resource("emotion"), context)
    texts, labels = component._labelled_examples(training_data)
    shopper = dict(load_labelled_examples(PROJECT_ROOT / "data" / "emotion" / "shopper_emotion.yml"))
    assert len(shopper) > 100 and set(shopper.values()) == set(EMOTIONS)
    assert all(text in texts for text in shopper)
