"""The supervisor's team page: per-agent figures, shoppers' stars, and what agents do with the console's suggestions. Thin: the
figures are computed in complaint_desk/insights/agent_figures.py and stores/suggestion_feedback.py."""

from __future__ import annotations

import asyncio
import datetime as dt

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.agent_auth import supervisor_page, supervisor_required
from complaint_desk import clock
from complaint_desk.desk import shared_desk
from complaint_desk.insights.agent_figures import agent_figures
from complaint_desk.paths import PROJECT_ROOT
from complaint_desk.personal_data import masked

TEAM_PAGE = PROJECT_ROOT / "web" / "insights" / "team.html"
NO_STORE = {"Cache-Control": "no-store"}


def add_team_routes(bp: Blueprint) -> None:
    @bp.route("/team", methods=["GET"])
    async def team_page(request: Request) -> HTTPResponse:
        return await supervisor_page(request, TEAM_PAGE)

    @bp.route("/api/team-figures", methods=["GET"])
    @supervisor_required
    async def team_figures(request: Request) -> HTTPResponse:
        """`days`: the last N days (default 7; 0 for all time). `overdue`: hand-offs waiting now past their
        response deadline (breaches), whatever `days`."""
        try:
            days = int(request.args.get("days", 7))
            if not 0 <= days <= 3660:
                raise ValueError
        except ValueError:
            return response.json({"error": "bad_request", "message": "days 应为 0–3660 的整数（0 表示全部）。"},
                                 status=400)
        since = clock.now() - dt.timedelta(days=days) if days else None
        desk = shared_desk()

        def run() -> dict[str, object]:
            now = clock.now()
            ratings = desk.ratings.summary(since)
            names = {account.account_id: account.username for account in desk.accounts.all()}
            for comment in ratings["recent_comments"]:  # shoppers' own words: masked like the console
                comment["comment"] = masked(comment["comment"])
            ratings["by_agent"] = {names.get(account_id, str(account_id)): figures
                                   for account_id, figures in ratings["by_agent"].items()}
            return {"days": days, "agents": [row.public() for row in agent_figures(desk.sessions, since)],
                    "suggestions": desk.suggestion_feedback.rates(since), "ratings": ratings,
                    "overdue": [entry for entry in desk.queue(now=now) if entry["overdue"]]}

        return response.json(await asyncio.to_thread(run), headers=NO_STORE)
