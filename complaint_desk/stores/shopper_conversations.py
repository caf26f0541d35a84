"""Which conversation a signed-in shopper continues: one per shopper, so the history follows them to any device."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.stores.tables import ShopperConversationRow


class ShopperConversations:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def conversation_of(self, shopper_id: str) -> str | None:
        with self._sessions() as session:
            row = session.get(ShopperConversationRow, shopper_id)
            return row.conversation_id if row else None

    def shopper_of(self, conversation_id: str) -> str | None:
        with self._sessions() as session:
            return session.scalars(sa.select(ShopperConversationRow.shopper_id).where(
                ShopperConversationRow.conversation_id == conversation_id)).first()

    def bind(self, shopper_id: str, proposed_conversation_id: str, now: dt.datetime | None = None) -> str:
        """The shopper's conversation: the one already kept, else `proposed_conversation_id` from now on. Two devices
        signing in at once agree on one (the primary key decides)."""
        now = now or clock.now()
        kept = self.conversation_of(shopper_id)
        if kept:
            return kept
        try:
            with self._sessions.begin() as session:
                session.add(ShopperConversationRow(shopper_id=shopper_id, conversation_id=proposed_conversation_id,
                                                   updated_at=now))
        except sa.exc.IntegrityError:
            kept = self.conversation_of(shopper_id)
            if kept is None:
                raise
            return kept
        return proposed_conversation_id
