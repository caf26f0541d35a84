"""The reply library over HTTP: filled in for a conversation in the console; supervisors edit it, and an entry
that over-promises is refused with the guard's findings."""

from __future__ import annotations

import requests

from complaint_desk.team.roles import Role
from tests.accounts import make_account
from tests.integration.conftest import Customer
from tools.stack import Stack

DEMO_ORDER = "472918305561"  # knowledge/demo_orders.yml: 蓝牙耳机


def logged_in(stack: Stack, role: Role) -> requests.Session:
    username, password = make_account(stack, role, "王主管" if role == Role.SUPERVISOR else "小周")
    session = requests.Session()
    assert session.post(f"{stack.rasa_url}/webhooks/agent/login", json={"username": username, "password": password},
                        timeout=30).ok
    return session


def test_entries_come_filled_in_with_the_case_and_checked(stack: Stack, customer: Customer) -> None:
    customer.say(f"快递一直没到，订单号{DEMO_ORDER}")
    desk = logged_in(stack, Role.AGENT)
    entries = desk.get(f"{stack.rasa_url}/webhooks/agent/api/conversations/{customer.sender}/library",
                       timeout=60).json()["entries"]
    by_id = {entry["id"]: entry for entry in entries}
    assert DEMO_ORDER in by_id["apologise_delay"]["filled"] and by_id["apologise_delay"]["allowed"]
    assert "蓝牙耳机" in by_id["ask_photos"]["filled"]
    assert all(entry["allowed"] for entry in entries)


def test_supervisors_edit_the_library_and_an_over_promise_is_refused(stack: Stack, customer: Customer) -> None:
    boss, agent = logged_in(stack, Role.SUPERVISOR), logged_in(stack, Role.AGENT)
    url = f"{stack.rasa_url}/webhooks/supervisor/api/library"
    refused = boss.put(f"{url}/refund_promise", json={"title": "退款承诺", "stage": "propose",
                                                      "text": "您放心，我保证今天就给您全额退款！"}, timeout=30)
    assert refused.status_code == 422 and refused.json()["findings"]
    assert agent.put(f"{url}/anything", json={"title": "x", "stage": "any", "text": "您好"}, timeout=30).status_code == 403
    saved = boss.put(f"{url}/weekend_note", json={"title": "周末说明", "stage": "any",
                                                  "text": "周末仓库照常发货，订单 {order_id} 我们会持续跟进。"}, timeout=30)
    assert saved.ok
    assert "weekend_note" in [entry["id"] for entry in boss.get(url, timeout=30).json()["entries"]]
    assert "refund_promise" not in [entry["id"] for entry in boss.get(url, timeout=30).json()["entries"]]
    customer.say(f"订单{DEMO_ORDER}的快递到底什么时候到")
    entries = agent.get(f"{stack.rasa_url}/webhooks/agent/api/conversations/{customer.sender}/library",
                        timeout=60).json()["entries"]
    [weekend] = [entry for entry in entries if entry["id"] == "weekend_note"]
    assert weekend["filled"] == f"周末仓库照常发货，订单 {DEMO_ORDER} 我们会持续跟进。" and weekend["allowed"]
    assert boss.delete(f"{url}/weekend_note", timeout=30).ok
    assert "weekend_note" not in [entry["id"] for entry in boss.get(url, timeout=30).json()["entries"]]
