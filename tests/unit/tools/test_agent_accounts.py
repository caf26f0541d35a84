"""The account tool: the first supervisor once, add / disable / reset with clear Chinese errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from complaint_desk.stores.accounts import AccountStore
from complaint_desk.stores.database import engine_for, session_factory
from tools import agent_accounts


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AccountStore:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("COMPLAINT_DB_URL", url)
    agent_accounts.main(["list"])  # creates the schema
    return AccountStore(session_factory(engine_for(url)))


def printed_password(output: str) -> str:
    return output.strip().splitlines()[-1].rsplit("：", 1)[1].split(" / ")[-1]


def test_the_first_supervisor_is_created_once_and_its_password_works(db: AccountStore, capsys) -> None:
    assert agent_accounts.main(["first-supervisor"]) == 0
    password = printed_password(capsys.readouterr().out)
    assert db.log_in("admin", password) is not None
    assert agent_accounts.main(["first-supervisor"]) == 0
    assert capsys.readouterr().out == "", "a second run creates nothing and prints nothing"


def test_add_prints_a_password_once_and_disable_and_reset_take_effect(db: AccountStore, capsys) -> None:
    assert agent_accounts.main(["add", "wanglei", "--name", "王磊", "--role", "specialist", "--team", "fraud"]) == 0
    password = printed_password(capsys.readouterr().out)
    assert db.log_in("wanglei", password) is not None
    assert agent_accounts.main(["disable", "wanglei"]) == 0
    assert db.log_in("wanglei", password) is None
    assert agent_accounts.main(["enable", "wanglei"]) == 0
    assert agent_accounts.main(["reset-password", "wanglei"]) == 0
    new = printed_password(capsys.readouterr().out)
    assert db.log_in("wanglei", password) is None and db.log_in("wanglei", new) is not None


def test_a_password_can_come_from_standard_input(db: AccountStore, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("chosen-password-9\n"))
    assert agent_accounts.main(["add", "lina", "--name", "李娜", "--password-stdin"]) == 0
    assert "密码" not in capsys.readouterr().out
    assert db.log_in("lina", "chosen-password-9") is not None


@pytest.mark.parametrize(("argv", "message"), [
    (["add", "lina", "--name", "李娜", "--team", "nonexistent"], "没有团队"),
    (["disable", "nobody"], "没有用户"),
    (["add", "小周", "--name", "小周"], "用户名"),
])
def test_mistakes_are_one_clear_line(db: AccountStore, capsys, argv: list[str], message: str) -> None:
    assert agent_accounts.main(argv) == 1
    error = capsys.readouterr().err
    assert error.startswith("失败：") and message in error and "Traceback" not in error
