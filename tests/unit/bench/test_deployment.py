from __future__ import annotations

from bench.deployment import choose


def test_production_falls_back_to_development_when_postgresql_is_unreachable() -> None:
    deployment = choose("production", 2, "postgresql://postgres@127.0.0.1:1/test", "redis://127.0.0.1:1/1")
    assert deployment.mode == "development"
    assert deployment.replicas == 1
    assert "PostgreSQL" in (deployment.fallback_reason or "")
    assert deployment.describe()["requested_mode"] == "production"


def test_dev_mode_is_used_as_asked() -> None:
    deployment = choose("development", 2, None, None)
    assert (deployment.mode, deployment.fallback_reason) == ("development", None)
