"""The customer side on Rasa's Sanic server (mounted at /webhooks/storefront/): the demo shop page,
the embeddable chat widget (which talks to Rasa's socket.io channel), and photo evidence uploads.

Customers reach only this blueprint. An upload names the widget's socket.io session id, which is
the Rasa conversation id; the photo is stored only for a conversation that already exists (or whose
first message is being handled).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.customer_session import is_trusted
from channels.demo_shop import shop_page
from channels.storefront_service import REJECTION_STATUS, add_shopper_routes
from complaint_desk.desk import shared_desk
from complaint_desk.paths import WEB_DIR
from complaint_desk.stores.evidence_photos import EvidenceRejected

ASSETS = {
    "widget.js": (WEB_DIR / "widget" / "widget.js", "application/javascript; charset=utf-8"),
    "widget.css": (WEB_DIR / "widget" / "widget.css", "text/css; charset=utf-8"),
    "socket.io.min.js": (WEB_DIR / "widget" / "vendor" / "socket.io.min.js", "application/javascript; charset=utf-8"),
    "storefront.css": (WEB_DIR / "storefront" / "storefront.css", "text/css; charset=utf-8"),
}
MAX_SESSION_ID = 128


async def conversation_started(lock_store: LockStore, tracker_store: TrackerStore, session_id: str) -> bool:
    """The conversation has a saved tracker, or its first message is being handled right now: Rasa saves
    the tracker only after the bot's replies have gone out, so a photo sent just after the first reply can
    arrive before the save."""
    if lock_store.get_lock(session_id) is not None:
        return True
    return await tracker_store.retrieve(session_id) is not None


def upload_error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": "upload_rejected", "message": message}, status=status)


class StorefrontInput(InputChannel):
    """Registered in credentials.yml as `channels.storefront.StorefrontInput:`."""

    @classmethod
    def name(cls) -> str:
        return "storefront"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("storefront", __name__)

        @bp.route("/", methods=["GET"], strict_slashes=True)
        async def shop(request: Request) -> HTTPResponse:
            html = await asyncio.to_thread(shop_page, request.args.get("login") == "demo")
            return response.html(html, headers={"Cache-Control": "no-store"})

        @bp.route("", methods=["GET"], strict_slashes=True, name="shop_without_slash")
        async def shop_without_slash(request: Request) -> HTTPResponse:
            # The page uses relative links, so it must be served at .../storefront/.
            return response.redirect(request.app.url_for("storefront.shop"))

        add_shopper_routes(bp)

        @bp.route("/<name>", methods=["GET"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            if name not in ASSETS:
                return response.json({"error": "not_found", "message": "没有这个文件。"}, status=404)
            path, content_type = ASSETS[name]
            return await response.file(path, mime_type=content_type, headers={"Cache-Control": "no-cache"})

        @bp.route("/config", methods=["GET"], name="widget_config")
        async def config(request: Request) -> HTTPResponse:
            """Upload limits the widget checks before sending (the server checks again), and its wording
            (knowledge/widget.yml)."""
            limits = shared_desk().evidence_photos.limits
            return response.json({"max_bytes": limits.max_bytes, "allowed_types": list(limits.allowed_types),
                                  "customer_note": limits.customer_note, "widget": shared_desk().widget.for_widget()})

        @bp.route("/evidence", methods=["POST"])
        async def upload(request: Request) -> HTTPResponse:
            limits = shared_desk().evidence_photos.limits
            try:
                form, files = request.form, request.files
            except Exception:  # not multipart, or a broken body
                return upload_error(limits.message("missing_file"), 400)
            session_id = (form.get("session_id") or "").strip() if form else ""
            photo = files.get("photo") if files else None
            if not session_id or len(session_id) > MAX_SESSION_ID:
                return upload_error(limits.message("missing_session"), 400)
            if not is_trusted(session_id):  # production: only ids this deployment issued
                return upload_error(limits.message("missing_session"), 403)
            if photo is None or not photo.body:
                return upload_error(limits.message("missing_file"), 400)
            if len(photo.body) > limits.max_bytes:
                return upload_error(limits.message("too_large", size_mb=len(photo.body) / 2**20,
                                                   max_mb=limits.max_bytes / 2**20), 413)
            agent = request.app.ctx.agent
            if not await conversation_started(agent.lock_store, agent.tracker_store, session_id):
                return upload_error(limits.message("missing_session"), 400)
            tickets = shared_desk().tickets.for_conversation(session_id)
            try:
                stored = shared_desk().evidence_photos.store(
                    session_id, photo.body, photo.type, original_name=photo.name,
                    ticket_id=tickets[-1].ticket_id if tickets else None,
                )
            except EvidenceRejected as rejected:
                return upload_error(str(rejected), REJECTION_STATUS.get(rejected.reason, 400))
            return response.json({
                "ok": True,
                "evidence_id": stored.evidence_id,
                "ticket_id": stored.ticket_id,
                "message": limits.message("stored", size_kb=stored.size_bytes / 1024),
                "customer_note": limits.customer_note,
            })

        return bp
