"""Who is asking, for every agent-only route (console, assist API, supervisor page).

People log in with their own account (`POST <prefix>/login` with username and password; accounts are made with
`tools/agent_accounts.py`) and carry an HttpOnly session cookie that expires, ends on logout, and ends when the
account is disabled or its password reset. The supervisor page is for supervisors only.

Programs (integrations, the test suite, the benchmarks) send `Authorization: Bearer <AGENT_API_TOKEN>`;
they act as the integration, named so in the agent action record. The login form never takes that token.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.input_checks import json_body
from complaint_desk.desk import shared_desk
from complaint_desk.stores.accounts import SESSION_LIFETIME, Account, AccountStore
from complaint_desk.stores.agent_actions import INTEGRATION_ACTOR, LOGIN, LOGOUT
from complaint_desk.team.roles import Role, may_supervise

TOKEN_ENV = "AGENT_API_TOKEN"
SESSION_COOKIE = "agent_session"
MAX_LOGIN_FIELD_CHARS = 256

Handler = Callable[..., Awaitable[HTTPResponse]]


@dataclass(frozen=True)
class Agent:
    """The person (or the integration) behind a request."""

    account_id: int | None
    username: str
    display_name: str
    role: Role
    team: str | None = None

    @classmethod
    def of(cls, account: Account) -> Agent:
        return cls(account.account_id, account.username, account.display_name, account.role, account.team)

    def public(self) -> dict[str, Any]:
        return {"username": self.username, "display_name": self.display_name, "role": self.role.value,
                "team": self.team}


INTEGRATION = Agent(None, INTEGRATION_ACTOR, "系统集成", Role.SUPERVISOR)


def configured_token() -> str | None:
    return os.environ.get(TOKEN_ENV) or None


def accounts() -> AccountStore:
    return shared_desk().accounts


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_agent(request: Request, store: Callable[[], AccountStore] = accounts) -> Agent | None:
    bearer = _bearer(request)
    if bearer is not None:
        token = configured_token()
        return INTEGRATION if token is not None and hmac.compare_digest(bearer.encode(), token.encode()) else None
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or len(cookie) > MAX_LOGIN_FIELD_CHARS:
        return None
    account = store().account_of_session(cookie)
    return Agent.of(account) if account else None


def unauthorized() -> HTTPResponse:
    return response.json(
        {"error": "unauthorized", "message": "需要客服登录：请先用自己的账号登录（或登录已过期）。"},
        status=401,
    )


def forbidden() -> HTTPResponse:
    return response.json({"error": "forbidden", "message": "这个页面只对主管开放。"}, status=403)


def _required(handler: Handler, supervisors_only: bool) -> Handler:
    @functools.wraps(handler)
    async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        agent = current_agent(request)
        if agent is None:
            return unauthorized()
        if supervisors_only and not may_supervise(agent.role):
            return forbidden()
        request.ctx.agent_user = agent
        return await handler(request, *args, **kwargs)

    return guarded


def agent_required(handler: Handler) -> Handler:
    """Only a logged-in agent, specialist or supervisor reaches the handler (401 otherwise);
    `request.ctx.agent_user` is who."""
    return _required(handler, supervisors_only=False)


def supervisor_required(handler: Handler) -> Handler:
    """Only a supervisor (or the integration) reaches the handler: 401 when not logged in, 403 otherwise."""
    return _required(handler, supervisors_only=True)


def record_action(request: Request, action: str, conversation_id: str | None = None,
                  detail: str | None = None) -> None:
    """Who did it (the request's agent), in the agent action record."""
    who: Agent = request.ctx.agent_user
    shared_desk().agent_actions.record(who.account_id, who.username, action, conversation_id, detail)


async def supervisor_page(request: Request, page: Path) -> HTTPResponse:
    """A supervisor's HTML page; otherwise the login form beside it, login.html (401 not logged in, 403 logged in
    as an agent)."""
    agent = current_agent(request)
    allowed = agent is not None and may_supervise(agent.role)
    status = 200 if allowed else 401 if agent is None else 403
    return await response.file(page if allowed else page.parent / "login.html", status=status,
                               headers={"Cache-Control": "no-store"}, mime_type="text/html; charset=utf-8")


def _login_fields(request: Request) -> tuple[str, str] | None:
    body = json_body(request)
    if body is None:
        return None
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    if not username.strip() or not password or max(len(username), len(password)) > MAX_LOGIN_FIELD_CHARS:
        return None
    return username, password


def _set_cookie(reply: HTTPResponse, value: str, max_age: int, secure: bool) -> None:
    reply.cookies[SESSION_COOKIE] = value
    cookie = reply.cookies[SESSION_COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = max_age
    cookie["path"] = "/"
    if secure:
        cookie["secure"] = True


def add_login_routes(blueprint: Blueprint) -> None:
    """`POST login` with {"username", "password"} sets the session cookie; `POST logout` ends the session;
    `GET me` says who is logged in."""

    @blueprint.route("/login", methods=["POST"])
    async def login(request: Request) -> HTTPResponse:
        fields = _login_fields(request)
        if fields is None:
            return response.json({"error": "bad_request", "message": "请填写用户名和密码。"}, status=400)
        store = accounts()
        # Argon2 takes tens of milliseconds of CPU on purpose: off the event loop.
        result = await asyncio.to_thread(store.log_in, *fields)
        if result is None:
            return response.json({"error": "unauthorized", "message": "用户名或密码不对，或者账号已停用。"},
                                 status=401)
        account, token = result
        shared_desk().agent_actions.record(account.account_id, account.username, LOGIN)
        reply = response.json({"ok": True, "agent": Agent.of(account).public()})
        _set_cookie(reply, token, int(SESSION_LIFETIME.total_seconds()), secure=request.scheme == "https")
        return reply

    @blueprint.route("/logout", methods=["POST"])
    async def logout(request: Request) -> HTTPResponse:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie and len(cookie) <= MAX_LOGIN_FIELD_CHARS:
            agent = current_agent(request)
            accounts().log_out(cookie)
            if agent is not None:
                shared_desk().agent_actions.record(agent.account_id, agent.username, LOGOUT)
        reply = response.json({"ok": True})
        _set_cookie(reply, "", 0, secure=request.scheme == "https")
        return reply

    @blueprint.route("/me", methods=["GET"])
    async def me(request: Request) -> HTTPResponse:
        agent = current_agent(request)
        return response.json({"agent": agent.public()}) if agent else unauthorized()
