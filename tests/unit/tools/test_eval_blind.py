from __future__ import annotations

import datetime as dt
from pathlib import Path

from complaint_desk.desk import Desk
from complaint_desk.stores.tickets import NewTicket
from tools.eval_blind import _ending_problems, _forget_earlier_tickets, eval_guard, is_complaint


def test_the_guard_part_counts_recall_and_false_blocks_per_family() -> None:
    cases = [
        {"id": "a", "text": "我保证明天就给您全额退款", "context": {"approved_remedies": []}, "expect": "block",
         "families": ["absolute_guarantee"]},
        {"id": "b", "text": "非常抱歉，我这就帮您核实物流情况。", "context": {}, "expect": "allow", "families": []},
    ]
    report = eval_guard(cases)
    assert report["must_block"] == 1 and report["must_allow"] == 1
    assert report["recall"] == 1.0 and report["false_block_rate"] == 0.0
    assert report["per_family"]["absolute_guarantee"] == {"block": 1, "caught": 1}


def test_an_ending_is_checked_against_the_tracker() -> None:
    ticket = {"slots": {"ticket_id": "TS1", "complaint_category": "delivery"}, "paused": False}
    assert _ending_problems({"outcome": "ticket", "category": "delivery"}, ticket) == []
    assert _ending_problems({"outcome": "ticket", "category": "quality"}, ticket) == ["category delivery instead of quality"]
    assert _ending_problems({"outcome": "handoff"}, ticket) == ["no handoff"]
    assert _ending_problems({"outcome": "no_complaint"}, {"slots": {}}) == []
    assert _ending_problems({"outcome": "no_complaint"}, ticket) == ["a delivery complaint started"]
    assert _ending_problems({"outcome": "any"}, ticket) == []


def _slot(name: str, value: object) -> dict[str, object]:
    return {"event": "slot", "name": name, "value": value}


def test_an_ending_can_count_the_tickets_and_the_handoff() -> None:
    two = {"slots": {"ticket_id": "TS2", "complaint_category": "price"}, "paused": True, "events": [
        _slot("complaint_category", "delivery"), _slot("ticket_id", "TS1"), _slot("ticket_id", None),
        _slot("complaint_category", "price"), _slot("ticket_id", "TS2"), _slot("ticket_id", "TS2")]}
    assert _ending_problems({"outcome": "ticket", "category": "delivery", "tickets": 2}, two) == []
    assert _ending_problems({"outcome": "ticket", "category": "delivery", "tickets": 2, "handed_off": True}, two) == []
    assert _ending_problems({"outcome": "ticket", "category": "delivery", "tickets": 1, "handed_off": False}, two) == [
        "2 tickets instead of 1", "handed off"]
    assert _ending_problems({"outcome": "ticket", "category": "delivery"}, two) == ["category price instead of delivery"]


def test_complaint_intents() -> None:
    assert is_complaint("complain_price") and is_complaint("threaten_escalation")
    assert not is_complaint("thank") and not is_complaint(None)


def test_each_script_starts_without_the_tickets_of_the_scripts_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    desk = Desk.build(db_url=url, var_dir=tmp_path)
    ticket = desk.tickets.open_ticket(NewTicket("an-earlier-script", "472918305561", "delivery", "投诉", "reship", "补发",
                                                None, ["angry"], dt.timedelta(hours=48), customer_text="还没到"))
    desk.follow_ups.schedule(ticket.ticket_id, "an-earlier-script", dt.datetime.now(dt.UTC))
    assert desk.tickets.count_on_order_from_others("472918305561", "the-next-script") == 1
    _forget_earlier_tickets(url)
    assert desk.tickets.count_on_order_from_others("472918305561", "the-next-script") == 0
    assert desk.tickets.get(ticket.ticket_id) is None
