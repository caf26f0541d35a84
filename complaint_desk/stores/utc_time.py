"""The column type of every time the desk stores: an instant in UTC.

On PostgreSQL the columns are `timestamp with time zone`; SQLite has no time zone type, so it holds UTC as
text without an offset. The code on either side of the database works in the shop's wall-clock time
(complaint_desk/clock.py): a value is converted to UTC when it is written or compared in SQL, and back to
the shop's wall-clock time when it is read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from complaint_desk import clock


class UtcDateTime(sa.types.TypeDecorator):
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"时间列只接受 datetime，收到 {type(value).__name__}")
        instant = clock.to_utc(value)
        return instant if dialect.name == "postgresql" else instant.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a raw SQLite read
            value = dt.datetime.fromisoformat(value)
        return clock.from_utc(value)
