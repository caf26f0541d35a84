"""The evidence a complaint has is read from what the customer said during it (no slot, no action call)."""

from __future__ import annotations

import pytest

from complaint_desk.desk import Desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    tmp_path = tmp_path_factory.mktemp("desk")
    return Desk.build(db_url=f"sqlite:///{tmp_path / 'desk.db'}", var_dir=tmp_path)


def user(text: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "complain_damaged_lost"}, "entities": []}}


def slot(name: str, value: object) -> dict:
    return {"event": "slot", "name": name, "value": value}


def evidence(desk: Desk, *events: dict) -> frozenset[str]:
    return desk.case({"sender_id": "evidence", "events": list(events), "slots": {}}).evidence


def test_what_was_said_at_any_turn_of_the_complaint_counts(desk: Desk) -> None:
    assert evidence(desk, user("杯子碎了，照片我都拍好了"), user("订单号472918305561"), user("还有开箱視頻")) == {
        "photo", "video"}


def test_saying_there_is_none_adds_nothing(desk: Desk) -> None:
    assert evidence(desk, user("盒子都压扁了"), user("没有照片，东西我已经扔了")) == frozenset()


def test_a_new_complaint_after_a_ticket_starts_from_its_own_first_message(desk: Desk) -> None:
    events = [user("碎了，拍了照片"), slot("ticket_id", "T1"), user("好的谢谢"),
              user("另一单的衣服也有问题，聊天记录我截图了"), slot("complaint_category", "quality"), slot("ticket_id", None)]
    assert evidence(desk, *events) == {"chat_record"}
    assert evidence(desk, *events[:3]) == {"photo"}  # the ticket's own complaint keeps its evidence
