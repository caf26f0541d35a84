from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from complaint_desk.case.risk import load_risk_rules
from complaint_desk.desk import Desk
from complaint_desk.guard.checker import load_guard
from complaint_desk.knowledge import KnowledgeError, load_knowledge, parse_knowledge, reading
from complaint_desk.paths import KNOWLEDGE_DIR


@pytest.mark.parametrize("path", sorted(KNOWLEDGE_DIR.glob("*.yml")), ids=lambda p: p.name)
def test_every_knowledge_file_reads_as_plain_yaml_does(path: Path) -> None:
    assert load_knowledge(path) == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_missing_key_names_the_file_and_the_line_of_its_mapping() -> None:
    data = parse_knowledge("version: 1\nlevels:\n  yellow: 10\n", "knowledge/x.yml")
    with pytest.raises(KnowledgeError, match=r"knowledge/x.yml 第 3 行: 缺少必填项 'red'"):
        data["levels"]["red"]
    with pytest.raises(KeyError):  # code that offers a default still can
        data["levels"]["red"]


def test_syntax_errors_and_duplicate_keys_name_their_line() -> None:
    with pytest.raises(KnowledgeError, match="第 3 行: YAML 格式错误"):
        parse_knowledge("a: 1\nb: [1,\n", "x.yml")
    with pytest.raises(KnowledgeError, match="第 2 行: 重复的键 'a'"):
        parse_knowledge("a: 1\na: 2\n", "x.yml")


def test_a_bad_value_is_reported_at_its_section() -> None:
    data = parse_knowledge("top: 1\nlevels:\n  yellow: abc\n", "x.yml")
    with pytest.raises(KnowledgeError, match=r"x.yml 第 3 行: levels：ValueError"):
        with reading(data["levels"], "levels"):
            float(data["levels"]["yellow"])


def test_a_file_that_is_not_a_mapping_or_is_missing_gets_a_chinese_message(tmp_path: Path) -> None:
    listed = tmp_path / "list.yml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="最外层应为键值表"):
        load_knowledge(listed)
    with pytest.raises(KnowledgeError, match="无法读取文件"):
        load_knowledge(tmp_path / "missing.yml")


def test_a_broken_rules_file_stops_the_desk_with_the_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "knowledge"
    broken.mkdir()
    for path in KNOWLEDGE_DIR.iterdir():
        if path.is_file():
            (broken / path.name).write_bytes(path.read_bytes())
    text = (broken / "risk_rules.yml").read_text(encoding="utf-8")
    (broken / "risk_rules.yml").write_text(text.replace("  orange: 40\n", ""), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"risk_rules.yml 第 \d+ 行: 缺少必填项 'orange'"):
        Desk.build(knowledge_dir=broken, db_url=f"sqlite:///{tmp_path / 'desk.db'}", var_dir=tmp_path)


def test_rule_loaders_raise_the_one_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text("levels: {yellow: 1}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        load_risk_rules(path)
    with pytest.raises(KnowledgeError):
        load_guard(path)
