"""Bring customer text to one canonical form before anything reads it.

Customers write traditional or simplified characters, full-width or half-width
forms, and mix in English. Every component works on the simplified, half-width
form; spans stay aligned because each step maps one character to one character.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

_FULLWIDTH_OFFSET = 0xFEE0
_KEEP_FULLWIDTH = set("，。！？：；（）【】「」『』、《》")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (ＡＢＣ１２３！) to half-width, keeping Chinese punctuation."""
    chars = []
    for char in text:
        code = ord(char)
        if char == "\u3000":
            chars.append(" ")
        elif 0xFF01 <= code <= 0xFF5E and char not in _KEEP_FULLWIDTH:
            chars.append(chr(code - _FULLWIDTH_OFFSET))
        else:
            chars.append(char)
    return "".join(chars)


def to_simplified(text: str) -> str:
    converted = _t2s().convert(text)
    # t2s maps character by character for nearly all text; fall back if a phrase
    # conversion changed the length, so that character spans stay valid.
    if len(converted) != len(text):
        return "".join(_t2s().convert(char) for char in text)
    return converted


def strip_invisible(text: str) -> str:
    """Zero-width and other format characters become nothing visible; keep length by using spaces."""
    return "".join(" " if unicodedata.category(char) == "Cf" else char for char in text)


def normalize(text: str) -> str:
    """Simplified, half-width, invisible characters blanked. Length is preserved."""
    return to_simplified(to_halfwidth(strip_invisible(text)))
