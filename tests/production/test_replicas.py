"""Two Rasa replicas and one action server share PostgreSQL (conversations, tickets) and Redis (locks)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from channels.no_silence import FALLBACK_METADATA
from tests.production.conftest import (
    Customer,
    forget_tickets,
    late_delivery_to_ticket,
    tickets_in,
)
from tools.stack import Stack

LATE_ORDER = "472918305561"


def test_turns_of_one_conversation_alternate_between_replicas(
    stack: Stack, database: sa.engine.Engine, run_schema: str
) -> None:
    forget_tickets(database, run_schema, LATE_ORDER)
    customer = Customer(stack)
    ticket_id = late_delivery_to_ticket(customer, replicas=[0, 1])

    assert ticket_id, "the complaint ends with a ticket although every other turn went to the other replica"
    assert any(ticket_id in (text or "") for text in customer.received)
    customer.assert_tracker_matches_transcript()
    assert customer.tracker(replica=1) == customer.tracker(replica=0), "both replicas read the same tracker"
    assert [t for t, conversation in tickets_in(database, run_schema) if conversation == customer.sender] == [ticket_id]


def test_concurrent_conversations_keep_their_own_events_and_tickets_are_unique(
    stack: Stack, database: sa.engine.Engine, run_schema: str
) -> None:
    forget_tickets(database, run_schema, LATE_ORDER)
    customers = [Customer(stack) for _ in range(6)]
    # Half start on replica 0, half on replica 1; all alternate.
    with ThreadPoolExecutor(max_workers=len(customers)) as pool:
        ticket_ids = list(
            pool.map(
                lambda pair: late_delivery_to_ticket(pair[1], replicas=[pair[0] % 2, (pair[0] + 1) % 2]),
                enumerate(customers),
            )
        )

    for customer in customers:
        customer.assert_tracker_matches_transcript()
    tickets = tickets_in(database, run_schema)
    ids = [ticket for ticket, _ in tickets]
    assert len(ids) == len(set(ids)), "ticket numbers are unique"
    by_conversation = {customer.sender: [t for t, c in tickets if c == customer.sender] for customer in customers}
    for customer, ticket_id in zip(customers, ticket_ids, strict=True):
        # The first to confirm gets a ticket; a later one on the same order may be handed to a person
        # as a repeat complaint instead. Either way the ticket slot and the database agree.
        assert by_conversation[customer.sender] == ([ticket_id] if ticket_id else [])
    assert any(ticket_ids), "at least one of the concurrent complaints ends with a ticket"


def test_simultaneous_messages_of_one_conversation_on_both_replicas_are_serialized(stack: Stack) -> None:
    customer = Customer(stack)
    customer.say("你好")
    sent = ["你好"]
    for round_number in range(5):
        pair = [(f"我的快递还没到{round_number}", 0), (f"在吗{round_number}", 1)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            replies = list(pool.map(lambda args: customer_turn(stack, customer.sender, *args), pair))
        assert all(replies), "both senders got a reply"
        sent += [message for message, _ in pair]

    events = customer.tracker()["events"]
    users = [event["text"] for event in events if event["event"] == "user"]
    assert sorted(users) == sorted(sent), "no message of the conversation is lost or doubled"
    assert not [e for e in events if e["event"] == "bot" and e.get("metadata") == FALLBACK_METADATA], (
        "no turn failed (a lock error would have produced the fallback reply)"
    )
    # With the lock, one turn finishes (back to action_listen) before the other one starts.
    kinds = [
        "user" if event["event"] == "user" else "listen"
        for event in events
        if event["event"] == "user" or (event["event"] == "action" and event["name"] == "action_listen")
    ]
    assert "user,user" not in ",".join(kinds), kinds


def customer_turn(stack: Stack, sender: str, message: str, replica: int) -> list[dict]:
    return Customer(stack, sender=sender).say(message, replica)
