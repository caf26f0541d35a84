"""Who is asking: the integration token as bearer, or a person's own login session (a real account store)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from channels import agent_auth
from complaint_desk.stores.accounts import AccountStore
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.team.roles import Role

PASSWORD = "correct-horse-42"


def request_with(headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None) -> SimpleNamespace:
    return SimpleNamespace(headers=headers or {}, cookies=cookies or {})


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(agent_auth.TOKEN_ENV, "s3cret-agent-token")
    return "s3cret-agent-token"


@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    engine = engine_for(f"sqlite:///{tmp_path / 'accounts.db'}")
    create_schema(engine)
    accounts = AccountStore(session_factory(engine))
    accounts.add("xiaozhou", "小周", Role.AGENT, PASSWORD, team="after_sales")
    return accounts


def who(request: SimpleNamespace, store: AccountStore) -> agent_auth.Agent | None:
    return agent_auth.current_agent(request, lambda: store)


def test_bearer_token_is_the_integration(token: str, store: AccountStore) -> None:
    assert who(request_with({"authorization": f"Bearer {token}"}), store) == agent_auth.INTEGRATION


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic s3cret-agent-token", "s3cret-agent-token", ""])
def test_wrong_or_malformed_authorization_is_refused(token: str, store: AccountStore, header: str) -> None:
    assert who(request_with({"authorization": header}), store) is None


def test_nobody_gets_in_by_bearer_when_no_token_is_configured(monkeypatch: pytest.MonkeyPatch,
                                                                store: AccountStore) -> None:
    monkeypatch.delenv(agent_auth.TOKEN_ENV, raising=False)
    assert who(request_with({"authorization": "Bearer "}), store) is None
    assert who(request_with({"authorization": "Bearer x"}), store) is None


def test_a_login_session_names_the_person(store: AccountStore) -> None:
    logged_in = store.log_in("xiaozhou", PASSWORD)
    assert logged_in is not None
    _, session_token = logged_in
    agent = who(request_with(cookies={agent_auth.SESSION_COOKIE: session_token}), store)
    assert agent is not None and (agent.username, agent.display_name, agent.role) == ("xiaozhou", "小周", Role.AGENT)


@pytest.mark.parametrize("cookie", ["", "x", "s3cret-agent-token", "a" * 5000])
def test_an_unknown_cookie_is_nobody(store: AccountStore, cookie: str) -> None:
    assert who(request_with(cookies={agent_auth.SESSION_COOKIE: cookie}), store) is None


def test_the_bearer_token_is_not_a_login_cookie(token: str, store: AccountStore) -> None:
    assert who(request_with(cookies={agent_auth.SESSION_COOKIE: token}), store) is None


def test_only_supervisors_may_supervise() -> None:
    from complaint_desk.team.roles import may_supervise

    assert may_supervise(Role.SUPERVISOR) and may_supervise(agent_auth.INTEGRATION.role)
    assert not may_supervise(Role.AGENT) and not may_supervise(Role.SPECIALIST)
