"""Personal data on a running stack: masked in the console and the exports; revealed only with a reason, and
both the reveal and an unmasked export are recorded with who."""

from __future__ import annotations

import datetime as dt

import requests

from complaint_desk.stores.agent_actions import AgentActions
from complaint_desk.stores.tickets import NewTicket, TicketStore
from complaint_desk.team.roles import Role
from tests.accounts import make_account, stack_sessions
from tests.integration.conftest import Customer
from tools.stack import Stack

PHONE = "13812345678"
WITH_PHONE = f"快递一直没到，我电话{PHONE}，地址是北京市朝阳区建国路88号3栋1201室"


def logged_in(stack: Stack, role: Role) -> tuple[str, requests.Session]:
    username, password = make_account(stack, role, "小周", team="after_sales")
    session = requests.Session()
    assert session.post(f"{stack.rasa_url}/webhooks/agent/login", json={"username": username, "password": password},
                        timeout=30).ok
    return username, session


def test_the_console_masks_personal_data_until_an_agent_says_why(stack: Stack, customer: Customer) -> None:
    customer.say(WITH_PHONE)
    username, desk = logged_in(stack, Role.AGENT)
    base = f"{stack.rasa_url}/webhooks/agent/api/conversations/{customer.sender}"
    detail = desk.get(base, timeout=30).json()
    [line] = [line for line in detail["transcript"] if line["role"] == "customer"]
    assert PHONE not in line["text"] and "138****5678" in line["text"] and "建国路" not in line["text"]
    assert line["masked"] == ["phone", "address"]
    assert PHONE not in detail["latest"]["text"]
    listed = desk.get(f"{stack.rasa_url}/webhooks/agent/api/conversations", timeout=30).json()["conversations"]
    assert all(PHONE not in row["last_message"] for row in listed)

    assert desk.post(f"{base}/reveal", json={"line": line["line"]}, timeout=30).status_code == 400
    assert desk.post(f"{base}/reveal", json={"line": 999, "reason": "核对收件电话"}, timeout=30).status_code == 404
    revealed = desk.post(f"{base}/reveal", json={"line": line["line"], "reason": "核对收件电话"}, timeout=30)
    assert revealed.ok and revealed.json()["text"] == WITH_PHONE
    [record] = [a for a in AgentActions(stack_sessions(stack)).of_conversation(customer.sender) if a.action == "reveal"]
    assert record.actor == username and "核对收件电话" in (record.detail or "")


def test_exports_mask_personal_data_unless_a_supervisor_asks_and_that_is_recorded(stack: Stack) -> None:
    TicketStore(stack_sessions(stack)).open_ticket(NewTicket(
        "conversation-export", "472918305561", "delivery", "投诉", "reship", "补发", None, ["angry"],
        dt.timedelta(hours=48), customer_text=f"打我电话{PHONE}"))
    supervisor, session = logged_in(stack, Role.SUPERVISOR)
    url = f"{stack.rasa_url}/webhooks/supervisor/api/export.json"
    texts = [case["customer_text"] for case in session.get(url, timeout=60).json()["cases"]]
    assert "打我电话138****5678" in texts and not any(PHONE in (text or "") for text in texts)
    full = [case["customer_text"] for case in session.get(url, params={"unmasked": "1"}, timeout=60).json()["cases"]]
    assert f"打我电话{PHONE}" in full
    exports = [a for a in AgentActions(stack_sessions(stack)).recent() if a.action == "export_unmasked"]
    assert [a.actor for a in exports] == [supervisor]
