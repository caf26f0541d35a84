"""A conversation as the widget shows it, from the server's record (the tracker's events): a signed-in shopper sees
the same history on every device. Only what the shopper saw is shown: their messages and the replies (the bot's, an
agent's with the agent's name); nothing internal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from complaint_desk.case.waiting import AGENT_NAME

SHOWN = "shown"  # metadata on a button's message: the words on the button, as the shopper saw them
# Payloads without those words (older messages), shown as the shopper would put it.
PAYLOAD_LABELS = {"/request_human": "转人工", "/affirm": "好的", "/deny": "不用了"}
MAX_ITEMS = 200


def widget_history(events: Iterable[Mapping[str, Any]], labels: Mapping[str, str] = PAYLOAD_LABELS) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for event in events:
        kind, text = event.get("event"), event.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        at = int(float(event.get("timestamp") or 0) * 1000) or None
        if kind == "user":
            if text.startswith("/EXTERNAL"):
                continue  # a follow-up fired by the worker, not something the shopper wrote
            shown = (event.get("metadata") or {}).get(SHOWN)
            text = shown if isinstance(shown, str) and shown else labels.get(text, text)
            items.append({"kind": "text", "from": "user", "text": text, "at": at, "state": "sent"})
        elif kind == "bot":
            item: dict[str, Any] = {"kind": "text", "from": "bot", "text": text, "at": at}
            agent = (event.get("metadata") or {}).get(AGENT_NAME)
            if agent:
                item["agent"] = str(agent)
            items.append(item)
    return items[-MAX_ITEMS:]
