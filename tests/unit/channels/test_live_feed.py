from __future__ import annotations

import asyncio

from channels import live_feed
from channels.live_feed import FULL_REFRESH, LiveFeed, LiveFeedBroker


def test_every_subscriber_hears_which_conversation_changed() -> None:
    feed = LiveFeed()
    first, second = feed.subscribe(), feed.subscribe()
    feed.changed("c1")
    assert first.get_nowait() == "c1" and second.get_nowait() == "c1"
    feed.unsubscribe(first)
    feed.changed("c2")
    assert first.empty() and second.get_nowait() == "c2"


def test_a_subscriber_that_stopped_reading_gets_one_full_refresh(monkeypatch) -> None:
    monkeypatch.setattr(live_feed, "_QUEUE_SIZE", 3)
    feed = LiveFeed()
    queue = feed.subscribe()
    for index in range(10):
        feed.changed(f"c{index}")
    drained = []
    while not queue.empty():
        drained.append(queue.get_nowait())
    assert FULL_REFRESH in drained
    assert len(drained) <= 3


def test_the_broker_publishes_tracker_events_to_the_feed(monkeypatch) -> None:
    feed = LiveFeed()
    monkeypatch.setattr(live_feed, "FEED", feed)
    queue = feed.subscribe()
    broker = asyncio.run(LiveFeedBroker.from_endpoint_config(None))
    broker.publish({"sender_id": "shopper-7", "event": "user", "text": "你好"})
    broker.publish({"event": "user"})  # no sender: nothing to refresh
    assert queue.get_nowait() == "shopper-7"
    assert queue.empty()


def test_the_broker_feed_passes_on_the_sender_and_ignores_what_it_cannot_read() -> None:
    feed = LiveFeed()
    queue = feed.subscribe()
    broker_feed = live_feed.BrokerFeed(broker=None, feed=feed)
    for body in (b'{"event": "user", "sender_id": "c1"}', b"not json", b"[1, 2]", b'{"event": "user"}'):
        broker_feed._changed(body)
    assert queue.get_nowait() == "c1" and queue.empty()


def test_only_a_rabbitmq_broker_is_followed() -> None:
    assert live_feed.follow_event_broker(LiveFeedBroker()) is None
    assert live_feed.follow_event_broker(None) is None
