"""The storefront widget in a real browser, connected to replica 1: a follow-up fired through replica 2 and an
agent's reply sent through replica 2 both show up in it (socket.io emits shared through Redis)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from complaint_desk.stores.database import engine_for, session_factory
from complaint_desk.stores.tickets import NewTicket, TicketStore
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS
from tools.stack import Stack

AGENT_REPLY = "您好，我是售后专员小周，台灯的问题我来跟进，先帮您核对一下订单。"


# Module scope: the sync Playwright driver keeps an asyncio loop running until it closes (see tests/e2e).
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def shopper(browser: Browser, stack: Stack) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
    context.set_default_timeout(UI_TIMEOUT_MS * 3)
    page = context.new_page()
    page.goto(f"{stack.rasa_urls[0]}/webhooks/storefront/")
    page.get_by_test_id("widget-bubble").click()
    expect(page.locator(".cdw-root[data-session]")).to_have_count(1, timeout=UI_TIMEOUT_MS * 3)
    yield page
    context.close()


def bot_says(page: Page, text: str) -> None:
    expect(page.get_by_test_id("widget-msg-bot").filter(has_text=text)).to_have_count(1, timeout=UI_TIMEOUT_MS * 3)


def test_a_follow_up_and_an_agent_reply_through_replica_2_reach_the_widget_on_replica_1(
        stack: Stack, shopper: Page, run_schema: str) -> None:
    greeting = shopper.get_by_test_id("widget-msg-bot").count()
    shopper.get_by_test_id("widget-input").fill("你好，我买的台灯到了不亮")
    shopper.get_by_test_id("widget-send").click()
    expect(shopper.get_by_test_id("widget-msg-bot")).not_to_have_count(greeting, timeout=UI_TIMEOUT_MS * 3)
    session = shopper.locator(".cdw-root").get_attribute("data-session")
    assert session

    tickets = TicketStore(session_factory(engine_for(stack.env["COMPLAINT_DB_URL"], run_schema)))
    ticket = tickets.open_ticket(NewTicket(
        conversation_id=session, order_id=None, category="quality", level="complaint", remedy_id="exchange",
        remedy_title="换货", remedy_amount=None, emotion_trend=["neutral"], resolve_within=None,
    ))
    fired = requests.post(f"{stack.rasa_urls[1]}/conversations/{session}/trigger_intent",
                          params={"token": stack.token, "output_channel": "latest"},
                          json={"name": "EXTERNAL_followup", "entities": {"ticket_id": ticket.ticket_id}}, timeout=120)
    assert fired.status_code == 200, fired.text
    bot_says(shopper, ticket.ticket_id)

    agent = {"Authorization": f"Bearer {stack.agent_token}"}
    api = f"{stack.rasa_urls[1]}/webhooks/agent/api/conversations/{session}"
    assert requests.post(f"{api}/takeover", json={"mode": "takeover"}, headers=agent, timeout=60).ok
    sent = requests.post(f"{api}/messages", json={"text": AGENT_REPLY}, headers=agent, timeout=60)
    assert sent.status_code == 200, sent.text
    bot_says(shopper, AGENT_REPLY)
