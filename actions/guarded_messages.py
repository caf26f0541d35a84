"""Every text a custom action sends goes through the over-promise guard first."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.call_cache import case_of
from actions.metrics import BOT_REPLIES_CHECKED, BOT_REPLIES_REWRITTEN
from complaint_desk.desk import shared_desk
from complaint_desk.guard.verdict import GuardContext

logger = logging.getLogger(__name__)


def send_checked(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    text: str,
    context: GuardContext | None = None,
    **message: Any,
) -> str:
    """Send `text`, or its compliant rewrite if the guard blocks it. Returns what was sent.

    Without a context the text may state no remedy: the case's context with nothing approved. The bot's
    wording comes from the knowledge files, so the guard's rules check it, not the phrase model."""
    context = replace(context or case_of(tracker).guard_context(()), fixed_wording=True)
    verdict = shared_desk().guard.check(text, context)
    BOT_REPLIES_CHECKED.inc()
    if not verdict.allowed:
        for family in {finding.family for finding in verdict.findings}:
            BOT_REPLIES_REWRITTEN.labels(family).inc()
        logger.warning(
            "guard blocked bot reply in conversation %s: %s -> %s",
            tracker.sender_id,
            [finding.rule_id for finding in verdict.findings],
            verdict.rewrite,
        )
        text = verdict.rewrite
    dispatcher.utter_message(text=text, **message)
    return text


def recent_bot_texts(tracker: Tracker, limit: int = 8) -> list[str]:
    """What the bot said lately, so wording variants are not repeated."""
    texts = [event.get("text") or "" for event in tracker.events if event.get("event") == "bot"]
    return texts[-limit:]
