"""After the ticket: more about the same case, or a new complaint (complaint_desk/case/after_ticket.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.case.after_ticket import AfterTicketWords
from complaint_desk.desk import Desk
from complaint_desk.knowledge import KnowledgeError
from complaint_desk.paths import KNOWLEDGE_DIR

WORDS = AfterTicketWords.from_file(KNOWLEDGE_DIR / "after_ticket.yml")
TICKET = {"ticket_order_id": "472918305565"}


@pytest.mark.parametrize("text", ["那上门取件的时候快递员会先打电话吗？", "退的时候包装要保留吗", "盒子我扔了", "都三天了还没人来取件",
                                  "還有退款是原路退回銀行卡吧"])
def test_a_follow_up_on_the_same_case_is_not_a_new_complaint(text: str) -> None:
    assert not WORDS.starts_a_new_complaint(text, order_number=None, names_another_product=False, **TICKET)


def test_the_same_order_or_its_product_named_again_is_the_same_case() -> None:
    assert not WORDS.starts_a_new_complaint("472918305565 这单的扫地机什么时候来取", order_number="472918305565",
                                            names_another_product=False, **TICKET)


@pytest.mark.parametrize(("text", "order_number", "another_product"), [
    ("我另一单472918305566到现在都没到", "472918305566", False),
    ("面膜也漏了，袋子都是破的", None, True),
    ("還有件事，之前買的東西也有問題", None, False),
])
def test_another_order_another_product_or_another_matter_is_a_new_complaint(
        text: str, order_number: str | None, another_product: bool) -> None:
    assert WORDS.starts_a_new_complaint(text, order_number=order_number, names_another_product=another_product, **TICKET)


def test_an_empty_phrase_names_the_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "after_ticket.yml"
    broken.write_text("# 说明\nanother_matter:\n  - 另一单\n  - ''\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"after_ticket.yml 第 2 行"):
        AfterTicketWords.from_file(broken)


def _state(ticket_id: str | None, text: str, entities: list[dict] | None = None) -> dict:
    user = {"event": "user", "text": text, "timestamp": 1.0,
            "parse_data": {"text": text, "intent": {"name": "complain_delivery"}, "entities": entities or []}}
    return {"sender_id": "after-ticket", "events": [user],
            "slots": {"ticket_id": ticket_id, "order_id": "472918305565", "complaint_category": "quality"}}


def test_the_case_reads_the_latest_message_against_its_ticket(tmp_path: Path) -> None:
    desk = Desk.build(db_url=f"sqlite:///{tmp_path / 'desk.db'}", var_dir=tmp_path)
    assert desk.case(_state("TS1", "快递员上门前会打电话吗")).is_more_about_the_ticket()
    assert not desk.case(_state(None, "快递员上门前会打电话吗")).is_more_about_the_ticket()
    assert not desk.case(_state("TS1", "我另一单472918305566也没到")).is_more_about_the_ticket()
    leak = [{"entity": "product", "value": "面膜", "start": 0, "end": 2}]
    assert not desk.case(_state("TS1", "面膜也漏了", leak)).is_more_about_the_ticket()


def test_a_complaint_after_the_ticket_is_read_from_its_own_turns(tmp_path: Path) -> None:
    desk = Desk.build(db_url=f"sqlite:///{tmp_path / 'desk.db'}", var_dir=tmp_path)
    first = {"event": "user", "text": "面膜还没到", "parse_data": {"entities": [{"entity": "product", "value": "面膜"}]}}
    opened = {"event": "slot", "name": "ticket_id", "value": "TS1"}
    second = {"event": "user", "text": "坚果礼盒的赠品没给", "parse_data": {}}
    state = {"sender_id": "two-cases", "events": [first, opened, second], "slots": {}}
    assert [turn.text for turn in desk.case(state).turns_since_the_last_ticket] == ["坚果礼盒的赠品没给"]
    assert [turn.text for turn in desk.case({**state, "events": [first]}).turns_since_the_last_ticket] == ["面膜还没到"]
