"""Personal data in what customers write: phone numbers, ID card numbers, bank cards, e-mail addresses and street
addresses, masked wherever the desk shows or exports text, unless someone reveals it on purpose (and that is
recorded). Order and ticket numbers stay readable: agents need them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER = r"(?<![0-9０-９])", r"(?![0-9０-９])"
_ID_CARD = re.compile(_NOT_DIGIT_BEFORE + r"([1-9]\d{5})(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
                      r"([\dXx])" + r"(?![0-9A-Za-z])")
_MOBILE = re.compile(_NOT_DIGIT_BEFORE + r"(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})" + _NOT_DIGIT_AFTER)
_LANDLINE = re.compile(_NOT_DIGIT_BEFORE + r"(0\d{2,3})-(\d{7,8})" + _NOT_DIGIT_AFTER)
_BANK_CARD = re.compile(_NOT_DIGIT_BEFORE + r"\d(?:[ -]?\d){15,18}" + _NOT_DIGIT_AFTER)
_EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# The street part of an address: a road, lane or estate and a house number, plus building / unit / room. The
# province, city and district before it stay readable (where the parcel went matters to the complaint).
_STREET = re.compile(
    r"(?:(?![省市区县])[\u4e00-\u9fa5A-Za-z0-9]){1,12}?(?:路|街|巷|弄|大道|胡同|小区|花园|公寓|村)"
    r"[\u4e00-\u9fa5]{0,4}?\d+[\d\-]*(?:号|弄|栋|幢|座|楼)"
    r"(?:[\d\-A-Za-z]*(?:号|栋|幢|座|楼|单元|层|室|户))*"
)
MASK = "****"


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple[str, ...]  # what was masked: phone, id_card, bank_card, email, address

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def mask(text: str) -> Masked:
    kinds: list[str] = []

    def sub(pattern: re.Pattern[str], kind: str, replace: object, value: str) -> str:
        result, count = pattern.subn(replace, value)  # type: ignore[arg-type]
        if count:
            kinds.append(kind)
        return result

    value = sub(_ID_CARD, "id_card", lambda m: f"{m.group(1)[:3]}{'*' * 11}{m.group(0)[-4:]}", text)
    value = sub(_MOBILE, "phone", lambda m: f"{m.group(1)}{MASK}{m.group(3)}", value)
    value = sub(_LANDLINE, "phone", lambda m: f"{m.group(1)}-{MASK}{m.group(2)[-2:]}", value)
    value = sub(_BANK_CARD, "bank_card", lambda m: f"{MASK} {re.sub(r'[ -]', '', m.group(0))[-4:]}", value)
    value = sub(_EMAIL, "email", lambda m: f"{m.group(1)}***{m.group(2)}", value)
    value = sub(_STREET, "address", MASK, value)
    return Masked(value, tuple(dict.fromkeys(kinds)))


def masked(text: str | None) -> str | None:
    return mask(text).text if text else text
