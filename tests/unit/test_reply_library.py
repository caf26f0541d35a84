"""The reply library: every shipped entry passes the guard; an over-promising entry cannot be saved; entries are
filled from the case and checked again; supervisors' edits override the file by id."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.desk import Desk
from complaint_desk.guard.verdict import GuardContext
from complaint_desk.knowledge import KnowledgeError
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.reply_library import LibraryEntry, LibraryError, load_library, merged


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    return Desk.build(db_url=f"sqlite:///{tmp_path_factory.mktemp('library') / 'desk.db'}")


def test_the_shipped_library_loads_and_passes_the_guard(desk: Desk) -> None:
    assert len(desk.shipped_library) >= 8
    assert {entry.stage for entry in desk.shipped_library} >= {"empathize", "probe", "propose", "confirm", "closing"}


@pytest.mark.parametrize("text", [
    "我保证明天就给您全额退款！",
    "这个一定给您赔 500 元，放心。",
    "{remedy}肯定没问题，今天下午三点前一定到账。",
])
def test_an_over_promising_entry_cannot_be_saved_and_says_why(desk: Desk, text: str) -> None:
    with pytest.raises(LibraryError) as error:
        desk.save_library_entry("risky_one", "有风险的话术", "propose", text, by="boss")
    assert error.value.findings and "过度承诺" in str(error.value)
    assert "risky_one" not in {entry.entry_id for entry in desk.library()}


@pytest.mark.parametrize(("entry_id", "stage", "text", "message"), [
    ("Bad-Id", "any", "您好", "编号"), ("ok_id", "sometime", "您好", "阶段"), ("ok_id", "any", "您好{phone}", "占位"),
    ("ok_id", "any", "您好{", "花括号"), ("ok_id", "any", "   ", "正文"),
])
def test_malformed_entries_are_refused_in_chinese(desk: Desk, entry_id: str, stage: str, text: str,
                                                  message: str) -> None:
    with pytest.raises(LibraryError, match=message):
        desk.save_library_entry(entry_id, "标题", stage, text, by="boss")


def test_supervisors_edits_override_add_and_remove(desk: Desk) -> None:
    desk.save_library_entry("closing_thanks", "结束语", "closing", "谢谢您，祝您生活愉快。", by="boss")
    desk.save_library_entry("weekend_note", "周末说明", "any", "周末仓库照常发货，请放心。", by="boss")
    desk.library_edits.delete("ask_order_number", by="boss")
    library = {entry.entry_id: entry for entry in desk.library()}
    assert library["closing_thanks"].text == "谢谢您，祝您生活愉快。" and library["closing_thanks"].source == "edited"
    assert "weekend_note" in library and "ask_order_number" not in library


def test_placeholders_are_filled_and_missing_ones_are_marked() -> None:
    entry = LibraryEntry("x", "t", "any", "订单 {order_id} 的{product}，方案：{remedy}")
    text, missing = entry.fill({"order_id": "472918305561", "product": None, "remedy": "补发"})
    assert text == "订单 472918305561 的【商品】，方案：补发" and missing == ["product"]


def test_a_bad_library_file_names_the_file_and_line(tmp_path: Path, desk: Desk) -> None:
    path = tmp_path / "reply_library.yml"
    path.write_text("version: 1\nreplies:\n  - id: promise\n    title: 承诺\n    stage: any\n"
                    "    text: 我保证今天一定全额退款\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_library(path, desk.guard, GuardContext.of_policy(desk.policy))
    assert "reply_library.yml" in str(error.value) and "第 3 行" in str(error.value)


def test_the_file_loads_from_knowledge(desk: Desk) -> None:
    shipped = load_library(KNOWLEDGE_DIR / "reply_library.yml", desk.guard, GuardContext.of_policy(desk.policy))
    assert merged(shipped, [], ["greet_take_over"])[0].entry_id != "greet_take_over"
