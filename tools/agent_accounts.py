"""Agent accounts from the command line: add, disable, enable, reset a password, list.

    python -m tools.agent_accounts add xiaozhou --name 小周 --role agent --team after_sales
    python -m tools.agent_accounts add wanglei --name 王磊 --role specialist --team fraud
    python -m tools.agent_accounts reset-password xiaozhou
    python -m tools.agent_accounts disable xiaozhou
    python -m tools.agent_accounts list
    python -m tools.agent_accounts first-supervisor   # run by `make run`: only when no supervisor exists

A new or reset password is drawn at random and printed once (or read from standard input with
--password-stdin). Roles: agent（客服）, specialist（专员）, supervisor（主管）; teams: knowledge/teams.yml.
The database is COMPLAINT_DB_URL (default var/complaint_desk.db), as for the servers.
"""

from __future__ import annotations

import argparse
import sys

from complaint_desk.case.handoff_summary import HandoffReason
from complaint_desk.knowledge import KnowledgeError
from complaint_desk.stores.accounts import AccountError, AccountStore
from complaint_desk.stores.agent_actions import ACCOUNT_CHANGE, AgentActions
from complaint_desk.stores.database import create_schema, default_engine, session_factory
from complaint_desk.team.passwords import new_password
from complaint_desk.team.roles import ROLE_NAMES, Role
from complaint_desk.team.teams import TEAMS_FILE, load_teams

CLI_ACTOR = "cli"
FIRST_SUPERVISOR = "admin"


def _stores() -> tuple[AccountStore, AgentActions]:
    engine = default_engine()
    create_schema(engine)
    sessions = session_factory(engine)
    return AccountStore(sessions), AgentActions(sessions)


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """The password and whether it was generated (then it is printed)."""
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n"), False
    return new_password(), True


def first_supervisor(store: AccountStore, actions: AgentActions) -> str | None:
    """Create the first supervisor when there is none; its password, to be shown once, or None."""
    if store.has_supervisor():
        return None
    password = new_password()
    username = FIRST_SUPERVISOR
    if store.get(username) is not None:  # an "admin" that is disabled or not a supervisor: pick a free name
        username = next(f"{FIRST_SUPERVISOR}{n}" for n in range(2, 1000) if store.get(f"{FIRST_SUPERVISOR}{n}") is None)
    store.add(username, "主管", Role.SUPERVISOR, password)
    actions.record(None, CLI_ACTOR, ACCOUNT_CHANGE, detail=f"首次启动：创建主管账号 {username}")
    return f"{username} / {password}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.agent_accounts", description="客服账号管理")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="新建账号")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="显示名：顾客看到的称呼，例如 小周")
    add.add_argument("--role", default=Role.AGENT.value, choices=[role.value for role in Role])
    add.add_argument("--team", help="团队编号（knowledge/teams.yml）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读密码，而不是随机生成")
    for name, help_text in (("disable", "停用账号（立即退出所有登录）"), ("enable", "重新启用账号")):
        commands.add_parser(name, help=help_text).add_argument("username")
    reset = commands.add_parser("reset-password", help="重置密码（立即退出所有登录）")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    commands.add_parser("list", help="列出所有账号")
    commands.add_parser("first-supervisor", help="没有主管账号时创建一个，并显示一次密码")
    args = parser.parse_args(argv)

    try:
        store, actions = _stores()
        if args.command == "add":
            teams = load_teams(TEAMS_FILE, [reason.value for reason in HandoffReason])
            if args.team is not None and teams.get(args.team) is None:
                raise AccountError(f"没有团队 {args.team!r}，可选：{'、'.join(teams.ids())}")
            password, generated = _password(args)
            account = store.add(args.username, args.name, args.role, password, team=args.team)
            actions.record(None, CLI_ACTOR, ACCOUNT_CHANGE, detail=f"新建 {account.username}（{args.role}）")
            print(f"已创建 {ROLE_NAMES[account.role]} {account.username}（{account.display_name}）")
            if generated:
                print(f"初始密码（只显示这一次）：{password}")
        elif args.command in ("disable", "enable"):
            account = store.disable(args.username) if args.command == "disable" else store.enable(args.username)
            actions.record(None, CLI_ACTOR, ACCOUNT_CHANGE, detail=f"{args.command} {account.username}")
            print(f"{account.username} 已{'停用，所有登录已退出' if account.disabled else '启用'}")
        elif args.command == "reset-password":
            password, generated = _password(args)
            account = store.reset_password(args.username, password)
            actions.record(None, CLI_ACTOR, ACCOUNT_CHANGE, detail=f"重置密码 {account.username}")
            print(f"{account.username} 的密码已重置，所有登录已退出")
            if generated:
                print(f"新密码（只显示这一次）：{password}")
        elif args.command == "list":
            for account in store.all():
                state = "停用" if account.disabled else "正常"
                print(f"{account.username}\t{account.display_name}\t{ROLE_NAMES[account.role]}\t"
                      f"{account.team or '-'}\t{state}")
        elif args.command == "first-supervisor":
            created = first_supervisor(store, actions)
            if created:
                print(f"已创建第一个主管账号（用户名 / 密码，只显示这一次，请妥善保存）：{created}")
    except (AccountError, KnowledgeError) as error:
        print(f"失败：{error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
