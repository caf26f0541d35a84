"""Agent login shared by every agent-only route (assist API, console, supervisor page).

The secret is `AGENT_API_TOKEN` from the environment (`tools.stack` generates one into
var/agent_api_token when it is unset). Agents send it as `Authorization: Bearer <token>`,
or log in once at `POST <prefix>/login` and carry an HttpOnly session cookie.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

TOKEN_ENV = "AGENT_API_TOKEN"
SESSION_COOKIE = "agent_session"
SESSION_MAX_AGE_SECONDS = 12 * 3600

Handler = Callable[..., Awaitable[HTTPResponse]]


def configured_token() -> str | None:
    return os.environ.get(TOKEN_ENV) or None


def session_value(token: str) -> str:
    """The cookie holds a digest of the token, never the token itself."""
    return hmac.new(token.encode(), b"agent-session", hashlib.sha256).hexdigest()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def is_agent(request: Request) -> bool:
    token = configured_token()
    if token is None:
        return False
    bearer = _bearer(request)
    if bearer is not None:
        return hmac.compare_digest(bearer.encode(), token.encode())
    cookie = request.cookies.get(SESSION_COOKIE)
    return cookie is not None and hmac.compare_digest(cookie.encode(), session_value(token).encode())


def unauthorized() -> HTTPResponse:
    return response.json(
        {"error": "unauthorized", "message": "需要客服登录：请先登录或提供有效的令牌。"},
        status=401,
    )


def agent_required(handler: Handler) -> Handler:
    """Wrap a Sanic handler so that only a logged-in agent reaches it (401 otherwise)."""

    @functools.wraps(handler)
    async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        if not is_agent(request):
            return unauthorized()
        return await handler(request, *args, **kwargs)

    return guarded


def add_login_routes(blueprint: Blueprint) -> None:
    """`POST login` with {"token": "..."} sets the session cookie; `POST logout` clears it."""

    @blueprint.route("/login", methods=["POST"])
    async def login(request: Request) -> HTTPResponse:
        token = configured_token()
        try:
            body = request.json
        except Exception:  # Sanic raises its own error type on malformed JSON
            body = None
        submitted = body.get("token") if isinstance(body, dict) else None
        if token is None or not isinstance(submitted, str):
            return unauthorized()
        if not hmac.compare_digest(submitted.encode(), token.encode()):
            return unauthorized()
        reply = response.json({"ok": True})
        reply.cookies[SESSION_COOKIE] = session_value(token)
        cookie = reply.cookies[SESSION_COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["max-age"] = SESSION_MAX_AGE_SECONDS
        cookie["path"] = "/"
        return reply

    @blueprint.route("/logout", methods=["POST"])
    async def logout(request: Request) -> HTTPResponse:
        reply = response.json({"ok": True})
        del reply.cookies[SESSION_COOKIE]
        return reply
