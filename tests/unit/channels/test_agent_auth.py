from __future__ import annotations

from types import SimpleNamespace

import pytest

from channels import agent_auth


def request_with(headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None) -> SimpleNamespace:
    return SimpleNamespace(headers=headers or {}, cookies=cookies or {})


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(agent_auth.TOKEN_ENV, "s3cret-agent-token")
    return "s3cret-agent-token"


def test_bearer_token_is_accepted(token: str) -> None:
    assert agent_auth.is_agent(request_with({"authorization": f"Bearer {token}"}))


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic s3cret-agent-token", "s3cret-agent-token", ""])
def test_wrong_or_malformed_authorization_is_refused(token: str, header: str) -> None:
    assert not agent_auth.is_agent(request_with({"authorization": header}))


def test_session_cookie_is_accepted_and_is_not_the_token(token: str) -> None:
    cookie = agent_auth.session_value(token)
    assert cookie != token
    assert agent_auth.is_agent(request_with(cookies={agent_auth.SESSION_COOKIE: cookie}))
    assert not agent_auth.is_agent(request_with(cookies={agent_auth.SESSION_COOKIE: token}))


def test_nobody_is_an_agent_when_no_token_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(agent_auth.TOKEN_ENV, raising=False)
    assert not agent_auth.is_agent(request_with({"authorization": "Bearer "}))
    assert not agent_auth.is_agent(request_with(cookies={agent_auth.SESSION_COOKIE: ""}))
