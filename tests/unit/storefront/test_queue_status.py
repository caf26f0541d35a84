"""Where a waiting shopper stands: only hand-offs nobody has answered count as ahead; the estimate follows the
agents online; outside service hours the shopper hears when agents are back instead of a number of minutes."""

from __future__ import annotations

import datetime as dt

import pytest

from complaint_desk.case.handoff_summary import load_handoff_data
from complaint_desk.case.risk import load_risk_rules
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.storefront.queue_status import (
    NONE,
    WAITING,
    WITH_AGENT,
    estimate_minutes,
    opening_text,
    queue_status,
    service_hours,
)
from complaint_desk.storefront.wording import load_widget_wording
from complaint_desk.stores.handoffs import Handoff

HOURS = load_handoff_data(KNOWLEDGE_DIR / "handoff.yml", load_risk_rules(KNOWLEDGE_DIR / "risk_rules.yml"))
WORDING = load_widget_wording(KNOWLEDGE_DIR / "widget.yml")
MORNING = dt.datetime(2026, 12, 7, 10, 0)


def handoff(handoff_id: int, minute: int, answered: bool = False) -> Handoff:
    created = MORNING + dt.timedelta(minutes=minute)
    return Handoff(handoff_id, f"c{handoff_id}", "customer_request", "", created, None, team="after_sales",
                   answered_at=created + dt.timedelta(minutes=1) if answered else None)


def status(mine: Handoff | None, queue: list[Handoff], online: int = 1, now: dt.datetime = MORNING,
           agent: str | None = None):  # noqa: ANN201
    return queue_status(mine, queue, online, now, team_name="售后", agent_name=agent, hours=HOURS, wording=WORDING)


def test_no_hand_off_means_not_waiting() -> None:
    assert status(None, []).state == NONE


def test_only_unanswered_hand_offs_before_mine_are_ahead() -> None:
    queue = [handoff(1, 0), handoff(2, 1, answered=True), handoff(3, 2), handoff(4, 3), handoff(5, 4)]
    mine = queue[3]
    waiting = status(mine, queue, online=1)
    assert (waiting.state, waiting.ahead, waiting.position) == (WAITING, 2, 3)
    assert "前面还有 2 位" in waiting.text and "以实际为准" in waiting.text and waiting.can_cancel
    first = status(queue[0], queue)
    assert first.position == 1 and "您是下一位" in first.text


def test_the_estimate_shares_the_queue_between_the_agents_online() -> None:
    per = WORDING.minutes_per_shopper
    assert estimate_minutes(1, 1, per, HOURS.pickup_minutes) == per
    assert estimate_minutes(5, 2, per, HOURS.pickup_minutes) == 3 * per
    assert estimate_minutes(5, 0, per, HOURS.pickup_minutes) == HOURS.pickup_minutes  # nobody online: the usual time


def test_an_answered_hand_off_is_with_an_agent_and_cannot_be_cancelled() -> None:
    answered = handoff(1, 0, answered=True)
    result = status(answered, [answered], agent="小周")
    assert result.state == WITH_AGENT and not result.can_cancel and result.agent_name == "小周"


def test_the_owner_is_named_while_waiting() -> None:
    mine = handoff(1, 0)
    assert "专员小周会接待您" in status(mine, [mine], agent="小周").text


@pytest.mark.parametrize(("now", "opening"), [
    (dt.datetime(2026, 12, 7, 22, 30), "明天 9:00"),
    (dt.datetime(2026, 12, 8, 6, 0), "今天 9:00"),
])
def test_after_hours_the_shopper_hears_when_agents_are_back(now: dt.datetime, opening: str) -> None:
    mine = handoff(1, 0)
    result = status(mine, [mine], now=now)
    assert result.estimate_minutes is None and opening in result.text
    hours = service_hours(now, HOURS, WORDING)
    assert hours["open_now"] is False and opening in hours["banner"] and hours["opening"] == opening
    assert service_hours(MORNING, HOURS, WORDING) == {"open_now": True, "hours": "9:00-21:00", "opening": None,
                                                      "banner": None}


def test_opening_text_names_a_later_day_by_date() -> None:
    assert opening_text(dt.datetime(2026, 12, 7, 23, 0), HOURS) == "明天 9:00"
