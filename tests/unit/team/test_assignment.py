"""Auto-assignment: the least busy logged-in member of the team with room, the same choice on every replica."""

from __future__ import annotations

from complaint_desk.team.assignment import Candidate, pick_owner

TEAM = [
    Candidate(1, "zhou", "after_sales", online=True),
    Candidate(2, "li", "after_sales", online=True),
    Candidate(3, "wang", "after_sales", online=False),
    Candidate(4, "lin", "privacy", online=True),
]


def test_the_least_busy_online_member_of_the_team_gets_it() -> None:
    assert pick_owner("after_sales", TEAM, {1: 3, 2: 1, 3: 0}, capacity=5) == 2
    assert pick_owner("privacy", TEAM, {}, capacity=5) == 4


def test_ties_go_by_name() -> None:
    assert pick_owner("after_sales", TEAM, {1: 2, 2: 2}, capacity=5) == 2  # "li" before "zhou"


def test_nobody_with_room_or_nobody_online_leaves_it_in_the_queue() -> None:
    assert pick_owner("after_sales", TEAM, {1: 5, 2: 5}, capacity=5) is None
    assert pick_owner("fraud", TEAM, {}, capacity=5) is None
