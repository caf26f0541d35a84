"""The supervisor page in Debian's chromium, driven by Playwright, against a really started stack with demo data."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page

from complaint_desk import clock
from complaint_desk.team.roles import Role
from tests.accounts import make_account
from tools.seed_demo_tickets import seed
from tools.stack import Stack, start_stack

CHARTS = (
    "chart-volume-category", "chart-volume-level", "chart-emotions", "chart-emotion-change",
    "chart-escalation-triggers", "chart-escalation-category", "chart-remedies-accepted", "chart-remedies-declined",
    "chart-sla-first-response", "chart-sla-resolution", "chart-follow-ups", "chart-repeat", "chart-root-causes",
)
# What a chart holds and how much of its canvas is painted.
CHART_STATE_JS = """(id) => {
  const canvas = document.getElementById(id);
  const chart = Chart.getChart(canvas);
  if (!chart) return null;
  const total = chart.data.datasets.reduce((sum, d) => sum + d.data.reduce((a, b) => a + (Number(b) || 0), 0), 0);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return {type: chart.config.type, total, labels: chart.data.labels.length,
          datasets: chart.data.datasets.map((d) => d.label), painted, width: canvas.width};
}"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("insights-stack")
    assert seed(f"sqlite:///{var_dir / 'complaint_desk.db'}") is not None
    running = start_stack(var_dir)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def screenshots(stack: Stack) -> Path:
    """Written under the stack's var dir; docs/screenshots/ holds the copies shown in the README."""
    directory = stack.var_dir / "screenshots"
    directory.mkdir(exist_ok=True)
    return directory


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    yield opened
    context.close()


def page_url(stack: Stack) -> str:
    return f"{stack.rasa_url}/webhooks/supervisor/"


def api(stack: Stack, **params: str) -> dict:
    reply = requests.get(f"{page_url(stack)}api/insights", params=params,
                         headers={"Authorization": f"Bearer {stack.agent_token}"}, timeout=60)
    reply.raise_for_status()
    return reply.json()


def log_in(page: Page, stack: Stack) -> None:
    first = page.goto(page_url(stack))
    assert first is not None and first.status == 401
    username, password = make_account(stack, Role.SUPERVISOR, "王主管", team=None)
    page.fill("#login-username", username)
    page.fill("#login-password", "not-the-password")
    page.click("#login-submit")
    page.wait_for_selector("#login-error:has-text('用户名或密码不对')")
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_selector("body[data-state='ready']", timeout=60_000)


def chart_state(page: Page, chart_id: str) -> dict:
    state = page.evaluate(CHART_STATE_JS, chart_id)
    assert state is not None, f"{chart_id} 没有画出来"
    return state


def apply_filters(page: Page, **values: str) -> None:
    loads = int(page.get_attribute("body", "data-loads"))
    for name, value in values.items():
        selector = f"#filter-{name}"
        if name in ("category", "level"):
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.click("#filter-apply")
    page.wait_for_selector(f"body[data-state='ready'][data-loads='{loads + 1}']", timeout=60_000)


def test_every_chart_renders_the_seeded_data_after_login(page: Page, stack: Stack, screenshots: Path) -> None:
    log_in(page, stack)
    expected = api(stack)
    assert page.text_content("#kpi-cases") == str(expected["summary"]["cases"])
    for chart_id in CHARTS:
        state = chart_state(page, chart_id)
        assert state["labels"] > 0 and state["total"] > 0, f"{chart_id} 没有数据：{state}"
        assert state["painted"] > 2000, f"{chart_id} 画布几乎是空的：{state}"
    volume = chart_state(page, "chart-volume-category")
    assert volume["total"] == expected["volume"]["total"]
    assert len(volume["datasets"]) == len(expected["volume"]["by_category"])
    assert page.locator("#breaches tbody tr").count() > 0
    page.screenshot(path=str(screenshots / "insights.png"), full_page=True)


def test_filters_change_the_charts_and_the_exports(page: Page, stack: Stack, screenshots: Path) -> None:
    log_in(page, stack)
    before = chart_state(page, "chart-volume-category")
    apply_filters(page, category="delivery")
    expected = api(stack, category="delivery")
    after = chart_state(page, "chart-volume-category")
    assert after["datasets"] == ["配送延迟 / 物流信息错误"]
    assert after["total"] == expected["summary"]["cases"] < before["total"]
    assert page.text_content("#kpi-cases") == str(expected["summary"]["cases"])
    assert page.eval_on_selector_all("#root-cause-category option", "os => os.map(o => o.value)") == ["delivery"]
    root = chart_state(page, "chart-root-causes")
    assert root["labels"] == len(expected["root_causes"]["delivery"]) > 0

    apply_filters(page, level="升级投诉")
    assert chart_state(page, "chart-volume-level")["datasets"] in ([], ["升级投诉"])
    apply_filters(page, level="")
    week_ago = (clock.today() - dt.timedelta(days=6)).isoformat()
    apply_filters(page, since=week_ago)
    recent = chart_state(page, "chart-volume-level")
    assert recent["labels"] == 7
    assert recent["total"] == api(stack, category="delivery", since=week_ago)["summary"]["cases"]
    page.screenshot(path=str(screenshots / "insights-filtered.png"), full_page=True)

    href = page.get_attribute("#export-csv", "href")
    assert "category=delivery" in href and f"since={week_ago}" in href
    exported = page.request.get(page_url(stack) + href)
    assert exported.status == 200
    rows = list(csv.DictReader(io.StringIO(exported.text().lstrip("\ufeff"))))
    assert len(rows) == recent["total"]
    assert {row["category"] for row in rows} == {"delivery"}
    assert all(row["created_at"] >= week_ago for row in rows)


def test_an_agent_who_is_not_a_supervisor_is_kept_out(page: Page, stack: Stack):
    username, password = make_account(stack, Role.AGENT, "小周")
    page.goto(page_url(stack))
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    with page.expect_response(lambda reply: reply.url.endswith("/supervisor/") and reply.status == 403):
        page.click("#login-submit")  # logged in, but the page asks again: for a supervisor's account
    page.wait_for_selector("#login-form")
    assert page.request.get(page_url(stack) + "api/insights").status == 403


def test_logging_out_returns_to_the_login_form(page: Page, stack: Stack):
    log_in(page, stack)
    page.click("#logout")
    page.wait_for_selector("#login-form")
    assert page.request.get(page_url(stack) + "api/insights").status == 401
