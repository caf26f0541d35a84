"""A customer in the storefront widget and an agent in the console, in two real browser contexts."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import requests
from playwright.sync_api import Browser, Page, expect

from complaint_desk.team.roles import Role
from tests.e2e.conftest import Dialogs, handed_off_words, open_console
from tools.stack import Stack

ANGRY_COMPLAINT = "你们这什么破快递！！一个星期了还没到！气死我了！"
OVER_PROMISE = "我保证明天就给您全额退款，再额外赔您500元！"
DEMO_ORDER = "472918305561"  # knowledge/demo_orders.yml: 蓝牙耳机, shipped, late
XSS = "<img src=x onerror=alert(1)>"


def say(customer: Page, text: str) -> None:
    customer.get_by_test_id("widget-input").fill(text)
    customer.get_by_test_id("widget-send").click()


def session_of(customer: Page) -> str:
    session = customer.locator(".cdw-root").get_attribute("data-session")
    assert session
    return session


def bot_lines(customer: Page):  # noqa: ANN201 (Playwright Locator)
    return customer.get_by_test_id("widget-msg-bot")


def conversation_row(console: Page, session: str):  # noqa: ANN201
    return console.locator(f"[data-testid='conversation-row'][data-id='{session}']")


def open_conversation(console: Page, session: str) -> None:
    conversation_row(console, session).click()
    expect(console.get_by_test_id("chat-id")).to_have_text(session)


def complain_angrily(customer: Page) -> str:
    """The angry complaint, answered by the bot (its acknowledgement and the order-number question)."""
    greeting = bot_lines(customer).count()
    say(customer, ANGRY_COMPLAINT)
    expect(bot_lines(customer)).to_have_count(greeting + 2)
    return session_of(customer)


def draft_check(stack: Stack, text: str, session: str) -> dict:
    reply = requests.post(
        f"{stack.rasa_url}/webhooks/agent/api/draft-check",
        json={"text": text, "conversation_id": session},
        headers={"Authorization": f"Bearer {stack.agent_token}"},
        timeout=30,
    )
    reply.raise_for_status()
    return reply.json()


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def test_angry_complaint_reaches_the_console_live_with_angry_tag_and_three_suggestions(
    customer: Page, console: Page, stack: Stack
) -> None:
    console.evaluate("window.__notReloaded = true")
    say(customer, ANGRY_COMPLAINT)
    session = session_of(customer)

    row = conversation_row(console, session)
    expect(row.locator("[data-emotion='angry']")).to_be_visible()  # pushed over the live feed
    assert console.evaluate("window.__notReloaded") is True
    open_conversation(console, session)
    expect(console.get_by_test_id("fact-emotion").locator("[data-emotion='angry']")).to_be_visible()
    expect(console.locator("[data-testid='line-customer'] [data-emotion='angry']")).to_have_count(1)
    suggestions = console.get_by_test_id("suggestion")
    expect(suggestions).to_have_count(3)
    texts = suggestions.all_inner_texts()
    assert len(set(texts)) == 3
    for text in texts:  # what the console offers passes the same over-promise check the agent's draft gets
        assert draft_check(stack, text, session)["allowed"], text


def test_over_promise_is_flagged_then_the_compliant_reply_reaches_the_widget(
    customer: Page, console: Page, stack: Stack, screenshot_dir: Path
) -> None:
    session = complain_angrily(customer)
    open_conversation(console, session)

    console.get_by_test_id("draft").fill(OVER_PROMISE)
    expect(console.locator("[data-testid='finding'].block").first).to_be_visible()
    highlighted = console.locator("[data-testid='finding']").all_inner_texts()
    assert all(span and span in OVER_PROMISE for span in highlighted)
    rewrite = console.get_by_test_id("draft-rewrite").inner_text()
    assert rewrite and rewrite != OVER_PROMISE
    console.screenshot(path=str(screenshot_dir / "console.png"))

    console.get_by_test_id("btn-takeover").click()
    expect(console.get_by_test_id("chat-mode")).to_have_attribute("data-mode", "takeover")
    console.get_by_test_id("use-rewrite").click()
    expect(console.get_by_test_id("draft-ok")).to_be_visible()
    console.get_by_test_id("btn-send").click()

    expect(bot_lines(customer).filter(has_text=rewrite)).to_have_count(1)
    expect(console.get_by_test_id("line-agent").filter(has_text=rewrite)).to_have_count(1)
    assert OVER_PROMISE not in customer.get_by_test_id("widget-messages").inner_text()
    customer.screenshot(path=str(screenshot_dir / "storefront.png"))


def test_hand_back_lets_the_bot_continue_the_flow(customer: Page, console: Page) -> None:
    session = complain_angrily(customer)
    open_conversation(console, session)
    console.get_by_test_id("btn-takeover").click()
    expect(console.get_by_test_id("chat-mode")).to_have_attribute("data-mode", "takeover")
    # Who is talking: the shopper sees a person join, and that person's name on their message.
    expect(customer.get_by_test_id("widget-msg-system").last).to_have_text("人工客服 小周 已接入")
    console.get_by_test_id("draft").fill("您好，我是人工客服，正在为您核实物流信息。")
    expect(console.get_by_test_id("draft-ok")).to_be_visible()
    console.get_by_test_id("btn-send").click()
    expect(bot_lines(customer).filter(has_text="我是人工客服")).to_have_count(1)
    expect(bot_lines(customer).last.get_by_test_id("widget-msg-from")).to_have_text("人工客服 小周")
    before_hand_back = bot_lines(customer).count()

    console.get_by_test_id("btn-handback").click()
    expect(console.get_by_test_id("chat-mode")).to_have_attribute("data-mode", "bot")
    expect(customer.get_by_test_id("widget-msg-system").last).to_have_text("人工客服已结束接待")
    # The bot picks up where the form was: it asks again for the order number it was waiting on.
    expect(bot_lines(customer)).to_have_count(before_hand_back + 2)
    assert "订单号" in bot_lines(customer).last.inner_text()

    customer.reload()  # the widget keeps its session and history across a reload
    expect(customer.get_by_test_id("widget-panel")).to_be_visible()
    expect(customer.locator(f".cdw-root[data-session='{session}']")).to_have_count(1)
    expect(bot_lines(customer).filter(has_text="我是人工客服")).to_have_count(1)
    expect(customer.get_by_test_id("widget-msg-system")).to_have_count(2)  # kept in the history too
    say(customer, f"订单号{DEMO_ORDER}")
    expect(bot_lines(customer).filter(has_text="蓝牙耳机")).to_have_count(1)  # the bot looked the order up
    quick_replies = customer.get_by_test_id("widget-quick-reply")
    expect(quick_replies.first).to_be_visible()  # and asks which outcome the customer wants
    quick_replies.filter(has_text="补偿").click()
    expect(customer.get_by_test_id("widget-quick-reply").filter(has_text="可以，就这样处理")).to_be_visible()
    expect(console.get_by_test_id("line-bot").last).to_contain_text("运费券")


def test_markup_in_a_message_is_shown_as_text(customer: Page, console: Page, dialogs: Dialogs) -> None:
    say(customer, XSS)
    session = session_of(customer)
    row = conversation_row(console, session)
    expect(row).to_contain_text(XSS)
    open_conversation(console, session)
    expect(console.get_by_test_id("line-customer").get_by_test_id("line-text")).to_have_text(XSS)
    expect(customer.get_by_test_id("widget-msg-user").filter(has_text=XSS)).to_have_count(1)
    expect(bot_lines(customer)).not_to_have_count(1)  # the bot answered, so the message went all the way round
    assert console.locator("#transcript img, #conversation-list img").count() == 0
    assert customer.locator(".cdw-messages img").count() == 0
    assert dialogs.seen == []


def test_photo_evidence_is_limited_stored_and_shown_on_the_ticket_panel(
    customer: Page, console: Page, stack: Stack
) -> None:
    say(customer, "收到的茶具碎了好几个，箱子都压扁了")
    session = session_of(customer)
    expect(bot_lines(customer)).not_to_have_count(1)

    customer.get_by_test_id("widget-file").set_input_files(
        files=[{"name": "fake.png", "mimeType": "image/png", "buffer": b"this is not a picture"}]
    )
    expect(customer.locator(".cdw-notice").filter(has_text="只支持")).to_have_count(1)
    customer.get_by_test_id("widget-file").set_input_files(
        files=[{"name": "box.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    expect(customer.get_by_test_id("widget-photo")).to_have_count(1)
    expect(customer.locator(".cdw-notice").filter(has_text="照片已收到")).to_have_count(1)

    open_conversation(console, session)
    link = console.get_by_test_id("evidence-link")
    expect(link).to_have_count(1)
    photo = console.request.get(f"{stack.rasa_url}/webhooks/agent/{link.get_attribute('href')}")  # agent's cookie
    assert photo.ok and photo.body() == tiny_png()
    assert tiny_png() in [path.read_bytes() for path in (stack.var_dir / "evidence").rglob("*.png")]


def test_widget_reconnects_after_the_connection_drops(customer: Page) -> None:
    session = complain_angrily(customer)
    customer.route("**/socket.io/**", lambda route: route.abort())
    say(customer, "在吗？")
    expect(customer.get_by_test_id("widget-status")).to_be_visible()
    customer.unroute("**/socket.io/**")
    expect(customer.get_by_test_id("widget-status")).to_be_hidden()  # reconnected and rejoined the session
    assert session_of(customer) == session
    answered = bot_lines(customer).count()
    say(customer, f"订单号{DEMO_ORDER}")
    expect(bot_lines(customer).filter(has_text="蓝牙耳机")).to_have_count(1)  # same conversation: the form goes on
    assert bot_lines(customer).count() > answered


PRIVACY_LEAK = "我刚在你们这买完东西就接到诈骗电话，对方连我买了啥都知道，是不是你们泄露的"


def test_a_privacy_hand_off_reaches_the_specialist_with_an_alert_and_moves_on_with_a_private_note(
    customer: Page, browser: Browser, stack: Stack, dialogs: Dialogs, screenshot_dir: Path
) -> None:
    context, console = open_console(browser, stack, dialogs, Role.SPECIALIST, "小林", team="privacy")
    try:
        say(customer, PRIVACY_LEAK)
        expect(bot_lines(customer).last).to_contain_text(handed_off_words())  # the hand-off message
        session = session_of(customer)

        row = conversation_row(console, session)
        expect(row.get_by_test_id("row-queue")).to_have_text("隐私 · 小林")  # assigned to the one logged in
        expect(console).to_have_title("(1) 客服工作台 · 投诉助手")  # an alert while nothing is open
        console.get_by_test_id("list-view").select_option("mine")
        expect(conversation_row(console, session)).to_have_count(1)
        open_conversation(console, session)
        expect(console).to_have_title("客服工作台 · 投诉助手")
        expect(console.get_by_test_id("queue-info")).to_contain_text("负责人 小林")

        console.get_by_test_id("note-text").fill("顾客怀疑信息泄露，先查物流面单")
        console.get_by_test_id("btn-note").click()
        expect(console.get_by_test_id("note")).to_have_count(1)
        console.get_by_test_id("transfer-target").select_option("team:after_sales")
        console.get_by_test_id("transfer-note").fill("已核实，请售后跟进补偿")
        console.get_by_test_id("btn-transfer").click()
        expect(console.get_by_test_id("queue-info")).to_contain_text("售后 · 待认领")
        expect(console.get_by_test_id("note")).to_have_count(2)
        console.screenshot(path=str(screenshot_dir / "console-queue.png"))
        widget = customer.get_by_test_id("widget-messages").inner_text()
        assert "面单" not in widget and "跟进补偿" not in widget  # private notes never reach the customer
    finally:
        context.close()


def test_personal_data_is_masked_in_the_console_until_the_agent_gives_a_reason(customer: Page, console: Page) -> None:
    say(customer, "快递一直没到！我电话13812345678，你们赶紧联系我")
    session = session_of(customer)
    expect(conversation_row(console, session)).to_contain_text("138****5678")
    open_conversation(console, session)
    line = console.locator("[data-testid='line-customer']").last
    expect(line.get_by_test_id("line-text")).to_have_text("快递一直没到！我电话138****5678，你们赶紧联系我")
    line.get_by_test_id("reveal-start").click()
    line.get_by_test_id("reveal-reason").fill("顾客要求回电，核对号码")
    line.get_by_test_id("reveal-confirm").click()
    expect(line.get_by_test_id("line-text")).to_have_text("快递一直没到！我电话13812345678，你们赶紧联系我")
    expect(line).to_contain_text("已记录查看")
