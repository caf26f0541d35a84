"""A signed-in shopper has one conversation, whichever device asks first; their orders come newest first."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import sessionmaker

from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.orders import OrderStore
from complaint_desk.stores.shopper_conversations import ShopperConversations


@pytest.fixture
def sessions() -> sessionmaker:
    engine = engine_for("sqlite://")
    create_schema(engine)
    return session_factory(engine)


def test_the_first_conversation_bound_is_kept(sessions: sessionmaker) -> None:
    kept = ShopperConversations(sessions)
    assert kept.bind("u-1", "phone-conversation") == "phone-conversation"
    assert kept.bind("u-1", "laptop-conversation") == "phone-conversation"
    assert kept.shopper_of("phone-conversation") == "u-1" and kept.shopper_of("laptop-conversation") is None
    assert kept.bind("u-2", "other") == "other"


def test_a_conversation_cannot_belong_to_two_shoppers(sessions: sessionmaker) -> None:
    kept = ShopperConversations(sessions)
    kept.bind("u-3", "shared")
    with pytest.raises(Exception):  # noqa: B017 (the unique constraint, whichever driver error it is)
        kept.bind("u-4", "shared")


def test_the_demo_shoppers_orders_newest_first(sessions: sessionmaker) -> None:
    orders = OrderStore(sessions)
    orders.seed_demo_orders(KNOWLEDGE_DIR / "demo_orders.yml", today=dt.date(2026, 12, 7))
    mine = orders.for_shopper("demo-xiaoming")
    assert len(mine) >= 5 and [o.purchased_at for o in mine] == sorted((o.purchased_at for o in mine), reverse=True)
    assert orders.for_shopper("someone-else") == []
    assert orders.find(mine[0].order_id).shopper_id == "demo-xiaoming"
