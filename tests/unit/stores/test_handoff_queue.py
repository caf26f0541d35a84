"""The hand-off queue: team, owner, deadline; assignment, release, the first answer; private notes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.handoffs import HandoffQueue
from complaint_desk.stores.notes import NoteStore

NOW = dt.datetime(2026, 12, 7, 10, 0)


@pytest.fixture
def sessions(tmp_path: Path):
    engine = engine_for(f"sqlite:///{tmp_path / 'queue.db'}")
    create_schema(engine)
    return session_factory(engine)


def test_open_hand_offs_wait_oldest_first_by_team(sessions) -> None:
    queue = HandoffQueue(sessions)
    queue.hand_off("c2", "privacy", "…", now=NOW + dt.timedelta(minutes=1), team="privacy")
    queue.hand_off("c1", "customer_request", "…", now=NOW, team="after_sales", owner_id=7)
    queue.hand_off("c3", "red_risk", "…", now=NOW + dt.timedelta(minutes=2), team="after_sales")
    assert [h.conversation_id for h in queue.waiting()] == ["c1", "c2", "c3"]
    assert [h.conversation_id for h in queue.waiting("after_sales")] == ["c1", "c3"]
    assert queue.load_by_owner() == {7: 1}
    queue.hand_back("c1")
    assert [h.conversation_id for h in queue.waiting("after_sales")] == ["c3"] and queue.load_by_owner() == {}


def test_assign_release_and_move_to_another_team(sessions) -> None:
    queue = HandoffQueue(sessions)
    queue.hand_off("c1", "privacy", "…", now=NOW, team="privacy")
    assigned = queue.assign("c1", 5, now=NOW + dt.timedelta(minutes=3))
    assert assigned is not None and (assigned.owner_id, assigned.assigned_at) == (5, NOW + dt.timedelta(minutes=3))
    moved = queue.assign("c1", None, team="after_sales")
    assert moved is not None and (moved.owner_id, moved.team, moved.assigned_at) == (None, "after_sales", None)
    assert queue.assign("nobody", 5) is None


def test_the_deadline_is_met_by_the_first_answer_only(sessions) -> None:
    queue = HandoffQueue(sessions)
    handoff = queue.hand_off("c1", "red_risk", "…", now=NOW, team="after_sales", respond_by=NOW + dt.timedelta(minutes=3))
    assert not handoff.overdue(NOW + dt.timedelta(minutes=2)) and handoff.overdue(NOW + dt.timedelta(minutes=4))
    queue.answered("c1", now=NOW + dt.timedelta(minutes=5))
    queue.answered("c1", now=NOW + dt.timedelta(minutes=9))
    answered = queue.open_of("c1")
    assert answered is not None and answered.answered_at == NOW + dt.timedelta(minutes=5)
    assert not answered.overdue(NOW + dt.timedelta(hours=1))


def test_notes_belong_to_their_conversation_and_ticket(sessions) -> None:
    notes = NoteStore(sessions)
    notes.add("c1", 1, "小周", "  已电话联系顾客  ", now=NOW)
    notes.add("c1", 2, "小林", "补发单号 SF123", ticket_id="TS1", now=NOW + dt.timedelta(minutes=1))
    notes.add("c2", 1, "小周", "别的会话", now=NOW)
    assert [(n.author, n.text) for n in notes.of_conversation("c1")] == [("小周", "已电话联系顾客"), ("小林", "补发单号 SF123")]
    assert [n.text for n in notes.of_ticket("TS1")] == ["补发单号 SF123"]
    with pytest.raises(ValueError, match="备注"):
        notes.add("c1", 1, "小周", "   ")
