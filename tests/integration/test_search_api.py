"""Search on a running stack: by phone number (however it was typed), order number, ticket number or words;
what comes back is masked."""

from __future__ import annotations

import datetime as dt

import requests

from complaint_desk.stores.tickets import NewTicket, TicketStore
from complaint_desk.team.roles import Role
from tests.accounts import make_account, stack_sessions
from tests.integration.conftest import Customer
from tools.stack import Stack


def test_conversations_and_tickets_are_found_and_shown_masked(stack: Stack, customer: Customer) -> None:
    customer.say("订单472918305561的快递一直没到，急死了，我电话138 1234 5678")
    ticket = TicketStore(stack_sessions(stack)).open_ticket(NewTicket(
        customer.sender, "472918305561", "delivery", "投诉", "reship", "补发", None, ["angry"],
        dt.timedelta(hours=48), customer_text="快递一直没到，电话13812345678"))
    username, password = make_account(stack, Role.AGENT, "小周")
    desk = requests.Session()
    assert desk.post(f"{stack.rasa_url}/webhooks/agent/login", json={"username": username, "password": password},
                     timeout=30).ok

    def search(q: str) -> dict:
        reply = desk.get(f"{stack.rasa_url}/webhooks/agent/api/search", params={"q": q}, timeout=30)
        assert reply.ok, reply.text
        return reply.json()

    by_phone = search("13812345678")
    assert customer.sender in [row["conversation_id"] for row in by_phone["conversations"]]
    assert all("13812345678" not in row["last_message"] for row in by_phone["conversations"])
    assert customer.sender in [row["conversation_id"] for row in search("472918305561")["conversations"]]
    [found] = search(ticket.ticket_id)["tickets"]
    assert found["conversation_id"] == customer.sender and found["customer_text"] == "快递一直没到，电话138****5678"
    assert search("急死了")["conversation_total"] >= 1
    assert desk.get(f"{stack.rasa_url}/webhooks/agent/api/search", params={"q": " "}, timeout=30).status_code == 400
