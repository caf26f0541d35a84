from __future__ import annotations

from tools.eval_blind import _ending_problems, eval_guard, is_complaint


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
