"""A team at the desk, in separate browser contexts: a fraud specialist, an after-sales agent and a supervisor.
A fraud hand-off reaches 风控's queue only and its specialist, who puts it back and claims it; it is transferred
with a note; the other agent gets the alert, answers with a library reply, and it is signed with the agent's
name; the supervisor sees the per-agent figures."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from complaint_desk.team.roles import Role
from tests.e2e.conftest import Dialogs, handed_off_words, open_console, open_supervisor
from tools.stack import Stack

FRAUD = ("你们页面上写的纯羊毛，收到一看标签是涤纶，这不是虚假宣传吗", "472918305563", "我要退一赔三")
TITLE = "客服工作台 · 投诉助手"


def say(customer: Page, text: str) -> None:
    customer.get_by_test_id("widget-input").fill(text)
    customer.get_by_test_id("widget-send").click()


def row(console: Page, session: str):  # noqa: ANN201 (Playwright Locator)
    return console.locator(f"[data-testid='conversation-row'][data-id='{session}']")


def test_a_fraud_case_moves_through_the_team(customer: Page, browser: Browser, stack: Stack, dialogs: Dialogs,
                                            screenshot_dir: Path) -> None:
    fraud_context, specialist = open_console(browser, stack, dialogs, Role.SPECIALIST, "风控小王", team="fraud")
    sales_context, agent = open_console(browser, stack, dialogs, Role.AGENT, "售后小李", team="after_sales")
    boss_context = None
    try:
        agent.get_by_test_id("list-view").select_option("team")
        for text in FRAUD:
            count = customer.get_by_test_id("widget-msg-bot").count()
            say(customer, text)
            expect(customer.get_by_test_id("widget-msg-bot")).not_to_have_count(count)
        expect(customer.get_by_test_id("widget-msg-bot").last).to_contain_text(handed_off_words())
        session = customer.locator(".cdw-root").get_attribute("data-session")
        assert session

        # 风控's queue, and its specialist who is logged in; not the after-sales agent's team list.
        expect(row(specialist, session).get_by_test_id("row-queue")).to_have_text("风控/欺诈 · 风控小王")
        expect(specialist).to_have_title(f"(1) {TITLE}")
        expect(row(agent, session)).to_have_count(0)

        row(specialist, session).click()
        expect(specialist.get_by_test_id("queue-info")).to_contain_text("负责人 风控小王")
        specialist.get_by_test_id("btn-release").click()  # back to 风控's queue, then claimed again
        expect(specialist.get_by_test_id("queue-info")).to_contain_text("风控/欺诈 · 待认领")
        specialist.get_by_test_id("btn-claim").click()
        expect(specialist.get_by_test_id("queue-info")).to_contain_text("负责人 风控小王")
        agent_username = agent.get_by_test_id("who").inner_text().split("（")[1].rstrip("）")
        specialist.get_by_test_id("transfer-target").select_option(f"to:{agent_username}")
        specialist.get_by_test_id("transfer-note").fill("已核实宣传页面写错了，按虚假宣传赔付流程，请售后跟进")
        specialist.get_by_test_id("btn-transfer").click()
        expect(specialist.get_by_test_id("queue-info")).to_contain_text("负责人 售后小李")

        # The after-sales agent is alerted, opens it, reads the note and answers with a library reply.
        expect(agent).to_have_title(f"(1) {TITLE}")
        agent.get_by_test_id("list-view").select_option("mine")
        row(agent, session).click()
        expect(agent.get_by_test_id("note")).to_contain_text("虚假宣传赔付流程")
        agent.get_by_test_id("btn-takeover").click()
        expect(agent.get_by_test_id("chat-mode")).to_have_attribute("data-mode", "takeover")
        greeting = agent.locator("[data-testid='library-entry'][data-id='greet_take_over']")
        greeting.click()
        expect(agent.get_by_test_id("draft-ok")).to_be_visible()
        sent = agent.get_by_test_id("draft").input_value()
        agent.get_by_test_id("btn-send").click()
        expect(customer.get_by_test_id("widget-msg-bot").filter(has_text=sent)).to_have_count(1)
        expect(agent.get_by_test_id("line-agent").last).to_contain_text("坐席 售后小李")
        agent.screenshot(path=str(screenshot_dir / "console-team.png"))

        # The supervisor sees who did what.
        boss_context, boss = open_supervisor(browser, stack, dialogs)
        figures = boss.get_by_test_id("agent-row")
        expect(figures.filter(has_text="售后小李")).to_have_count(1)
        expect(figures.filter(has_text="风控小王")).to_have_count(1)
        expect(boss.get_by_test_id("rate-row").filter(has_text="话术库")).to_contain_text("100%")
        boss.screenshot(path=str(screenshot_dir / "supervisor-team.png"))
    finally:
        if boss_context is not None:
            boss_context.close()
        sales_context.close()
        fraud_context.close()
