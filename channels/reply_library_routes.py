"""The reply library on the web: agents get it filled in for a conversation (agent console), supervisors edit it
(supervisor page). Thin: the rules are in complaint_desk/reply_library.py and Desk."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.agent_auth import Agent, agent_required, record_action, supervisor_page, supervisor_required
from channels.input_checks import json_body
from complaint_desk.case.case import Case
from complaint_desk.desk import shared_desk
from complaint_desk.paths import PROJECT_ROOT
from complaint_desk.reply_library import PLACEHOLDERS, STAGES, LibraryError
from complaint_desk.stores.agent_actions import LIBRARY_CHANGE

LIBRARY_PAGE = PROJECT_ROOT / "web" / "insights" / "library.html"
NO_STORE = {"Cache-Control": "no-store"}
CaseOf = Callable[[Request, str], Awaitable[Case | None]]


def add_console_library_route(bp: Blueprint, case_of: CaseOf) -> None:
    @bp.route("/api/conversations/<conversation_id>/library", methods=["GET"])
    @agent_required
    async def library_for(request: Request, conversation_id: str) -> HTTPResponse:
        """Every library entry filled in with this conversation, each checked by the guard again."""
        case = await case_of(request, conversation_id)
        if case is None:
            return response.json({"error": "not_found", "message": "没有找到这个会话。"}, status=404)
        entries = await asyncio.to_thread(shared_desk().library_for, case)
        return response.json({"entries": entries})


def add_supervisor_library_routes(bp: Blueprint) -> None:
    @bp.route("/library", methods=["GET"])
    async def library_page(request: Request) -> HTTPResponse:
        return await supervisor_page(request, LIBRARY_PAGE)

    @bp.route("/api/library", methods=["GET"])
    @supervisor_required
    async def library(request: Request) -> HTTPResponse:
        entries = [entry.public() for entry in shared_desk().library()]
        return response.json({"entries": entries, "stages": list(STAGES), "placeholders": list(PLACEHOLDERS)},
                             headers=NO_STORE)

    @bp.route("/api/library/<entry_id>", methods=["PUT"])
    @supervisor_required
    async def save(request: Request, entry_id: str) -> HTTPResponse:
        body = json_body(request)
        if body is None or not all(isinstance(body.get(k), str) for k in ("title", "stage", "text")):
            return response.json({"error": "bad_request", "message": "请填写标题、阶段和正文。"}, status=400)
        who: Agent = request.ctx.agent_user
        try:
            entry = await asyncio.to_thread(shared_desk().save_library_entry, entry_id, body["title"], body["stage"],
                                            body["text"], who.username)
        except LibraryError as error:
            status = 422 if error.findings else 400
            return response.json({"error": "refused", "message": str(error), "findings": error.findings},
                                 status=status)
        record_action(request, LIBRARY_CHANGE, detail=f"保存话术 {entry_id}")
        return response.json({"ok": True, "entry": entry.public()})

    @bp.route("/api/library/<entry_id>", methods=["DELETE"])
    @supervisor_required
    async def delete(request: Request, entry_id: str) -> HTTPResponse:
        if entry_id not in {entry.entry_id for entry in shared_desk().library()}:
            return response.json({"error": "not_found", "message": "没有这条话术。"}, status=404)
        who: Agent = request.ctx.agent_user
        shared_desk().library_edits.delete(entry_id, who.username)
        record_action(request, LIBRARY_CHANGE, detail=f"删除话术 {entry_id}")
        return response.json({"ok": True})
