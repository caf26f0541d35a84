"""Everything the bot can say from a file (domain responses, reply wording, policy FAQ) passes the guard."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from complaint_desk.guard.checker import load_guard
from complaint_desk.guard.verdict import GuardContext
from complaint_desk.paths import KNOWLEDGE_DIR, PROJECT_ROOT
from complaint_desk.policy.loader import load_policy

GUARD = load_guard(KNOWLEDGE_DIR / "guard_rules.yml", KNOWLEDGE_DIR / "guard_phrases.yml")
POLICY = load_policy(KNOWLEDGE_DIR / "remedy_policy.yml")
# Names of reply tables that are display names or staff-only, not sentences the bot sends on their own.
NOT_SENTENCES = {"outcome_names", "category_names", "ticket_status", "order_status"}


def strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_SENTENCES:
                yield from strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, f"{path}[{index}]")


def wording() -> list[tuple[str, str]]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    responses = [(name, variant["text"]) for name, variants in domain["responses"].items() for variant in variants]
    replies = list(strings(yaml.safe_load((KNOWLEDGE_DIR / "replies.yml").read_text(encoding="utf-8")), "replies"))
    faq = list(strings(yaml.safe_load((KNOWLEDGE_DIR / "policy_faq.yml").read_text(encoding="utf-8")), "faq"))
    return responses + replies + faq


@pytest.mark.parametrize(("where", "text"), wording(), ids=[where for where, _ in wording()])
def test_bot_wording_passes_the_guard(where: str, text: str) -> None:
    context = GuardContext(coupon_cap=POLICY.authority.coupon_cap, sla=POLICY.sla, fixed_wording=True)
    verdict = GUARD.check(text, context)
    assert verdict.allowed, [(finding.rule_id, finding.matched_text) for finding in verdict.findings]
