"""socket.io across replicas: what any replica emits reaches the shopper's socket on the replica that holds it
(python-socketio's AsyncRedisManager on the deployment's Redis)."""

from __future__ import annotations

import requests

from complaint_desk.stores.database import engine_for, session_factory
from complaint_desk.stores.tickets import NewTicket, TicketStore
from tests.production.channel_clients import SocketCustomer
from tools.stack import Stack

AGENT_REPLY = "您好，我是售后专员小林，这个订单我来接着跟进，稍等我核对一下物流记录。"


def agent_call(stack: Stack, replica: int, path: str, body: dict | None = None) -> requests.Response:
    return requests.post(f"{stack.rasa_urls[replica]}/webhooks/agent/api/conversations/{path}", json=body or {},
                         headers={"Authorization": f"Bearer {stack.agent_token}"}, timeout=60)


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def test_an_agent_reply_sent_through_the_other_replica_reaches_the_socket(stack: Stack) -> None:
    shopper = SocketCustomer(stack, replica=0)
    try:
        assert shopper.send({"message": "你好，我买的台灯到了但是不亮"}), "the bot answers on the socket's replica"
        assert agent_call(stack, 1, f"{shopper.session_id}/takeover").status_code == 200
        shopper.collect(first_wait=5)  # whatever the takeover told the customer
        sent = agent_call(stack, 1, f"{shopper.session_id}/messages", {"text": AGENT_REPLY})
        assert sent.status_code == 200, sent.text
        assert AGENT_REPLY in texts(shopper.collect()), "replica 1's emit reached the socket held by replica 0"
    finally:
        shopper.close()


def test_a_follow_up_fired_through_the_other_replica_reaches_the_socket(stack: Stack, run_schema: str) -> None:
    shopper = SocketCustomer(stack, replica=0)
    try:
        assert shopper.send({"message": "你好"})
        tickets = TicketStore(session_factory(engine_for(stack.env["COMPLAINT_DB_URL"], run_schema)))
        ticket = tickets.open_ticket(NewTicket(
            conversation_id=shopper.session_id, order_id="472918305561", category="delivery", level="complaint",
            remedy_id="reship", remedy_title="补发", remedy_amount=None, emotion_trend=["neutral"], resolve_within=None,
        ))
        fired = requests.post(
            f"{stack.rasa_urls[1]}/conversations/{shopper.session_id}/trigger_intent",
            params={"token": stack.token, "output_channel": "latest"},
            json={"name": "EXTERNAL_followup", "entities": {"ticket_id": ticket.ticket_id}}, timeout=120,
        )
        assert fired.status_code == 200, fired.text
        assert ticket.ticket_id in texts(shopper.collect()), "the follow-up fired on replica 1 reached replica 0's socket"
    finally:
        shopper.close()
