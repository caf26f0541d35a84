"""Who gets a new hand-off: the least busy agent of its team who is logged in and has room."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    account_id: int
    username: str
    team: str | None
    online: bool  # logged in now


def pick_owner(team: str, candidates: Sequence[Candidate], load: Mapping[int, int], capacity: int) -> int | None:
    """The account to own a new hand-off of `team`, or None (it waits in the team's queue for a claim).

    Only members of the team who are logged in and own fewer than `capacity` open conversations; the one with
    the fewest wins, ties by name so the choice is the same on every replica."""
    free = [c for c in candidates if c.team == team and c.online and load.get(c.account_id, 0) < capacity]
    if not free:
        return None
    return min(free, key=lambda c: (load.get(c.account_id, 0), c.username)).account_id
