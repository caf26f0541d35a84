"""complaint_desk.percentiles: the values of both methods pinned, and which method each report uses."""

from __future__ import annotations

import math
from statistics import StatisticsError

import pytest

from bench.common import summarize_ms
from complaint_desk.percentiles import percentile
from tools.eval_nlu import latency_summary

ONE_TO_FOUR = [1.0, 2.0, 3.0, 4.0]
ONE_TO_SIX = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
ONE_TO_HUNDRED = [float(v) for v in range(1, 101)]


@pytest.mark.parametrize(
    ("values", "fraction", "nearest_rank", "rounded_position"),
    [
        ([7.0], 0.5, 7.0, 7.0),
        (ONE_TO_FOUR, 0.0, 1.0, 1.0),
        (ONE_TO_FOUR, 0.5, 2.0, 3.0),  # rank ceil(2) = 2; position 1.5 rounds to 2 (halves to even)
        (ONE_TO_FOUR, 1.0, 4.0, 4.0),
        (ONE_TO_SIX, 0.5, 3.0, 3.0),  # position 2.5 rounds to 2
        (ONE_TO_SIX, 0.9, 6.0, 5.0),  # rank ceil(5.4) = 6; position 4.5 rounds to 4
        (ONE_TO_HUNDRED, 0.5, 50.0, 51.0),
        (ONE_TO_HUNDRED, 0.9, 90.0, 90.0),
        (ONE_TO_HUNDRED, 0.95, 95.0, 95.0),
        (ONE_TO_HUNDRED, 0.99, 99.0, 99.0),
        ([5.0, 1.0, 4.0, 2.0, 3.0], 0.5, 3.0, 3.0),  # unsorted input is sorted first
        ([2.0, 9.0, 2.0, 4.0], 0.75, 4.0, 4.0),
    ],
)
def test_both_methods(values, fraction, nearest_rank, rounded_position):
    assert percentile(values, fraction) == nearest_rank
    assert percentile(values, fraction, method="nearest_rank") == nearest_rank
    assert percentile(values, fraction, method="rounded_position") == rounded_position


def test_the_input_is_left_alone():
    values = [3.0, 1.0, 2.0]
    assert percentile(values, 0.5) == 2.0
    assert values == [3.0, 1.0, 2.0]


@pytest.mark.parametrize("method", ["nearest_rank", "rounded_position"])
def test_no_values_is_an_error_like_statistics_median(method):
    with pytest.raises(StatisticsError):
        percentile([], 0.5, method=method)


@pytest.mark.parametrize("fraction", [-0.1, 1.5, 95])
def test_the_fraction_is_between_0_and_1(fraction):
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile(ONE_TO_FOUR, fraction)


def test_an_unknown_method_is_an_error():
    with pytest.raises(ValueError, match="unknown percentile method"):
        percentile(ONE_TO_FOUR, 0.5, method="linear")  # type: ignore[arg-type]


def test_the_bench_tables_use_the_nearest_rank():
    summary = summarize_ms([4.0, 1.0, 3.0, 2.0])
    assert (summary["p50_ms"], summary["p95_ms"], summary["p99_ms"]) == (2.0, 4.0, 4.0)
    assert summarize_ms(ONE_TO_HUNDRED)["p50_ms"] == 50.0
    empty = summarize_ms([])
    assert empty["n"] == 0 and all(math.isnan(empty[key]) for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))


def test_the_eval_nlu_timings_use_the_rounded_position():
    assert latency_summary(ONE_TO_FOUR)["p50"] == 3.0
    summary = latency_summary(ONE_TO_HUNDRED)
    assert (summary["p50"], summary["p95"]) == (51.0, 95.0)
