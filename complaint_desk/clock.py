"""The shop's clock: the desk reasons about time, and shows it, as the shop's wall-clock time; the database
holds instants in UTC.

The shop's time zone is a business setting (knowledge/shop.yml, Asia/Shanghai unless changed), never the
server's TZ: a container on UTC must tell a customer in Beijing the same deadline, and must judge "within
service hours" by the same clock, as a server in Beijing. In the code, times are naive wall-clock times in
that zone (service hours, deadlines and the insights' days are wall-clock ideas); use `now()`, `today()` and
`from_timestamp()` here instead of `datetime.now()`, `date.today()` or `datetime.fromtimestamp()`. The
tables store UTC (`complaint_desk/stores/utc_time.py` converts with `to_utc` and `from_utc` at the boundary).
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
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


def to_utc(shop_time: dt.datetime) -> dt.datetime:
    """A shop wall-clock time as an aware UTC instant; an aware time is only converted. In a zone with daylight
    saving, a wall-clock time in the repeated hour is taken as its first occurrence."""
    if shop_time.tzinfo is None:
        shop_time = shop_time.replace(tzinfo=shop_time_zone())
    return shop_time.astimezone(dt.UTC)


def from_utc(instant: dt.datetime) -> dt.datetime:
    """An instant (aware, or naive meaning UTC, as SQLite gives it back) as the shop's wall-clock time (naive).
    Like to_utc, it does not tell the two occurrences of a repeated hour apart."""
    if instant.tzinfo is not None:
        instant = instant.astimezone(dt.UTC).replace(tzinfo=None)
    offset = _offset_during_utc_hour(instant.replace(minute=0, second=0, microsecond=0))
    if offset is None:  # the zone's offset changes within this hour
        return instant.replace(tzinfo=dt.UTC).astimezone(shop_time_zone()).replace(tzinfo=None, fold=0)
    return instant + offset


@lru_cache(maxsize=100_000)
def _offset_during_utc_hour(hour: dt.datetime) -> dt.timedelta | None:
    """The shop zone's UTC offset if it holds for the whole hour. Reading 10,000 tickets converts some 70,000
    stored times; a cached offset per hour makes that an addition instead of a time zone lookup each."""
    zone = shop_time_zone()
    first = hour.replace(tzinfo=dt.UTC).astimezone(zone).utcoffset()
    last = (hour + dt.timedelta(hours=1, microseconds=-1)).replace(tzinfo=dt.UTC).astimezone(zone).utcoffset()
    return first if first == last else None
