"""The conversation index written behind the turn: once per conversation per delay, at once for the console's reads,
on shutdown, and caught up by the next process after a kill."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered

from runtime import indexed_tracker_store
from runtime.indexed_tracker_store import DELAY_ENV, IndexedSQLTrackerStore, index_delay, index_written
from tests.unit.runtime.trackers import SMALL_DOMAIN as DOMAIN


class Recorder:
    """Stands in for the desk: records each write, and answers the index's stored times."""

    def __init__(self, stored: dict[str, float] | None = None, fail: bool = False) -> None:
        self.writes: list[list[dict[str, Any]]] = []
        self.stored = stored or {}
        self.fail = fail

    def write_rows(self, states: Iterable[Mapping[str, Any]]) -> int:
        if self.fail:
            raise RuntimeError("database down")
        batch = [dict(state) for state in states]
        self.writes.append(batch)
        return len(batch)

    def stored_updates(self, since: float) -> dict[str, float]:
        return {key: value for key, value in self.stored.items() if value > since}

    def written(self) -> list[tuple[str, list[str]]]:
        """Each conversation written, with the customer's words its state had, in order of writing."""
        return [(state["sender_id"], [e["text"] for e in state["events"] if e["event"] == "user"])
                for batch in self.writes for state in batch]


def store(tmp_path: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch, delay: str) -> IndexedSQLTrackerStore:
    monkeypatch.setenv(DELAY_ENV, delay)
    monkeypatch.setattr(IndexedSQLTrackerStore, "write_rows", staticmethod(recorder.write_rows))
    monkeypatch.setattr(IndexedSQLTrackerStore, "stored_updates", staticmethod(recorder.stored_updates))
    return IndexedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))


async def say(tracker_store: IndexedSQLTrackerStore, sender: str, text: str) -> None:
    tracker = await tracker_store.get_or_create_tracker(sender, append_action_listen=False)
    if not tracker.events:
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
    tracker.update(UserUttered(text, intent={"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_listen"))
    await tracker_store.save(tracker)


def test_turns_within_the_delay_are_written_once_per_conversation_with_the_latest_events(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    tracker_store = store(tmp_path, recorder, monkeypatch, "0.2")

    async def scenario() -> None:
        await say(tracker_store, "a", "快递三天没动")
        await say(tracker_store, "b", "你好")
        await say(tracker_store, "a", "订单号123")
        assert recorder.writes == [], "the turns do not wait for the index"
        await asyncio.sleep(0.5)

    asyncio.run(scenario())
    assert len(recorder.writes) == 1
    assert sorted(recorder.written()) == [("a", ["快递三天没动", "订单号123"]), ("b", ["你好"])]


def test_the_consoles_read_waits_for_what_this_process_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    tracker_store = store(tmp_path, recorder, monkeypatch, "30")

    async def scenario() -> None:
        await say(tracker_store, "a", "包装破了")
        await index_written(SimpleNamespace(_tracker_store=tracker_store))  # as Rasa wraps a custom store
        assert recorder.written() == [("a", ["包装破了"])]
        await index_written(tracker_store)
        assert len(recorder.writes) == 1, "nothing new, nothing written"

    asyncio.run(scenario())


def test_no_delay_writes_within_every_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    tracker_store = store(tmp_path, recorder, monkeypatch, "0")

    async def scenario() -> None:
        await say(tracker_store, "a", "一")
        await say(tracker_store, "a", "二")

    asyncio.run(scenario())
    # Rasa saves a new conversation once before its first turn.
    assert recorder.written() == [("a", []), ("a", ["一"]), ("a", ["一", "二"])]


def test_a_failed_write_is_logged_and_the_turn_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    tracker_store = store(tmp_path, Recorder(fail=True), monkeypatch, "0")
    with caplog.at_level(logging.ERROR):
        asyncio.run(say(tracker_store, "a", "一"))
    assert "会话索引更新失败" in caplog.text
    assert asyncio.run(tracker_store.retrieve("a")) is not None, "the tracker itself was saved"


def test_a_new_process_first_writes_the_conversations_a_killed_one_left_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    killed = Recorder()
    before = store(tmp_path, killed, monkeypatch, "30")

    async def killed_before_writing() -> None:
        await say(before, "written", "早就写进索引了")
        await before.write_index()
        await say(before, "left", "这条没来得及写")

    asyncio.run(killed_before_writing())
    assert killed.written() == [("written", ["早就写进索引了"])]
    stamps = {state["sender_id"]: max(e["timestamp"] for e in state["events"]) for state in killed.writes[0]}

    recorder = Recorder(stored=stamps)
    after = store(tmp_path, recorder, monkeypatch, "30")
    asyncio.run(after.write_index())
    assert recorder.written() == [("left", ["这条没来得及写"])]
    asyncio.run(after.write_index())
    assert len(recorder.writes) == 1, "caught up once per process"


def test_rasas_shutdown_writes_what_was_noted_then_closes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    tracker_store = store(tmp_path, recorder, monkeypatch, "30")
    closed: list[str] = []

    async def stock_close(app: Any, loop: Any) -> None:
        closed.append(f"closed after {len(recorder.writes)} write(s)")

    monkeypatch.setattr(indexed_tracker_store, "_stock_close_resources", stock_close)
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=tracker_store)))

    async def scenario() -> None:
        await say(tracker_store, "a", "退款还没到")
        await indexed_tracker_store.write_index_then_close(app, None)

    asyncio.run(scenario())
    assert recorder.written() == [("a", ["退款还没到"])]
    assert closed == ["closed after 1 write(s)"]


@pytest.mark.parametrize("value", ["abc", "-1", "3600"])
def test_a_wrong_delay_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(DELAY_ENV, value)
    with pytest.raises(ValueError, match=DELAY_ENV):
        index_delay()


def test_the_delay_defaults_to_two_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DELAY_ENV, raising=False)
    assert index_delay() == 2.0


def test_turns_alternating_between_two_processes_keep_every_event(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    replicas = [store(tmp_path, recorder, monkeypatch, "0"), store(tmp_path, recorder, monkeypatch, "0")]

    async def scenario() -> None:
        for turn in range(4):
            tracker_store = replicas[turn % 2]
            tracker = await tracker_store.retrieve("a")  # the other process's rows are caught up
            assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [str(i) for i in range(turn)]
            tracker.update(UserUttered(str(turn), intent={"name": "greet", "confidence": 1.0}))
            tracker.update(ActionExecuted("action_listen"))
            await tracker_store.save(tracker)

    asyncio.run(store(tmp_path, recorder, monkeypatch, "0").get_or_create_tracker("a"))
    asyncio.run(scenario())
