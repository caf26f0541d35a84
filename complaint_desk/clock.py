"""The shop's clock: the desk stores, compares and shows every time as the shop's wall-clock time.

The shop's time zone is a business setting (knowledge/shop.yml, Asia/Shanghai unless changed), never the
server's TZ: a container on UTC must tell a customer in Beijing the same deadline, and must judge "within
service hours" by the same clock, as a server in Beijing. Times are kept naive in that zone (the tables
and the insights were built on naive times); use `now()`, `today()` and `from_timestamp()` here instead of
`datetime.now()`, `date.today()` or `datetime.fromtimestamp()`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from complaint_desk.knowledge import KnowledgeError, line_of, load_knowledge, source_name
from complaint_desk.paths import KNOWLEDGE_DIR

SHOP_FILE = KNOWLEDGE_DIR / "shop.yml"


def load_time_zone(path: str | Path = SHOP_FILE) -> ZoneInfo:
    raw = load_knowledge(path)
    name = str(raw["time_zone"]).strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise KnowledgeError(source_name(path), [
            (line_of(raw, "time_zone"), f"不认识的时区 {name!r}，请写 IANA 时区名，例如 Asia/Shanghai（{error}）"),
        ]) from error


@cache
def shop_time_zone() -> ZoneInfo:
    return load_time_zone()


def now() -> dt.datetime:
    """The shop's wall-clock time now (naive)."""
    return dt.datetime.now(shop_time_zone()).replace(tzinfo=None)


def today() -> dt.date:
    return now().date()


def from_timestamp(seconds: float) -> dt.datetime:
    """A Unix timestamp (Rasa's event times) as the shop's wall-clock time (naive)."""
    return dt.datetime.fromtimestamp(seconds, shop_time_zone()).replace(tzinfo=None)
