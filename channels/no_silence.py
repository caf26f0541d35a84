"""A customer never gets silence: when a turn produced no reply, the channel sends a polite fallback.

Rasa catches a failing custom action (e.g. the action server is down), logs it and goes on with
the events lost, which usually ends the turn without a word to the customer. The channels count
what they sent; on zero, unless an agent has taken over (paused conversation), they send
`no_reply_fallback` and record it in the tracker as a bot utterance, so agents see what was said.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import OutputChannel
from rasa.shared.core.events import BotUttered

from channels.input_checks import channel_messages

logger = logging.getLogger(__name__)

FALLBACK_METADATA = {"complaint_desk": "no_reply_fallback"}


async def reply_if_silent(agent: Agent | None, sender_id: str, output: OutputChannel, replies_sent: int) -> bool:
    """Send and record the fallback when `replies_sent` is zero; True when it was sent."""
    if replies_sent or agent is None or agent.tracker_store is None:
        return False
    text: str = channel_messages()["no_reply_fallback"]
    try:
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.tracker_store.retrieve(sender_id)
            if tracker is None or tracker.is_paused():
                return False
            tracker.update(BotUttered(text, metadata=dict(FALLBACK_METADATA)))
            await agent.tracker_store.save(tracker)
    except Exception:  # the customer still gets the reply below
        logger.exception("兜底回复未能写入对话记录：%s", sender_id)
    logger.warning("本轮没有任何回复，已发送兜底回复：%s", sender_id)
    await output.send_text_message(sender_id, text)
    return True


def agent_of(app: Any) -> Agent | None:
    return getattr(getattr(app, "ctx", None), "agent", None)
