from __future__ import annotations

from pathlib import Path

import pytest

from tools import stack


def test_development_keeps_everything_under_the_var_dir(tmp_path: Path) -> None:
    env = stack.stack_environment(tmp_path, 1234)
    assert env["TRACKER_DB_URL"] == f"sqlite:///{tmp_path / 'tracker.db'}"
    assert env["COMPLAINT_DB_URL"] == f"sqlite:///{tmp_path / 'complaint_desk.db'}"
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:1234/webhook"
    assert stack.ENDPOINTS["development"] == "endpoints.yml"


def test_production_shares_one_postgresql_and_sets_the_lock_store(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUSTOMER_SESSION_SECRET", raising=False)
    monkeypatch.delenv("REDIS_KEY_PREFIX", raising=False)
    url = "postgresql://postgres@127.0.0.1:5432/test"
    env = stack.stack_environment(tmp_path, 1234, "production", url, "cd_run", "cdrun")
    assert env["TRACKER_DB_URL"] == env["COMPLAINT_DB_URL"] == url
    assert env["POSTGRESQL_SCHEMA"] == "cd_run"
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_KEY_PREFIX"]) == ("127.0.0.1", "6379", "cdrun")
    assert env["CUSTOMER_SESSION_SECRET"] == (tmp_path / "customer_session_secret").read_text()


def test_production_names_its_broker_exchange_and_socket_channel_after_the_prefix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RABBITMQ_EXCHANGE", "RABBITMQ_QUEUE", "SOCKETIO_MESSAGE_QUEUE", "SOCKETIO_CHANNEL", "REDIS_HOST",
                 "REDIS_PORT", "REDIS_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REDIS_PASSWORD", "p@ss:word")
    env = stack.stack_environment(tmp_path, 1234, "production", "postgresql://h/db", None, "cdrun")
    assert (env["RABBITMQ_EXCHANGE"], env["RABBITMQ_QUEUE"]) == ("cdrun.events", "cdrun.events.kept")
    assert env["SOCKETIO_MESSAGE_QUEUE"] == "redis://:p%40ss%3Aword@127.0.0.1:6379/1"
    assert env["SOCKETIO_CHANNEL"] == "cdrun-socketio"
    development = stack.stack_environment(tmp_path, 1234)
    assert "RABBITMQ_EXCHANGE" not in development and "SOCKETIO_CHANNEL" not in development


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"database_url": "sqlite:///x.db"}, "PostgreSQL"),
        ({"database_url": "postgresql://h/db", "redis_prefix": "not-alnum"}, "REDIS_KEY_PREFIX"),
    ],
)
def test_production_refuses_a_configuration_that_cannot_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            kwargs: dict, problem: str) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    with pytest.raises(RuntimeError, match=problem):
        stack.stack_environment(tmp_path, 1234, "production", **kwargs)


def test_unknown_mode_and_replicas_without_shared_stores_are_refused(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINT_DESK_MODE", "staging")
    with pytest.raises(RuntimeError, match="COMPLAINT_DESK_MODE"):
        stack.resolve_mode(None)
    model = tmp_path / "model.tar.gz"
    model.touch()
    with pytest.raises(RuntimeError, match="生产模式"):
        stack.start_stack(tmp_path, model=model, replicas=2, mode="development")


def test_a_broken_guard_file_stops_the_start_with_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from complaint_desk import paths
    from tools.stack import warm_guard_model

    (tmp_path / "guard_rules.yml").write_text("version: 1\nrules: [oops\n", encoding="utf-8")
    monkeypatch.setattr(paths, "KNOWLEDGE_DIR", tmp_path)
    with pytest.raises(RuntimeError, match="guard_rules.yml"):
        warm_guard_model()
