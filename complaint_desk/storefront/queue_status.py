"""Where a shopper who asked for a human stands: the position in their team's queue, an honest estimate, who will
answer, and what happens next. The widget shows it; the wording is knowledge/widget.yml."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from complaint_desk.case.handoff_summary import HandoffData, is_working_time, next_opening
from complaint_desk.storefront.wording import WidgetWording
from complaint_desk.stores.handoffs import Handoff

WAITING, WITH_AGENT, NONE = "waiting", "with_agent", "none"


@dataclass(frozen=True)
class QueueStatus:
    state: str  # waiting / with_agent / none
    position: int | None = None  # 1 = next to be answered
    ahead: int | None = None
    estimate_minutes: int | None = None  # None outside service hours
    team_name: str | None = None
    agent_name: str | None = None
    text: str | None = None  # the line the widget shows
    next_step: str | None = None
    can_cancel: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def opening_text(now: dt.datetime, data: HandoffData) -> str:
    """When agents are next at work, as a shopper reads it: "今天 9:00" / "明天 9:00" / "12月8日 9:00"."""
    opening = next_opening(now, data)
    days = (opening.date() - now.date()).days
    day = {0: "今天", 1: "明天"}.get(days, f"{opening.month}月{opening.day}日")
    return f"{day} {opening:%H:%M}".replace(" 0", " ", 1)


def estimate_minutes(position: int, agents_online: int, minutes_per_shopper: int, pickup_minutes: int) -> int:
    """Each agent online takes the shoppers ahead in turn; with nobody online, the usual pick-up time the bot
    already told the shopper (knowledge/handoff.yml)."""
    if agents_online <= 0:
        return pickup_minutes
    return max(1, math.ceil(position / agents_online)) * minutes_per_shopper


def queue_status(handoff: Handoff | None, team_queue: Sequence[Handoff], agents_online: int, now: dt.datetime, *,
                 team_name: str | None, agent_name: str | None, hours: HandoffData,
                 wording: WidgetWording) -> QueueStatus:
    """`team_queue`: the open hand-offs of the shopper's team, oldest first. Only those nobody has answered yet
    count as ahead: a shopper an agent is already talking to is not waiting any more."""
    if handoff is None:
        return QueueStatus(NONE)
    if handoff.answered_at is not None:
        return QueueStatus(WITH_AGENT, team_name=team_name, agent_name=agent_name,
                           text=wording.text("queue.already_with_agent"))
    ahead = sum(1 for other in team_queue
                if other.answered_at is None and other.handoff_id != handoff.handoff_id
                and (other.created_at, other.handoff_id) < (handoff.created_at, handoff.handoff_id))
    team = team_name or ""
    if not is_working_time(now, hours):
        text = wording.text("queue.after_hours", hours=hours.working_hours_text, opening=opening_text(now, hours))
        minutes = None
    else:
        minutes = estimate_minutes(ahead + 1, agents_online, wording.minutes_per_shopper, hours.pickup_minutes)
        text = (wording.text("queue.next_in_line", team=team, minutes=minutes) if ahead == 0
                else wording.text("queue.waiting", team=team, ahead=ahead, minutes=minutes))
    if agent_name:
        text = f"{text}{wording.text('queue.assigned', agent=agent_name)}"
    return QueueStatus(WAITING, position=ahead + 1, ahead=ahead, estimate_minutes=minutes, team_name=team_name,
                       agent_name=agent_name, text=text, next_step=wording.text("queue.next_step"), can_cancel=True)


def service_hours(now: dt.datetime, hours: HandoffData, wording: WidgetWording) -> dict[str, Any]:
    """Whether agents are at work, and the banner the widget shows when they are not."""
    open_now = is_working_time(now, hours)
    return {
        "open_now": open_now,
        "hours": hours.working_hours_text,
        "opening": None if open_now else opening_text(now, hours),
        "banner": None if open_now else wording.text("service_hours.closed_banner", hours=hours.working_hours_text,
                                                     opening=opening_text(now, hours)),
    }
