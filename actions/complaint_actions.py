"""The complaint flow: acknowledge → (form probes) → propose → confirm / next offer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.about_the_ticket import answer_about_the_ticket
from actions.blocking_action import BlockingAction
from actions.call_cache import case_of
from actions.guarded_messages import recent_bot_texts, send_checked
from actions.handoff_actions import hand_off
from complaint_desk import clock
from complaint_desk.case.case import Case
from complaint_desk.case.handoff_summary import HandoffReason
from complaint_desk.case.ticket_facts import customer_words, first_exchange
from complaint_desk.case.turns import emotion_trend
from complaint_desk.desk import shared_desk
from complaint_desk.policy.model import DeclinedRemedy, RemedyOffer
from complaint_desk.stores.orders import Order
from complaint_desk.stores.tickets import NewTicket
from complaint_desk.taxonomy import OUTCOMES, category_for_intent

CONFIRM_BUTTONS = [
    {"title": "可以，就这样处理", "payload": "/affirm"},
    {"title": "不行，换个方案", "payload": "/deny"},
]
SATISFACTION_BUTTONS = [
    {"title": "满意", "payload": "/affirm"},
    {"title": "不满意", "payload": "/deny"},
]
SATISFIED_INTENTS = {"affirm", "thank"}
WIDGET_CHANNEL = "socketio"  # the storefront widget (channels/socketio_guarded.py)
PRIVACY_INTENTS = {"complain_privacy"}  # a leak goes to the privacy specialist, ticket or not
MIN_PROBLEM_DETAIL_CHARS = 8  # shorter first messages ("快递！！") get asked what happened


def latest_emotion(case: Case) -> str:
    """The emotion of the latest message that has one (a button press or an empty message has none)."""
    return (emotion_trend(case.turns) or ["neutral"])[-1]



def order_summary(order: Order) -> str:
    replies = shared_desk().replies
    delivered = f"{order.delivered_at:%m月%d日}" if order.delivered_at else ""
    status = replies.order_status(order.status, delivered_at=delivered)
    return replies.text("order_found", product=order.product, price=order.price, carrier=order.carrier, order_status=status)


def proposal_text(offer: RemedyOffer, avoid: list[str], unmet: DeclinedRemedy | None = None,
                  desired_outcome: str | None = None, outside_rules: bool = False) -> str:
    replies = shared_desk().replies
    policy = shared_desk().policy
    rule = policy.rule(offer.rule_id)
    reason = f"{rule.wording_for_customer}。"
    timeline = f"{offer.timeline}。" if offer.timeline else ""
    if offer.evidence_needed:  # said before the question, so the customer accepts knowing what is needed
        kinds = "、".join(policy.evidence_kinds[kind] for kind in policy.evidence_kinds if kind in offer.evidence_needed)
        timeline += replies.text("evidence_with_offer", kinds=kinds)
    if offer.needs_human_approval:
        text = replies.text("propose_needs_review", remedy=offer.display_title, reason=reason)
    elif policy.remedies[offer.remedy_id].kind in ("apology", "explanation"):
        text = replies.text("propose_care", avoid=avoid, reason=reason, timeline=timeline)
    else:
        text = replies.text("propose", avoid=avoid, rule=f"「{rule.title}」", remedy=offer.display_title,
                            reason=reason, timeline=timeline)
    if unmet is not None and desired_outcome and not any(unmet.reason in said for said in avoid):
        wish = replies.name_of("outcome_names", desired_outcome)
        text = replies.text("wish_not_possible", outcome=wish, reason=unmet.reason) + text
    elif outside_rules and desired_outcome:  # a wish no rule gives is still answered, not passed over
        heard = replies.text("wish_outside_rules", outcome=replies.name_of("outcome_names", desired_outcome))
        if not any(heard in said for said in avoid):
            text = heard + text
    return text


class ActionAcknowledgeComplaint(BlockingAction):
    """Listen and empathize: restate the problem in one line and acknowledge the feeling, in the customer's style."""

    def name(self) -> str:
        return "action_acknowledge_complaint"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        case = case_of(tracker)
        to_a_person = intent in PRIVACY_INTENTS or case.needs_a_human_now()
        if not to_a_person and case.is_more_about_the_ticket() and answer_about_the_ticket(dispatcher, tracker):
            # "上门取件会先打电话吗" after the ticket: answered, and the form does not start a second complaint.
            return [FollowupAction("action_listen")]
        category = category_for_intent(intent) or tracker.get_slot("complaint_category") or "delivery"
        send_checked(dispatcher, tracker, acknowledgement(category, case, tracker))
        complaint_text = (tracker.latest_message.get("text") or "").strip()
        events: list[EventType] = [SlotSet("complaint_category", category), SlotSet("declined_remedies", [])]
        if tracker.get_slot("ticket_id") and not to_a_person:
            events += a_new_case()
        if len(complaint_text) >= MIN_PROBLEM_DETAIL_CHARS:
            events.append(SlotSet("problem_detail", complaint_text))
        if case.needs_a_human_now():
            events.append(FollowupAction("action_handoff_to_human"))
        return events


def a_new_case() -> list[EventType]:
    """A new complaint after a ticket: the form asks for its own order, outcome and details."""
    return [SlotSet(name, value) for name, value in (
        ("ticket_id", None), ("order_id", None), ("order_to_confirm", None), ("order_lookup_failures", 0),
        ("desired_outcome", None), ("problem_detail", None), ("offered_remedy", None))]


class ActionAskProblemDetail(Action):
    """The first message was too short to act on: ask a closed, category-specific question with choices."""

    def name(self) -> str:
        return "action_ask_problem_detail"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = shared_desk().replies.closed_detail_question(tracker.get_slot("complaint_category"))
        if question is None:
            dispatcher.utter_message(response="utter_ask_problem_detail")
            return []
        text, options = question
        send_checked(dispatcher, tracker, text, buttons=[{"title": option, "payload": option} for option in options])
        return []


def acknowledgement(category: str, case: Case, tracker: Tracker) -> str:
    replies = shared_desk().replies
    restated = replies.restate(category)
    empathy = replies.empathize(latest_emotion(case), avoid=recent_bot_texts(tracker))
    reply_style = case.profile().reply_style
    if reply_style == "de_escalate_first":
        return f"{replies.text('de_escalate_opening')}{restated}"
    if reply_style == "summarize":
        return f"{replies.text('summary_opening')}{restated}{empathy}"
    if reply_style == "cite_policy":
        return f"{restated}{empathy}{policy_citation(category)}"
    return f"{restated}{empathy}"


def policy_citation(category: str) -> str:
    """For the prepared customer: the exact rule and law this category is handled under."""
    policy = shared_desk().policy
    cited = next((rule for rule in policy.categories[category].rules if rule.legal_note), None)
    if cited is None:
        return ""
    note = policy.legal_notes[cited.legal_note]
    return shared_desk().replies.text("policy_citation", law=note.title, rule=cited.title, description=cited.description)


class ActionCalmCustomer(BlockingAction):
    """Mid-form frustration: acknowledge the feeling again before the form asks its next question. A feeling before
    any complaint (`vent`): acknowledge it and ask what happened."""

    def name(self) -> str:
        return "action_calm_customer"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        replies = shared_desk().replies
        case = case_of(tracker)
        if case.category is None and not (tracker.active_loop or {}).get("name"):
            # Only a feeling so far (an outburst, bitter sarcasm): acknowledge it and ask what happened.
            send_checked(dispatcher, tracker,
                         replies.feeling_before_the_facts(latest_emotion(case), avoid=recent_bot_texts(tracker)))
            return []
        text = replies.empathize(latest_emotion(case), avoid=recent_bot_texts(tracker))
        if case.needs_a_human_now():
            send_checked(dispatcher, tracker, text)
            return [ActiveLoop(None), SlotSet("requested_slot", None), *hand_off(dispatcher, tracker)]
        # In the form the next question follows; after a proposal the proposal is asked again (the rules).
        more = replies.text("calm_then_continue") if (tracker.active_loop or {}).get("name") else ""
        send_checked(dispatcher, tracker, f"{text}{more}")
        return []


class ActionProposeRemedy(BlockingAction):
    """Propose: the best remedy the policy allows, in guard-checked words."""

    def name(self) -> str:
        return "action_propose_remedy"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        case = case_of(tracker)
        decision = case.decision()
        replies = shared_desk().replies
        offer = case.next_offer(tracker.get_slot("declined_remedies") or [])
        if decision is None or offer is None:
            send_checked(dispatcher, tracker, replies.text("nothing_to_offer"))
            return [SlotSet("offered_remedy", None), *hand_off(dispatcher, tracker, HandoffReason.OFFERS_EXHAUSTED)]
        wish = tracker.get_slot("desired_outcome")
        engine = shared_desk().rules.engine
        text = proposal_text(offer, recent_bot_texts(tracker), engine.unmet_wish(decision, wish), wish,
                             engine.wish_outside_rules(decision, wish))
        if offer.needs_human_approval:
            send_checked(dispatcher, tracker, text)
            reason = HandoffReason.FRAUD if decision.category == "fraud" else None
            return [SlotSet("offered_remedy", offer.remedy_id), *hand_off(dispatcher, tracker, reason)]
        send_checked(dispatcher, tracker, text, case.guard_context([offer.remedy_id]), buttons=CONFIRM_BUTTONS)
        return [SlotSet("offered_remedy", offer.remedy_id)]


def wish_named_instead(tracker: Tracker) -> str | None:
    """An outcome the customer names while saying yes that the remedy on offer does not give ("好的，那就退款吧" to a
    coupon): a change of wish to propose for, not an acceptance. A yes that names what is offered, or nothing,
    accepts."""
    remedy = shared_desk().policy.remedies.get(tracker.get_slot("offered_remedy") or "")
    # The NLU's entity, not the looser word list: "可以，尽快寄过来" to an exchange names no other wish.
    named = next(tracker.get_latest_entity_values("desired_outcome"), None)
    if remedy is None or named not in OUTCOMES or named in remedy.outcomes:
        return None
    return named


class ActionConfirmRemedy(BlockingAction):
    """Confirm: the customer accepted; open a ticket and say what happens next."""

    def name(self) -> str:
        return "action_confirm_remedy"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        changed = wish_named_instead(tracker)
        if changed:  # "可以，不过我想退款" to an exchange offer: not a yes to the exchange
            replies = shared_desk().replies
            send_checked(dispatcher, tracker,
                         replies.text("outcome_changed", outcome=replies.name_of("outcome_names", changed)))
            return [SlotSet("desired_outcome", changed), FollowupAction("action_propose_remedy")]
        case = case_of(tracker)
        decision = case.decision()
        remedy_id = tracker.get_slot("offered_remedy")
        offer = next((o for o in case.offers() if o.remedy_id == remedy_id), None)
        if decision is None or offer is None:
            send_checked(dispatcher, tracker, shared_desk().replies.text("nothing_to_offer"))
            return []
        turns = case.turns
        first_message_at, first_response_at = first_exchange(tracker.events)
        ticket = shared_desk().tickets.open_ticket(
            NewTicket(
                conversation_id=tracker.sender_id,
                order_id=tracker.get_slot("order_id"),
                category=decision.category,
                level=decision.level,
                remedy_id=offer.remedy_id,
                remedy_title=offer.display_title,
                remedy_amount=offer.amount if offer.amount is not None else offer.cap,
                emotion_trend=emotion_trend(turns),
                resolve_within=dt.timedelta(hours=decision.sla.resolution_hours),
                customer_text=customer_words(turns, tracker.get_slot("problem_detail")),
                first_message_at=first_message_at,
                first_response_at=first_response_at,
                respond_within=dt.timedelta(minutes=decision.sla.first_response_minutes),
                declined_remedies=tuple(tracker.get_slot("declined_remedies") or ()),
            )
        )
        shared_desk().evidence_photos.link_ticket(tracker.sender_id, ticket.ticket_id)  # photos sent before the ticket
        now = clock.now()
        shared_desk().follow_ups.schedule(
            ticket.ticket_id, tracker.sender_id, now + dt.timedelta(hours=shared_desk().policy.sla.follow_up_after_hours)
        )
        replies = shared_desk().replies
        next_step = f"{offer.timeline}。" if offer.timeline else ""
        send_checked(
            dispatcher,
            tracker,
            replies.text("confirm", avoid=recent_bot_texts(tracker), ticket_id=ticket.ticket_id, next_step=next_step),
            case.guard_context([offer.remedy_id]),
        )
        send_checked(dispatcher, tracker, replies.text("satisfaction_question"), buttons=SATISFACTION_BUTTONS)
        if tracker.get_latest_input_channel() == WIDGET_CHANNEL:
            # The widget offers 1–5 stars in place of the yes / no buttons (and still answers the bot with them).
            question = shared_desk().widget.text("rating.question_ticket")
            dispatcher.utter_message(json_message={"data": {"rating_request": {"about": "ticket", "question": question,
                                                                               "ticket_id": ticket.ticket_id}}})
        return [SlotSet("ticket_id", ticket.ticket_id)]


class ActionOfferNextRemedy(BlockingAction):
    """The customer declined: offer the next allowed remedy, or hand over with a summary."""

    def name(self) -> str:
        return "action_offer_next_remedy"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        declined = list(tracker.get_slot("declined_remedies") or [])
        if tracker.get_slot("offered_remedy"):
            declined.append(tracker.get_slot("offered_remedy"))
        case = case_of(tracker)
        offer = case.next_offer(declined)
        replies = shared_desk().replies
        events: list[Any] = [SlotSet("declined_remedies", declined)]
        if offer is None:
            send_checked(dispatcher, tracker, replies.text("no_more_offers"))
            return [
                *events,
                SlotSet("offered_remedy", None),
                *hand_off(dispatcher, tracker, HandoffReason.OFFERS_EXHAUSTED),
            ]
        send_checked(
            dispatcher,
            tracker,
            replies.text("offer_next", proposal=proposal_text(offer, recent_bot_texts(tracker))),
            case.guard_context([offer.remedy_id]),
            buttons=CONFIRM_BUTTONS,
        )
        return [*events, SlotSet("offered_remedy", offer.remedy_id)]


class ActionRecordSatisfaction(BlockingAction):
    """The customer's answer to "对这次的处理您满意吗？" goes on the ticket."""

    def name(self) -> str:
        return "action_record_satisfaction"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ticket_id = tracker.get_slot("ticket_id")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        satisfied = intent in SATISFIED_INTENTS
        if ticket_id:
            shared_desk().tickets.record_satisfaction(ticket_id, "satisfied" if satisfied else "unsatisfied")
        key = "satisfaction_thanks" if satisfied else "satisfaction_sorry"
        send_checked(dispatcher, tracker, shared_desk().replies.text(key))
        return []


class ActionFollowUp(BlockingAction):
    """A due follow-up (回访) fired by the worker: ask whether the ticket's problem is solved."""

    def name(self) -> str:
        return "action_follow_up"

    def run_blocking(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ticket_id = next(
            (e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "ticket_id"),
            tracker.get_slot("ticket_id"),
        )
        ticket = shared_desk().tickets.get(ticket_id) if ticket_id else None
        if ticket is None:
            return []
        send_checked(
            dispatcher,
            tracker,
            shared_desk().replies.text("follow_up", ticket_id=ticket.ticket_id, remedy=ticket.remedy_title),
            case_of(tracker).ticket_guard_context(ticket),
            buttons=[
                {"title": "已经解决了", "payload": "/affirm"},
                {"title": "还没解决", "payload": "/deny"},
            ],
        )
        return [SlotSet("ticket_id", ticket.ticket_id)]
