"""Start the action server, the Rasa server(s) and the follow-up worker together, and stop them cleanly.

`python -m tools.stack` is what `make run` calls. Tests use `start_stack` to get the same
processes on free ports with their own databases.

Two modes, same code. `development` (default): SQLite under the stack's var dir and Rasa's
in-memory lock store (`endpoints.yml`). `production` (`COMPLAINT_DESK_MODE=production`):
PostgreSQL for conversations and tickets, Redis for conversation locks
(`endpoints.production.yml`), and as many Rasa replicas as asked for, each with a follow-up worker.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_MODEL = ROOT / "models" / "complaint-desk.tar.gz"
MODES = ("development", "production")
ENDPOINTS = {"development": "endpoints.yml", "production": "endpoints.production.yml"}
REDIS_DEFAULTS = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "1", "REDIS_PASSWORD": ""}
RABBITMQ_DEFAULTS = {"RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672", "RABBITMQ_USERNAME": "guest",
                     "RABBITMQ_PASSWORD": "guest"}
# Loading the model takes about 20 s on a quiet machine and minutes on a busy one.
STARTUP_TIMEOUT_SECONDS = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api_token(var_dir: Path, env_name: str = "RASA_API_TOKEN", file_name: str = "rasa_api_token") -> str:
    """A secret from the environment, else one generated once and kept (mode 600) in var/."""
    if os.environ.get(env_name):
        return os.environ[env_name]
    token_file = var_dir / file_name
    if not token_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        token_file.write_text(secrets.token_urlsafe(24))
        token_file.chmod(0o600)
    return token_file.read_text().strip()


@dataclass
class Stack:
    rasa_url: str
    action_url: str
    token: str
    agent_token: str
    var_dir: Path
    mode: str = "development"
    rasa_urls: list[str] = field(default_factory=list)
    # Order: action server, Rasa replicas, follow-up workers (bench/ reads processes[0] and [1]).
    processes: list[subprocess.Popen] = field(default_factory=list)
    roles: dict[str, subprocess.Popen] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    log_files: list[IO[bytes]] = field(default_factory=list)
    setup_notes: str = ""  # what preparing the database printed (the first supervisor's password, once)
    _commands: dict[str, list[str]] = field(default_factory=dict)

    def spawn(self, role: str, command: list[str]) -> subprocess.Popen:
        """Start (or start again) the process called `role`, logging to var/logs/<role>.log."""
        log = open(self.var_dir / "logs" / f"{role}.log", "ab")
        self.log_files.append(log)
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        old = self.roles.get(role)
        if old is not None and old in self.processes:
            self.processes[self.processes.index(old)] = process
        else:
            self.processes.append(process)
        self.roles[role] = process
        self._commands[role] = command
        return process

    def restart(self, role: str, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
        """Start a stopped or killed process again with the same command, and wait until it serves."""
        self.spawn(role, self._commands[role])
        if role == "action_server":
            _wait_until_ready(f"{self.action_url}/health", [self.roles[role]], timeout, "动作服务器")
        elif role.startswith("rasa_server"):
            url = self.rasa_urls[_replica_index(role)]
            _wait_until_ready(f"{url}/status?token={self.token}", [self.roles[role]], timeout, "Rasa 服务器")

    def live_replicas(self) -> list[int]:
        """Indexes into rasa_urls of the Rasa servers still running."""
        return [
            index for index in range(len(self.rasa_urls))
            if self.roles["rasa_server" if index == 0 else f"rasa_server_{index}"].poll() is None
        ]

    def kill(self, role: str, sig: signal.Signals = signal.SIGKILL) -> None:
        """Kill one process (e.g. `rasa_server_1`, `action_server`) and wait until it is gone."""
        process = self.roles[role]
        if process.poll() is None:
            process.send_signal(sig)
        process.wait(timeout=30)

    def stop(self, kill: bool = False) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.log_files:
            log.close()


def _replica_index(role: str) -> int:
    suffix = role.removeprefix("rasa_server").removeprefix("_")
    return int(suffix) if suffix else 0


def resolve_mode(mode: str | None) -> str:
    mode = mode or os.environ.get("COMPLAINT_DESK_MODE") or "development"
    if mode not in MODES:
        raise RuntimeError(f"COMPLAINT_DESK_MODE 只能是 {' 或 '.join(MODES)}，当前是 {mode!r}")
    return mode


def stack_environment(
    var_dir: Path,
    action_port: int,
    mode: str = "development",
    database_url: str | None = None,
    db_schema: str | None = None,
    redis_prefix: str | None = None,
) -> dict[str, str]:
    env = dict(os.environ)
    env["COMPLAINT_DESK_MODE"] = mode
    if mode == "production":
        url = database_url or os.environ.get("DATABASE_URL") or os.environ.get("TRACKER_DB_URL", "")
        if not url.startswith("postgresql"):
            raise RuntimeError("生产模式需要 PostgreSQL：请设置 DATABASE_URL=postgresql://用户:密码@主机:5432/库名")
        env["TRACKER_DB_URL"] = url
        env["COMPLAINT_DB_URL"] = url
        if db_schema:
            env["POSTGRESQL_SCHEMA"] = db_schema
        for name, default in REDIS_DEFAULTS.items():
            env.setdefault(name, default)
        env["REDIS_KEY_PREFIX"] = redis_prefix or env.get("REDIS_KEY_PREFIX") or "complaintdesk"
        if not env["REDIS_KEY_PREFIX"].isalnum():
            raise RuntimeError("REDIS_KEY_PREFIX 只能包含字母和数字（Rasa 的 RedisLockStore 要求）")
        for name, default in RABBITMQ_DEFAULTS.items():
            env.setdefault(name, default)
        # One exchange per deployment (the key prefix names it), so two deployments on one RabbitMQ stay apart.
        env["RABBITMQ_EXCHANGE"] = env.get("RABBITMQ_EXCHANGE") or f"{env['REDIS_KEY_PREFIX']}.events"
        env["RABBITMQ_QUEUE"] = env.get("RABBITMQ_QUEUE") or f"{env['REDIS_KEY_PREFIX']}.events.kept"
        # socket.io emits of every replica go through Redis pub/sub (channels/socketio_guarded.py).
        password = f":{quote(env['REDIS_PASSWORD'], safe='')}@" if env["REDIS_PASSWORD"] else ""
        env.setdefault("SOCKETIO_MESSAGE_QUEUE",
                       f"redis://{password}{env['REDIS_HOST']}:{env['REDIS_PORT']}/{env['REDIS_DB']}")
        env["SOCKETIO_CHANNEL"] = env.get("SOCKETIO_CHANNEL") or f"{env['REDIS_KEY_PREFIX']}-socketio"
        env["CUSTOMER_SESSION_SECRET"] = api_token(var_dir, "CUSTOMER_SESSION_SECRET", "customer_session_secret")
    else:
        # Each stack keeps its data under its own var_dir, so test stacks never touch var/ of `make run`.
        env["TRACKER_DB_URL"] = f"sqlite:///{var_dir / 'tracker.db'}"
        env["COMPLAINT_DB_URL"] = f"sqlite:///{var_dir / 'complaint_desk.db'}"
    env["COMPLAINT_VAR_DIR"] = str(var_dir)  # uploaded evidence photos go under it
    # The key a shop signs its logged-in shoppers with (channels/shopper_sign_in.py); the demo shop signs with it too.
    env["SHOPPER_SIGNING_SECRET"] = api_token(var_dir, "SHOPPER_SIGNING_SECRET", "shopper_signing_secret")
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


# The command line of each process, shared with the container image's entry point (tools/container.py).


LOGGING_CONFIG = "runtime/logging.yml"  # JSON lines with the conversation id (containers)


def action_server_command(python: str, port: int, logging_config: str | None = None) -> list[str]:
    # rasa-sdk 3.6 spells this option with an underscore (the Rasa server with a hyphen).
    log_args = ["--logging-config_file", logging_config] if logging_config else []
    return [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port), *log_args]


def rasa_server_command(python: str, model: Path | str, endpoints: str, token: str, port: int,
                        interface: str = "127.0.0.1", logging_config: str | None = None) -> list[str]:
    log_args = ["--logging-config-file", logging_config] if logging_config else []
    return [
        python, "-m", "runtime.rasa_server", "run",  # the `rasa` command with the runtime patches applied first
        "--model", str(model),
        "--endpoints", endpoints,
        "--credentials", "credentials.yml",
        "--enable-api", f"--auth-token={token}",  # "=": a token may start with "-"
        "--cors", "*",
        "--interface", interface,
        "--port", str(port),
        *log_args,
    ]


def followup_worker_command(python: str, rasa_url: str, token: str, poll_seconds: float) -> list[str]:
    return [python, "-m", "runtime.followup_worker", "--rasa-url", rasa_url, f"--token={token}",
            "--poll-seconds", str(poll_seconds)]


def prepare_database_command(python: str) -> list[str]:
    """Create the schema and tables (migrations), and the first supervisor account if there is none."""
    return [python, "-m", "tools.agent_accounts", "first-supervisor"]


def prepare_database(env: dict[str, str]) -> str:
    """Run once before any server starts; returns what it printed (the first supervisor's password, once)."""
    result = subprocess.run(
        prepare_database_command(str(VENV_BIN / "python")), cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"数据库准备失败：{result.stderr.strip()[-500:]}")
    return result.stdout.strip()


def _wait_until_ready(url: str, processes: list[subprocess.Popen], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{what} 启动失败（进程已退出，退出码 {process.returncode}），请查看 var/logs/ 下的日志")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    address = url.split("?", 1)[0]  # without the API token
    raise RuntimeError(f"{what} 在 {timeout:.0f} 秒内没有就绪：{address}。机器忙时加载模型会慢很多，"
                       "请稍后重试；日志在 var/logs/")


def warm_guard_model() -> None:
    """Fit the guard's phrase model once (or find it in var/cache) before the servers that load it start side
    by side: otherwise each of them fits it at the same time after a corpus change."""
    from complaint_desk.guard.checker import load_guard
    from complaint_desk.paths import KNOWLEDGE_DIR

    try:
        load_guard(KNOWLEDGE_DIR / "guard_rules.yml", KNOWLEDGE_DIR / "guard_phrases.yml")
    except ValueError as error:  # KnowledgeError names the file and the line
        raise RuntimeError(str(error)) from error


def start_stack(
    var_dir: Path,
    rasa_port: int | None = None,
    action_port: int | None = None,
    model: Path = DEFAULT_MODEL,
    timeout: float = STARTUP_TIMEOUT_SECONDS,
    *,
    replicas: int = 1,
    mode: str | None = None,
    database_url: str | None = None,
    db_schema: str | None = None,
    redis_prefix: str | None = None,
    followup_poll_seconds: float | None = None,
) -> Stack:
    """Start one action server, `replicas` Rasa servers and one follow-up worker per Rasa server.

    With several replicas `rasa_port` is the first one's port; the others get free ports.
    """
    if not model.exists():
        raise RuntimeError(f"找不到模型文件 {model}，请先运行 make train")
    mode = resolve_mode(mode)
    if replicas > 1 and mode != "production":
        raise RuntimeError("多个 Rasa 副本需要共享对话存储和锁：请使用生产模式（COMPLAINT_DESK_MODE=production）")
    rasa_ports = [rasa_port or free_port()] + [free_port() for _ in range(replicas - 1)]
    action_port = action_port or free_port()
    (var_dir / "logs").mkdir(parents=True, exist_ok=True)
    warm_guard_model()
    env = stack_environment(var_dir, action_port, mode, database_url, db_schema, redis_prefix)
    token = api_token(var_dir)
    agent_token = api_token(var_dir, "AGENT_API_TOKEN", "agent_api_token")
    env["AGENT_API_TOKEN"] = agent_token
    rasa_urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
    stack = Stack(
        rasa_url=rasa_urls[0],
        action_url=f"http://127.0.0.1:{action_port}",
        token=token,
        agent_token=agent_token,
        var_dir=var_dir,
        mode=mode,
        rasa_urls=rasa_urls,
        env=env,
    )
    stack.setup_notes = prepare_database(env)
    python = str(VENV_BIN / "python")
    stack.spawn("action_server", action_server_command(python, action_port))
    for index, port in enumerate(rasa_ports):
        stack.spawn(
            "rasa_server" if index == 0 else f"rasa_server_{index}",
            rasa_server_command(python, model, ENDPOINTS[mode], token, port),
        )
    try:
        _wait_until_ready(f"{stack.action_url}/health", stack.processes, timeout, "动作服务器")
        for url in rasa_urls:
            _wait_until_ready(f"{url}/status?token={token}", stack.processes, timeout, "Rasa 服务器")
    except RuntimeError:
        stack.stop()
        raise
    poll_seconds = followup_poll_seconds or float(os.environ.get("FOLLOWUP_POLL_SECONDS", "30"))
    for index, url in enumerate(rasa_urls):
        stack.spawn(
            "followup_worker" if index == 0 else f"followup_worker_{index}",
            followup_worker_command(python, url, token, poll_seconds),
        )
    return stack


def main() -> int:
    var_dir = ROOT / "var"
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", "5055"))
    try:
        mode = resolve_mode(None)
        replicas = int(os.environ.get("RASA_REPLICAS", "1"))
    except (RuntimeError, ValueError) as error:
        print(f"启动失败：{error}", file=sys.stderr)
        return 1
    if mode != "production":
        # An empty ticket table gets the demo complaints, so the supervisor page means something on first run.
        from tools.seed_demo_tickets import seed_if_empty

        if seed_if_empty(f"sqlite:///{var_dir / 'complaint_desk.db'}"):
            print("已为主管看板生成演示投诉数据（tools/seed_demo_tickets.py）。", flush=True)
    print(
        f"正在启动动作服务器（:{action_port}）和 {replicas} 个 Rasa 服务器（:{rasa_port} 起，{mode} 模式），"
        "首次加载模型约需 20 秒……",
        flush=True,
    )
    try:
        stack = start_stack(var_dir, rasa_port=rasa_port, action_port=action_port, replicas=replicas, mode=mode)
    except RuntimeError as error:
        print(f"启动失败：{error}", file=sys.stderr)
        return 1
    print(
        "\n投诉助手已启动：\n"
        f"  REST:       POST {stack.rasa_url}/webhooks/rest/webhook  body: {{\"sender\": \"顾客ID\", \"message\": \"我的快递一个星期了还没到！\"}}\n"
        f"  socket.io:  {stack.rasa_url}/socket.io\n"
        f"  HTTP API:   {stack.rasa_url}/status?token=<见 var/rasa_api_token 或环境变量 RASA_API_TOKEN>\n"
        + "".join(f"  副本:       {url}\n" for url in stack.rasa_urls[1:])
        + f"  演示商城:   {stack.rasa_url}/webhooks/storefront/  （右下角“在线客服”）\n"
        f"  客服工作台: {stack.rasa_url}/webhooks/agent/login  （用自己的账号登录；建账号：python -m tools.agent_accounts）\n"
        f"  主管看板:   {stack.rasa_url}/webhooks/supervisor/  （主管账号）\n"
        f"  程序接口:   Authorization: Bearer <见 var/agent_api_token 或环境变量 AGENT_API_TOKEN>\n"
        f"  日志:       {var_dir / 'logs'}\n"
        "按 Ctrl-C 停止。",
        flush=True,
    )
    if stack.setup_notes:
        print(f"\n{stack.setup_notes}\n", flush=True)
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stopping and all(p.poll() is None for p in stack.processes):
        time.sleep(0.5)
    crashed = [p for p in stack.processes if p.poll() is not None]
    print("\n正在停止……", flush=True)
    stack.stop()
    print("已停止。", flush=True)
    return 1 if crashed and not stopping else 0


if __name__ == "__main__":
    sys.exit(main())
