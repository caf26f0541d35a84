"""Accounts for tests that drive a running stack: made straight in the stack's database, as the account
tool would, each with a fresh random password."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import sessionmaker

from complaint_desk.stores.accounts import AccountStore
from complaint_desk.stores.database import engine_for, session_factory
from complaint_desk.team.passwords import new_password
from complaint_desk.team.roles import Role
from tools.stack import Stack


def stack_sessions(stack: Stack) -> sessionmaker:
    """Sessions on the stack's complaint database."""
    url = stack.env.get("COMPLAINT_DB_URL") or f"sqlite:///{stack.var_dir / 'complaint_desk.db'}"
    return session_factory(engine_for(url, stack.env.get("POSTGRESQL_SCHEMA")))


def account_store(stack: Stack) -> AccountStore:
    return AccountStore(stack_sessions(stack))


def make_account(stack: Stack, role: Role = Role.AGENT, display_name: str = "小周",
                 team: str | None = "after_sales") -> tuple[str, str]:
    """A new account on the stack: (username, password)."""
    username, password = f"{role.value}-{secrets.token_hex(4)}", new_password()
    account_store(stack).add(username, display_name, role, password, team=team)
    return username, password
