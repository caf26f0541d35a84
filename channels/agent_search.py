"""Search on the agent console: past conversations and tickets by order number, ticket number, phone number or
words, paged. Thin: the conversation index and the ticket store do the searching; what is shown is masked."""

from __future__ import annotations

import asyncio

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.agent_auth import agent_required
from complaint_desk.desk import shared_desk
from complaint_desk.personal_data import masked
from complaint_desk.stores.tickets import Ticket
from runtime.indexed_tracker_store import index_written

MAX_QUERY_CHARS = 100
PAGE = 20


def ticket_row(ticket: Ticket) -> dict[str, object]:
    return {"ticket_id": ticket.ticket_id, "conversation_id": ticket.conversation_id, "order_id": ticket.order_id,
            "category": ticket.category, "remedy": ticket.remedy_title, "status": ticket.status,
            "created_at": ticket.created_at.isoformat(timespec="seconds"), "customer_text": masked(ticket.customer_text)}


def add_search_routes(bp: Blueprint) -> None:
    @bp.route("/api/search", methods=["GET"])
    @agent_required
    async def search(request: Request) -> HTTPResponse:
        query = (request.args.get("q") or "").strip()
        if not query or len(query) > MAX_QUERY_CHARS:
            return response.json({"error": "bad_request",
                                  "message": f"请输入要搜索的订单号、工单号、手机号或关键词（{MAX_QUERY_CHARS} 字以内）。"},
                                 status=400)
        try:
            offset = max(0, int(request.args.get("offset", 0)))
            limit = min(max(1, int(request.args.get("limit", PAGE))), 100)
        except ValueError:
            return response.json({"error": "bad_request", "message": "offset 和 limit 必须是整数。"}, status=400)
        await index_written(request.app.ctx.agent.tracker_store)
        desk = shared_desk()

        def run() -> dict[str, object]:
            conversations, conversation_total = desk.conversation_index.search(query, limit, offset)
            tickets, ticket_total = desk.tickets.search(query, limit, offset)
            return {"query": query, "offset": offset, "limit": limit,
                    "conversations": conversations, "conversation_total": conversation_total,
                    "tickets": [ticket_row(t) for t in tickets], "ticket_total": ticket_total}

        return response.json(await asyncio.to_thread(run))
