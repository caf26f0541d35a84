from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from tools import rasa_server


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
