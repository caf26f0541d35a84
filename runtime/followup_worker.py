"""Fires due follow-ups (回访): claims each one in the database, then asks Rasa to run it.

Follow-ups live in the database, so they fire after a restart; the claim makes
each fire once even with several workers. A failed fire is retried with a growing delay
and, after the last allowed attempt, marked failed for the supervisor page
(complaint_desk.stores.follow_ups.RetryPolicy). Run by tools.stack next to the servers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import socket
import sys
import time

import requests

from complaint_desk import clock
from complaint_desk.stores.database import create_schema, default_engine, session_factory
from complaint_desk.stores.follow_ups import FollowUp, FollowUpStore, RetryPolicy
from complaint_desk.stores.heartbeats import FOLLOWUP_WORKER, Heartbeats

logger = logging.getLogger("followup_worker")

FOLLOW_UP_INTENT = "EXTERNAL_followup"
ROLE = FOLLOWUP_WORKER


def fire(follow_up: FollowUp, rasa_url: str, token: str) -> str | None:
    """None when Rasa ran the follow-up, else why it did not."""
    try:
        response = requests.post(
            f"{rasa_url}/conversations/{follow_up.conversation_id}/trigger_intent",
            params={"token": token, "output_channel": "latest"},
            json={"name": FOLLOW_UP_INTENT, "entities": {"ticket_id": follow_up.ticket_id}},
            timeout=30,
        )
    except requests.RequestException as error:
        return f"{type(error).__name__}: {error}"
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    return None


def run_once(store: FollowUpStore, rasa_url: str, token: str) -> int:
    fired = 0
    for follow_up in store.claim_due(clock.now()):
        error = fire(follow_up, rasa_url, token)
        if error is None:
            store.mark_fired(follow_up.follow_up_id, clock.now())
            logger.info("回访已触发：工单 %s", follow_up.ticket_id)
            fired += 1
            continue
        after = store.release(follow_up, clock.now(), error)
        if after.failed_at is not None:
            logger.error("回访 %s（工单 %s）第 %d 次触发仍失败，已停止重试，主管看板会显示：%s",
                         follow_up.follow_up_id, follow_up.ticket_id, follow_up.attempts, error)
        else:
            logger.warning("回访 %s（工单 %s）第 %d 次触发失败，%s 再试：%s", follow_up.follow_up_id,
                           follow_up.ticket_id, follow_up.attempts,
                           after.next_attempt_at.strftime("%H:%M:%S") if after.next_attempt_at else "稍后", error)
    return fired


def worker_id() -> str:
    """One follow-up worker per host or container (the pod's name on Kubernetes)."""
    return f"{socket.gethostname()}:{ROLE}"


def alive(store: Heartbeats, poll_seconds: float, now: dt.datetime) -> bool:
    """The liveness check: this host's worker finished a round within three poll intervals (and a minute)."""
    last = store.last_beat(worker_id())
    return last is not None and now - last <= dt.timedelta(seconds=3 * poll_seconds + 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alive", action="store_true",
                        help="exit 0 if this host's worker beat recently, else 1 (a liveness probe), then stop")
    parser.add_argument("--rasa-url")
    parser.add_argument("--token")
    parser.add_argument("--poll-seconds", type=float, default=30.0)
    parser.add_argument("--max-attempts", type=int, default=RetryPolicy.max_attempts,
                        help="attempts before a follow-up is marked failed")
    parser.add_argument("--first-retry-seconds", type=float, default=RetryPolicy.first_delay.total_seconds())
    parser.add_argument("--max-retry-seconds", type=float, default=RetryPolicy.max_delay.total_seconds())
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    if args.alive:
        engine = default_engine()
        sys.exit(0 if alive(Heartbeats(session_factory(engine)), args.poll_seconds, clock.now()) else 1)
    if not args.rasa_url or not args.token:
        parser.error("--rasa-url 和 --token 是必填项")

    retry = RetryPolicy(first_delay=dt.timedelta(seconds=args.first_retry_seconds),
                        max_delay=dt.timedelta(seconds=args.max_retry_seconds), max_attempts=args.max_attempts)
    engine = default_engine()
    create_schema(engine)
    store = FollowUpStore(session_factory(engine), retry=retry)
    heartbeats = Heartbeats(session_factory(engine))
    running = True

    def stop(signum: int, frame: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while running:
        try:
            run_once(store, args.rasa_url, args.token)
            heartbeats.beat(worker_id(), ROLE, clock.now())
        except Exception:  # a database hiccup must not end the worker
            logger.exception("回访轮询出错，下一轮重试")
        deadline = time.monotonic() + args.poll_seconds
        while running and time.monotonic() < deadline:
            time.sleep(0.2)


if __name__ == "__main__":
    main()
