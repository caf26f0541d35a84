from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.stores.agent_modes import BOT, CLOSED, SUGGEST, TAKEOVER, AgentSessionStore
from complaint_desk.stores.database import create_schema, engine_for, session_factory


@pytest.fixture
def sessions(tmp_path: Path) -> AgentSessionStore:
    engine = engine_for(f"sqlite:///{tmp_path / 'agents.db'}")
    create_schema(engine)
    return AgentSessionStore(session_factory(engine))


def test_a_conversation_nobody_touched_belongs_to_the_bot(sessions: AgentSessionStore) -> None:
    assert sessions.get("c1").mode == BOT
    assert sessions.modes() == {}


def test_modes_change_and_closing_keeps_the_summary(sessions: AgentSessionStore) -> None:
    sessions.set_mode("c1", TAKEOVER)
    sessions.set_mode("c2", SUGGEST)
    assert sessions.modes() == {"c1": TAKEOVER, "c2": SUGGEST}
    closed = sessions.set_mode("c1", CLOSED, summary="小结")
    assert closed.mode == CLOSED and closed.summary == "小结" and closed.closed_at is not None
    reopened = sessions.set_mode("c1", BOT)
    assert reopened.closed_at is None


def test_unknown_mode_is_refused(sessions: AgentSessionStore) -> None:
    with pytest.raises(ValueError):
        sessions.set_mode("c1", "robot")
