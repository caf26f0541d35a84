"""The shopper's widget at phone and desktop sizes, in Debian's chromium against a running stack: a complaint from a
phone, 转人工 with the waiting position and a cancel, an agent joining and being named, hand-back, stars after an
agent closes, 留言 outside service hours, the unread badge, a message that failed and was sent again, and axe-core on
the widget, the console and the supervisor pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from complaint_desk.team.roles import Role
from tests.e2e.conftest import UI_TIMEOUT_MS, Dialogs, in_service_hours, open_console, open_supervisor
from tools.stack import Stack

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SIZES = {"phone-375x667": (375, 667), "phone-414x896": (414, 896), "desktop-1280x800": (1280, 800)}
PHONE_TOUCH = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
COMPLAINT = "我买的蓝牙耳机收到就是坏的，左边完全没声音"


def shopper_context(browser: Browser, size: str) -> BrowserContext:
    width, height = SIZES[size]
    extra = PHONE_TOUCH if width < 480 else {}
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", **extra)
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context


def open_widget(context: BrowserContext, stack: Stack, dialogs: Dialogs) -> Page:
    page = context.new_page()
    dialogs.watch(page)
    page.goto(f"{stack.rasa_url}/webhooks/storefront/")
    page.get_by_test_id("widget-bubble").click()
    expect(page.locator(".cdw-root[data-session]")).to_have_count(1)
    return page


def say(page: Page, text: str) -> None:
    count = page.get_by_test_id("widget-msg-bot").count()
    page.get_by_test_id("widget-input").fill(text)
    page.get_by_test_id("widget-send").click()
    expect(page.get_by_test_id("widget-msg-bot")).not_to_have_count(count)


def session_of(page: Page) -> str:
    session = page.locator(".cdw-root").get_attribute("data-session")
    assert session
    return session


def serious_violations(page: Page, context: str = "document") -> list[dict]:
    """axe-core's serious and critical findings on the page (or one part of it)."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("(selector) => axe.run(selector === 'document' ? document : selector,"
                            " {resultTypes: ['violations']})", context)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture
def shots(screenshot_dir: Path) -> Path:
    return screenshot_dir


@pytest.mark.parametrize("size", list(SIZES))
def test_a_complaint_from_a_phone_and_from_a_desktop(browser: Browser, stack: Stack, dialogs: Dialogs, shots: Path,
                                                     size: str) -> None:
    context = shopper_context(browser, size)
    try:
        page = open_widget(context, stack, dialogs)
        width, height = SIZES[size]
        panel = page.get_by_test_id("widget-panel").bounding_box()
        assert panel is not None
        if width < 480:  # full screen on a phone, and every target big enough for a thumb
            assert (round(panel["width"]), round(panel["height"])) == (width, height)
            for testid in ("widget-human", "widget-leave", "widget-close", "widget-send", "widget-attach", "widget-input"):
                box = page.get_by_test_id(testid).bounding_box()
                assert box and box["height"] >= 44, (testid, box)
        else:
            assert panel["width"] < width / 2 and panel["x"] + panel["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows sideways
        say(page, COMPLAINT)
        mine = page.get_by_test_id("widget-msg-user").last
        expect(mine).to_have_attribute("data-state", "sent")
        expect(mine.get_by_test_id("widget-msg-time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
        expect(page.get_by_test_id("widget-msg-bot").last.get_by_test_id("widget-msg-from")).to_have_text("智能客服")
        input_box = page.get_by_test_id("widget-input").bounding_box()
        assert input_box and input_box["y"] + input_box["height"] <= height  # the input is on screen
        page.screenshot(path=str(shots / f"widget-{size}.png"))
        assert serious_violations(page, ".cdw-root") == []
    finally:
        context.close()


def test_human_button_queue_agent_hand_back_and_stars(browser: Browser, stack: Stack, dialogs: Dialogs,
                                                      shots: Path) -> None:
    context = shopper_context(browser, "phone-375x667")
    # A supervisor may take over whoever owns it (an agent of an earlier test may still count as online and own it).
    console_context, console = open_console(browser, stack, dialogs, Role.SUPERVISOR, "小周", team=None)
    try:
        page = open_widget(context, stack, dialogs)
        say(page, COMPLAINT)

        # One tap: the shopper sees the position, an estimate and what happens next; cancelling gives the bot back.
        page.get_by_test_id("widget-human").click()
        queue = page.get_by_test_id("widget-queue")
        expect(queue).to_be_visible()
        expect(page.get_by_test_id("widget-queue-text")).to_contain_text("售后" if in_service_hours() else "非工作时间")
        expect(queue).to_have_attribute("data-position", re.compile(r"^\d+$"))
        expect(page.get_by_test_id("widget-human")).to_be_disabled()
        page.screenshot(path=str(shots / "widget-queue-phone.png"))
        page.get_by_test_id("widget-queue-cancel").click()
        expect(page.get_by_test_id("widget-msg-bot").last).to_contain_text("已取消转人工")
        expect(queue).to_be_hidden()
        expect(page.get_by_test_id("widget-human")).to_be_enabled()

        # Again, and this time a message while waiting is acknowledged, then an agent joins and is named.
        page.get_by_test_id("widget-human").click()
        expect(queue).to_be_visible()
        say(page, "我白天上班，麻烦尽快")
        receipt = page.get_by_test_id("widget-msg-bot").last
        expect(receipt).to_contain_text("收到")
        # With the position, not met with silence; outside service hours, with when the shift begins.
        expect(receipt).to_contain_text(re.compile("下一位|前面还有" if in_service_hours() else "上班后"))
        session = session_of(page)
        console.locator(f"[data-testid='conversation-row'][data-id='{session}']").click()
        console.get_by_test_id("btn-takeover").click()
        expect(page.get_by_test_id("widget-msg-system").last).to_have_text("人工客服 小周 已接入")
        console.get_by_test_id("draft").fill("您好，我是人工客服小周，耳机的问题我来帮您处理。")
        expect(console.get_by_test_id("draft-ok")).to_be_visible()
        console.get_by_test_id("btn-send").click()
        expect(page.get_by_test_id("widget-msg-bot").last.get_by_test_id("widget-msg-from")).to_have_text("人工客服 小周")
        expect(queue).to_be_hidden()  # an agent answered: nobody is waiting any more

        # The agent closes: the widget says so and asks for stars.
        console.get_by_test_id("btn-close").click()
        expect(page.get_by_test_id("widget-msg-system").last).to_have_text("人工客服已结束接待")
        expect(page.get_by_test_id("widget-human")).to_be_enabled()  # nobody is with them now: 转人工 works again
        rating = page.get_by_test_id("widget-rating")
        expect(rating).to_contain_text("小周")
        expect(page.get_by_test_id("widget-rating-submit")).to_be_disabled()
        rating.locator("[data-stars='4']").click()
        page.get_by_test_id("widget-rating-comment").fill("回复挺快的")
        page.screenshot(path=str(shots / "widget-stars-phone.png"))
        page.get_by_test_id("widget-rating-submit").click()
        expect(page.get_by_test_id("widget-rating-done")).to_have_text("★★★★☆ 满意")
        expect(page.get_by_test_id("widget-msg-bot").last).to_contain_text("谢谢您的评价")
        page.reload()  # the rating stays answered
        expect(page.get_by_test_id("widget-rating-done")).to_have_count(1)
    finally:
        console_context.close()
        context.close()


def closed_hours(route: Route) -> None:
    """The real status, as it would read outside service hours (the server's clock is whatever it is)."""
    reply = route.fetch()
    body = reply.json()
    body["service"] = {"open_now": False, "hours": body["service"]["hours"], "opening": "明天 9:00",
                       "banner": f"人工客服现在不在线（服务时间 {body['service']['hours']}）。您也可以留言。"}
    route.fulfill(response=reply, body=json.dumps(body), headers={**reply.headers, "content-type": "application/json"})


def test_leaving_a_message_outside_service_hours(browser: Browser, stack: Stack, dialogs: Dialogs,
                                                 shots: Path) -> None:
    context = shopper_context(browser, "phone-414x896")
    try:
        context.route("**/webhooks/storefront/status*", closed_hours)
        page = open_widget(context, stack, dialogs)
        expect(page.get_by_test_id("widget-hours")).to_contain_text("不在线")
        page.get_by_test_id("widget-leave").click()
        expect(page.get_by_test_id("widget-leave-text")).to_be_focused()
        page.get_by_test_id("widget-leave-text").fill("儿童电话手表收到屏幕就有裂痕，订单 472918305562，想换一个新的")
        page.get_by_test_id("widget-leave-contact").fill("打我电话")
        page.get_by_test_id("widget-leave-submit").click()
        expect(page.get_by_test_id("widget-leave-error")).to_contain_text("手机号")
        page.get_by_test_id("widget-leave-contact").fill("139 1234 5678")
        page.screenshot(path=str(shots / "widget-leave-message-phone.png"))
        page.get_by_test_id("widget-leave-submit").click()
        receipt = page.get_by_test_id("widget-msg-bot").last
        expect(receipt).to_contain_text("工单号 TS")
        expect(receipt).to_contain_text("139****5678")
        expect(page.get_by_test_id("widget-leave-form")).to_be_hidden()
        expect(page.get_by_test_id("widget-queue")).to_be_visible()  # a queue item for the next shift
    finally:
        context.close()


def test_unread_badge_and_a_message_that_failed_is_sent_again(browser: Browser, stack: Stack, dialogs: Dialogs) -> None:
    context = shopper_context(browser, "desktop-1280x800")
    console_context, console = open_console(browser, stack, dialogs, Role.SUPERVISOR, "小李", team=None)
    try:
        page = open_widget(context, stack, dialogs)
        say(page, COMPLAINT)
        session = session_of(page)

        # The shopper's messages do not reach the server: the message says so and offers a retry; nothing is lost.
        page.route("**/socket.io/**", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
        page.get_by_test_id("widget-input").fill("订单号 472918305561")
        page.get_by_test_id("widget-send").click()
        failed = page.get_by_test_id("widget-msg-user").last
        expect(failed).to_have_attribute("data-state", "failed")
        page.unroute("**/socket.io/**")
        expect(page.get_by_test_id("widget-status")).to_be_hidden()
        failed.get_by_test_id("widget-retry").click()
        expect(failed).to_have_attribute("data-state", "sent")
        expect(page.get_by_test_id("widget-msg-bot").filter(has_text="蓝牙耳机")).not_to_have_count(0)

        # Closed panel: an agent's message raises the badge and flashes the title.
        page.get_by_test_id("widget-close").click()
        expect(page.get_by_test_id("widget-bubble")).to_be_focused()
        console.locator(f"[data-testid='conversation-row'][data-id='{session}']").click()
        console.get_by_test_id("btn-takeover").click()
        expect(page.get_by_test_id("widget-unread")).to_have_text("1")  # the "已接入" line
        console.get_by_test_id("draft").fill("您好，我是人工客服小李，正在为您核实。")
        expect(console.get_by_test_id("draft-ok")).to_be_visible()
        console.get_by_test_id("btn-send").click()
        expect(page.get_by_test_id("widget-unread")).to_have_text("2")
        expect(page).to_have_title("（2 条新消息）好物小店 · 演示商城", timeout=5_000)
        page.get_by_test_id("widget-bubble").click()
        expect(page.get_by_test_id("widget-unread")).to_be_hidden()
        expect(page).to_have_title("好物小店 · 演示商城")
        page.keyboard.press("Escape")  # the keyboard closes it too, and focus goes back to the bubble
        expect(page.get_by_test_id("widget-panel")).to_be_hidden()
        expect(page.get_by_test_id("widget-bubble")).to_be_focused()
    finally:
        console_context.close()
        context.close()


@pytest.fixture
def supervisor(browser: Browser, stack: Stack, dialogs: Dialogs) -> Iterator[Page]:
    context, page = open_supervisor(browser, stack, dialogs)
    yield page
    context.close()


def test_axe_finds_nothing_serious_on_the_console_and_the_supervisor_pages(customer: Page, console: Page,
                                                                          supervisor: Page, stack: Stack) -> None:
    say(customer, COMPLAINT)
    console.locator(f"[data-testid='conversation-row'][data-id='{session_of(customer)}']").click()
    expect(console.get_by_test_id("suggestion").first).to_be_visible()
    assert serious_violations(console) == []
    assert serious_violations(supervisor) == []
    supervisor.goto(f"{stack.rasa_url}/webhooks/supervisor/")
    expect(supervisor.locator("body[data-state='ready']")).to_have_count(1)
    assert serious_violations(supervisor) == []
    supervisor.goto(f"{stack.rasa_url}/webhooks/supervisor/library")
    supervisor.wait_for_load_state("networkidle")
    assert serious_violations(supervisor) == []


def test_a_signed_in_shopper_picks_an_order_card_and_finds_the_conversation_on_another_device(
        browser: Browser, stack: Stack, dialogs: Dialogs, shots: Path) -> None:
    phone, laptop = shopper_context(browser, "phone-375x667"), shopper_context(browser, "desktop-1280x800")
    try:
        page = phone.new_page()
        dialogs.watch(page)
        page.goto(f"{stack.rasa_url}/webhooks/storefront/")
        expect(page.get_by_test_id("shop-product").filter(has_text="蓝牙耳机")).to_have_count(1)  # the demo orders' goods
        page.get_by_test_id("shop-login").click()
        expect(page.get_by_test_id("shop-account")).to_contain_text("小明")
        page.get_by_test_id("widget-bubble").click()
        expect(page.locator(".cdw-root[data-session]")).to_have_count(1)
        expect(page.get_by_test_id("widget-msg-bot").first).to_contain_text("小明")
        say(page, "耳机收到就坏了，左边没声音")
        page.get_by_test_id("widget-orders").click()
        card = page.locator("[data-testid='widget-order-card'][data-order='472918305561']")
        expect(card).to_contain_text("蓝牙耳机")
        page.screenshot(path=str(shots / "widget-order-cards-phone.png"))
        count = page.get_by_test_id("widget-msg-bot").count()
        card.click()
        expect(page.get_by_test_id("widget-order-cards")).to_have_count(0)
        expect(page.get_by_test_id("widget-msg-bot")).not_to_have_count(count)
        expect(page.get_by_test_id("widget-msg-bot").filter(has_text="蓝牙耳机")).not_to_have_count(0)
        session = session_of(page)

        other = laptop.new_page()
        dialogs.watch(other)
        other.goto(f"{stack.rasa_url}/webhooks/storefront/?login=demo")
        other.get_by_test_id("widget-bubble").click()
        expect(other.locator(f".cdw-root[data-session='{session}']")).to_have_count(1)
        expect(other.get_by_test_id("widget-msg-user").filter(has_text="左边没声音")).to_have_count(1)
        expect(other.get_by_test_id("widget-msg-user").filter(has_text="订单号 472918305561")).to_have_count(1)
        assert serious_violations(other) == []  # the shop page with the widget open
    finally:
        laptop.close()
        phone.close()
