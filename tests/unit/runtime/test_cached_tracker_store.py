"""The tracker cache: the database stays the truth, whatever another replica or a failed turn did."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered

from runtime.cached_tracker_store import CACHE_SIZE_ENV, CachedSQLTrackerStore
from tests.unit.runtime.trackers import SMALL_DOMAIN as DOMAIN


def run(coroutine):  # noqa: ANN001, ANN201
    return asyncio.run(coroutine)


@pytest.fixture
def database(tmp_path: Path) -> str:
    return str(tmp_path / "tracker.db")


def store(database: str) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(DOMAIN, dialect="sqlite", db=database)


def new_session(tracker) -> None:  # noqa: ANN001
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))


def started(store: CachedSQLTrackerStore, sender: str):  # noqa: ANN201
    tracker = run(store.get_or_create_tracker(sender, append_action_listen=False))
    new_session(tracker)
    run(store.save(tracker))
    return tracker


def turn(tracker, text: str) -> None:  # noqa: ANN001
    tracker.update(UserUttered(text, intent={"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(ActionExecuted("action_listen"))


def test_a_saved_tracker_is_lent_again_and_only_its_new_events_are_written(database: str) -> None:
    desk = store(database)
    tracker = started(desk, "c1")
    again = run(desk.retrieve("c1"))
    assert again is tracker
    turn(again, "你好")
    run(desk.save(again))
    in_database = run(store(database).retrieve_full_tracker("c1"))
    assert list(in_database.events) == list(tracker.events)  # each event written once, in order


def test_rows_another_replica_appended_are_applied_to_the_kept_tracker(database: str) -> None:
    one, two = store(database), store(database)
    mine = started(one, "c1")
    other = run(two.retrieve("c1"))
    turn(other, "另一个副本写的")
    run(two.save(other))
    seen = run(one.retrieve("c1"))
    assert seen is mine  # caught up, not reloaded
    assert seen.latest_message.text == "另一个副本写的"
    assert list(seen.events)[-3:] == list(run(store(database).retrieve("c1")).events)[-3:]
    turn(seen, "回到第一个副本")
    run(one.save(seen))
    in_database = run(store(database).retrieve_full_tracker("c1"))
    assert [e.text for e in in_database.events if isinstance(e, UserUttered)] == ["另一个副本写的", "回到第一个副本"]


def test_rows_removed_or_written_out_of_order_make_the_next_read_load_from_the_database(database: str) -> None:
    desk = store(database)
    mine = started(desk, "c1")
    turn(mine, "会被删掉")
    run(desk.save(mine))
    with desk.session_scope() as session:
        event = desk.SQLEvent
        last = session.query(sa.func.max(event.id)).scalar()
        session.query(event).filter(event.id == last).delete()
        session.commit()
    other = store(database)
    extra = run(other.retrieve("c1"))
    turn(extra, "新写的")
    run(other.save(extra))  # same row count as before, different rows
    seen = run(desk.retrieve("c1"))
    assert seen is not mine
    assert list(seen.events) == list(run(store(database).retrieve("c1")).events)


def test_a_new_session_written_by_another_replica_is_read_from_its_start(database: str) -> None:
    one, two = store(database), store(database)
    mine = started(one, "c1")
    turn(mine, "旧会话")
    run(one.save(mine))
    other = run(two.retrieve("c1"))
    new_session(other)
    run(two.save(other))
    seen = run(one.retrieve("c1"))
    assert seen is not mine
    assert not any(isinstance(e, UserUttered) for e in seen.events)


def test_a_turn_that_failed_before_saving_is_not_lent_again(database: str) -> None:
    desk = store(database)
    started(desk, "c1")
    lent = run(desk.retrieve("c1"))
    turn(lent, "半途失败")  # never saved
    after = run(desk.retrieve("c1"))
    assert after is not lent
    assert after.latest_message.text != "半途失败"
    assert not any(isinstance(e, UserUttered) for e in after.events)


def test_a_second_reader_during_a_turn_gets_its_own_copy(database: str) -> None:
    desk = store(database)
    started(desk, "c1")
    first = run(desk.retrieve("c1"))
    second = run(desk.retrieve("c1"))
    assert first is not second
    first.update(SlotSet("order_id", "472918305561"))
    assert second.get_slot("order_id") is None


def test_a_new_session_is_read_from_its_start_like_the_stock_store(database: str) -> None:
    desk = store(database)
    tracker = started(desk, "c1")
    turn(tracker, "第一次")
    new_session(tracker)
    run(desk.save(tracker))
    read = run(desk.retrieve("c1"))
    assert read is not tracker
    assert not any(isinstance(e, UserUttered) for e in read.events)


def test_size_zero_is_the_stock_store(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_SIZE_ENV, "0")
    desk = store(database)
    tracker = started(desk, "c1")
    assert run(desk.retrieve("c1")) is not tracker


def test_a_bad_size_names_the_variable(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_SIZE_ENV, "很多")
    with pytest.raises(ValueError, match=CACHE_SIZE_ENV):
        store(database)


class Recorded(EventBroker):
    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


def test_the_broker_gets_each_new_event_once(database: str) -> None:
    broker = Recorded()
    desk = CachedSQLTrackerStore(DOMAIN, event_broker=broker, dialect="sqlite", db=database)
    tracker = started(desk, "c1")
    for text in ("第一句", "第二句"):
        lent = run(desk.retrieve("c1"))
        turn(lent, text)
        run(desk.save(lent))
    assert [e["event"] for e in broker.published] == [e.as_dict()["event"] for e in tracker.events]
    assert [e["text"] for e in broker.published if e["event"] == "user"] == ["第一句", "第二句"]


def test_a_lent_tracker_carries_no_model_stamp_of_the_last_turn(database: str) -> None:
    desk = store(database)
    tracker = started(desk, "c1")
    tracker.model_id, tracker.assistant_id = "m1", "complaint-desk"
    run(desk.save(tracker))
    lent = run(desk.retrieve("c1"))
    assert lent is tracker
    assert (lent.model_id, lent.assistant_id) == (None, None)
