"""Start the action server and the Rasa server together, and stop both cleanly.

`python -m tools.stack` is what `make run` calls. Tests use `start_stack` to get
the same processes on free ports with their own databases.
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

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_MODEL = ROOT / "models" / "complaint-desk.tar.gz"


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
    processes: list[subprocess.Popen] = field(default_factory=list)
    log_files: list = field(default_factory=list)

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


def stack_environment(var_dir: Path, action_port: int) -> dict[str, str]:
    env = dict(os.environ)
    # Each stack keeps its data under its own var_dir, so test stacks never touch var/ of `make run`.
    env["TRACKER_DB_URL"] = f"sqlite:///{var_dir / 'tracker.db'}"
    env["COMPLAINT_DB_URL"] = f"sqlite:///{var_dir / 'complaint_desk.db'}"
    env["COMPLAINT_VAR_DIR"] = str(var_dir)  # uploaded evidence photos go under it
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


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
    raise RuntimeError(f"{what} 在 {timeout:.0f} 秒内没有就绪：{url}")


def start_stack(
    var_dir: Path,
    rasa_port: int | None = None,
    action_port: int | None = None,
    model: Path = DEFAULT_MODEL,
    timeout: float = 180,
) -> Stack:
    if not model.exists():
        raise RuntimeError(f"找不到模型文件 {model}，请先运行 make train")
    rasa_port = rasa_port or free_port()
    action_port = action_port or free_port()
    log_dir = var_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = stack_environment(var_dir, action_port)
    token = api_token(var_dir)
    agent_token = api_token(var_dir, "AGENT_API_TOKEN", "agent_api_token")
    env["AGENT_API_TOKEN"] = agent_token
    stack = Stack(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}",
        token=token,
        agent_token=agent_token,
        var_dir=var_dir,
    )
    action_log = open(log_dir / "action_server.log", "ab")
    rasa_log = open(log_dir / "rasa_server.log", "ab")
    stack.log_files += [action_log, rasa_log]
    stack.processes.append(
        subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
            cwd=ROOT, env=env, stdout=action_log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    )
    stack.processes.append(
        subprocess.Popen(
            [
                str(VENV_BIN / "python"), "-m", "tools.rasa_server", "run",
                "--model", str(model),
                "--endpoints", "endpoints.yml",
                "--credentials", "credentials.yml",
                "--enable-api", f"--auth-token={token}",  # "=": a token may start with "-"
                "--cors", "*",
                "--interface", "127.0.0.1",
                "--port", str(rasa_port),
            ],
            cwd=ROOT, env=env, stdout=rasa_log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    )
    try:
        _wait_until_ready(f"{stack.action_url}/health", stack.processes, timeout, "动作服务器")
        _wait_until_ready(f"{stack.rasa_url}/status?token={token}", stack.processes, timeout, "Rasa 服务器")
    except RuntimeError:
        stack.stop()
        raise
    worker_log = open(log_dir / "followup_worker.log", "ab")
    stack.log_files.append(worker_log)
    stack.processes.append(
        subprocess.Popen(
            [
                str(VENV_BIN / "python"), "-m", "tools.followup_worker",
                "--rasa-url", stack.rasa_url, f"--token={token}",
                "--poll-seconds", os.environ.get("FOLLOWUP_POLL_SECONDS", "30"),
            ],
            cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    )
    return stack


def main() -> int:
    var_dir = ROOT / "var"
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", "5055"))
    # An empty ticket table gets the demo complaints, so the supervisor page means something on first run.
    from tools.seed_demo_tickets import seed_if_empty

    if seed_if_empty(f"sqlite:///{var_dir / 'complaint_desk.db'}"):
        print("已为主管看板生成演示投诉数据（tools/seed_demo_tickets.py）。", flush=True)
    print(f"正在启动动作服务器（:{action_port}）和 Rasa 服务器（:{rasa_port}），首次加载模型约需 20 秒……", flush=True)
    try:
        stack = start_stack(var_dir, rasa_port=rasa_port, action_port=action_port)
    except RuntimeError as error:
        print(f"启动失败：{error}", file=sys.stderr)
        return 1
    print(
        "\n投诉助手已启动：\n"
        f"  REST:       POST {stack.rasa_url}/webhooks/rest/webhook  body: {{\"sender\": \"顾客ID\", \"message\": \"我的快递一个星期了还没到！\"}}\n"
        f"  socket.io:  {stack.rasa_url}/socket.io\n"
        f"  HTTP API:   {stack.rasa_url}/status?token=<见 var/rasa_api_token 或环境变量 RASA_API_TOKEN>\n"
        f"  演示商城:   {stack.rasa_url}/webhooks/storefront/  （右下角“在线客服”）\n"
        f"  客服工作台: {stack.rasa_url}/webhooks/agent/login  令牌见 var/agent_api_token 或环境变量 AGENT_API_TOKEN\n"
        f"  主管看板:   {stack.rasa_url}/webhooks/supervisor/  （客服令牌见 var/agent_api_token 或环境变量 AGENT_API_TOKEN）\n"
        f"  日志:       {var_dir / 'logs'}\n"
        "按 Ctrl-C 停止。",
        flush=True,
    )
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
