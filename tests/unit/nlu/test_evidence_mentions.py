from pathlib import Path

import pytest

from complaint_desk.nlu.evidence_mentions import EvidenceReader

READER = EvidenceReader.from_file(Path(__file__).resolve().parents[3] / "knowledge" / "evidence_keywords.yml")


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("有照片，刚拍的", ["photo"]),
        ("我錄了開箱視頻", ["video"]),
        ("聊天记录截图都在", ["chat_record"]),
        ("没有，当时没拍", ["none"]),
        ("没有照片", ["none"]),
        ("没拍照片", ["none"]),
        ("好的", []),
    ],
)
def test_kinds_mentioned(text: str, kinds: list[str]) -> None:
    assert READER.kinds_mentioned(text) == kinds
