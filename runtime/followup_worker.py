"""Fires due follow-ups (回访): claims each one in the database, then asks Rasa to run it.

Follow-ups live in the database, so they fire after a restart; the claim makes
each fire once even with several workers. Run by tools.stack next to the servers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import time

import requests

from complaint_desk.stores.database import create_schema, default_engine, session_factory
from complaint_desk.stores.follow_ups import FollowUp, FollowUpStore

logger = logging.getLogger("followup_worker")

FOLLOW_UP_INTENT = "EXTERNAL_followup"


def fire(follow_up: FollowUp, rasa_url: str, token: str) -> bool:
    try:
        response = requests.post(
            f"{rasa_url}/conversations/{follow_up.conversation_id}/trigger_intent",
            params={"token": token, "output_channel": "latest"},
            json={"name": FOLLOW_UP_INTENT, "entities": {"ticket_id": follow_up.ticket_id}},
            timeout=30,
        )
    except requests.RequestException as error:
        logger.warning("回访 %s 触发失败，稍后重试：%s", follow_up.follow_up_id, error)
        return False
    if response.status_code != 200:
        logger.warning("回访 %s 触发失败（HTTP %s），稍后重试", follow_up.follow_up_id, response.status_code)
        return False
    return True


def run_once(store: FollowUpStore, rasa_url: str, token: str) -> int:
    fired = 0
    for follow_up in store.claim_due(dt.datetime.now()):
        if fire(follow_up, rasa_url, token):
            store.mark_fired(follow_up.follow_up_id, dt.datetime.now())
            logger.info("回访已触发：工单 %s", follow_up.ticket_id)
            fired += 1
        else:
            store.release(follow_up.follow_up_id)
    return fired


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--poll-seconds", type=float, default=30.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")

    engine = default_engine()
    create_schema(engine)
    store = FollowUpStore(session_factory(engine))
    running = True

    def stop(signum: int, frame: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while running:
        try:
            run_once(store, args.rasa_url, args.token)
        except Exception:  # a database hiccup must not end the worker
            logger.exception("回访轮询出错，下一轮重试")
        deadline = time.monotonic() + args.poll_seconds
        while running and time.monotonic() < deadline:
            time.sleep(0.2)


if __name__ == "__main__":
    main()
