from __future__ import annotations

import asyncio
import threading

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor

from actions import blocking_action
from actions.blocking_action import BlockingAction
from actions.call_cache import memoized
from complaint_desk.paths import PROJECT_ROOT


def tracker() -> Tracker:
    return Tracker("someone", {"order_id": "472918305561"}, {}, [], False, None, {}, "action_listen")


def test_a_look_up_runs_once_per_action_call_and_key() -> None:
    calls: list[str] = []

    def look_up(key: str) -> str:
        calls.append(key)
        return key.upper()

    first, second = tracker(), tracker()  # rasa_sdk builds one Tracker per action call
    assert memoized(first, ("order", "a"), lambda: look_up("a")) == "A"
    assert memoized(first, ("order", "a"), lambda: look_up("a")) == "A"
    assert memoized(first, ("order", "b"), lambda: look_up("b")) == "B"
    assert memoized(second, ("order", "a"), lambda: look_up("a")) == "A"
    assert calls == ["a", "b", "a"]


def test_the_action_server_registers_every_custom_action_of_the_domain() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")  # the abstract BlockingAction base is skipped, not instantiated
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    custom = {name for name in domain["actions"] if name.startswith(("action_", "validate_"))}
    assert custom and custom <= set(executor.actions)


def test_a_blocking_action_body_runs_off_the_event_loop_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocking_action, "shared_desk", lambda: None)  # no database for this test

    class Probe(BlockingAction):
        def name(self) -> str:
            return "action_probe"

        def run_blocking(self, dispatcher, tracker, domain):  # noqa: ANN001, ANN201
            return [{"thread": threading.get_ident()}]

    loop_thread = threading.get_ident()
    events = asyncio.run(Probe().run(None, tracker(), {}))
    assert events[0]["thread"] != loop_thread
