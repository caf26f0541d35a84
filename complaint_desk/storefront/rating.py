"""A shopper's 1–5 stars and optional comment, checked before they are kept (complaint_desk/stores/ratings.py)."""

from __future__ import annotations

import unicodedata
from typing import Any

from complaint_desk.storefront.wording import WidgetWording

ABOUT = ("ticket", "agent")  # a ticket the bot opened; an agent's service they closed


class RatingRejected(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_rating(stars: Any, comment: Any, wording: WidgetWording) -> tuple[int, str | None]:
    if isinstance(stars, bool) or not isinstance(stars, int | str):
        raise RatingRejected("bad_stars", wording.text("rating.errors.bad_stars"))
    try:
        value = int(stars)
    except ValueError:
        raise RatingRejected("bad_stars", wording.text("rating.errors.bad_stars")) from None
    if value not in range(1, 6):
        raise RatingRejected("bad_stars", wording.text("rating.errors.bad_stars"))
    if comment is not None and not isinstance(comment, str):
        raise RatingRejected("bad_comment", wording.text("rating.errors.too_long", limit=wording.comment_max_chars))
    text = unicodedata.normalize("NFC", comment or "").strip() or None
    if text and len(text) > wording.comment_max_chars:
        raise RatingRejected("too_long", wording.text("rating.errors.too_long", limit=wording.comment_max_chars))
    return value, text


def thanks(stars: int, wording: WidgetWording) -> str:
    return wording.text("rating.thanks" if stars >= 3 else "rating.thanks_low")
