from __future__ import annotations

import pytest

from channels import customer_session


def test_without_a_secret_any_id_is_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(customer_session.SECRET_ENV, raising=False)
    assert customer_session.is_trusted("shopper-1")
    assert "." not in customer_session.new_session_id()


def test_with_a_secret_only_issued_ids_are_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(customer_session.SECRET_ENV, "secret-a")
    issued = customer_session.new_session_id()
    raw, _, signature = issued.partition(".")
    assert len(raw) == 32 and len(signature) == 32
    assert customer_session.is_trusted(issued)
    assert issued != customer_session.new_session_id()
    for guess in [raw, f"{raw}.", f".{signature}", f"{raw}.{signature[::-1]}", f"{raw}x.{signature}", "shopper-1"]:
        assert not customer_session.is_trusted(guess), guess


def test_ids_issued_under_another_secret_are_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(customer_session.SECRET_ENV, "secret-a")
    issued = customer_session.new_session_id()
    monkeypatch.setenv(customer_session.SECRET_ENV, "secret-b")
    assert not customer_session.is_trusted(issued)
