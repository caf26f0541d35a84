"""Accounts and login sessions: hashed passwords, sessions that expire, end on logout, end when the account is
disabled or its password reset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from complaint_desk.stores.accounts import SESSION_LIFETIME, AccountError, AccountStore
from complaint_desk.stores.agent_actions import MESSAGE, AgentActions
from complaint_desk.stores.database import create_schema, engine_for, session_factory
from complaint_desk.team.roles import Role

PASSWORD = "correct-horse-42"
NOW = dt.datetime(2026, 12, 7, 10, 0)


@pytest.fixture
def engine(tmp_path: Path) -> sa.engine.Engine:
    engine = engine_for(f"sqlite:///{tmp_path / 'accounts.db'}")
    create_schema(engine)
    return engine


@pytest.fixture
def store(engine: sa.engine.Engine) -> AccountStore:
    accounts = AccountStore(session_factory(engine))
    accounts.add("XiaoZhou", "小周", Role.AGENT, PASSWORD, team="after_sales")
    return accounts


def session_of(store: AccountStore, username: str = "xiaozhou", password: str = PASSWORD, now: dt.datetime = NOW) -> str:
    logged_in = store.log_in(username, password, now=now)
    assert logged_in is not None
    return logged_in[1]


def test_the_password_is_stored_only_as_an_argon2_hash(engine: sa.engine.Engine, store: AccountStore) -> None:
    with engine.connect() as connection:
        [stored] = connection.execute(sa.text("SELECT password_hash FROM agent_accounts")).scalars()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_usernames_are_case_insensitive_and_unique(store: AccountStore) -> None:
    assert store.get("xiaozhou") is not None
    with pytest.raises(AccountError, match="已经有人用了"):
        store.add("xiaozhou", "另一个小周", Role.AGENT, "another-password-1")


@pytest.mark.parametrize(("username", "password", "message"), [
    ("x", "long-enough-pw", "用户名"), ("小周", "long-enough-pw", "用户名"), ("a b", "long-enough-pw", "用户名"),
    ("ok_name", "short", "至少"), ("ok_name", " padded-password ", "空格"),
])
def test_bad_names_and_weak_passwords_are_refused_with_a_reason(store: AccountStore, username: str, password: str,
                                                               message: str) -> None:
    with pytest.raises(AccountError, match=message):
        store.add(username, "某人", Role.AGENT, password)


def test_an_unknown_role_is_refused(store: AccountStore) -> None:
    with pytest.raises(AccountError, match="不认识的角色"):
        store.add("boss", "老板", "owner", "long-enough-pw")


def test_wrong_password_or_unknown_name_gives_nothing(store: AccountStore) -> None:
    assert store.log_in("xiaozhou", "wrong-password") is None
    assert store.log_in("nobody", PASSWORD) is None
    assert store.log_in("xiaozhou", "") is None


def test_a_session_names_its_account_until_it_expires(store: AccountStore) -> None:
    token = session_of(store)
    account = store.account_of_session(token, now=NOW + dt.timedelta(hours=1))
    assert account is not None and (account.username, account.role, account.team) == ("xiaozhou", Role.AGENT,
                                                                                      "after_sales")
    assert store.account_of_session(token, now=NOW + SESSION_LIFETIME + dt.timedelta(seconds=1)) is None


def test_logging_out_ends_the_session_only(store: AccountStore) -> None:
    first, second = session_of(store), session_of(store)
    store.log_out(first, now=NOW)
    assert store.account_of_session(first, now=NOW) is None
    assert store.account_of_session(second, now=NOW) is not None


def test_disabling_ends_every_session_and_stops_logins(store: AccountStore) -> None:
    token = session_of(store, now=dt.datetime.now().replace(microsecond=0))
    store.disable("xiaozhou")
    assert store.account_of_session(token) is None
    assert store.log_in("xiaozhou", PASSWORD) is None
    store.enable("xiaozhou")
    assert store.account_of_session(token) is None, "enabling again does not revive old sessions"
    assert store.log_in("xiaozhou", PASSWORD) is not None


def test_a_password_reset_ends_every_session_and_the_old_password(store: AccountStore) -> None:
    token = session_of(store)
    store.reset_password("xiaozhou", "brand-new-password-7")
    assert store.account_of_session(token, now=NOW) is None
    assert store.log_in("xiaozhou", PASSWORD) is None
    assert store.log_in("xiaozhou", "brand-new-password-7") is not None


def test_changing_an_unknown_account_says_so(store: AccountStore) -> None:
    with pytest.raises(AccountError, match="没有用户"):
        store.disable("nobody")


def test_the_session_table_never_holds_the_token(engine: sa.engine.Engine, store: AccountStore) -> None:
    token = session_of(store)
    with engine.connect() as connection:
        digests = connection.execute(sa.text("SELECT token_digest FROM agent_login_sessions")).scalars().all()
    assert token not in digests and len(digests) == 1 and len(digests[0]) == 64


def test_only_an_enabled_supervisor_counts_as_one(store: AccountStore) -> None:
    assert not store.has_supervisor()
    store.add("boss", "王主管", Role.SUPERVISOR, "supervisor-pw-1")
    assert store.has_supervisor()
    store.disable("boss")
    assert not store.has_supervisor()


def test_agent_actions_record_who_did_what_in_order(engine: sa.engine.Engine) -> None:
    actions = AgentActions(session_factory(engine))
    actions.record(1, "xiaozhou", MESSAGE, "c1", "您好", now=NOW)
    actions.record(None, "integration", MESSAGE, "c2", "hi", now=NOW + dt.timedelta(minutes=1))
    actions.record(1, "xiaozhou", "close", "c1", now=NOW + dt.timedelta(minutes=2))
    assert [(a.actor, a.action, a.at) for a in actions.of_conversation("c1")] == [
        ("xiaozhou", MESSAGE, NOW), ("xiaozhou", "close", NOW + dt.timedelta(minutes=2))]
    assert [a.conversation_id for a in actions.recent(limit=2)] == ["c2", "c1"]



def test_only_sessions_seen_lately_count_as_online(store: AccountStore) -> None:
    from complaint_desk.stores.accounts import ONLINE_WINDOW

    token = session_of(store, now=NOW)
    [account] = store.all()
    assert store.online_ids(now=NOW + dt.timedelta(minutes=1)) == {account.account_id}
    later = NOW + ONLINE_WINDOW + dt.timedelta(minutes=1)
    assert store.online_ids(now=later) == set(), "a closed console drops out"
    assert store.account_of_session(token, now=later) is not None  # the console pings
    assert store.online_ids(now=later) == {account.account_id}
    store.log_out(token, now=later)
    assert store.online_ids(now=later) == set()
