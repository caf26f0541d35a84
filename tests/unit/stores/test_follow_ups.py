"""Follow-up retries: a growing delay, a cap, and a failure kept for the supervisor."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.stores.follow_ups import FollowUpStore, RetryPolicy

DUE = dt.datetime(2026, 12, 1, 9, 0)
POLICY = RetryPolicy(first_delay=dt.timedelta(seconds=30), factor=2, max_delay=dt.timedelta(minutes=5), max_attempts=4)


@pytest.fixture
def store(tmp_path: Path) -> FollowUpStore:
    engine = engine_for(f"sqlite:///{tmp_path / 'follow_ups.db'}")
    create_schema(engine)
    return FollowUpStore(session_factory(engine), retry=POLICY)


def test_the_delay_doubles_up_to_its_ceiling():
    assert [POLICY.delay_after(n).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]


@pytest.mark.parametrize("bad", [
    {"max_attempts": 0}, {"factor": 0.5}, {"first_delay": dt.timedelta(0)}, {"max_delay": dt.timedelta(seconds=1)},
])
def test_a_retry_policy_that_cannot_work_is_refused(bad):
    with pytest.raises(ValueError):
        RetryPolicy(**bad)


def test_a_failed_fire_waits_for_its_retry_time(store):
    store.schedule("T1", "c1", DUE)
    [claimed] = store.claim_due(DUE)
    after = store.release(claimed, DUE, "HTTP 503: unavailable")
    assert after.next_attempt_at == DUE + dt.timedelta(seconds=30)
    assert after.failed_at is None and after.last_error == "HTTP 503: unavailable"
    assert store.claim_due(DUE + dt.timedelta(seconds=29)) == []
    [again] = store.claim_due(DUE + dt.timedelta(seconds=30))
    assert again.attempts == 2


def test_after_the_last_attempt_the_follow_up_is_failed_and_never_claimed_again(store):
    store.schedule("T1", "c1", DUE)
    now = DUE
    for attempt in range(1, POLICY.max_attempts + 1):
        [claimed] = store.claim_due(now)
        assert claimed.attempts == attempt
        after = store.release(claimed, now, f"ConnectionError {attempt}")
        now = now + dt.timedelta(hours=1)
    assert after.failed_at is not None and after.next_attempt_at is None
    assert after.last_error == f"ConnectionError {POLICY.max_attempts}"
    assert store.claim_due(now + dt.timedelta(days=30)) == []


def test_a_long_error_is_cut_to_fit_its_column(store):
    store.schedule("T1", "c1", DUE)
    [claimed] = store.claim_due(DUE)
    assert len(store.release(claimed, DUE, "错" * 2000).last_error) == 500


def test_a_fired_follow_up_is_not_retried(store):
    store.schedule("T1", "c1", DUE)
    [claimed] = store.claim_due(DUE)
    store.mark_fired(claimed.follow_up_id, DUE)
    assert store.claim_due(DUE + dt.timedelta(days=1)) == []
