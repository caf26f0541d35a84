"""The queue by team on the agent console's blueprint: who owns a handed-off conversation, claim, transfer,
release, the team's queue, and private notes. Thin: the rules are in complaint_desk (Desk.queue,
HandoffQueue, NoteStore, complaint_desk/team/)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.agent_auth import Agent, agent_required, record_action
from channels.input_checks import json_body
from complaint_desk import clock
from complaint_desk.desk import Desk, shared_desk
from complaint_desk.stores.agent_actions import CLAIM, NOTE, RELEASE, TRANSFER
from complaint_desk.stores.handoffs import Handoff
from complaint_desk.stores.notes import MAX_NOTE_CHARS
from complaint_desk.team.roles import may_supervise

ModeChanged = Callable[[Request, str], Awaitable[None]]


def desk() -> Desk:
    return shared_desk()


def _error(message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": "bad_request" if status == 400 else "conflict" if status == 409 else "not_found",
                          "message": message}, status=status)


def may_take_from(agent: Agent, owner_id: int | None) -> bool:
    """Anyone may take an unowned conversation; one owned by a colleague only its owner or a supervisor."""
    return owner_id is None or owner_id == agent.account_id or may_supervise(agent.role)


def _open_handoff(agent: Agent, conversation_id: str) -> tuple[Handoff | None, HTTPResponse | None]:
    """The conversation's open hand-off if this agent may change who owns it; else why not."""
    handoff = desk().handoffs.open_of(conversation_id)
    if handoff is None:
        return None, _error("这个会话不在人工队列里。", status=404)
    if not may_take_from(agent, handoff.owner_id):
        owner = desk().accounts.by_id(handoff.owner_id) if handoff.owner_id else None
        return None, _error(f"这个会话已由 {owner.display_name if owner else '同事'} 负责，只有负责人或主管可以改动。", 409)
    return handoff, None


def add_queue_routes(bp: Blueprint, mode_changed: ModeChanged) -> None:
    async def assigned(request: Request, conversation_id: str, action: str, detail: str | None = None) -> HTTPResponse:
        record_action(request, action, conversation_id, detail)
        await mode_changed(request, conversation_id)
        return response.json({"ok": True, "queue": desk().queue_entry(conversation_id)})

    @bp.route("/api/queue", methods=["GET"])
    @agent_required
    async def queue(request: Request) -> HTTPResponse:
        """Open hand-offs in queue order; `team` (default: the agent's own team; `all` for every team)."""
        agent: Agent = request.ctx.agent_user
        team = request.args.get("team") or agent.team
        if team == "all":
            team = None
        if team is not None and desk().teams.get(team) is None:
            return _error(f"没有团队 {team}，可选：{'、'.join(desk().teams.ids())}")
        entries = await asyncio.to_thread(desk().queue, team)
        return response.json({"team": team, "queue": entries})

    @bp.route("/api/team", methods=["GET"])
    @agent_required
    async def team(request: Request) -> HTTPResponse:
        """Teams and colleagues (to transfer to), with who is logged in now."""
        online = desk().accounts.online_ids()
        load = desk().handoffs.load_by_owner()
        colleagues = [
            {**account.public(), "online": account.account_id in online, "open": load.get(account.account_id, 0)}
            for account in desk().accounts.all() if not account.disabled
        ]
        teams = [{"id": t.team_id, "name": t.name} for t in desk().teams.teams]
        return response.json({"me": request.ctx.agent_user.public(), "teams": teams, "agents": colleagues,
                              "time_zone": clock.shop_time_zone().key})

    @bp.route("/api/conversations/<conversation_id>/claim", methods=["POST"])
    @agent_required
    async def claim(request: Request, conversation_id: str) -> HTTPResponse:
        agent: Agent = request.ctx.agent_user
        if agent.account_id is None:
            return _error("认领需要用个人账号登录。")
        _, refused = _open_handoff(agent, conversation_id)
        if refused is not None:
            return refused
        desk().handoffs.assign(conversation_id, agent.account_id)
        return await assigned(request, conversation_id, CLAIM)

    @bp.route("/api/conversations/<conversation_id>/release", methods=["POST"])
    @agent_required
    async def release(request: Request, conversation_id: str) -> HTTPResponse:
        _, refused = _open_handoff(request.ctx.agent_user, conversation_id)
        if refused is not None:
            return refused
        desk().handoffs.assign(conversation_id, None)
        return await assigned(request, conversation_id, RELEASE)

    @bp.route("/api/conversations/<conversation_id>/transfer", methods=["POST"])
    @agent_required
    async def transfer(request: Request, conversation_id: str) -> HTTPResponse:
        """{"to": username} to a colleague, or {"team": id} to another team's queue; with an optional "note"."""
        agent: Agent = request.ctx.agent_user
        body = json_body(request) or {}
        to, team, note = body.get("to"), body.get("team"), body.get("note") or ""
        if not isinstance(note, str) or len(note) > MAX_NOTE_CHARS:
            return _error(f"转交备注请在 {MAX_NOTE_CHARS} 字以内。")
        if (to is None) == (team is None) or not isinstance(to or team, str):
            return _error("请指定转交给谁（to：用户名）或哪个团队（team：团队编号），二选一。")
        handoff, refused = _open_handoff(agent, conversation_id)
        if handoff is None:
            return refused or _error("这个会话不在人工队列里。", status=404)
        if to is not None:
            target = desk().accounts.get(to)
            if target is None or target.disabled:
                return _error(f"没有可以接手的同事 {to}。", status=404)
            desk().handoffs.assign(conversation_id, target.account_id, team=target.team or handoff.team)
            where = f"{target.display_name}（{target.username}）"
        else:
            target_team = desk().teams.get(team)
            if target_team is None:
                return _error(f"没有团队 {team}，可选：{'、'.join(desk().teams.ids())}", status=404)
            desk().handoffs.assign(conversation_id, None, team=target_team.team_id)
            where = f"{target_team.name}队列"
        text = f"转交给 {where}" + (f"：{note.strip()}" if note.strip() else "")
        desk().notes.add(conversation_id, agent.account_id, agent.display_name, text)
        return await assigned(request, conversation_id, TRANSFER, text)

    @bp.route("/api/conversations/<conversation_id>/notes", methods=["GET"])
    @agent_required
    async def notes(request: Request, conversation_id: str) -> HTTPResponse:
        return response.json({"notes": [note.public() for note in desk().notes.of_conversation(conversation_id)]})

    @bp.route("/api/conversations/<conversation_id>/notes", methods=["POST"])
    @agent_required
    async def add_note(request: Request, conversation_id: str) -> HTTPResponse:
        """A private note for colleagues; never sent to the customer."""
        agent: Agent = request.ctx.agent_user
        body = json_body(request) or {}
        text, ticket_id = body.get("text"), body.get("ticket_id")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTE_CHARS:
            return _error(f"请填写备注（{MAX_NOTE_CHARS} 字以内）。")
        if ticket_id is not None:
            ticket = desk().tickets.get(ticket_id) if isinstance(ticket_id, str) else None
            if ticket is None or ticket.conversation_id != conversation_id:
                return _error("这个工单不属于这个会话。", status=404)
        if await request.app.ctx.agent.tracker_store.retrieve(conversation_id) is None:
            return _error("没有找到这个会话。", status=404)
        note = desk().notes.add(conversation_id, agent.account_id, agent.display_name, text, ticket_id=ticket_id)
        record_action(request, NOTE, conversation_id, note.text)
        return response.json({"ok": True, "note": note.public()})
