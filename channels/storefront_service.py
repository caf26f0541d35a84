"""The shopper's routes beside the chat (mounted on the storefront blueprint): service hours and the queue while
waiting for a human, cancelling that wait, a message left when nobody is at work (留言), 1–5 stars, and for a
shopper the shop signed in, their history and their orders.

Every route names the widget's conversation (its socket.io session id); in production only ids this deployment
issued are accepted (channels/customer_session.py). Errors are JSON with a Chinese `message` the widget shows.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.customer_session import is_trusted
from channels.input_checks import SENDER_ID, json_body
from channels.live_feed import FEED
from channels.shopper_sign_in import signed_in
from complaint_desk.case.waiting import WAITING_RECEIPT
from complaint_desk.desk import Desk, shared_desk
from complaint_desk.storefront.history import widget_history
from complaint_desk.storefront.left_message import LeftMessageRejected, check_left_message
from complaint_desk.storefront.rating import ABOUT, RatingRejected, check_rating, thanks
from complaint_desk.stores.agent_modes import AGENT_MODES
from complaint_desk.stores.evidence_photos import EvidenceRejected
from runtime.log_context import set_conversation
from runtime.processor import form_question

logger = logging.getLogger(__name__)
HANDOFF_ACTION = "action_handoff_to_human"  # a 留言 is a hand-off: later messages get the waiting receipts
SOCKETIO = "socketio"  # the widget's channel: agents' replies to a 留言 conversation reach the widget
REJECTION_STATUS = {"too_large": 413, "wrong_type": 415, "too_many": 409}  # why a photo was refused → HTTP status


def refuse(code: str, message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status)


def conversation_id_of(value: Any) -> str | None:
    """The widget's conversation id when well formed and (in production) issued here; else None."""
    if isinstance(value, str) and SENDER_ID.match(value) and is_trusted(value):
        set_conversation(value)
        return value
    return None


async def index(desk: Desk, tracker: DialogueStateTracker) -> None:
    await asyncio.to_thread(desk.index_conversation, tracker.current_state(EventVerbosity.ALL))
    FEED.changed(tracker.sender_id)


def customer_turns_since_handoff(tracker: DialogueStateTracker) -> int:
    """How many customer messages there are from the one that led to the latest hand-off to the end (0 when the bot
    never handed off: an agent took over, or a 留言 with nothing before it)."""
    events = list(tracker.applied_events())
    handoff_at = next((i for i in range(len(events) - 1, -1, -1)
                       if isinstance(events[i], ActionExecuted) and events[i].action_name == HANDOFF_ACTION), None)
    if handoff_at is None:
        return 0
    since = sum(isinstance(event, UserUttered) for event in events[handoff_at:])
    leading = any(isinstance(event, UserUttered) for event in events[:handoff_at])
    return since + leading


def add_shopper_routes(bp: Blueprint) -> None:
    @bp.route("/status", methods=["GET"], name="shopper_status")
    async def status(request: Request) -> HTTPResponse:
        """Service hours, and the queue when the conversation waits for a human. Polled by the widget."""
        conversation_id = conversation_id_of(request.args.get("session_id"))
        desk = shared_desk()
        return response.json(await asyncio.to_thread(desk.shopper_status, conversation_id),
                             headers={"Cache-Control": "no-store"})

    @bp.route("/history", methods=["POST"], name="shopper_history")
    async def history(request: Request) -> HTTPResponse:
        """A signed-in shopper's conversation as the widget shows it, from the server's record: the same on every
        device. Body: {"shopper": {the shop's signed identity}}."""
        desk = shared_desk()
        shopper = signed_in((json_body(request) or {}).get("shopper"))
        if shopper is None:
            return refuse("not_signed_in", desk.widget.text("shopper.not_signed_in"), 401)
        conversation_id = desk.shopper_conversations.conversation_of(shopper.shopper_id)
        tracker = await request.app.ctx.agent.tracker_store.retrieve(conversation_id) if conversation_id else None
        items = widget_history(event.as_dict() for event in tracker.events) if tracker else []
        return response.json({"conversation_id": conversation_id, "items": items}, headers={"Cache-Control": "no-store"})

    @bp.route("/orders", methods=["POST"], name="shopper_orders")
    async def orders(request: Request) -> HTTPResponse:
        """A signed-in shopper's recent orders, as cards to pick from instead of typing a 12-digit number."""
        desk = shared_desk()
        shopper = signed_in((json_body(request) or {}).get("shopper"))
        if shopper is None:
            return refuse("not_signed_in", desk.widget.text("shopper.not_signed_in"), 401)
        return response.json({"orders": await asyncio.to_thread(desk.shopper_orders, shopper.shopper_id)},
                             headers={"Cache-Control": "no-store"})

    @bp.route("/handoff/cancel", methods=["POST"], name="cancel_handoff")
    async def cancel_handoff(request: Request) -> HTTPResponse:
        """The shopper no longer wants to wait: the hand-off leaves the queue and the bot answers again. Not once an
        agent has answered or taken the conversation over: then the shopper talks to that agent."""
        desk = shared_desk()
        body = json_body(request) or {}
        conversation_id = conversation_id_of(body.get("session_id"))
        if conversation_id is None:
            return refuse("no_session", desk.widget.text("leave_message.errors.no_session"))
        agent: Agent = request.app.ctx.agent
        async with agent.lock_store.lock(conversation_id):
            handoff = desk.handoffs.open_of(conversation_id)
            if handoff is None:
                return refuse("not_waiting", desk.widget.text("queue.not_waiting"), 409)
            if handoff.answered_at is not None or desk.agent_modes.get(conversation_id).mode in AGENT_MODES:
                return refuse("with_agent", desk.widget.text("queue.already_with_agent"), 409)
            tracker = await agent.tracker_store.retrieve(conversation_id)
            said = [desk.widget.text("queue.cancelled")]
            if tracker is not None:
                if tracker.is_paused():
                    tracker.update(ConversationResumed())
                # Back to where the bot was before the hand-off: the turn that led to it, and what was written while
                # waiting, are taken back for the dialogue (they stay in the record), so a form goes on where it was.
                taken_back = customer_turns_since_handoff(tracker)
                for _ in range(taken_back):
                    tracker.update(UserUtteranceReverted())
                if taken_back:  # a revert also takes back the listen before the message: the bot listens again
                    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                question = await form_question(agent, tracker, CollectingOutputChannel())
                said += [question] if question else []
                for text in said:
                    tracker.update(BotUttered(text, metadata={"complaint_desk": "handoff_cancelled"}))
                await agent.tracker_store.save(tracker)
            desk.handoffs.hand_back(conversation_id)
        if tracker is not None:
            await index(desk, tracker)
        return response.json({"ok": True, "message": said[0], "messages": said})

    @bp.route("/leave-message", methods=["POST"], name="leave_message")
    async def leave_message(request: Request) -> HTTPResponse:
        """A 留言 (multipart: session_id, text, contact, up to N photos): a ticket and a queue item for the next
        shift, written into the conversation so the agents' console shows it like any hand-off."""
        desk = shared_desk()
        try:
            form, files = request.form or {}, request.files
        except Exception:  # not multipart, or a broken body
            form, files = {}, None
        conversation_id = conversation_id_of(form.get("session_id"))
        if conversation_id is None:
            return refuse("no_session", desk.widget.text("leave_message.errors.no_session"))
        photos = [photo for photo in ((files.getlist("photo") or []) if files else []) if photo and photo.body]
        try:
            message = check_left_message(form.get("text"), form.get("contact"), len(photos), desk.widget)
            for photo in photos:
                desk.evidence_photos.limits.check(photo.type, photo.body)
        except LeftMessageRejected as rejected:
            return refuse(rejected.code, str(rejected))
        except EvidenceRejected as rejected:
            return refuse(rejected.reason, str(rejected), REJECTION_STATUS.get(rejected.reason, 400))
        agent: Agent = request.app.ctx.agent
        parsed = await agent.parse_message(message.text)
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker_store.get_or_create_tracker(conversation_id)
            if not any(isinstance(event, SessionStarted) for event in tracker.events):
                for event in (ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(),
                              ActionExecuted(ACTION_LISTEN_NAME)):
                    tracker.update(event)
            tracker.update(UserUttered(message.text, parsed.get("intent"), parsed.get("entities"), parsed,
                                       input_channel=SOCKETIO,
                                       metadata={"left_message": {"contact": message.masked_contact}}))
            case = desk.case(tracker.current_state(EventVerbosity.ALL))
            ticket, _, receipt = await asyncio.to_thread(desk.leave_message, conversation_id, message, case)
            tracker.update(ActionExecuted(HANDOFF_ACTION))
            tracker.update(BotUttered(receipt, metadata={WAITING_RECEIPT: True}))
            tracker.update(ConversationPaused())
            await agent.tracker_store.save(tracker)
        stored = 0
        for photo in photos:
            try:
                desk.evidence_photos.store(conversation_id, photo.body, photo.type, original_name=photo.name,
                                           ticket_id=ticket.ticket_id)
                stored += 1
            except EvidenceRejected:  # over the conversation's limit: the message and the ticket are kept
                logger.warning("留言的照片超出本会话上限，未保存：%s", conversation_id)
        await index(desk, tracker)
        return response.json({"ok": True, "ticket_id": ticket.ticket_id, "message": receipt, "photos": stored})

    @bp.route("/rating", methods=["POST"], name="rating")
    async def rating(request: Request) -> HTTPResponse:
        """1–5 stars (and a comment) for the latest ticket or the latest agent's closed service. Rating again
        changes the rating."""
        desk = shared_desk()
        body = json_body(request)
        if body is None:
            return refuse("not_json", desk.widget.text("rating.errors.bad_stars"))
        conversation_id = conversation_id_of(body.get("session_id"))
        if conversation_id is None:
            return refuse("no_session", desk.widget.text("leave_message.errors.no_session"))
        try:
            stars, comment = check_rating(body.get("stars"), body.get("comment"), desk.widget)
        except RatingRejected as rejected:
            return refuse(rejected.code, str(rejected))
        about = body.get("about")
        subject = desk.rating_subject(conversation_id, about) if about in ABOUT else None
        if subject is None:
            return refuse("nothing_to_rate", desk.widget.text("rating.errors.nothing_to_rate"), 409)
        key, ticket_id, account_id = subject
        desk.ratings.rate(conversation_id, key, stars, comment, ticket_id=ticket_id, account_id=account_id)
        if ticket_id:
            desk.tickets.record_satisfaction(ticket_id, "satisfied" if stars >= 4 else "unsatisfied")
        return response.json({"ok": True, "stars": stars, "message": thanks(stars, desk.widget)})
