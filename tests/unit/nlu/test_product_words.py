from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.knowledge import KnowledgeError
from complaint_desk.nlu.product_words import ProductWords

SHIPPED = Path(__file__).resolve().parents[3] / "knowledge" / "product_words.yml"


@pytest.mark.parametrize("value", ["保温杯", "扫地机器人", "羽绒服", "耳机", "儿童电话手表", "iPhone"])
def test_products_are_products(value: str) -> None:
    assert ProductWords.from_file(SHIPPED).names_a_product(value)


@pytest.mark.parametrize("value", ["指示灯", "充电指示灯", "盒子", "外箱", "表带", "面料", "两罐", "兩罐", "3件", "半盒", ""])
def test_parts_packaging_materials_and_quantities_are_not(value: str) -> None:
    assert not ProductWords.from_file(SHIPPED).names_a_product(value)


def test_a_file_without_its_list_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "product_words.yml"
    broken.write_text("measure_words: [个]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="product_words.yml"):
        ProductWords.from_file(broken)


@pytest.mark.parametrize(("value", "following"), [("集尘", "盒是碎的"), ("手表", "带断了"), ("吸尘器滤", "网堵了")])
def test_a_part_the_nlu_cut_short_is_still_a_part(value: str, following: str) -> None:
    assert not ProductWords.from_file(SHIPPED).names_a_product(value, following)


@pytest.mark.parametrize(("value", "following"), [("手表", "屏幕坏了"), ("扫地机器人", "的尘盒碎了"), ("耳机", "")])
def test_a_product_followed_by_its_part_is_a_product(value: str, following: str) -> None:
    assert ProductWords.from_file(SHIPPED).names_a_product(value, following)


def test_the_product_of_an_entity_is_read_with_the_text_after_it() -> None:
    words, text = ProductWords.from_file(SHIPPED), "扫地机器人到货 集尘盒是碎的"
    assert words.product_in(text, {"entity": "product", "value": "集尘", "start": 8, "end": 10}) is None
    assert words.product_in(text, {"entity": "product", "value": "扫地机器人", "start": 0, "end": 5}) == "扫地机器人"


def test_the_products_a_message_names_leave_out_parts_materials_and_latin_names() -> None:
    words = ProductWords.from_file(SHIPPED)
    sos = [{"entity": "product", "value": "手表", "start": 5, "end": 7},
           {"entity": "product", "value": "SOS", "start": 8, "end": 11}]
    assert words.products_named("孩子的电话手表 SOS键按了没反应", sos) == ["手表"]
    essence = [{"entity": "product", "value": "面膜", "start": 0, "end": 2},
               {"entity": "product", "value": "精华", "start": 13, "end": 15}]
    assert words.products_named("面膜收到的时候袋子都破了 精华漏了一盒子", essence) == ["面膜"]
    assert words.products_named("盒子压扁了", [{"entity": "product", "value": "盒子", "start": 0, "end": 2}]) == []
    assert words.products_named("iPhone 坏了", [{"entity": "product", "value": "iPhone", "start": 0, "end": 6}]) == ["iPhone"]


@pytest.mark.parametrize(("text", "denies"), [("不是", True), ("不對 不是這單", True), ("搞错了", True), ("不转 不吸", False),
                                              ("不用了", False)])
def test_a_no_to_the_order_found_is_told_from_a_description(text: str, denies: bool) -> None:
    assert ProductWords.from_file(SHIPPED).says_not_this_order(text) is denies


@pytest.mark.parametrize(("named", "ordered"), [
    ("耳机", "蓝牙耳机"), ("杯子", "保温杯"), ("耳機", "蓝牙耳机"), ("扫地机器人", "扫地机器人"), ("iPhone", "手机"),
    ("机器", "扫地机器人"),
])
def test_a_product_that_shares_a_character_or_cannot_be_judged_could_be_the_ordered_one(named: str, ordered: str) -> None:
    assert ProductWords.from_file(SHIPPED).could_be(named, ordered)


@pytest.mark.parametrize(("named", "ordered"), [("保温杯", "扫地机器人"), ("羽絨服", "坚果礼盒"), ("面膜", "儿童电话手表"),
                                                ("扫地机", "蓝牙耳机")])
def test_a_product_with_nothing_but_a_common_character_in_common_is_not_the_ordered_one(named: str, ordered: str) -> None:
    assert not ProductWords.from_file(SHIPPED).could_be(named, ordered)


@pytest.mark.parametrize(("text", "denies"), [("不是啊 手表早收到了", True), ("哦 不对，是另一单", True), ("没买过手表", True),
                                              ("哦我写错了 就是这个", False), ("不好意思 就是这单", False)])
def test_an_answer_that_opens_with_a_no_is_a_no(text: str, denies: bool) -> None:
    assert ProductWords.from_file(SHIPPED).opens_with_a_denial(text) is denies


@pytest.mark.parametrize(("text", "named"), [
    ("蓝牙耳机左边那只完全没声音", ["蓝牙耳机"]),  # the NLU marked nothing
    ("羽絨服的拉鍊壞了", ["羽绒服"]),
    ("我买的衣服和裤子都不对", ["衣服", "裤子"]),
    ("手表带断了", []),  # a part
    ("页面上写的纯羊毛，收到一看是涤纶", []),  # materials
    ("包装破了，说明书也没有", []),
    ("你是机器人吗", []),
])
def test_known_product_names_are_found_in_the_text(text: str, named: list[str]) -> None:
    assert ProductWords.from_file(SHIPPED).products_named(text, []) == named


def test_a_known_name_the_nlu_also_marked_is_named_once_as_the_nlu_marked_it() -> None:
    words = ProductWords.from_file(SHIPPED)
    marked = [{"entity": "product", "value": "手表", "start": 5, "end": 7}]
    assert words.products_named("孩子的电话手表 屏幕不亮", marked) == ["手表"]
    assert words.products_named("保温杯不保温，杯子盖也漏", [{"entity": "product", "value": "保温杯", "start": 0, "end": 3}]) \
        == ["保温杯", "杯子"]


@pytest.mark.parametrize("material", ["纯羊毛", "真皮", "不锈钢", "涤纶"])
def test_materials_are_not_products(material: str) -> None:
    assert not ProductWords.from_file(SHIPPED).names_a_product(material)


def test_a_message_names_a_product_when_the_nlu_marked_one_or_a_known_name_is_in_it() -> None:
    words = ProductWords.from_file(SHIPPED)
    assert words.names_any_product("扫地机不回充", [])
    assert words.names_any_product("指示灯一直闪", [{"entity": "product", "value": "指示灯", "start": 0, "end": 3}])
    assert not words.names_any_product("怎么还没发货", [])
