"""End-to-end tests: a really started stack, driven through Debian's chromium by Playwright.

The browser is /usr/bin/chromium (`make test` installs the `chromium` package when it is
missing); Playwright never downloads one. Screenshots go to <stack var dir>/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from complaint_desk import clock
from complaint_desk.case.handoff_summary import is_working_time, load_handoff_data
from complaint_desk.case.risk import load_risk_rules
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.team.roles import Role
from tests.accounts import make_account
from tools.stack import Stack, start_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# Generous: a turn can take seconds on a loaded 2-core machine. Latency is measured in bench/, not here.
UI_TIMEOUT_MS = 30_000
expect.set_options(timeout=UI_TIMEOUT_MS)


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reuse = os.environ.get("E2E_STACK_VAR_DIR")  # a stack you already started with tools.stack, to iterate faster
    if reuse:
        var_dir = Path(reuse)
        rasa_url = os.environ["E2E_RASA_URL"]
        yield Stack(rasa_url, "", (var_dir / "rasa_api_token").read_text(), (var_dir / "agent_api_token").read_text(), var_dir)
        return
    running = start_stack(tmp_path_factory.mktemp("e2e-stack"))
    yield running
    running.stop()


# Package scope: the sync Playwright driver keeps an asyncio loop running until it closes, which would
# break asyncio.run() in the tests of later packages.
def in_service_hours() -> bool:
    """Whether the stack, on this machine's clock, is inside the service hours of knowledge/handoff.yml: the hand-off
    wording and the queue card differ outside them, and the browser tests run at any time of day."""
    hours = load_handoff_data(KNOWLEDGE_DIR / "handoff.yml", load_risk_rules(KNOWLEDGE_DIR / "risk_rules.yml"))
    return is_working_time(clock.now(), hours)


def handed_off_words() -> str:
    """Words every hand-off message has, in or outside service hours."""
    return "转交人工客服专员" if in_service_hours() else "非工作时间"


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.fail("找不到 /usr/bin/chromium：请运行 make test（会用 apt-get 安装 chromium）")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def screenshot_dir(stack: Stack) -> Path:
    directory = stack.var_dir / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


class Dialogs:
    """Records every alert/confirm a page opens: injected markup must never get to run one."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, page: Page) -> None:
        def dismiss(dialog) -> None:  # noqa: ANN001 (Playwright's Dialog)
            self.seen.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def customer(browser: Browser, stack: Stack, dialogs: Dialogs) -> Iterator[Page]:
    """A shopper on the demo storefront with the chat widget open (own browser context = own localStorage)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    dialogs.watch(page)
    page.goto(f"{stack.rasa_url}/webhooks/storefront/")
    page.get_by_test_id("widget-bubble").click()
    expect(page.locator(".cdw-root[data-session]")).to_have_count(1)  # socket.io session confirmed
    yield page
    context.close()


def open_console(browser: Browser, stack: Stack, dialogs: Dialogs, role: Role = Role.AGENT, name: str = "小周",
                 team: str | None = "after_sales") -> tuple[BrowserContext, Page]:
    """A new account logged in through the login page, on the console with the live feed connected."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    dialogs.watch(page)
    page.goto(f"{stack.rasa_url}/webhooks/agent/console")
    expect(page).to_have_url(f"{stack.rasa_url}/webhooks/agent/login")  # not logged in yet
    username, password = make_account(stack, role, name, team=team)
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(f"{stack.rasa_url}/webhooks/agent/console")
    expect(page.get_by_test_id("who")).to_contain_text(name)
    expect(page.locator("#feed-status[data-live='1']")).to_have_count(1)
    return context, page


def open_supervisor(browser: Browser, stack: Stack, dialogs: Dialogs, name: str = "王主管",
                    path: str = "team") -> tuple[BrowserContext, Page]:
    """A new supervisor logged in through the supervisor page's own login form, on /webhooks/supervisor/<path>."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    dialogs.watch(page)
    username, password = make_account(stack, Role.SUPERVISOR, name, team=None)
    page.goto(f"{stack.rasa_url}/webhooks/supervisor/{path}")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    expect(page.locator("body[data-state='ready']")).to_have_count(1)
    return context, page


@pytest.fixture
def console(browser: Browser, stack: Stack, dialogs: Dialogs) -> Iterator[Page]:
    """An agent of 售后 logged in through the login page, on the console with the live feed connected."""
    context, page = open_console(browser, stack, dialogs)
    yield page
    context.close()
