"""Private notes agents leave for each other on a conversation (and its ticket). Never sent to the customer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.stores.tables import ConversationNoteRow

MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class Note:
    note_id: int
    conversation_id: str
    ticket_id: str | None
    author: str
    text: str
    at: dt.datetime

    def public(self) -> dict[str, object]:
        return {"note_id": self.note_id, "ticket_id": self.ticket_id, "author": self.author, "text": self.text,
                "at": self.at.isoformat(timespec="seconds")}


def _note(row: ConversationNoteRow) -> Note:
    return Note(row.note_id, row.conversation_id, row.ticket_id, row.author, row.text, row.at)


class NoteStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def add(self, conversation_id: str, account_id: int | None, author: str, text: str,
            ticket_id: str | None = None, now: dt.datetime | None = None) -> Note:
        text = text.strip()
        if not text or len(text) > MAX_NOTE_CHARS:
            raise ValueError(f"备注不能为空，且在 {MAX_NOTE_CHARS} 字以内")
        row = ConversationNoteRow(conversation_id=conversation_id, ticket_id=ticket_id, account_id=account_id,
                                  author=author, text=text, at=now or clock.now())
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return _note(row)

    def of_conversation(self, conversation_id: str) -> list[Note]:
        with self._sessions() as session:
            return [_note(row) for row in session.scalars(
                sa.select(ConversationNoteRow).where(ConversationNoteRow.conversation_id == conversation_id)
                .order_by(ConversationNoteRow.at, ConversationNoteRow.note_id))]

    def of_ticket(self, ticket_id: str) -> list[Note]:
        with self._sessions() as session:
            return [_note(row) for row in session.scalars(
                sa.select(ConversationNoteRow).where(ConversationNoteRow.ticket_id == ticket_id)
                .order_by(ConversationNoteRow.at, ConversationNoteRow.note_id))]
