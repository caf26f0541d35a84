from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from runtime import rasa_server


@pytest.fixture
def remote_action() -> RemoteAction:
    rasa_server.apply_fixes()
    return RemoteAction("action_propose_remedy", None)


def test_a_valid_action_response_passes(remote_action: RemoteAction) -> None:
    response = {
        "events": [{"event": "slot", "name": "offered_remedy", "value": "reship", "timestamp": None}],
        "responses": [{"text": "可以为您补发", "buttons": [{"title": "可以", "payload": "/affirm"}]}],
    }
    assert remote_action._validate_action_result(response) is True


@pytest.mark.parametrize(
    "response",
    [
        {"events": [{"name": "no event type"}], "responses": []},
        {"events": "not a list", "responses": []},
        {"events": [{"event": "slot", "name": "x", "timestamp": "yesterday"}], "responses": []},
    ],
)
def test_an_invalid_action_response_is_rejected_as_rasa_would(remote_action: RemoteAction, response: dict) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        remote_action._validate_action_result(response)


def test_the_rasa_server_opens_sqlite_tracker_stores_in_wal_mode(tmp_path: Path) -> None:
    rasa_server.apply_fixes()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")  # as Rasa's SQLTrackerStore does
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def test_calls_to_the_action_server_are_encoded_with_ujson_in_utf8() -> None:
    rasa_server.apply_fixes()

    async def encoder() -> object:
        async with EndpointConfig(url="http://127.0.0.1:1/webhook", basic_auth={"username": "u", "password": "p"}
                                  ).session() as session:
            assert session.auth is not None
            return session._json_serialize

    encode = asyncio.run(encoder())
    body = {"tracker": {"events": [{"event": "user", "text": "退款/换货", "confidence": 0.125}]}}
    assert encode(body) == '{"tracker":{"events":[{"event":"user","text":"退款/换货","confidence":0.125}]}}'
    assert json.loads(encode(body)) == body
