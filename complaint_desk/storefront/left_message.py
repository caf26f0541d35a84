"""A message left in the widget when no agent is at work (留言): checked here, then kept as a ticket and a queue item
for the next shift (Desk.leave_message)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from complaint_desk.personal_data import masked
from complaint_desk.storefront.wording import WidgetWording

_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
LEFT_MESSAGE_REMEDY = "left_message"  # the remedy id of the ticket until an agent decides one


class LeftMessageRejected(ValueError):
    """The shopper's 留言 cannot be kept as written; the message says why, in Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class LeftMessage:
    text: str
    contact: str  # a mobile number (digits only) or an e-mail address

    @property
    def masked_contact(self) -> str:
        return masked(self.contact) or ""

    def customer_text(self) -> str:
        """What the ticket and the agent read: the message and how to reach the shopper."""
        return f"{self.text}\n联系方式：{self.contact}"


def normalized_contact(raw: str) -> str | None:
    """A mobile number however it was typed (full-width digits, spaces, dashes, +86) or an e-mail; else None."""
    value = unicodedata.normalize("NFKC", raw or "").strip()
    digits = re.sub(r"[\s\-()]", "", value)
    phone = _MOBILE.fullmatch(digits)
    if phone:
        return phone.group(1)
    if _EMAIL.fullmatch(value) and len(value) <= 254:
        return value
    return None


def check_left_message(text: str | None, contact: str | None, photos: int, wording: WidgetWording) -> LeftMessage:
    body = unicodedata.normalize("NFC", text or "").strip()
    if not body:
        raise LeftMessageRejected("empty_text", wording.text("leave_message.errors.empty_text"))
    if len(body) > wording.message_max_chars:
        raise LeftMessageRejected("too_long", wording.text("leave_message.errors.too_long",
                                                           limit=wording.message_max_chars))
    if photos > wording.max_photos:
        raise LeftMessageRejected("too_many_photos", wording.text("leave_message.errors.too_many_photos",
                                                                  limit=wording.max_photos))
    reachable = normalized_contact(contact or "")
    if reachable is None:
        raise LeftMessageRejected("bad_contact", wording.text("leave_message.errors.bad_contact"))
    return LeftMessage(body, reachable)
