"""Order numbers in what a customer writes: twelve digits, half-width, full-width or spelled out
("四七二九一八三零五五六一", voice input) alike."""

from __future__ import annotations

import re

from complaint_desk.nlu.normalize import normalize
from complaint_desk.nlu.numerals import spelled_digits_to_arabic

ORDER_ID_PATTERN = re.compile(r"(?<!\d)\d{12}(?!\d)")
# Twelve digits typed in groups, as the order page shows them or as people read them out: "4729 1830 5563",
# "4729-1830-5563". Groups of at least three digits, so that "3 件 2 个" style counts never join up.
_GROUPED = re.compile(r"(?<!\d)(?<!\d[ \t-])\d{3,}(?:[ \t-]+\d{3,})+(?![ \t-]?\d)")


def _joined_groups(text: str) -> str:
    def join(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return digits if len(digits) == 12 else match.group(0)
    return _GROUPED.sub(join, text)


def _readable(text: str) -> str:
    return _joined_groups(spelled_digits_to_arabic(normalize(text or "")))


def extract_order_id(text: str) -> str | None:
    """The first order number in a message, or None."""
    match = ORDER_ID_PATTERN.search(_readable(text))
    return match.group(0) if match else None


def without_order_numbers(text: str) -> str:
    """The normalized message (spelled digits read as digits) with its order numbers taken out."""
    return ORDER_ID_PATTERN.sub("", _readable(text))
