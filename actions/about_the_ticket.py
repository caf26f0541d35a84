"""After the ticket: a message about the case it is for gets an answer and the ticket, not a second complaint.

The decision is the case's (`Case.is_more_about_the_ticket`); here it is said: empathy when the customer is
upset, the rule answer when the message asks one the FAQ knows, and the ticket with its remedy and status.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.call_cache import case_of
from actions.guarded_messages import recent_bot_texts, send_checked
from complaint_desk.desk import shared_desk
from complaint_desk.stores.tickets import Ticket

UPSET = frozenset({"angry", "anxious", "disappointed"})


def the_ticket_line(tracker: Tracker, ticket: Ticket) -> str:
    """"您这张工单 TS…（方案：…）目前处理中。…", with the remedy's timeline while the ticket is open."""
    replies = shared_desk().replies
    offer = next((offer for offer in case_of(tracker).offers() if offer.remedy_id == ticket.remedy_id), None)
    next_step = f"{offer.timeline}。" if offer and offer.timeline and ticket.status == "open" else ""
    return replies.text("about_the_ticket", avoid=recent_bot_texts(tracker), ticket_id=ticket.ticket_id,
                        remedy=ticket.remedy_title, status=replies.name_of("ticket_status", ticket.status),
                        next_step=next_step)


def answer_about_the_ticket(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer a message about the open ticket; False when there is no ticket to speak of."""
    desk = shared_desk()
    ticket_id = tracker.get_slot("ticket_id")
    ticket = desk.tickets.get(ticket_id) if ticket_id else None
    if ticket is None:
        return False
    emotion = (tracker.latest_message.get("emotion") or {}).get("name")
    empathy = desk.replies.empathize(emotion, avoid=recent_bot_texts(tracker)) if emotion in UPSET else ""
    topic, answer = desk.faq.answer(tracker.latest_message.get("text") or "")
    context = case_of(tracker).ticket_guard_context(ticket)
    before = f"{empathy}{answer if topic else ''}"
    if before:
        send_checked(dispatcher, tracker, before, context)
    send_checked(dispatcher, tracker, the_ticket_line(tracker, ticket), context)
    return True
