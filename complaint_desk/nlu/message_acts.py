"""When one message carries two things, which one the dialogue should act on.

The intent models pick one label per message. These cases are settled here, after them:
- a message that names an outside channel as a threat ("运费券有什么用？再不发货我就打12315") is a threat,
  whatever else it asks or answers: a threat must reach a person (a complaint that threatens stays a complaint
  of its category, whose flow hands it to a person);
- a message that names a channel only to say it will not go there ("不会找律师的，能补发就行") is not;
- a message that gives the order number *and* says what went wrong ("面膜还没到，472918305566") is the
  complaint; the order number is picked up from the same message by the form;
- praise ("质量很好，物流也快") is thanks, not a complaint about quality or delivery, when the emotion model
  is sure the customer is satisfied: the words of praise and of complaint overlap, the feeling does not;
- the other way round, a message read as thanks or as off the subject when the emotion model is sure the
  customer is angry, disappointed or anxious is a feeling, not thanks: the complaint the ranking holds with some
  confidence, or else `vent` (the bot acknowledges it and asks what happened).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from complaint_desk.nlu.order_numbers import extract_order_id, without_order_numbers
from complaint_desk.taxonomy import category_for_intent

THREAT_INTENT = "threaten_escalation"
ORDER_NUMBER_INTENT = "give_order_number"
# Intents a threat does not override: they go to a person already.
HANDED_OVER_INTENTS = frozenset({THREAT_INTENT, "request_human", "complain_privacy"})

# Words that only introduce the number ("我的订单号是：…") and say nothing about a problem.
_ORDER_WORDS = re.compile(r"订单编号|订单号码|订单号|单号|订单|编号|号码|我的|这个|这单|是|为|哈|啊|呀|哦|噢|嗯|的|了|亲|您好|你好")
_HAN = re.compile(r"[\u4e00-\u9fff]")
MIN_COMPLAINT_CHARS = 3  # Chinese characters left besides the number before the words count as a complaint
MIN_SECOND_CONFIDENCE = 0.05
THANKS_INTENT = "thank"
SATISFIED = "satisfied"
MIN_SATISFIED_CONFIDENCE = 0.6  # praise is read as thanks only when the emotion model is this sure
VENT_INTENT = "vent"
NEGATIVE_EMOTIONS = frozenset({"angry", "disappointed", "anxious"})
MIN_NEGATIVE_CONFIDENCE = 0.6  # thanks or off-the-subject is read as a feeling only when the model is this sure
# Intents a sure negative feeling overrides: neither can be what an upset customer means.
NOT_WHEN_UPSET = frozenset({THANKS_INTENT, "out_of_scope"})
MIN_COMPLAINT_WHEN_UPSET = 0.25  # the complaint the ranking holds, taken instead of `vent` from this confidence


@dataclass(frozen=True)
class RankedIntent:
    name: str
    confidence: float


@dataclass(frozen=True)
class MessageSignals:
    """What else is known about the message, besides the intent ranking."""

    threatens: bool = False  # names an outside channel as a threat (the risk rules decide)
    withholds_threat: bool = False  # names a channel only in a negation ("不会去12315")
    emotion: str | None = None
    emotion_confidence: float = 0.0


def acted_on_intent(text: str, ranking: Sequence[RankedIntent], signals: MessageSignals) -> RankedIntent | None:
    """The intent to act on instead of the top of `ranking`, or None to keep it."""
    if not ranking:
        return None
    top = ranking[0]
    if signals.threatens and top.name not in HANDED_OVER_INTENTS and not category_for_intent(top.name):
        # A complaint that threatens keeps its category: its flow hands a threat to a person by itself.
        return RankedIntent(THREAT_INTENT, top.confidence)
    if top.name == THREAT_INTENT and signals.withholds_threat and not signals.threatens and len(ranking) > 1:
        return RankedIntent(ranking[1].name, top.confidence)
    if (category_for_intent(top.name) and top.name != THREAT_INTENT and signals.emotion == SATISFIED
            and signals.emotion_confidence >= MIN_SATISFIED_CONFIDENCE):
        return RankedIntent(THANKS_INTENT, top.confidence)
    if (top.name in NOT_WHEN_UPSET and signals.emotion in NEGATIVE_EMOTIONS
            and signals.emotion_confidence >= MIN_NEGATIVE_CONFIDENCE):
        complaint = first_complaint_after_the_top(ranking)
        if complaint is not None and complaint.confidence >= MIN_COMPLAINT_WHEN_UPSET:
            return RankedIntent(complaint.name, top.confidence)
        return RankedIntent(VENT_INTENT, top.confidence)
    if top.name == ORDER_NUMBER_INTENT and words_besides_the_order_number(text) >= MIN_COMPLAINT_CHARS:
        complaint = first_complaint_after_the_top(ranking)
        if complaint is not None and complaint.confidence >= MIN_SECOND_CONFIDENCE:
            return RankedIntent(complaint.name, top.confidence)
    return None


def first_complaint_after_the_top(ranking: Sequence[RankedIntent]) -> RankedIntent | None:
    """The highest-ranked complaint category below the top intent (a threat is not one here)."""
    return next((r for r in ranking[1:] if category_for_intent(r.name) and r.name != THREAT_INTENT), None)


def reranked(ranking: Sequence[RankedIntent], chosen: RankedIntent) -> list[RankedIntent]:
    """The ranking with `chosen` on top: it takes the top's confidence and the old top takes its place's, so
    the gap the fallback classifier measures stays what it was."""
    top = ranking[0]
    before = next((r.confidence for r in ranking if r.name == chosen.name), 0.0)
    swapped = [RankedIntent(r.name, before) if r.name == top.name else r for r in ranking if r.name != chosen.name]
    return sorted([RankedIntent(chosen.name, top.confidence), *swapped], key=lambda r: -r.confidence)


def words_besides_the_order_number(text: str) -> int:
    """Chinese characters left once the order number and the words that introduce it are taken out."""
    if extract_order_id(text) is None:
        return 0  # no order number to separate the words from
    return len(_HAN.findall(_ORDER_WORDS.sub("", without_order_numbers(text))))
