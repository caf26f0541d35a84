"""Rasa's REST channel with its input checked, sender ids that cannot be guessed, and no silent turns.

Registered in credentials.yml under the stock name `rest`, so the URL stays
`POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}`. Differences from stock:
- malformed or oversized input gets a 4xx JSON `{"error", "message"}` instead of a 500;
- `POST /webhooks/rest/session` issues a sender id; with CUSTOMER_SESSION_SECRET set only such ids
  are accepted (403 otherwise);
- a turn without any reply gets the polite fallback (see channels/no_silence.py);
- streaming (`?stream=true`) and a client-chosen `input_channel` are not offered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.customer_session import new_session_id
from channels.input_checks import RejectedMessage, checked_sender, checked_text, parse_json_object
from channels.metrics import REFUSED, TurnTimer
from channels.no_silence import agent_of, reply_if_silent
from runtime.log_context import set_conversation

logger = logging.getLogger(__name__)


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/session", methods=["POST"])
        async def session(_: Request) -> HTTPResponse:
            return response.json({"sender": new_session_id()})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = parse_json_object(request.body)
                sender_id = checked_sender(body.get("sender"))
                text = checked_text(body.get("message"))
            except RejectedMessage as rejected:
                REFUSED.labels(self.name(), rejected.code).inc()
                return response.json(rejected.body(), status=rejected.status)
            set_conversation(sender_id)
            collector = CollectingOutputChannel()
            timer, outcome = TurnTimer(self.name()), "answered"
            try:
                await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name()))
            except asyncio.CancelledError:
                outcome = "failed"
                logger.error("消息处理超时：%s", sender_id)
            except Exception:
                outcome = "failed"
                logger.exception("消息处理失败：%s", sender_id)
            if await reply_if_silent(agent_of(request.app), sender_id, collector, len(collector.messages)):
                outcome = "silent_fallback"
            timer.done(outcome)
            return response.json(collector.messages)

        return webhook
