"""Trackers for the checks of the runtime's Rasa patches."""

from __future__ import annotations

from collections.abc import Iterable

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

# One intent and one unfeaturized slot: enough for the tracker stores' checks.
SMALL_DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet]
slots:
  order_id:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
""")


def tracker_with(domain: Domain, sender_id: str, events: Iterable[Event]) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender_id, domain.slots)
    for event in events:
        tracker.update(event)
    return tracker
