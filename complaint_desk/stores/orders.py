"""The demo order store: the orders a customer can complain about."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk.knowledge import load_knowledge
from complaint_desk.policy.model import OrderFacts
from complaint_desk.stores.database import serialize_writers
from complaint_desk.stores.tables import OrderRow


@dataclass(frozen=True)
class Order:
    order_id: str
    product: str
    goods_type: str
    price: float
    payment_method: str
    purchased_at: dt.date
    promised_delivery_at: dt.date
    delivered_at: dt.date | None
    status: str
    carrier: str
    no_reason_return_eligible: bool
    shopper_id: str | None = None

    def facts(self) -> OrderFacts:
        """What the policy engine needs to know about this order."""
        return OrderFacts(
            order_id=self.order_id, product=self.product, goods_type=self.goods_type, price=self.price,
            payment_method=self.payment_method, purchased_at=self.purchased_at,
            promised_delivery_at=self.promised_delivery_at, delivered_at=self.delivered_at, status=self.status,
            no_reason_return_eligible=self.no_reason_return_eligible,
        )

    def days_late(self, today: dt.date) -> int:
        """Days past the promised delivery date; 0 if on time."""
        arrived_or_today = self.delivered_at or today
        return max(0, (arrived_or_today - self.promised_delivery_at).days)


def _to_order(row: OrderRow) -> Order:
    return Order(**{column.name: getattr(row, column.name) for column in OrderRow.__table__.columns})


class OrderStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def find(self, order_id: str) -> Order | None:
        with self._sessions() as session:
            row = session.get(OrderRow, order_id)
            return _to_order(row) if row is not None else None

    def for_shopper(self, shopper_id: str, limit: int = 10) -> list[Order]:
        """A signed-in shopper's orders, newest first (the widget shows them as cards to pick from)."""
        with self._sessions() as session:
            rows = session.scalars(sa.select(OrderRow).where(OrderRow.shopper_id == shopper_id)
                                   .order_by(OrderRow.purchased_at.desc(), OrderRow.order_id).limit(limit))
            return [_to_order(row) for row in rows]

    def seed_demo_orders(self, demo_file: Path, today: dt.date) -> int:
        """Insert or refresh the demo orders. Dates in the file are day offsets from today."""
        demo = load_knowledge(demo_file)
        with self._sessions.begin() as session:
            serialize_writers(session)  # several action servers seed at start-up
            for entry in demo["orders"]:
                values = {"shopper_id": demo.get("shopper_id"), **entry}
                for field in ("purchased_at", "promised_delivery_at", "delivered_at"):
                    offset = values.pop(f"{field}_days_ago", None)
                    values[field] = None if offset is None else today - dt.timedelta(days=offset)
                session.merge(OrderRow(**values))
        return len(demo["orders"])
