"""Chinese and Arabic numerals in money amounts and multipliers.

Handles "¥500", "500元", "五百块", "5百", "两千", "一千五", "1.5万", "三千二百",
full-width digits ("５００元"), and multipliers such as "双倍", "三倍", "10倍".
Spans refer to the text as given: full-width digits are folded with a
same-length mapping, so start/end stay valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_LARGE_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

_CN_DIGIT_CLASS = "零〇一壹二贰两俩三叁四肆五伍六陆七柒八捌九玖"
_CN_UNIT_CLASS = "十拾百佰千仟万萬亿億"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

# A numeral token: starts with an Arabic number, a Chinese digit or 十, and continues
# with digits and units. Leading 百/千/万 alone is not a number ("百元店").
NUMBER_PATTERN = (
    rf"(?:(?:{_ARABIC})|[{_CN_DIGIT_CLASS}十拾])"
    # (?<!...) keeps a digit run from being split across repetitions, which backtracks exponentially.
    rf"(?:(?<![\d.,])(?:{_ARABIC})|[{_CN_DIGIT_CLASS}{_CN_UNIT_CLASS}])*"
)
_CURRENCY_PREFIX = r"(?:[¥￥]|RMB|rmb|人民币)\s*"
_CURRENCY_SUFFIX = r"\s*(?:块钱|元钱|元整|块|元|圆|rmb|RMB)"

_MONEY_RE = re.compile(
    rf"(?P<prefixed>{_CURRENCY_PREFIX}(?P<num1>{NUMBER_PATTERN})(?:{_CURRENCY_SUFFIX})?)"
    rf"|(?P<suffixed>(?P<num2>{NUMBER_PATTERN}){_CURRENCY_SUFFIX})"
)
_BARE_NUMBER_RE = re.compile(rf"^\s*(?:{_CURRENCY_PREFIX})?({NUMBER_PATTERN})(?:{_CURRENCY_SUFFIX})?\s*$")
_MULTIPLIER_RE = re.compile(rf"(?P<word>双|翻|加)倍|(?P<num>{NUMBER_PATTERN})倍")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
_ARABIC_RE = re.compile(_ARABIC)


@dataclass(frozen=True)
class AmountMatch:
    start: int
    end: int
    value: float
    surface: str


@dataclass(frozen=True)
class MultiplierMatch:
    start: int
    end: int
    factor: float
    surface: str


def fold_digits(text: str) -> str:
    """Full-width digits and dot to ASCII; same length."""
    return text.translate(_FULLWIDTH_DIGITS)


_SPELLED_DIGIT_RUN = re.compile(f"[{''.join(_DIGITS)}]{{6,}}")


def spelled_digits_to_arabic(text: str) -> str:
    """Runs of six or more spelled digits ("四七二九一八三零五五六一", voice input) to Arabic digits, same length."""
    return _SPELLED_DIGIT_RUN.sub(lambda match: "".join(str(_DIGITS[ch]) for ch in match.group()), text)


def parse_number(token: str) -> float | None:
    """Value of one numeral token ("一千五" -> 1500, "1.5万" -> 15000), or None."""
    token = fold_digits(token).strip()
    if not token:
        return None
    if _ARABIC_RE.fullmatch(token):
        return float(token.replace(",", ""))
    total = 0.0  # completed 亿/万 sections
    section = 0.0  # value below the current 万
    current: float | None = None  # digits not yet multiplied by a unit
    last_unit = 0
    zero_seen = False
    digit_run = 0
    position = 0
    while position < len(token):
        char = token[position]
        arabic = _ARABIC_RE.match(token, position)
        if arabic:
            digits = arabic.group().replace(",", "")
            current = float(digits)
            digit_run = 1 if "." in digits else len(digits)
            position = arabic.end()
            continue
        if char in _DIGITS:
            digit = _DIGITS[char]
            if digit == 0:
                zero_seen = True
                current = None
                digit_run = 0
            elif current is not None and last_unit == 0:
                current = current * 10 + digit  # digit by digit, e.g. "一二三"
                digit_run += 1
            else:
                current = float(digit)
                digit_run = 1
        elif char in _SMALL_UNITS:
            unit = _SMALL_UNITS[char]
            section += (1.0 if current is None else current) * unit
            current = None
            last_unit = unit
            zero_seen = False
        elif char in _LARGE_UNITS:
            unit = _LARGE_UNITS[char]
            if current is not None:
                section += current
            if unit == 100_000_000:
                total = (total + section) * unit
            else:
                total += section * unit
            section = 0.0
            current = None
            last_unit = unit
            zero_seen = False
        else:
            return None
        position += 1
    if current is not None:
        # Colloquial abbreviation: 一千五 = 1500, 两万三 = 23000, but 一千零五 = 1005.
        if last_unit >= 10 and not zero_seen and digit_run == 1 and current < 10:
            section += current * last_unit / 10
        else:
            section += current
    return total + section


def find_amounts(text: str) -> list[AmountMatch]:
    """Money amounts marked by a currency sign or unit (¥/元/块/人民币)."""
    folded = fold_digits(text)
    matches = []
    for match in _MONEY_RE.finditer(folded):
        value = parse_number(match.group("num1") or match.group("num2"))
        if value is not None:
            matches.append(AmountMatch(match.start(), match.end(), value, text[match.start():match.end()]))
    return matches


def parse_amount(text: str) -> float | None:
    """A money amount such as "五百块" or "¥1.5万"; a bare numeral also counts when it is the whole text."""
    folded = fold_digits(text)
    whole = _BARE_NUMBER_RE.match(folded)
    if whole:
        return parse_number(whole.group(1))
    amounts = find_amounts(folded)
    return amounts[0].value if amounts else None


def find_multipliers(text: str) -> list[MultiplierMatch]:
    """Multipliers such as 双倍, 三倍, 10倍."""
    folded = fold_digits(text)
    matches = []
    for match in _MULTIPLIER_RE.finditer(folded):
        factor = 2.0 if match.group("word") else parse_number(match.group("num"))
        if factor is not None:
            matches.append(MultiplierMatch(match.start(), match.end(), factor, text[match.start():match.end()]))
    return matches
