"""A replica dies, everything restarts, the action server goes down: no complaint is lost.

These tests kill or restart processes of the shared production stack, so they run after the
other production tests (marker `destructive`), in this order.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
import requests
import sqlalchemy as sa

from channels.input_checks import channel_messages
from channels.no_silence import FALLBACK_METADATA
from complaint_desk.stores.database import engine_for, session_factory
from complaint_desk.stores.follow_ups import FollowUpStore
from runtime.followup_worker import run_once
from tests.production.conftest import Customer, Deployment, forget_tickets, late_delivery_to_ticket

LATE_ORDER = "472918305561"
pytestmark = pytest.mark.destructive


def wait_for(condition, what: str, timeout: float = 120):  # noqa: ANN001, ANN201
    """Poll until `condition()` is truthy (a wait for the servers, not a timing check)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"等待超时：{what}")


def test_sigkill_of_a_replica_mid_form_the_other_continues(deployment: Deployment, database: sa.engine.Engine,
                                                           run_schema: str) -> None:
    stack = deployment.stack
    forget_tickets(database, run_schema, LATE_ORDER)
    customer = Customer(stack)
    customer.say("我的快递一个星期了还没到！", replica=1)
    before = customer.tracker()
    assert before["active_loop"]["name"] == "complaint_form"
    assert before["slots"]["requested_slot"] == "order_id"

    stack.kill("rasa_server_1")

    found = customer.say_text(f"订单号{LATE_ORDER}", replica=0)
    assert "蓝牙耳机" in found
    after = customer.tracker()
    assert after["active_loop"]["name"] == "complaint_form", "the form is still active on the other replica"
    assert after["slots"]["complaint_category"] == before["slots"]["complaint_category"] == "delivery"
    assert after["slots"]["order_id"] == LATE_ORDER
    assert after["slots"]["requested_slot"] == "desired_outcome"
    customer.say("给点补偿吧", replica=0)
    confirmation = customer.say_text("好的，可以", replica=0)
    ticket_id = customer.tracker()["slots"]["ticket_id"]
    assert ticket_id and ticket_id in confirmation
    customer.assert_tracker_matches_transcript()


def test_restart_keeps_tickets_and_a_due_follow_up_fires_once(
    deployment: Deployment, database: sa.engine.Engine, run_schema: str
) -> None:
    forget_tickets(database, run_schema, LATE_ORDER)
    customer = Customer(deployment.stack)
    ticket_id = late_delivery_to_ticket(customer, replicas=deployment.stack.live_replicas())
    assert ticket_id

    deployment.stack.stop()
    # While everything is down, the follow-up falls due.
    with database.begin() as connection:
        scheduled = connection.execute(
            sa.text(f'UPDATE "{run_schema}".complaint_follow_ups SET due_at = :due WHERE ticket_id = :ticket'),
            {"due": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1), "ticket": ticket_id},
        ).rowcount
    assert scheduled == 1, "confirming the remedy scheduled one follow-up"

    stack = deployment.restart()
    customer.stack = stack

    def follow_up_row() -> sa.Row | None:
        with database.connect() as connection:
            return connection.execute(
                sa.text(f'SELECT fired_at, attempts FROM "{run_schema}".complaint_follow_ups WHERE ticket_id = :t'),
                {"t": ticket_id},
            ).one_or_none()

    fired = wait_for(lambda: (row := follow_up_row()) is not None and row.fired_at is not None and row,
                     "回访在重启后触发")
    assert fired.attempts == 1
    # Two workers keep polling (one per replica); a third round from here finds nothing due.
    store = FollowUpStore(session_factory(engine_for(stack.env["COMPLAINT_DB_URL"], run_schema)))
    assert run_once(store, stack.rasa_url, stack.token) == 0
    events = customer.tracker()["events"]
    follow_ups = [e for e in events if e["event"] == "user" and e["parse_data"]["intent"]["name"] == "EXTERNAL_followup"]
    assert len(follow_ups) == 1, "the follow-up fired exactly once"
    assert follow_up_row().attempts == 1

    progress = customer.say_text("我的投诉处理得怎么样了", replica=1)
    assert ticket_id in progress, "the ticket survived the restart"


def test_action_server_down_the_customer_gets_a_polite_fallback_and_the_turn_is_recorded(
    deployment: Deployment,
) -> None:
    stack = deployment.stack
    customer = Customer(stack)
    customer.say("你好")
    stack.kill("action_server")
    try:
        replies = customer.say("我的投诉处理得怎么样了", replica=1)
        fallback = channel_messages()["no_reply_fallback"]
        assert [reply.get("text") for reply in replies] == [fallback]
        events = customer.tracker()["events"]
        assert [e["text"] for e in events if e["event"] == "user"][-1] == "我的投诉处理得怎么样了"
        last_bot = [e for e in events if e["event"] == "bot"][-1]
        assert last_bot["text"] == fallback and last_bot["metadata"] == FALLBACK_METADATA
        customer.assert_tracker_matches_transcript()
    finally:
        stack.restart("action_server")
    recovered = customer.say_text("我的投诉处理得怎么样了", replica=0)
    assert recovered and recovered != channel_messages()["no_reply_fallback"]
    assert requests.get(f"{stack.action_url}/health", timeout=10).status_code == 200
