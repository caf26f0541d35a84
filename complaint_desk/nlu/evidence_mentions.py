"""What evidence a customer says they have, from their own words."""

from __future__ import annotations

from pathlib import Path

from complaint_desk.knowledge import load_knowledge
from complaint_desk.nlu.cues import normalized_text

NO_EVIDENCE = "none"


class EvidenceReader:
    def __init__(self, keywords: dict[str, list[str]]) -> None:
        self._keywords = keywords

    @classmethod
    def from_file(cls, path: Path) -> EvidenceReader:
        return cls(load_knowledge(path))

    def kinds_mentioned(self, text: str) -> list[str]:
        """Evidence kinds named in the text; ["none"] when the customer says they have none."""
        normalized = normalized_text(text or "")  # cached: a case reads every turn of its complaint
        # "没有照片" names a kind but means none, so the refusal words are checked first.
        if any(word in normalized for word in self._keywords.get(NO_EVIDENCE, [])):
            return [NO_EVIDENCE]
        return [kind for kind, words in self._keywords.items()
                if kind != NO_EVIDENCE and any(word in normalized for word in words)]
