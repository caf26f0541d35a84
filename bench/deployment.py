"""Which way the bench starts the complaint desk: production-like (the default) or development.

Production: `replicas` Rasa servers on the machine's PostgreSQL (a schema of the bench's own) and Redis
(a key prefix of its own), one action server, a follow-up worker per replica; both are removed after the
run. Development: one Rasa server on SQLite files in the stack's temp var dir, in-memory lock store.
If PostgreSQL or Redis cannot be reached, the bench says so and falls back to development.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import redis
import sqlalchemy as sa

from bench.common import progress
from channels.customer_session import SECRET_ENV, signed_id
from tools.stack import Stack, start_stack

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
CONNECT_TIMEOUT_SECONDS = 3
# Several replicas load TensorFlow at once on a busy 2-core machine: minutes, a wait and not a check.
PRODUCTION_STARTUP_SECONDS = 480


@dataclass
class Deployment:
    mode: str  # "production" or "development", what actually runs
    requested: str
    replicas: int = 1
    database_url: str | None = None
    redis_url: str | None = None
    schema: str | None = None
    redis_prefix: str | None = None
    fallback_reason: str | None = None
    extra_schemas: list[str] = field(default_factory=list)

    def describe(self) -> dict:
        out: dict = {"mode": self.mode, "requested_mode": self.requested, "replicas": self.replicas}
        if self.mode == "production":
            out.update(database=_without_password(self.database_url), schema=self.schema,
                       redis=_without_password(self.redis_url), redis_prefix=self.redis_prefix)
        if self.fallback_reason:
            out["fallback_reason"] = self.fallback_reason
        return out

    def start(self, var_dir: Path, model: Path) -> Stack:
        if self.mode != "production":
            # The Makefile exports TRACKER_DB_URL=var/tracker.db; the bench must not write into the real databases.
            os.environ["TRACKER_DB_URL"] = f"sqlite:///{var_dir / 'tracker.db'}"
            os.environ["COMPLAINT_DB_URL"] = f"sqlite:///{var_dir / 'complaint_desk.db'}"
            return start_stack(var_dir, model=model, mode="development")
        redis_url = urlparse(self.redis_url or DEFAULT_REDIS_URL)
        os.environ.update({
            "REDIS_HOST": redis_url.hostname or "127.0.0.1",
            "REDIS_PORT": str(redis_url.port or 6379),
            "REDIS_DB": (redis_url.path or "/0").lstrip("/") or "0",
            "REDIS_PASSWORD": redis_url.password or "",
        })
        return start_stack(var_dir, model=model, replicas=self.replicas, mode="production",
                           database_url=self.database_url, db_schema=self.schema, redis_prefix=self.redis_prefix,
                           timeout=PRODUCTION_STARTUP_SECONDS)

    @contextmanager
    def running(self, model: Path, label: str = "") -> Iterator[Stack]:
        """The stack started on free ports in a temp var dir, stopped and its schemas and keys removed after."""
        with tempfile.TemporaryDirectory(prefix="bench-stack-") as tmp:
            progress(f"{label}starting the stack ({self.mode} mode, {self.replicas} Rasa server(s)) …")
            try:
                stack = self.start(Path(tmp) / "var", model)
            except BaseException:
                self.cleanup()
                raise
            try:
                yield stack
            finally:
                stack.stop()
                self.cleanup()

    def _execute(self, statement: str) -> None:
        engine = sa.create_engine(self.database_url, future=True,
                                  connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
        try:
            with engine.begin() as connection:
                connection.execute(sa.text(statement))
        finally:
            engine.dispose()

    def extra_schema(self, suffix: str) -> str:
        """Another PostgreSQL schema of this run (e.g. for the stock bot's tracker), dropped at cleanup."""
        schema = f"{self.schema}_{suffix}"
        self.extra_schemas.append(schema)
        self._execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        return schema

    def cleanup(self) -> None:
        """Drop the bench's PostgreSQL schemas and delete its Redis keys (production only)."""
        if self.mode != "production":
            return
        for schema in [self.schema, *self.extra_schemas]:
            self._execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)
        try:
            for key in client.scan_iter(match=f"{self.redis_prefix}*"):
                client.delete(key)
        finally:
            client.close()
        progress(f"production: dropped schema(s) {', '.join([self.schema, *self.extra_schemas])} "
                 f"and Redis keys {self.redis_prefix}*")


def sender_ids(stack: Stack) -> Callable[[str], str]:
    """Sender ids the stack's channels accept: signed with its session secret in production, as named in dev."""
    secret = stack.env.get(SECRET_ENV)
    if not secret:
        return lambda name: name
    return lambda name: signed_id(name, secret)


def _without_password(url: str | None) -> str | None:
    if not url:
        return url
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


def unreachable(database_url: str, redis_url: str) -> str | None:
    """Why PostgreSQL or Redis cannot be used, or None when both answer."""
    try:
        engine = sa.create_engine(database_url, future=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as error:  # noqa: BLE001  (any driver or URL error means "not usable")
        return f"PostgreSQL at {_without_password(database_url)} unreachable: {str(error).splitlines()[0][:200]}"
    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                      socket_timeout=CONNECT_TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as error:
        return f"Redis at {_without_password(redis_url)} unreachable: {str(error)[:200]}"
    return None


def choose(requested: str, replicas: int, database_url: str | None, redis_url: str | None) -> Deployment:
    """Production if asked for and PostgreSQL + Redis answer; otherwise development (with the reason)."""
    if requested != "production":
        return Deployment(mode="development", requested=requested)
    database_url = database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = redis_url or DEFAULT_REDIS_URL
    problem = unreachable(database_url, redis_url)
    if problem:
        progress(f"WARNING: {problem}. Falling back to development mode (one Rasa server, SQLite).")
        return Deployment(mode="development", requested=requested, fallback_reason=problem)
    run_id = uuid.uuid4().hex[:10]
    return Deployment(mode="production", requested=requested, replicas=replicas, database_url=database_url,
                      redis_url=redis_url, schema=f"cd_bench_{run_id}", redis_prefix=f"cdbench{run_id}")
