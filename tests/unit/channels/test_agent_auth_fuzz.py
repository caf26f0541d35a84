"""Fuzzing the agent login check: arbitrary headers and cookies are refused, never an error."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from channels import agent_auth

TOKEN = "s3cret-agent-token"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(agent_auth.TOKEN_ENV, TOKEN)


@settings(max_examples=300, deadline=None)
@given(header=st.text(max_size=200), cookie=st.none() | st.text(max_size=200))
def test_arbitrary_credentials_are_refused(header: str, cookie: str | None) -> None:
    assume(TOKEN not in header and cookie != agent_auth.session_value(TOKEN))
    cookies = {} if cookie is None else {agent_auth.SESSION_COOKIE: cookie}
    assert agent_auth.is_agent(SimpleNamespace(headers={"authorization": header}, cookies=cookies)) is False


@settings(max_examples=100, deadline=None)
@given(scheme=st.sampled_from(["Bearer", "bearer", "BEARER"]), padding=st.text(" \t", max_size=3),
       cookie=st.none() | st.text(max_size=50))
def test_the_token_as_bearer_is_accepted_whatever_the_cookie(scheme: str, padding: str, cookie: str | None) -> None:
    cookies = {} if cookie is None else {agent_auth.SESSION_COOKIE: cookie}
    request = SimpleNamespace(headers={"authorization": f"{scheme} {padding}{TOKEN}{padding}"}, cookies=cookies)
    assert agent_auth.is_agent(request) is True
