"""Percentiles of durations, in the two ways the project reports them.

- "nearest_rank" (the default): the smallest value with at least `fraction` of the values at or
  below it, sorted[ceil(fraction * n) - 1]; always one of the values (numpy: method="inverted_cdf").
  The supervisor page's SLA p90s and the bench tables.
- "rounded_position": the value at position fraction * (n - 1) of the sorted values, rounded to the
  nearest index with Python's round (halves to even) (numpy: method="nearest"). The parse timings of
  tools/eval_nlu. It can differ from the nearest rank by one place: p50 of 1..4 is 3 here, 2 there.

Both sort the values themselves and, like statistics.median, raise StatisticsError for no values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from statistics import StatisticsError
from typing import Literal

Method = Literal["nearest_rank", "rounded_position"]


def percentile(values: Iterable[float], fraction: float, method: Method = "nearest_rank") -> float:
    """The `fraction` (0 to 1: 0.9 for p90) percentile of `values`, by `method` (see the module)."""
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
    ordered = sorted(values)
    if not ordered:
        raise StatisticsError("percentile requires at least one data point")
    if method == "nearest_rank":
        rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
        return ordered[rank - 1]
    if method == "rounded_position":
        return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]
    raise ValueError(f"unknown percentile method: {method}")
