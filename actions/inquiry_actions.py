"""Questions asked beside the complaint: policy rules, ticket progress, the outcome wanted."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.about_the_ticket import answer_about_the_ticket
from actions.blocking_action import BlockingAction
from actions.call_cache import case_of, find_order, tickets_for_order
from actions.complaint_actions import order_summary
from actions.conversation_history import action_before_latest_message, slot_before_latest_message
from actions.guarded_messages import recent_bot_texts, send_checked
from complaint_desk.desk import shared_desk
from complaint_desk.nlu.order_numbers import extract_order_id
from complaint_desk.stores.tickets import Ticket
from complaint_desk.taxonomy import OUTCOMES


class ActionAnswerPolicyQuestion(BlockingAction):
    def name(self) -> str:
        return "action_answer_policy_question"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        wish = wish_asked_in_open_complaint(tracker)
        if wish:  # "能直接退款不？" in the middle of a complaint asks for a refund, not about the rules
            return note_asked_wish(dispatcher, tracker, wish)
        topic, answer = shared_desk().faq.answer(tracker.latest_message.get("text") or "")
        if topic is None and tracker.get_slot("order_to_confirm"):
            return []  # "那单不是耳机吗？" to "is it this order?": the form asks again, naming what the order holds
        if answer_about_the_ticket(dispatcher, tracker):
            return []  # after the ticket: the rule answer, if any, and the ticket with what happens next
        send_checked(dispatcher, tracker, answer)
        return []


class ActionReportProgress(BlockingAction):
    """Tells the customer the real status of their latest ticket."""

    def name(self) -> str:
        return "action_report_progress"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        wish = wish_asked_in_open_complaint(tracker)
        if wish:  # "那能补偿点啥吗" before any ticket asks for compensation, not about progress
            return note_asked_wish(dispatcher, tracker, wish)
        tickets = shared_desk().tickets.for_conversation(tracker.sender_id)
        if not tickets and tracker.get_slot("order_to_confirm"):
            return []  # "那单不是耳机吗？" to "is it this order?": the form asks again, naming what the order holds
        if not tickets:
            send_checked(dispatcher, tracker, progress_before_a_ticket(tracker))
            return []
        topic, answer = shared_desk().faq.answer(tracker.latest_message.get("text") or "")
        if topic:  # "换好了会通知我吗": the rule answer first, then the ticket's status
            send_checked(dispatcher, tracker, answer)
        send_progress(dispatcher, tracker, tickets[-1])
        return []


def send_progress(dispatcher: CollectingDispatcher, tracker: Tracker, ticket: Ticket) -> None:
    replies = shared_desk().replies
    deadline = (
        replies.text("progress_deadline", resolve_by=f"{ticket.resolve_by:%m月%d日 %H:%M}")
        if ticket.resolve_by and ticket.status == "open"
        else ""
    )
    send_checked(
        dispatcher,
        tracker,
        replies.text(
            "progress",
            ticket_id=ticket.ticket_id,
            category=replies.name_of("category_names", ticket.category),
            remedy=ticket.remedy_title,
            status=replies.name_of("ticket_status", ticket.status),
            deadline=deadline,
        ),
        case_of(tracker).ticket_guard_context(ticket),
    )


def progress_before_a_ticket(tracker: Tracker) -> str:
    """No ticket yet: in the middle of a complaint, say where it stands (and the order's state) instead of "no ticket"."""
    replies = shared_desk().replies
    if not tracker.get_slot("complaint_category"):
        return replies.text("progress_none")
    order = find_order(tracker, tracker.get_slot("order_id"))
    return f"{order_summary(order) if order else ''}{replies.text('progress_in_this_conversation')}"


class ActionNoteOrderNumber(BlockingAction):
    """An order number given before any complaint: look it up, say what it is, and ask what happened."""

    def name(self) -> str:
        return "action_note_order_number"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        replies = shared_desk().replies
        order_id = extract_order_id(tracker.latest_message.get("text") or "") or tracker.get_slot("order_id")
        order = find_order(tracker, order_id)
        if order is None and order_id:
            send_checked(dispatcher, tracker, replies.text("order_not_found", avoid=recent_bot_texts(tracker),
                                                           order_id=order_id))
            return [SlotSet("order_id", None)]
        if order is None:
            send_checked(dispatcher, tracker, replies.text("order_number_unreadable", avoid=recent_bot_texts(tracker)))
            return []
        earlier = (tickets_for_order(tracker, order.order_id)
                   if action_before_latest_message(tracker) == "action_report_progress" else [])
        if earlier:  # the answer to "麻烦发一下订单号，我帮您查一下" after a progress question
            send_progress(dispatcher, tracker, earlier[-1])
            return [SlotSet("order_id", order.order_id)]
        send_checked(dispatcher, tracker, f"{order_summary(order)}{replies.text('order_noted_ask_problem')}")
        return [SlotSet("order_id", order.order_id)]


PROPOSING_ACTIONS = ("action_propose_remedy", "action_offer_next_remedy")


def wish_asked_in_open_complaint(tracker: Tracker) -> str | None:
    """The outcome a question asks for while a complaint is open and no ticket has been opened for it: then
    "能退吗" or "有没有补偿" is the customer's wish (the form or the next proposal takes it), not a question
    about the rules or the progress."""
    if tracker.get_slot("ticket_id") or not tracker.get_slot("complaint_category"):
        return None
    text, words = tracker.latest_message.get("text") or "", shared_desk().outcome_words
    entity = next((value for value in tracker.get_latest_entity_values("desired_outcome") if value in OUTCOMES), None)
    return words.asked(text) or (entity if words.asks(text) else None)


def note_asked_wish(dispatcher: CollectingDispatcher, tracker: Tracker, outcome: str) -> list[EventType]:
    """Take the wish and say so; the rules go on as after the question (the form, or the proposal again, which
    now looks for this wish and says so when it cannot be met)."""
    replies = shared_desk().replies
    key = "outcome_insisted" if outcome == tracker.get_slot("desired_outcome") and \
        action_before_latest_message(tracker) in PROPOSING_ACTIONS else "outcome_changed"
    send_checked(dispatcher, tracker, replies.text(key, outcome=replies.name_of("outcome_names", outcome)))
    return [SlotSet("desired_outcome", outcome)]


def offered_outcomes(remedy_id: str | None) -> frozenset[str]:
    """The wishes the remedy on offer meets (remedy_policy.yml `outcomes`)."""
    remedy = shared_desk().policy.remedies.get(remedy_id) if remedy_id else None
    return remedy.outcomes if remedy else frozenset()


class ActionNoteDesiredOutcome(BlockingAction):
    """The customer says what they want. After a proposal, this re-proposes for the new wish."""

    def name(self) -> str:
        return "action_note_desired_outcome"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if answer_about_the_ticket(dispatcher, tracker):
            # After the ticket a wish ("再发一下工单号", "能改成退款吗") is noted for the agent with the ticket;
            # the bot does not reopen a remedy the customer accepted.
            return []
        outcome = tracker.get_slot("desired_outcome")
        named = shared_desk().outcome_words.read(tracker.latest_message.get("text") or "")
        events: list[EventType] = []
        if named and named != outcome:  # "算了，还是换一台新的吧": the NLU's entity may have missed it
            outcome = named
            events.append(SlotSet("desired_outcome", named))
        offered = offered_outcomes(tracker.get_slot("offered_remedy"))
        before = slot_before_latest_message(tracker, "desired_outcome")
        if outcome in offered and action_before_latest_message(tracker) in PROPOSING_ACTIONS and \
                (outcome == before or (before is not None and before not in offered)):
            # Naming what the offer already gives accepts it: the same wish said again ("可以，换货" to an exchange
            # offer), or the offer taken up instead of a wish the rules refused ("行吧，换吧" after a refund that was
            # not possible). Another wish the offer also meets is proposed for, not taken as a yes.
            return [*events, FollowupAction("action_confirm_remedy")]
        replies = shared_desk().replies
        outcome_name = replies.name_of("outcome_names", outcome) if outcome else "尽快解决"
        # With the complaint already known, the rules go on to a new proposal.
        if not (tracker.get_slot("complaint_category") and tracker.get_slot("order_id")):
            key = "outcome_noted"
        elif outcome == slot_before_latest_message(tracker, "desired_outcome"):
            key = "outcome_insisted"
        else:
            key = "outcome_changed"
        send_checked(dispatcher, tracker, replies.text(key, outcome=outcome_name))
        return events
