"""Rasa's socket.io channel with two fixes for the pinned packages (Rasa 3.6.21, python-socketio 5.18, Python 3.11).

1. Rasa calls `sio.enter_room(...)` without `await`, but in python-socketio 5.x it is a coroutine, so with
   session persistence the customer never joins the room the bot (and the agent) send to. The
   `session_request` handler is replaced by one that awaits it.
2. The websocket transport fails under Sanic 21.12 on Python 3.11 ("Passing coroutines is forbidden" in
   Sanic's frame assembler), so the server offers HTTP long-polling only; socket.io clients work unchanged.

Registered in credentials.yml as `channels.socketio_channel.SocketIOChannel:` with the usual socketio keys.
Its name stays "socketio", so trackers record the same input channel.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

POLLING_ONLY = ["polling"]


class SocketIOChannel(SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint
        sio.eio.transports = POLLING_ONLY

        async def session_request(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        sio.on("session_request", session_request, namespace=self.namespace)
        return blueprint
