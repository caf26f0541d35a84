"""The supervisor insights page and its JSON/CSV API, as a Rasa custom channel.

Registered in credentials.yml, so Rasa serves it at /webhooks/supervisor/:
- GET  /                 the page (a login form until the agent logs in);
- GET  /static/<file>    the page's script, style and the vendored Chart.js;
- GET  /api/insights     aggregates; query: since, until (YYYY-MM-DD), category, level, sections (comma list);
- GET  /api/export.csv   the filtered cases, one row each (same filters); /api/export.json the same as JSON;
- POST /login, /logout   the agent login shared with the agent console.
Every route except login needs the agent login (channels.agent_auth).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.agent_auth import add_login_routes, record_action, supervisor_page, supervisor_required
from channels.reply_library_routes import add_supervisor_library_routes
from channels.supervisor_team import add_team_routes
from complaint_desk import clock
from complaint_desk.desk import shared_desk
from complaint_desk.insights.errors import InsightsError
from complaint_desk.insights.export import EXPORT_COLUMNS, export_rows
from complaint_desk.insights.filters import InsightFilter
from complaint_desk.insights.records import load_cases
from complaint_desk.insights.report import SECTIONS, InsightsCache, warm_up
from complaint_desk.paths import PROJECT_ROOT
from complaint_desk.stores.agent_actions import EXPORT_UNMASKED

logger = logging.getLogger(__name__)

WEB_DIR = PROJECT_ROOT / "web" / "insights"
# The only files the page may load; anything else under web/ stays private.
STATIC_FILES = {
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "style.css": ("style.css", "text/css; charset=utf-8"),
    "pages.css": ("pages.css", "text/css; charset=utf-8"),
    "chart.umd.min.js": ("vendor/chart.umd.min.js", "text/javascript; charset=utf-8"),
}
NO_STORE = {"Cache-Control": "no-store"}


def bad_request(message: str) -> HTTPResponse:
    return response.json({"error": "bad_request", "message": message}, status=400, headers=NO_STORE)


class SupervisorInsightsInput(InputChannel):
    """Not a conversation channel: it only adds the supervisor page to Rasa's web server."""

    @classmethod
    def name(cls) -> str:
        return "supervisor"

    def __init__(self) -> None:
        self._sessions = None
        self._cache: InsightsCache | None = None
        self._lock = threading.Lock()

    def sessions(self) -> Any:
        with self._lock:
            if self._sessions is None:
                sessions = shared_desk().sessions
                self._cache = InsightsCache(sessions, shared_desk().insights)
                self._sessions = sessions
            return self._sessions

    def cache(self) -> InsightsCache:
        self.sessions()
        assert self._cache is not None
        return self._cache

    def _warm_up(self) -> None:
        try:
            cache = self.cache()
            warm_up(cache.settings, cache)
        except Exception:  # a failed warm-up only makes the first request slower
            logger.exception("supervisor insights warm-up failed")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("supervisor_insights", __name__)
        add_login_routes(blueprint)
        add_supervisor_library_routes(blueprint)
        add_team_routes(blueprint)
        # Load jieba and cut the stored complaints now, not on the first page view.
        threading.Thread(target=self._warm_up, name="insights-warm-up", daemon=True).start()

        async def in_thread(function: Callable[..., Any], *args: Any) -> Any:
            return await asyncio.get_running_loop().run_in_executor(None, partial(function, *args))

        @blueprint.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                return response.redirect(request.path + "/")
            return await supervisor_page(request, WEB_DIR / "index.html")

        @blueprint.route("/static/<name>", methods=["GET"])
        @supervisor_required
        async def static(request: Request, name: str) -> HTTPResponse:
            if name not in STATIC_FILES:
                return response.json({"error": "not_found", "message": f"没有这个文件：{name}"}, status=404)
            relative, mime_type = STATIC_FILES[name]
            # The page names its files with ?v=<version>, so browsers may keep them (private: behind the login).
            return await response.file(WEB_DIR / relative, mime_type=mime_type,
                                       headers={"Cache-Control": "private, max-age=3600"})

        @blueprint.route("/api/insights", methods=["GET"])
        @supervisor_required
        async def aggregates(request: Request) -> HTTPResponse:
            try:
                filters = InsightFilter.from_params(request.args)
                wanted = _sections(request.args.get("sections"))
                result = await in_thread(self.cache().get, filters, wanted)
            except InsightsError as error:
                return bad_request(str(error))
            return response.json(result, headers=NO_STORE, dumps=partial(json.dumps, ensure_ascii=False))

        @blueprint.route("/api/export.csv", methods=["GET"])
        @supervisor_required
        async def export_csv(request: Request) -> HTTPResponse:
            return await export(request, "csv")

        @blueprint.route("/api/export.json", methods=["GET"])
        @supervisor_required
        async def export_json(request: Request) -> HTTPResponse:
            return await export(request, "json")

        async def export(request: Request, kind: str) -> HTTPResponse:
            try:
                filters = InsightFilter.from_params(request.args)
            except InsightsError as error:
                return bad_request(str(error))
            unmasked = request.args.get("unmasked") in ("1", "true")
            cases = await in_thread(load_cases, self.sessions(), filters)
            rows = list(export_rows(cases, self.cache().settings, mask_personal_data=not unmasked))
            if unmasked:  # supervisors only reach this route; still, who took personal data out is kept
                record_action(request, EXPORT_UNMASKED, detail=f"{kind} {filters.as_params()} {len(rows)} 条")
            stamp = clock.now().strftime("%Y%m%d-%H%M")
            disposition = {"Content-Disposition": f'attachment; filename="complaints-{stamp}.{kind}"', **NO_STORE}
            if kind == "json":
                body = json.dumps({"filters": filters.as_params(), "count": len(rows), "cases": rows},
                                  ensure_ascii=False)
                return response.text(body, content_type="application/json; charset=utf-8", headers=disposition)
            return response.text(cases_csv(rows), content_type="text/csv; charset=utf-8", headers=disposition)

        return blueprint


def _sections(value: str | None) -> tuple[str, ...]:
    if not value:
        return SECTIONS
    return tuple(part.strip() for part in value.split(",") if part.strip())


def cases_csv(rows: list[dict[str, Any]]) -> str:
    """CSV with a BOM so spreadsheet programs read the Chinese text as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
