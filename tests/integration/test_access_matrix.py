"""Who may open what: every route of the agent console, the supervisor page and their APIs, for no login, each
role, the integration token, and a session that expired or was logged out."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from complaint_desk import clock
from complaint_desk.team.passwords import new_password
from complaint_desk.team.roles import Role
from tests.accounts import account_store, make_account
from tools.stack import Stack

AGENT = "/webhooks/agent"
SUPERVISOR = "/webhooks/supervisor"
NOBODY = "nobody-here"

# (method, path, body, who may open it: "agents" = any logged-in account, "supervisors" = supervisors only)
ROUTES = [
    ("GET", f"{AGENT}/console", None, "agents"),
    ("GET", f"{AGENT}/me", None, "agents"),
    ("GET", f"{AGENT}/api/conversations", None, "agents"),
    ("GET", f"{AGENT}/api/stream", None, "agents"),
    ("GET", f"{AGENT}/api/conversations/{NOBODY}", None, "agents"),
    ("GET", f"{AGENT}/api/conversations/{NOBODY}/evidence/EV1", None, "agents"),
    ("POST", f"{AGENT}/api/draft-check", {"text": "您好"}, "agents"),
    ("POST", f"{AGENT}/api/conversations/{NOBODY}/takeover", {}, "agents"),
    ("POST", f"{AGENT}/api/conversations/{NOBODY}/messages", {"text": "您好"}, "agents"),
    ("POST", f"{AGENT}/api/conversations/{NOBODY}/handback", {}, "agents"),
    ("POST", f"{AGENT}/api/conversations/{NOBODY}/close", {}, "agents"),
    ("GET", f"{AGENT}/api/queue", None, "agents"),
    ("GET", f"{AGENT}/api/team", None, "agents"),
    ("POST", f"{AGENT}/api/conversations/{NOBODY}/claim", {}, "agents"),
    ("POST", f"{AGENT}/api/conversations/{NOBODY}/release", {}, "agents"),
    ("POST", f"{AGENT}/api/conversations/{NOBODY}/transfer", {"team": "fraud"}, "agents"),
    ("GET", f"{AGENT}/api/conversations/{NOBODY}/notes", None, "agents"),
    ("POST", f"{AGENT}/api/conversations/{NOBODY}/notes", {"text": "备注"}, "agents"),
    ("GET", f"{AGENT}/api/conversations/{NOBODY}/library", None, "agents"),
    ("GET", f"{AGENT}/api/search?q=472918305561", None, "agents"),
    ("POST", f"{AGENT}/api/conversations/{NOBODY}/reveal", {"line": 0, "reason": "核对"}, "agents"),
    ("GET", f"{SUPERVISOR}/", None, "supervisors"),
    ("GET", f"{SUPERVISOR}/library", None, "supervisors"),
    ("GET", f"{SUPERVISOR}/team", None, "supervisors"),
    ("GET", f"{SUPERVISOR}/api/team-figures", None, "supervisors"),
    ("GET", f"{SUPERVISOR}/api/library", None, "supervisors"),
    ("PUT", f"{SUPERVISOR}/api/library/{NOBODY.replace('-', '_')}", {"title": "x"}, "supervisors"),
    ("DELETE", f"{SUPERVISOR}/api/library/{NOBODY.replace('-', '_')}", None, "supervisors"),
    ("GET", f"{SUPERVISOR}/static/app.js", None, "supervisors"),
    ("GET", f"{SUPERVISOR}/api/insights", None, "supervisors"),
    ("GET", f"{SUPERVISOR}/api/export.csv", None, "supervisors"),
    ("GET", f"{SUPERVISOR}/api/export.json", None, "supervisors"),
]
IDENTITIES = ["no login", "logged out", "expired", "agent", "specialist", "supervisor", "integration token"]


def login(stack: Stack, role: Role, team: str | None) -> tuple[requests.Session, str]:
    username, password = make_account(stack, role, "某人", team=team)
    session = requests.Session()
    reply = session.post(f"{stack.rasa_url}{AGENT}/login", json={"username": username, "password": password},
                         timeout=30)
    assert reply.ok
    return session, username


@pytest.fixture(scope="module")
def sessions(stack: Stack) -> dict[str, requests.Session]:
    found: dict[str, requests.Session] = {"no login": requests.Session()}
    found["agent"], _ = login(stack, Role.AGENT, "after_sales")
    found["specialist"], _ = login(stack, Role.SPECIALIST, "fraud")
    found["supervisor"], _ = login(stack, Role.SUPERVISOR, None)
    logged_out, _ = login(stack, Role.SUPERVISOR, None)
    cookie = logged_out.cookies.get("agent_session")
    assert logged_out.post(f"{stack.rasa_url}{AGENT}/logout", timeout=30).ok
    found["logged out"] = requests.Session()
    found["logged out"].cookies.set("agent_session", cookie)
    store, password = account_store(stack), new_password()
    store.add("expired-supervisor", "某人", Role.SUPERVISOR, password)
    long_ago = clock.now() - dt.timedelta(days=2)
    logged_in = store.log_in("expired-supervisor", password, now=long_ago)
    assert logged_in is not None
    found["expired"] = requests.Session()
    found["expired"].cookies.set("agent_session", logged_in[1])
    found["integration token"] = requests.Session()
    found["integration token"].headers["Authorization"] = f"Bearer {stack.agent_token}"
    return found


def expected(identity: str, allowed: str) -> str:
    if identity in ("no login", "logged out", "expired"):
        return "refused: not logged in"
    if allowed == "supervisors" and identity in ("agent", "specialist"):
        return "refused: not a supervisor"
    return "allowed"


def outcome(reply: requests.Response) -> str:
    if reply.status_code == 401 or (reply.status_code == 302 and reply.headers["Location"].endswith("/login")):
        return "refused: not logged in"
    if reply.status_code == 403:
        return "refused: not a supervisor"
    assert reply.status_code < 500, reply.status_code
    return "allowed"


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_route_answers_each_identity_as_it_should(stack: Stack, sessions: dict[str, requests.Session],
                                                        identity: str) -> None:
    found = {}
    for method, path, body, _allowed in ROUTES:
        # stream: the live feed answers with headers and then holds the line open; read the status only
        with sessions[identity].request(method, f"{stack.rasa_url}{path}", json=body, timeout=60,
                                        allow_redirects=False, stream=True) as reply:
            found[(method, path)] = outcome(reply)
    assert found == {(method, path): expected(identity, allowed) for method, path, _, allowed in ROUTES}
