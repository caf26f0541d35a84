"""components.entity_canonicalizer: loose DIET values onto canonical ids."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from components.entity_canonicalizer import EntityCanonicalizer

NLU_YAML = """
version: "3.1"
nlu:
- intent: state_desired_outcome
  examples: |
    - 我要[退款]{"entity": "desired_outcome", "value": "refund"}
    - 给我[补发]{"entity": "desired_outcome", "value": "reship"}吧
    - [退差价]{"entity": "desired_outcome", "value": "price_difference"}就行
- intent: threaten_escalation
  examples: |
    - 我去[消协]{"entity": "channel", "value": "12315"}投诉
    - 找[媒体]{"entity": "channel", "value": "media"}曝光
"""


def trained(tmp_path: Path) -> EntityCanonicalizer:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("canonicalizer")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**EntityCanonicalizer.get_default_config()}
    component = EntityCanonicalizer.create(config, storage, resource, context)
    component.train(RasaYAMLReader().reads(NLU_YAML))
    return EntityCanonicalizer.load(config, storage, resource, context)


def entity(name: str, value: str) -> dict:
    return {"entity": name, "value": value, "start": 0, "end": len(value), "extractor": "DIETClassifier"}


def test_loose_values_map_to_the_canonical_id(tmp_path: Path) -> None:
    component = trained(tmp_path)
    message = Message(data={"text": "补发一个吧 退差價 消協"})
    message.set("entities", [entity("desired_outcome", "补发一个"), entity("desired_outcome", "退差價"),
                             entity("channel", "消協")])
    component.process([message])
    assert [e["value"] for e in message.get("entities")] == ["reship", "price_difference", "12315"]


def test_values_no_slot_could_hold_are_dropped_and_others_untouched(tmp_path: Path) -> None:
    component = trained(tmp_path)
    message = Message(data={"text": "随便 耳机"})
    message.set("entities", [entity("desired_outcome", "随便"), entity("product", "耳机")])
    component.process([message])
    assert message.get("entities") == [entity("product", "耳机")]


def test_canonical_values_pass_through(tmp_path: Path) -> None:
    component = trained(tmp_path)
    assert component.canonical_value("desired_outcome", "refund") == "refund"


def test_a_lookup_match_beats_a_statistical_guess_over_the_same_span(tmp_path: Path) -> None:
    component = trained(tmp_path)
    message = Message(data={"text": "再不给说法我就打12315"})
    guess = {"entity": "time_span", "value": "12315", "start": 8, "end": 13, "extractor": "DIETClassifier"}
    lookup = {"entity": "channel", "value": "12315", "start": 8, "end": 13, "extractor": "RegexEntityExtractor"}
    same_channel_from_diet = {**lookup, "extractor": "DIETClassifier"}
    message.set("entities", [guess, same_channel_from_diet, lookup])
    component.process([message])
    assert [(e["entity"], e["extractor"]) for e in message.get("entities")] == [("channel", "RegexEntityExtractor")]


def test_a_hotline_number_inside_an_order_number_is_not_a_channel(tmp_path: Path) -> None:
    component = trained(tmp_path)
    message = Message(data={"text": "单号812315000001"})
    inside = {"entity": "channel", "value": "12315", "start": 3, "end": 8, "extractor": "RegexEntityExtractor"}
    order = {"entity": "order_id", "value": "812315000001", "start": 2, "end": 14, "extractor": "DIETClassifier"}
    message.set("entities", [inside, order])
    component.process([message])
    assert [e["entity"] for e in message.get("entities")] == ["order_id"]
