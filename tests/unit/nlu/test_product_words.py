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
