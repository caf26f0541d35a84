"""Supervisors' changes to the reply library, shared by every replica (complaint_desk/reply_library.py merges
them over knowledge/reply_library.yml)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.reply_library import LibraryEntry
from complaint_desk.stores.tables import ReplyLibraryEditRow


class ReplyLibraryEdits:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def current(self) -> tuple[list[LibraryEntry], list[str]]:
        """(entries added or changed, ids taken out)."""
        with self._sessions() as session:
            rows = session.scalars(sa.select(ReplyLibraryEditRow).order_by(ReplyLibraryEditRow.entry_id)).all()
        edited = [LibraryEntry(r.entry_id, r.title, r.stage, r.text, source="edited") for r in rows if not r.deleted]
        return edited, [r.entry_id for r in rows if r.deleted]

    def save(self, entry: LibraryEntry, by: str, now: dt.datetime | None = None) -> None:
        self._put(entry.entry_id, entry.title, entry.stage, entry.text, False, by, now)

    def delete(self, entry_id: str, by: str, now: dt.datetime | None = None) -> None:
        self._put(entry_id, "-", "any", "-", True, by, now)

    def _put(self, entry_id: str, title: str, stage: str, text: str, deleted: bool, by: str,
             now: dt.datetime | None) -> None:
        with self._sessions.begin() as session:
            row = session.get(ReplyLibraryEditRow, entry_id, with_for_update=True)
            if row is None:
                row = ReplyLibraryEditRow(entry_id=entry_id)
                session.add(row)
            row.title, row.stage, row.text, row.deleted = title, stage, text, deleted
            row.updated_by, row.updated_at = by, now or clock.now()
