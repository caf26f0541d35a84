from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.evidence_photos import EvidenceRejected, EvidenceStore, UploadLimits

LIMITS = UploadLimits.from_file(KNOWLEDGE_DIR / "evidence_uploads.yml")


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    engine = engine_for(f"sqlite:///{tmp_path / 'evidence.db'}")
    create_schema(engine)
    return EvidenceStore(session_factory(engine), tmp_path / "evidence", LIMITS)


@pytest.mark.parametrize(("data", "declared", "expected"), [
    (png(), "image/png", "image/png"),
    (JPEG, "image/jpeg", "image/jpeg"),
    (WEBP, "image/webp", "image/webp"),
    (png(), None, "image/png"),
    (png(), "application/octet-stream", "image/png"),
])
def test_allowed_photos_pass_by_their_bytes(data: bytes, declared: str | None, expected: str) -> None:
    assert LIMITS.check(declared, data) == expected


@pytest.mark.parametrize(("data", "declared", "reason"), [
    (b"", "image/png", "missing_file"),
    (b"<svg onload=alert(1)>", "image/png", "wrong_type"),  # renamed file: the bytes decide
    (b"GIF89a" + b"\x00" * 20, "image/gif", "wrong_type"),
    (png(), "image/jpeg", "wrong_type"),
    (b"RIFF\x24\x00\x00\x00AVI " + b"\x00" * 8, "image/webp", "wrong_type"),
])
def test_other_content_is_refused_with_a_chinese_reason(data: bytes, declared: str, reason: str) -> None:
    with pytest.raises(EvidenceRejected) as rejected:
        LIMITS.check(declared, data)
    assert rejected.value.reason == reason
    assert str(rejected.value) == LIMITS.message(reason)


def test_size_limit_comes_from_the_knowledge_file() -> None:
    too_big = png() + b"\x00" * LIMITS.max_bytes
    with pytest.raises(EvidenceRejected) as rejected:
        LIMITS.check("image/png", too_big)
    assert rejected.value.reason == "too_large"
    assert "MB" in str(rejected.value)


def test_stored_photo_is_on_disk_under_our_own_name_and_in_sql(store: EvidenceStore) -> None:
    stored = store.store("shopper/../../etc", png(), "image/png", original_name="../../秘密.png", ticket_id=None)
    path = Path(stored.stored_path)
    assert path.read_bytes() == png()
    assert path.is_relative_to(store.directory)
    assert path.name == f"{stored.evidence_id}.png"
    assert store.get(stored.evidence_id) == stored
    assert [e.evidence_id for e in store.for_conversation("shopper/../../etc")] == [stored.evidence_id]


def test_photos_are_linked_to_a_ticket_opened_later(store: EvidenceStore) -> None:
    first = store.store("c1", png(), "image/png")
    already = store.store("c1", JPEG, "image/jpeg", ticket_id="TS0")
    assert store.link_ticket("c1", "TS1") == 1
    assert store.get(first.evidence_id).ticket_id == "TS1"
    assert store.get(already.evidence_id).ticket_id == "TS0"


def test_per_conversation_limit(store: EvidenceStore) -> None:
    for _ in range(LIMITS.max_files_per_conversation):
        store.store("busy", png(), "image/png")
    with pytest.raises(EvidenceRejected) as rejected:
        store.store("busy", png(), "image/png")
    assert rejected.value.reason == "too_many"
    assert store.store("other", png(), "image/png")
