"""Fuzzing the agent login check: arbitrary headers and cookies are refused, never an error."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from channels import agent_auth
from complaint_desk.stores.accounts import AccountStore
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.team.roles import Role

TOKEN = "s3cret-agent-token"
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(agent_auth.TOKEN_ENV, TOKEN)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[AccountStore, str]:
    engine = engine_for(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'accounts.db'}")
    create_schema(engine)
    accounts = AccountStore(session_factory(engine))
    accounts.add("xiaozhou", "小周", Role.AGENT, "correct-horse-42")
    logged_in = accounts.log_in("xiaozhou", "correct-horse-42")
    assert logged_in is not None
    return accounts, logged_in[1]


@FUZZ
@given(header=st.text(max_size=200), cookie=st.none() | st.text(max_size=200))
def test_arbitrary_credentials_are_refused(store: tuple[AccountStore, str], header: str, cookie: str | None) -> None:
    accounts, session_token = store
    assume(TOKEN not in header and cookie != session_token)
    cookies = {} if cookie is None else {agent_auth.SESSION_COOKIE: cookie}
    request = SimpleNamespace(headers={"authorization": header}, cookies=cookies)
    assert agent_auth.current_agent(request, lambda: accounts) is None


@FUZZ
@given(scheme=st.sampled_from(["Bearer", "bearer", "BEARER"]), padding=st.text(" \t", max_size=3),
       cookie=st.none() | st.text(max_size=50))
def test_the_token_as_bearer_is_the_integration_whatever_the_cookie(store: tuple[AccountStore, str], scheme: str,
                                                                   padding: str, cookie: str | None) -> None:
    cookies = {} if cookie is None else {agent_auth.SESSION_COOKIE: cookie}
    request = SimpleNamespace(headers={"authorization": f"{scheme} {padding}{TOKEN}{padding}"}, cookies=cookies)
    assert agent_auth.current_agent(request, lambda: store[0]) == agent_auth.INTEGRATION
