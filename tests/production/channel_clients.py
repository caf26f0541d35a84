"""Small clients for the chat channels, used by the bad-input and access-control tests."""

from __future__ import annotations

import threading
from typing import Any

import requests
import socketio

from tools.stack import Stack

REPLY_WAIT_SECONDS = 90  # how long to wait for the first reply of a turn (liveness, not a performance check)
QUIET_SECONDS = 1.5  # after the first reply, more replies of the same turn arrive within this


def post_raw(stack: Stack, body: bytes, replica: int = 0, content_type: str = "application/json") -> requests.Response:
    return requests.post(
        f"{stack.rasa_urls[replica]}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": content_type},
        timeout=120,
    )


class SocketCustomer:
    """A socket.io client (long-polling transport: Rasa's Sanic app has no websocket support) holding one session."""

    def __init__(self, stack: Stack, replica: int = 0, session_id: str | None = None, request_session: bool = True):
        self.client = socketio.SimpleClient()
        self.client.connect(stack.rasa_urls[replica], transports=["polling"], socketio_path="socket.io")
        self.session_id: str | None = None
        if request_session:
            self.client.emit("session_request", {"session_id": session_id})
            event, data = self.client.receive(timeout=REPLY_WAIT_SECONDS)
            assert event == "session_confirm", (event, data)
            self.session_id = data

    def send(self, data: Any) -> list[dict]:
        """Emit one user_uttered event and collect what comes back for that turn."""
        self.client.emit("user_uttered", data)
        return self.collect()

    def collect(self, first_wait: float = REPLY_WAIT_SECONDS) -> list[dict]:
        replies: list[dict] = []
        wait = first_wait
        while True:
            try:
                event, payload = self.client.receive(timeout=wait)
            except socketio.exceptions.TimeoutError:
                return replies
            if event == "bot_uttered":
                replies.append(payload)
            wait = QUIET_SECONDS

    def close(self) -> None:
        # python-engineio's polling client can hang in disconnect() while a long poll is open;
        # the server drops the socket on its own once the pings stop.
        closing = threading.Thread(target=self.client.disconnect, daemon=True)
        closing.start()
        closing.join(timeout=0.5)
