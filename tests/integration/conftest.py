"""Integration tests run against a really started action server and Rasa server."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from complaint_desk.guard.checker import load_guard
from complaint_desk.guard.verdict import GuardContext
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.policy.loader import load_policy
from tools.stack import Stack, start_stack

GUARD = load_guard(KNOWLEDGE_DIR / "guard_rules.yml", KNOWLEDGE_DIR / "guard_phrases.yml")
POLICY = load_policy(KNOWLEDGE_DIR / "remedy_policy.yml")


def approved_context(slots: dict) -> GuardContext:
    """What the bot was allowed to promise: the remedies the policy engine offered in this conversation."""
    offered = {slots.get("offered_remedy"), *(slots.get("declined_remedies") or [])} - {None}
    return GuardContext(approved_remedies=frozenset(offered), coupon_cap=POLICY.authority.coupon_cap, sla=POLICY.sla,
                        fixed_wording=True)  # the bot's wording


def assert_guard_clean(replies: list[dict], slots: dict) -> None:
    context = approved_context(slots)
    for reply in replies:
        text = reply.get("text") or ""
        verdict = GUARD.check(text, context)
        assert verdict.allowed, f"the bot over-promised: {text!r} -> {[f.rule_id for f in verdict.findings]}"


class Customer:
    """One shopper talking to the bot over the REST channel. Every reply must pass the over-promise guard."""

    def __init__(self, stack: Stack, sender: str | None = None) -> None:
        self.stack = stack
        self.sender = sender or f"test-{uuid.uuid4().hex[:10]}"

    def say(self, message: str) -> list[dict]:
        response = requests.post(
            f"{self.stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        replies = response.json()
        if replies:
            assert_guard_clean(replies, self.tracker()["slots"])
        return replies

    def say_text(self, message: str) -> str:
        return "\n".join(reply.get("text", "") for reply in self.say(message))

    def tracker(self) -> dict:
        response = requests.get(
            f"{self.stack.rasa_url}/conversations/{self.sender}/tracker",
            params={"token": self.stack.token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()


def db_rows(stack: Stack, query: str, *params: object) -> list[tuple]:
    """Rows from the stack's complaint database (tickets, follow-ups, handoffs)."""
    with sqlite3.connect(stack.var_dir / "complaint_desk.db") as db:
        return db.execute(query, params).fetchall()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


@pytest.fixture
def customer(stack: Stack) -> Customer:
    return Customer(stack)


@pytest.fixture
def fresh_var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"
