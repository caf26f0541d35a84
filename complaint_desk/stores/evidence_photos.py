"""Photos a customer uploads as evidence: limits from knowledge/evidence_uploads.yml, files on disk, rows in SQL.

A photo is linked to its conversation and, when one is open, to the conversation's latest ticket.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.stores.tables import EvidenceRow

# File signatures: the declared type must match what the bytes really are.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}


class EvidenceRejected(ValueError):
    """The upload breaks a limit; the message is Chinese and safe to show the customer."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # a key of `messages` in the limits file


@dataclass(frozen=True)
class Evidence:
    evidence_id: str
    conversation_id: str
    ticket_id: str | None
    content_type: str
    size_bytes: int
    sha256: str
    stored_path: str
    original_name: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_files_per_conversation: int
    allowed_types: Mapping[str, str]  # content type -> file extension
    messages: Mapping[str, str]
    customer_note: str

    @classmethod
    def from_file(cls, path: Path) -> UploadLimits:
        raw = load_knowledge(path)
        with reading(raw, "照片上传限制"):
            return cls(
                max_bytes=int(raw["max_bytes"]),
                max_files_per_conversation=int(raw["max_files_per_conversation"]),
                allowed_types=dict(raw["allowed_types"]),
                messages=dict(raw["messages"]),
                customer_note=str(raw["customer_note"]),
            )

    def message(self, key: str, **values: Any) -> str:
        return self.messages[key].format(**values)

    def sniff(self, data: bytes) -> str | None:
        """The allowed content type the bytes really are, or None."""
        for content_type, signatures in _SIGNATURES.items():
            if content_type not in self.allowed_types:
                continue
            if any(data.startswith(signature) for signature in signatures):
                if content_type == "image/webp" and data[8:12] != b"WEBP":
                    continue
                return content_type
        return None

    def check(self, declared_type: str | None, data: bytes) -> str:
        """The content type to store, or EvidenceRejected with the customer-facing reason."""
        if not data:
            raise EvidenceRejected("missing_file", self.message("missing_file"))
        if len(data) > self.max_bytes:
            raise EvidenceRejected("too_large", self.message("too_large", size_mb=len(data) / 2**20, max_mb=self.max_bytes / 2**20))
        actual = self.sniff(data)
        declared = (declared_type or "").split(";")[0].strip().lower()
        if actual is None or (declared and declared != actual and declared != "application/octet-stream"):
            raise EvidenceRejected("wrong_type", self.message("wrong_type"))
        return actual


class EvidenceStore:
    def __init__(self, sessions: sessionmaker, directory: Path, limits: UploadLimits) -> None:
        self._sessions = sessions
        self.directory = directory
        self.limits = limits

    def store(self, conversation_id: str, data: bytes, declared_type: str | None,
              original_name: str | None = None, ticket_id: str | None = None,
              now: dt.datetime | None = None) -> Evidence:
        content_type = self.limits.check(declared_type, data)
        count = len(self.for_conversation(conversation_id))
        if count >= self.limits.max_files_per_conversation:
            raise EvidenceRejected("too_many", self.limits.message("too_many", count=count))
        now = now or clock.now()
        evidence_id = f"EV{now:%Y%m%d}{secrets.token_hex(6).upper()}"
        # The file name never comes from the customer: a digest of the conversation id plus our own id.
        folder = self.directory / hashlib.sha256(conversation_id.encode()).hexdigest()[:16]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{evidence_id}.{self.limits.allowed_types[content_type]}"
        path.write_bytes(data)
        row = EvidenceRow(
            evidence_id=evidence_id,
            conversation_id=conversation_id,
            ticket_id=ticket_id,
            content_type=content_type,
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            stored_path=str(path),
            original_name=(original_name or "")[:255] or None,
            created_at=now,
        )
        with self._sessions.begin() as session:
            session.add(row)
        return _to_evidence(row)

    def link_ticket(self, conversation_id: str, ticket_id: str) -> int:
        """Attach the conversation's unlinked photos to a ticket opened later; returns how many."""
        with self._sessions.begin() as session:
            return session.execute(
                sa.update(EvidenceRow)
                .where(EvidenceRow.conversation_id == conversation_id, EvidenceRow.ticket_id.is_(None))
                .values(ticket_id=ticket_id)
            ).rowcount

    def get(self, evidence_id: str) -> Evidence | None:
        with self._sessions() as session:
            row = session.get(EvidenceRow, evidence_id)
            return _to_evidence(row) if row else None

    def for_conversation(self, conversation_id: str) -> list[Evidence]:
        with self._sessions() as session:
            rows = session.scalars(
                sa.select(EvidenceRow).where(EvidenceRow.conversation_id == conversation_id).order_by(EvidenceRow.created_at)
            ).all()
            return [_to_evidence(row) for row in rows]


def _to_evidence(row: EvidenceRow) -> Evidence:
    return Evidence(**{column.name: getattr(row, column.name) for column in EvidenceRow.__table__.columns})
