"""A receipt for each message a customer writes while the conversation waits for a human.

Rasa's processor predicts nothing for a paused conversation, so a customer who writes after a handoff
meets silence. This wraps `MessageProcessor._run_prediction_loop` (the call `handle_message` makes after
logging the message): for a paused conversation it sends the receipt from complaint_desk.case.waiting and
logs it as a bot message, then lets Rasa go on as before. An agent's hand-back still answers the message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from complaint_desk import clock
from complaint_desk.case.waiting import WAITING_RECEIPT, receipt_kind, receipt_text
from complaint_desk.desk import shared_desk
from runtime.rasa_version import require_pinned_rasa

logger = logging.getLogger(__name__)

PredictionLoop = Callable[[MessageProcessor, OutputChannel, DialogueStateTracker], Awaitable[None]]
_PATCHED = "_complaint_desk_waiting_receipts"


def events_since_pause(tracker: DialogueStateTracker) -> tuple[list[dict[str, Any]], bool] | None:
    """The events after the latest pause, as dicts, and whether a bot action (not the console) paused it;
    None when no customer message came since the pause."""
    since: list[dict[str, Any]] = []
    events = reversed(tracker.events)
    for event in events:
        if isinstance(event, ConversationPaused):
            break
        since.append(event.as_dict())
    # A handoff action logs itself, its messages, then the pause; the console's takeover pauses after a listen.
    pausing_action = next((e.action_name for e in events if isinstance(e, ActionExecuted)), None)
    if not any(event.get("event") == UserUttered.type_name for event in since):
        return None
    return since[::-1], pausing_action not in (None, ACTION_LISTEN_NAME)


async def send_receipt(output: OutputChannel, tracker: DialogueStateTracker) -> None:
    latest = tracker.latest_message
    if latest is None or (latest.intent.get("name") or "").startswith("EXTERNAL_"):
        return  # a follow-up fired by the worker is no customer message
    found = events_since_pause(tracker)
    if found is None:
        return
    since, handed_off_by_the_bot = found
    desk = shared_desk()
    kind = receipt_kind(since, clock.now(), desk.rules.handoff, handed_off_by_the_bot)
    if kind is None:
        return
    # Where the shopper stands now, and who will answer: the same line as the widget's queue card.
    text = receipt_text(kind, desk.rules.handoff, desk.shopper_status(tracker.sender_id)["queue"].get("text"))
    tracker.update(BotUttered(text, metadata={WAITING_RECEIPT: True}))
    await output.send_text_message(tracker.sender_id, text)


def with_waiting_receipts(original: PredictionLoop) -> PredictionLoop:
    async def run_prediction_loop(self: MessageProcessor, output: OutputChannel,
                                  tracker: DialogueStateTracker) -> None:
        if tracker.is_paused():
            try:
                await send_receipt(output, tracker)
            except Exception:  # a receipt is a courtesy; the message itself is already logged
                logger.exception("could not send the waiting receipt to %s", tracker.sender_id)
        await original(self, output, tracker)

    setattr(run_prediction_loop, _PATCHED, True)
    return run_prediction_loop


def install() -> None:
    require_pinned_rasa()
    if not getattr(MessageProcessor._run_prediction_loop, _PATCHED, False):
        MessageProcessor._run_prediction_loop = with_waiting_receipts(  # type: ignore[method-assign]
            MessageProcessor._run_prediction_loop)
