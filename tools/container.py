"""Entry point of the container image (Dockerfile): one process of the complaint desk per container.

    docker run complaint-desk rasa              # a Rasa replica (endpoints.production.yml), port 5005
    docker run complaint-desk action-server     # an action server, port 5055
    docker run complaint-desk followup-worker   # fires due follow-ups through RASA_URL
    docker run complaint-desk prepare-database  # creates the schema and tables and the first supervisor (password printed once), then exits

The command lines are those tools.stack runs on one machine (the same functions build them), with
settings from the environment (README, "Production"), and JSON log lines with the conversation id
(runtime/logging.yml) unless LOG_FORMAT=text. Each role replaces this process (exec), so the
container's signals reach the server itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from tools.stack import (
    DEFAULT_MODEL,
    ENDPOINTS,
    LOGGING_CONFIG,
    action_server_command,
    followup_worker_command,
    prepare_database_command,
    rasa_server_command,
)

PRODUCTION_ENDPOINTS = ENDPOINTS["production"]


class MissingSetting(RuntimeError):
    pass


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "")
    if not value:
        raise MissingSetting(f"缺少环境变量 {name}（见 README「Production」一节）")
    return value


def _logging(env: Mapping[str, str]) -> str | None:
    """JSON log lines unless LOG_FORMAT=text."""
    return None if env.get("LOG_FORMAT") == "text" else LOGGING_CONFIG


def _rasa(env: Mapping[str, str]) -> list[str]:
    return rasa_server_command(sys.executable, env.get("RASA_MODEL") or DEFAULT_MODEL, PRODUCTION_ENDPOINTS,
                               _required(env, "RASA_API_TOKEN"), int(env.get("RASA_PORT") or 5005),
                               interface="0.0.0.0", logging_config=_logging(env))


def _action_server(env: Mapping[str, str]) -> list[str]:
    return action_server_command(sys.executable, int(env.get("ACTION_PORT") or 5055), logging_config=_logging(env))


def _followup_worker(env: Mapping[str, str]) -> list[str]:
    return followup_worker_command(sys.executable, _required(env, "RASA_URL"), _required(env, "RASA_API_TOKEN"),
                                   float(env.get("FOLLOWUP_POLL_SECONDS") or 30))


def _prepare_database(env: Mapping[str, str]) -> list[str]:
    _required(env, "COMPLAINT_DB_URL")
    return prepare_database_command(sys.executable)


ROLES: dict[str, Callable[[Mapping[str, str]], list[str]]] = {
    "rasa": _rasa,
    "action-server": _action_server,
    "followup-worker": _followup_worker,
    "prepare-database": _prepare_database,
}


def command_for(role: str, env: Mapping[str, str]) -> list[str]:
    if role not in ROLES:
        raise MissingSetting(f"不认识的角色 {role!r}，可选：{'、'.join(ROLES)}")
    return ROLES[role](env)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(f"用法：python -m tools.container {{{'|'.join(ROLES)}}}", file=sys.stderr)
        return 2
    try:
        command = command_for(args[0], os.environ)
    except MissingSetting as error:
        print(error, file=sys.stderr)
        return 2
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
