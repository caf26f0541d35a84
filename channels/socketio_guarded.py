"""Rasa's socket.io channel, with each connection bound to one conversation it cannot swap.

Stock Rasa (session persistence on) trusts the `session_id` inside every `user_uttered` event and
lets any socket join any conversation's room with `session_request`, so whoever knows or guesses an
id reads and writes that conversation. Here `session_request` binds the socket to one id (the
requested one only if this deployment issued it, see channels/customer_session.py; else a new one; a shopper the
shop signed in always gets their own, see channels/shopper_sign_in.py),
and `user_uttered` always goes to the bound conversation. Bad input is answered on the socket with a
`bot_uttered` explanation (`{"text", "error", "id"}`), and a turn without any reply gets the fallback. Client
metadata is not passed on, except the words on a button the shopper tapped. A message the widget gave an id is
confirmed with `message_received` before the bot handles it (the widget shows it as sent, or offers a retry).

It also works around the pinned packages: Rasa 3.6 calls python-socketio 5's `enter_room` coroutine
without `await` (with session persistence nobody joined their room, so no reply arrived), and the
websocket transport fails under Sanic 21.12 on Python 3.11 ("Passing coroutines is forbidden" in
Sanic's frame assembler), so the server offers HTTP long-polling only; socket.io clients work unchanged.

In production the rooms are shared across replicas through Redis (`share_rooms_across_replicas`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic

from channels.customer_session import is_trusted, new_session_id
from channels.input_checks import SENDER_ID, RejectedMessage, checked_text
from channels.metrics import REFUSED, TurnTimer
from channels.no_silence import agent_of, reply_if_silent
from channels.shopper_sign_in import conversation_for, signed_in
from complaint_desk.storefront.history import SHOWN
from runtime.log_context import set_conversation

logger = logging.getLogger(__name__)
POLLING_ONLY = ["polling"]
RECEIVED_EVENT = "message_received"
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_BUTTON_WORDS = 40


def share_rooms_across_replicas(sio: socketio.AsyncServer) -> None:
    """With SOCKETIO_MESSAGE_QUEUE (a redis:// URL; tools.stack sets it in production), emits go through
    python-socketio's AsyncRedisManager: a reply, an agent message or a follow-up emitted by any replica reaches
    the customer's socket on whichever replica holds it. Rasa builds the AsyncServer itself, so its manager is
    swapped here, before the server has used it."""
    url = os.environ.get("SOCKETIO_MESSAGE_QUEUE")
    if not url:
        return
    manager = socketio.AsyncRedisManager(url, channel=os.environ.get("SOCKETIO_CHANNEL") or "socketio")
    sio.manager = manager
    manager.set_server(sio)
    sio.manager_initialized = False


def client_message_id(data: Any) -> str | None:
    """The id the widget gave its message, echoed back on receipt or refusal; only a short token is echoed."""
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and MESSAGE_ID.match(value) else None


def button_words(data: dict[str, Any], text: str) -> dict[str, str] | None:
    """For a button's payload ("/affirm"), the words on the button, kept so the history shows what the shopper saw.
    Nothing else the client sends is passed on."""
    shown = data.get("shown")
    if text.startswith("/") and isinstance(shown, str) and 0 < len(shown.strip()) <= MAX_BUTTON_WORDS:
        return {SHOWN: shown.strip()}
    return None


class CountingSocketIOOutput(SocketIOOutput):
    """Counts what the bot sends during one turn."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replies = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.replies += 1
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        self.replies += 1
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class GuardedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        sio.eio.transports = POLLING_ONLY
        share_rooms_across_replicas(sio)
        app_holder: dict[str, Sanic] = {}

        @webhook.listener("before_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            app_holder["app"] = app

        async def refuse(sid: str, rejected: RejectedMessage, message_id: str | None) -> None:
            await sio.emit(self.bot_message_evt, {"text": rejected.message, "error": rejected.code, "id": message_id},
                           room=sid)

        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            acceptable = isinstance(requested, str) and SENDER_ID.match(requested) and is_trusted(requested)
            shopper = signed_in(data.get("shopper")) if isinstance(data, dict) else None
            session_id = await asyncio.to_thread(conversation_for, shopper, requested if acceptable else None,
                                                 new_session_id())
            previous = (await sio.get_session(sid, namespace=self.namespace)).get("session_id")
            if previous and previous != session_id:
                await sio.leave_room(sid, previous, namespace=self.namespace)
            await sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
            await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        async def handle_message(sid: str, data: Any = None) -> None:
            bound = (await sio.get_session(sid, namespace=self.namespace)).get("session_id")
            message_id = client_message_id(data)
            try:
                if not bound:
                    raise RejectedMessage("no_session")
                if not isinstance(data, dict):
                    raise RejectedMessage("not_object")
                claimed = data.get("session_id")
                if claimed is not None and claimed != bound:
                    raise RejectedMessage("session_mismatch", status=403)
                text = checked_text(data.get("message"))
            except RejectedMessage as rejected:
                REFUSED.labels(self.name(), rejected.code).inc()
                await refuse(sid, rejected, message_id)
                return
            set_conversation(bound)
            if message_id:  # the widget shows the message as sent (else, after a while, as failed with a retry)
                await sio.emit(RECEIVED_EVENT, {"id": message_id}, room=sid, namespace=self.namespace)
            output = CountingSocketIOOutput(sio, self.bot_message_evt)
            timer, outcome = TurnTimer(self.name()), "answered"
            try:
                await on_new_message(UserMessage(text, output, bound, input_channel=self.name(),
                                                 metadata=button_words(data, text)))
            except Exception:
                outcome = "failed"
                logger.exception("消息处理失败：%s", bound)
            if await reply_if_silent(agent_of(app_holder.get("app")), bound, output, output.replies):
                outcome = "silent_fallback"
            timer.done(outcome)

        # Replace the stock handlers registered by super().blueprint().
        sio.on("session_request", handler=session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handler=handle_message, namespace=self.namespace)
        return webhook
