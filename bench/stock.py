"""The stock Rasa baseline: build, train (cached under var/bench/), run with `rasa run --enable-api`.

The build dir gets bench/stock_bot/ plus a copy of data/nlu made at run time, so the baseline always
sees the same NLU examples as the complaint desk.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.common import BENCH_VAR, ROOT, progress, system_busy_seconds

STOCK_SRC = Path(__file__).resolve().parent / "stock_bot"
VENV_BIN = Path(sys.executable).parent


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.update(extra or {})
    return env


def timed_process(cmd: list[str], cwd: Path, env: dict[str, str], log_path: Path, what: str,
                  timeout: float = 1800) -> dict:
    """Run a command to completion; wall time, exit code and its peak RSS (from wait4's rusage)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        busy_before = system_busy_seconds()
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        next_note = started + 30
        try:
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                now = time.perf_counter()
                if now - started > timeout:
                    os.killpg(process.pid, signal.SIGKILL)
                    raise RuntimeError(f"{what}: still running after {timeout:.0f} s, killed (log: {log_path})")
                if now >= next_note:
                    progress(f"  {what}: {now - started:.0f} s so far …")
                    next_note += 30
                time.sleep(0.5)
        except BaseException:
            if process.returncode is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                    os.waitpid(process.pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
            raise
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    foreign = max(0.0, system_busy_seconds() - busy_before - cpu) / seconds
    return {"seconds": round(seconds, 1), "exit_code": process.returncode, "cpu_s": round(cpu, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "foreign_cpu_cores": round(foreign, 2),
            "log": str(log_path)}


def train_command(out_dir: Path, name: str, extra: list[str] | None = None) -> list[str]:
    return [str(VENV_BIN / "rasa"), "train", "--force", "--out", str(out_dir), "--fixed-model-name", name,
            *(extra or [])]


def train_from_scratch(cmd: list[str], cwd: Path, log_path: Path, what: str) -> dict:
    """`rasa train --force` with an empty graph cache of its own, so nothing is reused from earlier runs."""
    with tempfile.TemporaryDirectory(prefix="bench-rasa-cache-") as cache:
        result = timed_process(cmd, cwd, base_env({"RASA_CACHE_DIRECTORY": cache}), log_path, what)
    if result["exit_code"] != 0:
        raise RuntimeError(f"{what} failed (exit {result['exit_code']}), see {log_path}")
    return result


def intent_drift() -> tuple[set[str], set[str]]:
    ours = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    stock = set(yaml.safe_load((STOCK_SRC / "domain.yml").read_text(encoding="utf-8"))["intents"])
    return ours - stock, stock - ours


def _inputs_digest(epochs: int | None = None) -> str:
    digest = hashlib.sha256(f"epochs={epochs}".encode() if epochs else b"")
    for base in (STOCK_SRC, ROOT / "data" / "nlu"):
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_dir(epochs: int | None = None) -> Path:
    build = BENCH_VAR / "stock_build"
    shutil.rmtree(build, ignore_errors=True)
    shutil.copytree(STOCK_SRC, build)
    shutil.copytree(ROOT / "data" / "nlu", build / "data" / "nlu")
    if epochs:
        config_path = build / "config.yml"
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        for component in [*config["pipeline"], *config["policies"]]:
            if "epochs" in component:
                component["epochs"] = epochs
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return build


def stock_model(retrain: bool, epochs: int | None = None) -> tuple[Path, dict]:
    """The trained baseline model, from the cache when its inputs have not changed.

    `epochs` overrides DIET's and TED's epochs (the shipped config has 100 each): same networks, so the
    same inference cost per message, for a quicker bench on a busy machine; its training time is not the
    stock bot's. Such a model is cached under its own digest.
    """
    digest = _inputs_digest(epochs)
    model = BENCH_VAR / f"stock-{digest}.tar.gz"
    meta_path = model.with_suffix("").with_suffix(".json")
    build = build_dir(epochs)
    if model.exists() and meta_path.exists() and not retrain:
        meta = json.loads(meta_path.read_text())
        progress(f"stock baseline: cached model {model.name} (trained {meta.get('trained_at')}, "
                 f"{meta['training']['seconds']} s, epochs {meta.get('epochs') or 'as configured'})")
        return model, {**meta, "cached": True}
    progress(f"stock baseline: training from scratch (rasa train --force, DIET + TED "
             f"{epochs or 'as configured (100)'} epochs) …")
    with tempfile.TemporaryDirectory(prefix="bench-stock-model-") as out:
        training = train_from_scratch(train_command(Path(out), "stock"), build, BENCH_VAR / "logs" / "train_stock.log",
                                      "stock training")
        for old_meta in BENCH_VAR.glob("stock-*.json"):
            # Replace the cached model of the same kind; keep the other (full or reduced epochs).
            if json.loads(old_meta.read_text()).get("epochs") == epochs:
                old_meta.with_suffix(".tar.gz").unlink(missing_ok=True)
                old_meta.unlink()
        shutil.move(str(Path(out) / "stock.tar.gz"), model)
    meta = {"digest": digest, "trained_at": time.strftime("%Y-%m-%d %H:%M:%S"), "training": training,
            "epochs": epochs}
    meta_path.write_text(json.dumps(meta, indent=2))
    progress(f"stock baseline: trained in {training['seconds']} s")
    return model, {**meta, "cached": False}


@dataclass(frozen=True)
class SqlTracker:
    """Rasa's SQL tracker store for the stock bot: a database URL and, on PostgreSQL, a schema."""

    url: str
    schema: str | None = None


@dataclass
class StockServer:
    rasa_url: str
    token: str
    process: subprocess.Popen
    log: object

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def start_stock(model: Path, port: int, build: Path, log_path: Path, sql_tracker: SqlTracker | None = None,
                timeout: float = 180) -> StockServer:
    token = secrets.token_urlsafe(16)
    cmd = [str(VENV_BIN / "rasa"), "run", "--model", str(model), "--enable-api", "--auth-token", token,
           "--interface", "127.0.0.1", "--port", str(port), "--credentials", str(build / "credentials.yml")]
    extra_env: dict[str, str] = {}
    if sql_tracker is not None:
        endpoints = log_path.parent / f"stock_endpoints_{port}.yml"
        endpoints.write_text(f"tracker_store:\n  type: SQL\n  url: {sql_tracker.url}\n")
        cmd += ["--endpoints", str(endpoints)]
        if sql_tracker.schema:
            extra_env["POSTGRESQL_SCHEMA"] = sql_tracker.schema
    # Otherwise no endpoints file (the build dir has none): Rasa's default in-memory tracker store.
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")
    process = subprocess.Popen(cmd, cwd=build, env=base_env(extra_env), stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = StockServer(f"http://127.0.0.1:{port}", token, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(f"stock Rasa server exited with {process.returncode}, see {log_path}")
        try:
            with urllib.request.urlopen(f"{server.rasa_url}/status?token={token}", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"stock Rasa server not ready after {timeout:.0f} s, see {log_path}")
