"""Agent-assist API and console, on Rasa's own Sanic server (mounted at /webhooks/agent/).

Pages: GET login (token form), GET console. Everything under api/ needs an agent login
(`channels.agent_auth`); customers never reach it. The analysis itself lives in
`complaint_desk.assist`; this module only reads and writes Rasa trackers.

Takeover and "bot only suggests" both pause the bot with Rasa's ConversationPaused event: Rasa
keeps logging the customer's messages and stops answering. The agent's messages are logged as bot
utterances (metadata agent=true) and pushed to the customer's socket.io room.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationPaused, ConversationResumed, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.agent_auth import Agent, add_login_routes, agent_required, current_agent, record_action
from channels.agent_queue import add_queue_routes, may_take_from
from channels.agent_search import add_search_routes
from channels.input_checks import json_body
from channels.live_feed import FEED, FULL_REFRESH, follow_event_broker
from channels.metrics import AGENT_BLOCKS
from channels.reply_library_routes import add_console_library_route
from complaint_desk.assist import flow_stage, transcript
from complaint_desk.case.case import Case
from complaint_desk.case.waiting import AGENT, AGENT_NAME
from complaint_desk.desk import Desk, shared_desk
from complaint_desk.paths import WEB_DIR
from complaint_desk.personal_data import masked
from complaint_desk.stores import agent_actions
from complaint_desk.stores.agent_modes import AGENT_MODES, BOT, CLOSED, SUGGEST, TAKEOVER
from runtime.indexed_tracker_store import index_written
from runtime.log_context import set_conversation
from runtime.processor import answer_pending_message, form_question, predicted_next_action

logger = logging.getLogger(__name__)

ASSETS = {  # name -> (file, content type); a fixed list, so no path from the URL reaches the disk
    "console.js": (WEB_DIR / "console" / "console.js", "application/javascript; charset=utf-8"),
    "console.css": (WEB_DIR / "console" / "console.css", "text/css; charset=utf-8"),
    "login.js": (WEB_DIR / "console" / "login.js", "application/javascript; charset=utf-8"),
}
MAX_CONVERSATIONS = 200
MAX_DRAFT_CHARS = 2000
HEARTBEAT_SECONDS = 15.0
BROKER_WAIT_SECONDS = 5.0  # a new stream waits this long for the event broker's queue
ACTION_LISTEN = "action_listen"


def desk() -> Desk:
    return shared_desk()


def bad_request(message: str, status: int = 400, **extra: Any) -> HTTPResponse:
    return response.json({"error": "bad_request", "message": message, **extra}, status=status)


def page(name: str) -> HTTPResponse:
    html = (WEB_DIR / "console" / name).read_text(encoding="utf-8")
    return response.html(html, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def output_channel_for(request: Request, tracker: DialogueStateTracker) -> OutputChannel:
    """The customer's own channel when it can push (socket.io); otherwise messages are only logged."""
    if tracker.get_latest_input_channel() == SocketIOInput.name():
        for channel in getattr(request.app.ctx, "input_channels", []):
            if isinstance(channel, SocketIOInput):
                output = channel.get_output_channel()
                if output is not None:
                    return output
    return CollectingOutputChannel()


async def tell_widget(output: OutputChannel, conversation_id: str, message: dict[str, Any]) -> None:
    """A message for the customer's widget with more than text: an agent's name, or a line about who is talking
    ({"system": ...}). socket.io sends custom JSON as the event's `data`."""
    await output.send_custom_json(conversation_id, {"data": message})


def unanswered_customer_message(tracker: DialogueStateTracker) -> bool:
    """Whether the customer spoke after the bot last listened (messages logged while paused)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN:
            return False
    return False


class AgentAssistInput(InputChannel):
    """Registered in credentials.yml as `channels.agent_assist.AgentAssistInput:`."""

    @classmethod
    def name(cls) -> str:
        return "agent"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("agent_assist", __name__)

        @bp.middleware("request")
        async def log_the_conversation(request: Request) -> None:
            set_conversation(request.match_info.get("conversation_id"))  # None on routes of no conversation
        add_login_routes(bp)

        async def state_of(request: Request, conversation_id: str) -> dict[str, Any] | None:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(conversation_id)
            return tracker.current_state(EventVerbosity.ALL) if tracker else None

        async def case_of(request: Request, conversation_id: str) -> Case | None:
            state = await state_of(request, conversation_id)
            return desk().case(state) if state else None

        async def mode_changed(request: Request, conversation_id: str) -> None:
            """The agent mode is not in the tracker: rewrite the conversation's index row, tell the consoles."""
            state = await state_of(request, conversation_id)
            if state is not None:
                await asyncio.to_thread(desk().index_conversation, state)
            FEED.changed(conversation_id)

        add_queue_routes(bp, mode_changed)
        add_console_library_route(bp, case_of)
        add_search_routes(bp)

        async def locked_update(request: Request, conversation_id: str,
                                change: Callable[[DialogueStateTracker], Awaitable[Any]]) -> Any:
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(conversation_id):
                tracker = await agent.tracker_store.retrieve(conversation_id)
                if tracker is None:
                    return None
                result = await change(tracker)
                await agent.tracker_store.save(tracker)
                return result if result is not None else True

        # ---------------------------------------------------------------- pages

        @bp.route("/", methods=["GET"])
        async def root(request: Request) -> HTTPResponse:
            return response.redirect(request.app.url_for("agent_assist.console_page"))

        @bp.route("/login", methods=["GET"])
        async def login_page(request: Request) -> HTTPResponse:
            return page("login.html")

        @bp.route("/console", methods=["GET"])
        async def console_page(request: Request) -> HTTPResponse:
            if current_agent(request) is None:
                return response.redirect(request.app.url_for("agent_assist.login_page"))
            return page("console.html")

        @bp.route("/assets/<name>", methods=["GET"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            if name not in ASSETS:
                return response.json({"error": "not_found", "message": "没有这个文件。"}, status=404)
            path, content_type = ASSETS[name]
            return await response.file(path, mime_type=content_type, headers={"Cache-Control": "no-cache"})

        # ---------------------------------------------------------------- read

        @bp.route("/api/conversations", methods=["GET"])
        @agent_required
        async def conversations(request: Request) -> HTTPResponse:
            """A page of the conversation index (most at risk first, then most recent); never the tracker store."""
            try:
                offset = max(0, int(request.args.get("offset", 0)))
                limit = min(max(1, int(request.args.get("limit", MAX_CONVERSATIONS))), MAX_CONVERSATIONS)
            except ValueError:
                return bad_request("offset 和 limit 必须是整数。")
            who: Agent = request.ctx.agent_user
            view = request.args.get("view", "all")
            if view not in ("all", "team", "mine"):
                return bad_request("view 只能是 all（全部）、team（我的团队）或 mine（我负责的）。")
            team = who.team if view == "team" else None
            owner = who.account_id if view == "mine" else None
            if (view == "team" and team is None) or (view == "mine" and owner is None):
                return bad_request("这个账号没有团队或不是个人账号，请看全部会话。")
            await index_written(request.app.ctx.agent.tracker_store)
            index = desk().conversation_index
            rows, total = await asyncio.to_thread(
                lambda: (index.page(limit, offset, team=team, owner_id=owner), index.count(team, owner)))
            return response.json({"conversations": rows, "total": total, "offset": offset, "limit": limit,
                                  "view": view})

        @bp.route("/api/conversations/<conversation_id>", methods=["GET"])
        @agent_required
        async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
            agent = request.app.ctx.agent
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is None:
                return bad_request("没有找到这个会话。", status=404)
            session = desk().agent_modes.get(conversation_id)
            case = desk().case(tracker.current_state(EventVerbosity.ALL))
            analysis = desk().assist.analyze(case, session.mode)
            # Each suggestion counts once per customer message, as ignored until an agent sends it.
            desk().suggestion_feedback.shown(conversation_id, len(case.turns), analysis["stage"],
                                             [(s["source"], s["text"]) for s in analysis["suggestions"]])
            if session.mode == SUGGEST:
                analysis["bot_prediction"] = predicted_next_action(agent, tracker)
            analysis["tickets"] = tickets_of(conversation_id)
            analysis["evidence"] = evidence_of(conversation_id)
            analysis["handoffs"] = [
                {"reason": h.reason, "summary": masked(h.summary), "created_at": h.created_at.isoformat(timespec="seconds"),
                 "handed_back_at": h.handed_back_at.isoformat(timespec="seconds") if h.handed_back_at else None}
                for h in desk().handoffs.for_conversation(conversation_id)
            ]
            analysis["queue"] = desk().queue_entry(conversation_id)
            analysis["notes"] = [note.public() for note in desk().notes.of_conversation(conversation_id)]
            analysis["closing_summary"] = masked(session.summary) if session.mode == CLOSED else None
            return response.json(analysis)

        @bp.route("/api/conversations/<conversation_id>/reveal", methods=["POST"])
        @agent_required
        async def reveal(request: Request, conversation_id: str) -> HTTPResponse:
            """One transcript line unmasked, for a stated reason; who, which line and why are recorded."""
            body = json_body(request) or {}
            line, reason = body.get("line"), body.get("reason")
            if not isinstance(line, int) or isinstance(line, bool):
                return bad_request("请指定要查看的消息（line：第几条）。")
            if not isinstance(reason, str) or len(reason.strip()) < 2 or len(reason) > 200:
                return bad_request("查看完整个人信息需要填写原因（2–200 字），会被记录。")
            case = await case_of(request, conversation_id)
            lines = transcript(case, reveal=True) if case else []
            if not 0 <= line < len(lines) or "text" not in lines[line]:
                return bad_request("没有这条消息。", status=404)
            record_action(request, agent_actions.REVEAL, conversation_id, f"第 {line} 条：{reason.strip()}")
            return response.json({"line": line, "text": lines[line]["text"]})

        @bp.route("/api/conversations/<conversation_id>/evidence/<evidence_id>", methods=["GET"])
        @agent_required
        async def evidence_photo(request: Request, conversation_id: str, evidence_id: str) -> HTTPResponse:
            item = desk().evidence_photos.get(evidence_id)
            if item is None or item.conversation_id != conversation_id:
                return bad_request("没有找到这张照片。", status=404)
            return await response.file(item.stored_path, mime_type=item.content_type,
                                       headers={"X-Content-Type-Options": "nosniff"})

        @bp.route("/api/stream", methods=["GET"])
        @agent_required
        async def stream(request: Request) -> HTTPResponse | None:
            """Server-sent events: `conversation` with the list row of each conversation that changed."""
            queue = FEED.subscribe()
            broker_feed = follow_event_broker(request.app.ctx.agent.tracker_store.event_broker)  # production
            sse = await request.respond(
                content_type="text/event-stream; charset=utf-8",
                headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            )
            try:
                if broker_feed is not None:
                    with contextlib.suppress(TimeoutError):  # RabbitMQ down: the stream opens, only local news
                        await asyncio.wait_for(broker_feed.ready.wait(), BROKER_WAIT_SECONDS)
                await sse.send("retry: 1000\n\n")
                while True:
                    try:
                        changed = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                    except TimeoutError:
                        await sse.send(": heartbeat\n\n")
                        continue
                    pending = {changed}
                    while not queue.empty():
                        pending.add(queue.get_nowait())
                    if FULL_REFRESH in pending:
                        await sse.send("event: refresh\ndata: {}\n\n")
                        continue
                    for conversation_id in pending:
                        state = await state_of(request, conversation_id)
                        row = desk().console_row(state) if state else None  # the index's row, with its mode
                        if row and row["turns"]:
                            await sse.send(f"event: conversation\ndata: {json.dumps(row, ensure_ascii=False)}\n\n")
            except ConnectionError:
                pass  # the console went away
            finally:
                FEED.unsubscribe(queue)
            return None

        # ---------------------------------------------------------------- drafts

        @bp.route("/api/draft-check", methods=["POST"])
        @agent_required
        async def draft_check(request: Request) -> HTTPResponse:
            body = json_body(request)
            text = body.get("text") if body else None
            if not isinstance(text, str) or len(text) > MAX_DRAFT_CHARS:
                return bad_request(f"请提供要检查的草稿文字（text，{MAX_DRAFT_CHARS} 字以内）。")
            conversation_id = body.get("conversation_id")
            case = await case_of(request, conversation_id) if isinstance(conversation_id, str) and conversation_id else None
            return response.json(desk().assist.check_draft(text, case))

        # ---------------------------------------------------------------- steer

        @bp.route("/api/conversations/<conversation_id>/takeover", methods=["POST"])
        @agent_required
        async def takeover(request: Request, conversation_id: str) -> HTTPResponse:
            body = json_body(request) or {}
            mode = body.get("mode", TAKEOVER)
            if mode not in AGENT_MODES:
                return bad_request("mode 只能是 takeover（人工接管）或 suggest（机器人只给建议）。")

            who: Agent = request.ctx.agent_user
            handoff = desk().handoffs.open_of(conversation_id)
            if handoff is not None and not may_take_from(who, handoff.owner_id):
                return bad_request("这个会话已由同事负责，请让对方转交或找主管。", status=409)
            # A person joining (not the integration, not a switch between the two agent modes) is told to the shopper.
            joins = (mode == TAKEOVER and who.account_id is not None
                     and desk().agent_modes.get(conversation_id).mode not in AGENT_MODES)

            async def pause(tracker: DialogueStateTracker) -> None:
                if not tracker.is_paused():
                    tracker.update(ConversationPaused())
                if joins:
                    line = desk().assist.phrasing.agent_joined_line.format(name=who.display_name)
                    await tell_widget(output_channel_for(request, tracker), conversation_id, {"system": line})

            if await locked_update(request, conversation_id, pause) is None:
                return bad_request("没有找到这个会话。", status=404)
            if handoff is not None and handoff.owner_id is None and who.account_id is not None:
                desk().handoffs.assign(conversation_id, who.account_id)  # taking it over claims it
            desk().agent_modes.set_mode(conversation_id, mode)
            record_action(request, agent_actions.TAKEOVER, conversation_id, mode)
            await mode_changed(request, conversation_id)
            return response.json({"ok": True, "mode": mode})

        @bp.route("/api/conversations/<conversation_id>/messages", methods=["POST"])
        @agent_required
        async def send_message(request: Request, conversation_id: str) -> HTTPResponse:
            body = json_body(request) or {}
            text = body.get("text")
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_DRAFT_CHARS:
                return bad_request(f"请输入要发送的回复（{MAX_DRAFT_CHARS} 字以内）。")
            text = text.strip()
            if desk().agent_modes.get(conversation_id).mode not in AGENT_MODES:
                return bad_request("请先接管会话，再给顾客发消息。", status=409)
            case = await case_of(request, conversation_id)
            if case is None:
                return bad_request("没有找到这个会话。", status=404)
            verdict = desk().assist.check_draft(text, case)
            if not verdict["allowed"]:
                families = sorted({finding["family"] for finding in verdict["findings"]})
                for family in families:
                    AGENT_BLOCKS.labels(family).inc()
                record_action(request, agent_actions.BLOCKED, conversation_id, ",".join(families))
                return bad_request("这条回复有过度承诺，请改用建议的改写后再发送。", status=422, check=verdict)
            origin = body.get("origin")
            if isinstance(origin, dict) and isinstance(origin.get("source"), str) and isinstance(origin.get("text"), str):
                # Started from a suggestion or a library entry: sent as is, or edited first.
                who_sent: Agent = request.ctx.agent_user
                stage = flow_stage(case, desk().agent_modes.get(conversation_id).mode)
                desk().suggestion_feedback.sent(conversation_id, len(case.turns), stage,
                                                origin["source"][:60], origin["text"][:MAX_DRAFT_CHARS], text,
                                                who_sent.account_id)

            who: Agent = request.ctx.agent_user

            async def say(tracker: DialogueStateTracker) -> None:
                tracker.update(BotUttered(text, metadata={AGENT: True, AGENT_NAME: who.display_name}))
                await tell_widget(output_channel_for(request, tracker), conversation_id,
                                  {"text": text, AGENT_NAME: who.display_name})

            await locked_update(request, conversation_id, say)
            desk().handoffs.answered(conversation_id)
            record_action(request, agent_actions.MESSAGE, conversation_id, text)
            return response.json({"ok": True, "text": text})

        @bp.route("/api/conversations/<conversation_id>/handback", methods=["POST"])
        @agent_required
        async def handback(request: Request, conversation_id: str) -> HTTPResponse:
            agent = request.app.ctx.agent
            case = await case_of(request, conversation_id)
            if case is None:
                return bad_request("没有找到这个会话。", status=404)
            if desk().agent_modes.get(conversation_id).mode not in AGENT_MODES and not case.paused:
                return bad_request("这个会话现在由机器人接待，不需要交还。", status=409)

            async def resume(tracker: DialogueStateTracker) -> str:
                tracker.update(ConversationResumed())
                output = output_channel_for(request, tracker)
                await tell_widget(output, conversation_id, {"system": desk().assist.phrasing.agent_left_line})
                if unanswered_customer_message(tracker):
                    # The customer spoke while the agent had it: the bot answers that message now.
                    await answer_pending_message(agent, tracker, output)
                    return "answered"
                note = desk().assist.phrasing.handback_note
                question = await form_question(agent, tracker, output)
                for text in filter(None, [note, question]):
                    tracker.update(BotUttered(text))
                    await output.send_text_message(conversation_id, text)
                return "asked" if question else "noted"

            desk().handoffs.hand_back(conversation_id)  # first: the widget asks for its status when told below
            outcome = await locked_update(request, conversation_id, resume)
            if outcome is None:
                return bad_request("没有找到这个会话。", status=404)
            desk().agent_modes.set_mode(conversation_id, BOT)
            record_action(request, agent_actions.HANDBACK, conversation_id, outcome)
            await mode_changed(request, conversation_id)
            return response.json({"ok": True, "mode": BOT, "bot": outcome})

        @bp.route("/api/conversations/<conversation_id>/close", methods=["POST"])
        @agent_required
        async def close(request: Request, conversation_id: str) -> HTTPResponse:
            case = await case_of(request, conversation_id)
            if case is None:
                return bad_request("没有找到这个会话。", status=404)
            summary = desk().assist.close_summary(case)

            who: Agent = request.ctx.agent_user
            # Recorded first: the shopper's stars are for the agent who closed (Desk.rating_subject).
            record_action(request, agent_actions.CLOSE, conversation_id)

            async def unpause(tracker: DialogueStateTracker) -> None:
                # Closed by the agent: whatever the customer writes next goes to the bot again.
                if tracker.is_paused():
                    tracker.update(ConversationResumed())
                if who.account_id is not None:  # a person served the shopper: the widget asks for their stars
                    wording = desk().widget
                    await tell_widget(output_channel_for(request, tracker), conversation_id, {
                        "system": desk().assist.phrasing.agent_left_line,
                        "rating_request": {"about": "agent",
                                           "question": wording.text("rating.question_agent", agent=who.display_name)},
                    })

            desk().handoffs.hand_back(conversation_id)  # first: the widget asks for its status when told below
            await locked_update(request, conversation_id, unpause)
            desk().agent_modes.set_mode(conversation_id, CLOSED, summary=summary)
            await mode_changed(request, conversation_id)
            return response.json({"ok": True, "mode": CLOSED, "summary": summary})

        return bp


def tickets_of(conversation_id: str) -> list[dict[str, Any]]:
    return [
        {
            "ticket_id": t.ticket_id, "category": t.category, "level": t.level, "remedy": t.remedy_title,
            "status": t.status, "satisfaction": t.satisfaction,
            "created_at": t.created_at.isoformat(timespec="seconds"),
            "resolve_by": t.resolve_by.isoformat(timespec="seconds") if t.resolve_by else None,
        }
        for t in desk().tickets.for_conversation(conversation_id)
    ]


def evidence_of(conversation_id: str) -> list[dict[str, Any]]:
    return [
        {"evidence_id": p.evidence_id, "ticket_id": p.ticket_id, "content_type": p.content_type,
         "size_bytes": p.size_bytes, "created_at": p.created_at.isoformat(timespec="seconds")}
        for p in desk().evidence_photos.for_conversation(conversation_id)
    ]
