"""What the agent console asks of Rasa's message processor, in one place.

`MessageProcessor` has no public call for "answer the message already on this tracker" (the customer
wrote while an agent had the conversation) or for "what would you do next" without acting; these
wrap the processor methods that do it, after checking the Rasa version they were written for.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel
from rasa.shared.core.trackers import DialogueStateTracker

from runtime.rasa_version import require_pinned_rasa

logger = logging.getLogger(__name__)

require_pinned_rasa()


async def answer_pending_message(agent: Any, tracker: DialogueStateTracker, output: OutputChannel) -> None:
    """Run the bot's prediction loop on a tracker whose latest customer message has no answer yet."""
    await agent.processor._run_prediction_loop(output, tracker)


async def form_question(agent: Any, tracker: DialogueStateTracker, output: OutputChannel) -> str | None:
    """The question the form is waiting on (its utter_ask_ response), so the bot picks up where it was."""
    slot = tracker.get_slot("requested_slot")
    if not slot or not tracker.active_loop_name:
        return None
    generated = await agent.processor.nlg.generate(f"utter_ask_{slot}", tracker, output.name())
    return (generated or {}).get("text")


def predicted_next_action(agent: Any, tracker: DialogueStateTracker) -> dict[str, Any] | None:
    """What the paused bot would do next ("bot only suggests" mode): Rasa predicts, nothing is sent."""
    try:
        prediction = agent.processor.predict_next_with_tracker(tracker)
    except Exception:  # a prediction is a hint for the agent; never fail the page for it
        logger.exception("prediction for paused conversation %s failed", tracker.sender_id)
        return None
    if not prediction:
        return None
    best = max(prediction["scores"], key=lambda score: score["score"])
    return {"action": best["action"], "confidence": round(float(best["score"]), 3), "policy": prediction["policy"]}
