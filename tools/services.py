"""PostgreSQL, Redis and RabbitMQ for the tests that need real ones (tests/production/, the PostgreSQL insights test).

The machine's own services are used when they answer (TEST_DATABASE_URL, TEST_REDIS_URL, TEST_RABBITMQ_URL, or
the defaults on 127.0.0.1). A service that does not answer gets a throwaway instance on a free port in a scratch
directory, stopped and deleted at the end; a service the machine already runs is never touched.
Throwaway PostgreSQL and RabbitMQ run as their Debian users (`postgres`, `rabbitmq`) when started by root.

    python -m tools.services --install-missing   # `make test`: apt-get the servers that neither answer nor are
                                                 # installed (as `make browser` installs chromium)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
DEFAULT_RABBITMQ_URL = "amqp://guest@127.0.0.1:5672/"  # no password in the URL: AMQP clients default to guest
APT_PACKAGES = {"postgresql": "postgresql", "redis": "redis-server", "rabbitmq": "rabbitmq-server"}
START_TIMEOUT_SECONDS = 90.0


class ServiceError(RuntimeError):
    pass


@dataclass
class Services:
    database_url: str
    redis_url: str
    rabbitmq_url: str
    started: list[str] = field(default_factory=list)  # names of the throwaway instances
    _stops: list[Callable[[], None]] = field(default_factory=list)

    @property
    def redis(self) -> dict[str, str]:
        parts = urlsplit(self.redis_url)
        return {"REDIS_HOST": parts.hostname or "127.0.0.1", "REDIS_PORT": str(parts.port or 6379),
                "REDIS_DB": (parts.path.strip("/") or "0"), "REDIS_PASSWORD": parts.password or ""}

    @property
    def rabbitmq(self) -> dict[str, str]:
        parts = urlsplit(self.rabbitmq_url)
        return {"RABBITMQ_HOST": parts.hostname or "127.0.0.1", "RABBITMQ_PORT": str(parts.port or 5672),
                "RABBITMQ_USERNAME": parts.username or "guest", "RABBITMQ_PASSWORD": parts.password or "guest"}

    def stop(self) -> None:
        while self._stops:
            with contextlib.suppress(Exception):
                self._stops.pop()()


def answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1.0):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if answers(f"tcp://127.0.0.1:{port}", port):
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    raise ServiceError(f"临时的 {what} 没有在 {START_TIMEOUT_SECONDS:.0f} 秒内启动（端口 {port}）")


def _as_user(user: str) -> list[str]:
    """Run as `user` when we are root (PostgreSQL refuses root; Debian's rabbitmq-server switches by itself)."""
    return ["runuser", "-u", user, "--"] if os.geteuid() == 0 else []


def _owned_by(path: Path, user: str) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user, user)
        for child in path.rglob("*"):
            shutil.chown(child, user, user)


def postgres_bin() -> Path | None:
    """The directory of initdb, pg_ctl and createdb (Debian keeps them off PATH, per major version)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def start_postgres(root: Path, services: Services) -> str:
    binaries = postgres_bin()
    if binaries is None:
        raise ServiceError("没有 PostgreSQL：请先运行 `python -m tools.services --install-missing`（make test 会自动运行）")
    port = free_port()
    home = root / f"postgres-{port}"
    home.mkdir(parents=True)
    _owned_by(home, "postgres")
    user = _as_user("postgres")
    subprocess.run([*user, str(binaries / "initdb"), "-D", str(home / "data"), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run([*user, str(binaries / "pg_ctl"), "-D", str(home / "data"), "-o", options, "-w",
                    "-l", str(home / "server.log"), "start"], check=True, capture_output=True, timeout=120)
    services._stops.append(lambda: shutil.rmtree(home, ignore_errors=True))
    services._stops.append(lambda: subprocess.run(
        [*user, str(binaries / "pg_ctl"), "-D", str(home / "data"), "-m", "immediate", "stop"],
        capture_output=True, timeout=60))
    subprocess.run([*user, str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "test"],
                   check=True, capture_output=True, timeout=60)
    services.started.append("postgresql")
    return f"postgresql://postgres@127.0.0.1:{port}/test"


def start_redis(root: Path, services: Services) -> str:
    server = shutil.which("redis-server")
    if server is None:
        raise ServiceError("没有 Redis：请先运行 `python -m tools.services --install-missing`（make test 会自动运行）")
    port = free_port()
    home = root / f"redis-{port}"
    home.mkdir(parents=True)
    log = open(home / "server.log", "wb")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(home)], stdout=log, stderr=subprocess.STDOUT)
    services._stops.append(lambda: shutil.rmtree(home, ignore_errors=True))
    services._stops.append(log.close)
    services._stops.append(lambda: (process.terminate(), process.wait(timeout=30)))
    _wait_for_port(port, "Redis", process)
    services.started.append("redis")
    return f"redis://127.0.0.1:{port}/1"


def start_rabbitmq(root: Path, services: Services) -> str:
    server, control = shutil.which("rabbitmq-server"), shutil.which("rabbitmqctl")
    if server is None or control is None:
        raise ServiceError("没有 RabbitMQ：请先运行 `python -m tools.services --install-missing`（make test 会自动运行）")
    port, dist_port = free_port(), free_port()
    home = root / f"rabbitmq-{port}"
    for sub in ("mnesia", "log"):
        (home / sub).mkdir(parents=True)
    # Our own config and env files, so the machine's (its listener on 5672, its node name) do not apply.
    (home / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{port}\n", encoding="utf-8")
    (home / "rabbitmq-env.conf").write_text("", encoding="utf-8")
    (home / "enabled_plugins").write_text("[].\n", encoding="utf-8")
    with contextlib.suppress(KeyError, LookupError):
        _owned_by(home, "rabbitmq")
    node = f"desktest{port}@localhost"
    env = {**os.environ, "RABBITMQ_NODENAME": node, "RABBITMQ_DIST_PORT": str(dist_port),
           "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq.conf"), "RABBITMQ_CONF_ENV_FILE": str(home / "rabbitmq-env.conf"),
           "RABBITMQ_MNESIA_BASE": str(home / "mnesia"), "RABBITMQ_LOG_BASE": str(home / "log"),
           "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"), "ERL_EPMD_ADDRESS": "127.0.0.1"}
    log = open(home / "server.log", "wb")
    process = subprocess.Popen([server], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    services._stops.append(lambda: shutil.rmtree(home, ignore_errors=True))
    services._stops.append(log.close)
    services._stops.append(lambda: (subprocess.run([control, "-n", node, "stop"], env=env, capture_output=True,
                                                   timeout=60), process.wait(timeout=60)))
    _wait_for_port(port, "RabbitMQ", process)
    _wait_for_amqp(f"amqp://guest@127.0.0.1:{port}/")
    services.started.append("rabbitmq")
    return f"amqp://guest@127.0.0.1:{port}/"


def _wait_for_amqp(url: str) -> None:
    """The port opens before the broker accepts logins; wait for a real AMQP handshake."""
    import asyncio

    import aio_pika

    async def handshake() -> None:
        connection = await aio_pika.connect(url, timeout=5)
        await connection.close()

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            asyncio.run(handshake())
            return
        except Exception as error:
            if time.monotonic() > deadline:
                raise ServiceError(f"临时的 RabbitMQ 不接受连接：{error}") from error
            time.sleep(0.5)


def scratch_dir(prefix: str = "desk-services-") -> Path:
    """A fresh directory the `postgres` and `rabbitmq` users can enter, whatever the checkout's parents allow."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)
    return root


def configured() -> Services:
    """The addresses the tests use unless a service does not answer there (TEST_*_URL, else the defaults)."""
    return Services(os.environ.get("TEST_DATABASE_URL") or DEFAULT_DATABASE_URL,
                    os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS_URL,
                    os.environ.get("TEST_RABBITMQ_URL") or DEFAULT_RABBITMQ_URL)


def provide(root: Path, throwaway: bool = False) -> Services:
    """The three services, the machine's own where they answer (unless `throwaway`), else throwaway ones."""
    services = configured()
    try:
        if throwaway or not answers(services.database_url, 5432):
            services.database_url = start_postgres(root, services)
        if throwaway or not answers(services.redis_url, 6379):
            services.redis_url = start_redis(root, services)
        if throwaway or not answers(services.rabbitmq_url, 5672):
            services.rabbitmq_url = start_rabbitmq(root, services)
    except BaseException:
        services.stop()
        raise
    return services


def install_missing() -> list[str]:
    """apt-get the servers that do not answer on their default address and are not installed."""
    wanted = []
    urls = configured()
    if not answers(urls.database_url, 5432) and postgres_bin() is None:
        wanted.append(APT_PACKAGES["postgresql"])
    if not answers(urls.redis_url, 6379) and not shutil.which("redis-server"):
        wanted.append(APT_PACKAGES["redis"])
    if not answers(urls.rabbitmq_url, 5672) and not (shutil.which("rabbitmq-server") and shutil.which("rabbitmqctl")):
        wanted.append(APT_PACKAGES["rabbitmq"])
    if wanted:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        print(f">> 安装测试需要的服务：{' '.join(wanted)}（apt-get；测试会在临时目录里启动临时实例）", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *wanted], check=True,
                       env=env)
    return wanted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--install-missing", action="store_true", help="apt-get the servers the tests would lack")
    args = parser.parse_args(argv)
    if args.install_missing:
        try:
            install_missing()
        except (subprocess.CalledProcessError, OSError) as error:
            print(f"安装测试服务失败：{error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
