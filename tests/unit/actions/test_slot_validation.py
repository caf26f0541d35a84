from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.slot_validation import ValidatePredefinedSlots

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[3] / "domain.yml").read_text(encoding="utf-8"))


def test_the_emotion_of_every_message_is_set_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    latest = {"text": "气死我了", "intent": {"name": "complain_delivery"}, "entities": [],
              "emotion": {"name": "angry", "confidence": 0.9}}
    tracker = Tracker("validate", {"emotion": None, "evidence": None}, latest,
                      [{"event": "user", "text": "气死我了", "parse_data": latest}], False, None, None, "action_listen")
    with caplog.at_level(logging.WARNING):
        events = asyncio.run(ValidatePredefinedSlots().run(CollectingDispatcher(), tracker, DOMAIN))
    assert {"event": "slot", "name": "emotion", "value": "angry", "timestamp": None} in events
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
