from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from complaint_desk.case.waiting import AGENT, WAITING_RECEIPT
from runtime import waiting_receipts
from tests.unit.shipped_knowledge import HANDOFF

QUEUE_LINE = "正在为您转接售后专员，您前面还有 2 位，预计等待约 18 分钟，以实际为准。"


class FakeDesk:
    class rules:  # noqa: N801 - mirrors Desk.rules.handoff
        handoff = HANDOFF

    @staticmethod
    def shopper_status(conversation_id: str) -> dict:
        return {"queue": {"state": "waiting", "text": QUEUE_LINE}}


@pytest.fixture(autouse=True)
def desk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiting_receipts, "shared_desk", lambda: FakeDesk)


def tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("shopper-1", list(events))


def said(text: str, intent: str = "ask_progress") -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.9})


def run(conversation: DialogueStateTracker) -> tuple[list[dict], list[str]]:
    calls: list[str] = []

    async def original(self: Any, output: Any, tracker: Any) -> None:
        calls.append("rasa")

    output = CollectingOutputChannel()
    asyncio.run(waiting_receipts.with_waiting_receipts(original)(None, output, conversation))
    return output.messages, calls


def test_a_message_after_a_handoff_gets_a_receipt_that_is_logged() -> None:
    conversation = tracker(said("我要找人工", "request_human"), ActionExecuted("action_handoff_to_human"),
                           ConversationPaused(), said("人呢？怎么还没人回"))
    messages, calls = run(conversation)
    assert len(messages) == 1 and "专员" in messages[0]["text"]
    # a short acknowledgement, then where the shopper stands, as on the widget's queue card
    assert messages[0]["text"] == HANDOFF.message(HANDOFF.waiting_messages["noted"]) + QUEUE_LINE
    conversation.update(UserUttered("还要多久", intent={"name": "ask_progress", "confidence": 0.9}))
    again, _ = run(conversation)
    assert again[0]["text"] == HANDOFF.message(HANDOFF.waiting_messages["again"]) + QUEUE_LINE  # not the same words
    assert calls == ["rasa"]  # Rasa's own loop still runs (it predicts nothing while paused)
    logged = conversation.events[-1]
    assert isinstance(logged, BotUttered) and logged.metadata == {WAITING_RECEIPT: True}


def test_slots_set_after_the_message_do_not_hide_it() -> None:
    from rasa.shared.core.events import SlotSet

    conversation = tracker(said("转人工", "request_human"), ActionExecuted("action_handoff_to_human"),
                           ConversationPaused(), said("人呢？"), SlotSet("emotion", "angry"))
    assert "专员" in run(conversation)[0][0]["text"]


def test_no_receipt_once_an_agent_answered() -> None:
    conversation = tracker(said("转人工", "request_human"), ActionExecuted("action_handoff_to_human"),
                           ConversationPaused(), BotUttered("您好，我是客服小周", metadata={AGENT: True}),
                           said("好的，订单号发你了"))
    messages, _ = run(conversation)
    assert messages == []


def test_no_receipt_when_an_agent_took_the_conversation_over_from_the_console() -> None:
    conversation = tracker(said("衣服起球了", "complain_quality"), ActionExecuted("action_listen"),
                           ConversationPaused(), said("还在吗"))
    assert run(conversation)[0] == []


def test_no_receipt_when_the_bot_is_not_paused_or_for_a_follow_up() -> None:
    messages, calls = run(tracker(said("你好", "greet")))
    assert messages == [] and calls == ["rasa"]
    follow_up = tracker(ActionExecuted("action_handoff_to_human"), ConversationPaused(), said("", "EXTERNAL_followup"))
    assert (run(follow_up))[0] == []


def test_the_patch_is_installed_once() -> None:
    waiting_receipts.install()
    patched = MessageProcessor._run_prediction_loop
    waiting_receipts.install()
    assert MessageProcessor._run_prediction_loop is patched
