"""Agent accounts and their login sessions.

A login session is a random token in an HttpOnly cookie; the table keeps only its SHA-256, so a copy of the
database opens nobody's console. Sessions expire, end on logout, and all of an account's sessions end when
its password is reset or the account is disabled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from complaint_desk import clock
from complaint_desk.stores.tables import AgentAccountRow, AgentLoginSessionRow
from complaint_desk.team.passwords import hash_password, needs_rehash, verify_password
from complaint_desk.team.roles import Role, parse_role

SESSION_LIFETIME = dt.timedelta(hours=12)
# Online: a request within this window (the console pings every minute). A closed tab drops out of auto-assignment.
ONLINE_WINDOW = dt.timedelta(minutes=3)
SEEN_EVERY = dt.timedelta(seconds=30)  # last_seen_at is written at most this often per session
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountError(ValueError):
    """A request the account store refuses; the message is for the person who asked."""


@dataclass(frozen=True)
class Account:
    account_id: int
    username: str
    display_name: str
    role: Role
    team: str | None
    disabled: bool

    def public(self) -> dict[str, object]:
        return {"username": self.username, "display_name": self.display_name, "role": self.role.value,
                "team": self.team, "disabled": self.disabled}


def _account(row: AgentAccountRow) -> Account:
    return Account(row.account_id, row.username, row.display_name, Role(row.role), row.team,
                   row.disabled_at is not None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not 2 <= len(name) <= 64 or not set(name) <= USERNAME_CHARS:
        raise AccountError("用户名为 2–64 位小写字母、数字或 . _ -")
    return name


class AccountStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    # ------------------------------------------------------------ accounts

    def add(self, username: str, display_name: str, role: Role | str, password: str,
            team: str | None = None, now: dt.datetime | None = None) -> Account:
        name = check_username(username)
        display = display_name.strip()
        if not display or len(display) > 64:
            raise AccountError("请填写显示名（顾客看到的称呼，64 字以内）")
        try:
            role = parse_role(str(role))
            password_hash = hash_password(password)
        except ValueError as error:
            raise AccountError(str(error)) from error
        now = now or clock.now()
        with self._sessions.begin() as session:
            if session.scalar(sa.select(AgentAccountRow.account_id).where(AgentAccountRow.username == name)):
                raise AccountError(f"用户名 {name} 已经有人用了")
            row = AgentAccountRow(username=name, display_name=display, role=role.value, team=team,
                                  password_hash=password_hash, created_at=now, password_changed_at=now)
            session.add(row)
            session.flush()
            return _account(row)

    def get(self, username: str) -> Account | None:
        with self._sessions() as session:
            row = session.scalar(sa.select(AgentAccountRow).where(AgentAccountRow.username == username.lower()))
            return _account(row) if row else None

    def all(self) -> list[Account]:
        with self._sessions() as session:
            return [_account(row) for row in session.scalars(sa.select(AgentAccountRow).order_by(
                AgentAccountRow.account_id))]

    def online_ids(self, now: dt.datetime | None = None) -> set[int]:
        """Enabled accounts with an open login session that made a request within ONLINE_WINDOW."""
        now = now or clock.now()
        with self._sessions() as session:
            return set(session.scalars(
                sa.select(AgentLoginSessionRow.account_id).join(
                    AgentAccountRow, AgentAccountRow.account_id == AgentLoginSessionRow.account_id)
                .where(AgentLoginSessionRow.ended_at.is_(None), AgentLoginSessionRow.expires_at > now,
                       AgentLoginSessionRow.last_seen_at > now - ONLINE_WINDOW,
                       AgentAccountRow.disabled_at.is_(None)).distinct()))

    def by_id(self, account_id: int) -> Account | None:
        with self._sessions() as session:
            row = session.get(AgentAccountRow, account_id)
            return _account(row) if row else None

    def has_supervisor(self) -> bool:
        with self._sessions() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(AgentAccountRow).where(
                AgentAccountRow.role == Role.SUPERVISOR.value, AgentAccountRow.disabled_at.is_(None))) > 0

    def _change(self, username: str, **values: object) -> Account:
        with self._sessions.begin() as session:
            row = session.scalar(sa.select(AgentAccountRow).where(AgentAccountRow.username == username.lower())
                                 .with_for_update())
            if row is None:
                raise AccountError(f"没有用户 {username}")
            for key, value in values.items():
                setattr(row, key, value)
            session.execute(sa.update(AgentLoginSessionRow).where(
                AgentLoginSessionRow.account_id == row.account_id, AgentLoginSessionRow.ended_at.is_(None))
                .values(ended_at=clock.now()))
            return _account(row)

    def disable(self, username: str) -> Account:
        """Disabled: cannot log in, and every open session ends now."""
        return self._change(username, disabled_at=clock.now())

    def enable(self, username: str) -> Account:
        return self._change(username, disabled_at=None)

    def reset_password(self, username: str, password: str) -> Account:
        try:
            password_hash = hash_password(password)
        except ValueError as error:
            raise AccountError(str(error)) from error
        return self._change(username, password_hash=password_hash, password_changed_at=clock.now())

    # ------------------------------------------------------------ logins

    def log_in(self, username: str, password: str, now: dt.datetime | None = None) -> tuple[Account, str] | None:
        """The account and a new session token, or None (wrong name or password, or disabled: the caller
        cannot tell which, nor can anyone guessing names)."""
        now = now or clock.now()
        with self._sessions.begin() as session:
            row = session.scalar(sa.select(AgentAccountRow).where(AgentAccountRow.username == username.strip().lower()))
            if not verify_password(row.password_hash if row else None, password) or row is None:
                return None
            if row.disabled_at is not None:
                return None
            if needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            token = secrets.token_urlsafe(32)
            session.add(AgentLoginSessionRow(token_digest=_digest(token), account_id=row.account_id, created_at=now,
                                             expires_at=now + SESSION_LIFETIME, last_seen_at=now))
            return _account(row), token

    def account_of_session(self, token: str, now: dt.datetime | None = None) -> Account | None:
        """The account a session token belongs to, if the session is open and the account enabled."""
        now = now or clock.now()
        digest = _digest(token)
        with self._sessions() as session:
            found = session.execute(
                sa.select(AgentAccountRow, AgentLoginSessionRow.last_seen_at).join(
                    AgentLoginSessionRow, AgentLoginSessionRow.account_id == AgentAccountRow.account_id)
                .where(AgentLoginSessionRow.token_digest == digest, AgentLoginSessionRow.ended_at.is_(None),
                       AgentLoginSessionRow.expires_at > now, AgentAccountRow.disabled_at.is_(None))
            ).one_or_none()
            if found is None:
                return None
            row, last_seen = found
            account = _account(row)
        if last_seen is None or now - last_seen >= SEEN_EVERY:
            with self._sessions.begin() as session:
                session.execute(sa.update(AgentLoginSessionRow).where(AgentLoginSessionRow.token_digest == digest)
                                .values(last_seen_at=now))
        return account

    def log_out(self, token: str, now: dt.datetime | None = None) -> None:
        with self._sessions.begin() as session:
            session.execute(sa.update(AgentLoginSessionRow).where(
                AgentLoginSessionRow.token_digest == _digest(token), AgentLoginSessionRow.ended_at.is_(None))
                .values(ended_at=now or clock.now()))
