from __future__ import annotations

from complaint_desk.nlu.message_acts import (
    MessageSignals,
    RankedIntent,
    acted_on_intent,
    words_besides_the_order_number,
)


def ranking(*pairs: tuple[str, float]) -> list[RankedIntent]:
    return [RankedIntent(name, confidence) for name, confidence in pairs]


def test_a_named_threat_is_acted_on_whatever_the_top_intent() -> None:
    chosen = acted_on_intent("运费券有什么用？再不发货我就打12315",
                             ranking(("state_desired_outcome", 0.6), ("threaten_escalation", 0.2)), MessageSignals(threatens=True))
    assert chosen == RankedIntent("threaten_escalation", 0.6)


def test_a_complaint_that_threatens_keeps_its_category() -> None:
    assert acted_on_intent("快递一个礼拜没到，再不给说法我就打12315",
                           ranking(("complain_delivery", 0.7), ("threaten_escalation", 0.2)),
                           MessageSignals(threatens=True)) is None


def test_the_chosen_intent_takes_the_top_place_and_the_old_top_its_confidence() -> None:
    from complaint_desk.nlu.message_acts import reranked

    new = reranked(ranking(("give_order_number", 0.55), ("complain_delivery", 0.3), ("greet", 0.1)),
                   RankedIntent("complain_delivery", 0.55))
    assert new == ranking(("complain_delivery", 0.55), ("give_order_number", 0.3), ("greet", 0.1))


def test_a_request_for_a_person_is_not_turned_into_a_threat() -> None:
    assert acted_on_intent("我要投诉到12315，转人工", ranking(("request_human", 0.7)), MessageSignals(threatens=True)) is None


def test_an_order_number_with_a_complaint_around_it_is_the_complaint() -> None:
    chosen = acted_on_intent("面膜还没到，472918305566",
                             ranking(("give_order_number", 0.55), ("complain_delivery", 0.3)), MessageSignals())
    assert chosen == RankedIntent("complain_delivery", 0.55)


def test_an_order_number_alone_stays_an_order_number() -> None:
    assert acted_on_intent("订单号是：４７２９１８３０５５６６",
                           ranking(("give_order_number", 0.9), ("complain_delivery", 0.05)), MessageSignals()) is None


def test_an_order_number_with_a_request_that_is_no_complaint_stays() -> None:
    assert acted_on_intent("472918305565 麻烦帮我查一下",
                           ranking(("give_order_number", 0.5), ("ask_progress", 0.4)), MessageSignals()) is None


def test_words_besides_the_order_number() -> None:
    assert words_besides_the_order_number("我的订单号是472918305561") == 0
    assert words_besides_the_order_number("耳机没声音了，订单号４７２９１８３０５５６１") == 5
    assert words_besides_the_order_number("耳机没声音了") == 0  # no number, nothing to separate
    assert words_besides_the_order_number("订单四七二九一八三零五五六一") == 0  # a spelled-out number is a number


def test_a_channel_named_only_to_say_no_is_not_a_threat() -> None:
    chosen = acted_on_intent("不会找律师的，能补发就行",
                             ranking(("threaten_escalation", 0.5), ("state_desired_outcome", 0.3)),
                             MessageSignals(withholds_threat=True))
    assert chosen == RankedIntent("state_desired_outcome", 0.5)


def test_praise_with_a_sure_satisfied_emotion_is_thanks() -> None:
    praise = ranking(("complain_quality", 0.5), ("thank", 0.3))
    assert acted_on_intent("质量很好，物流也快", praise,
                           MessageSignals(emotion="satisfied", emotion_confidence=0.8)) == RankedIntent("thank", 0.5)
    assert acted_on_intent("质量很好，物流也快", praise,
                           MessageSignals(emotion="satisfied", emotion_confidence=0.4)) is None
    assert acted_on_intent("质量太差", praise, MessageSignals(emotion="angry", emotion_confidence=0.9)) is None


def test_thanks_or_off_the_subject_with_a_sure_negative_feeling_is_a_feeling() -> None:
    outburst = ranking(("thank", 0.7), ("request_human", 0.1), ("complain_service", 0.08))
    upset = MessageSignals(emotion="angry", emotion_confidence=0.9)
    assert acted_on_intent("……", outburst, upset) == RankedIntent("vent", 0.7)
    off_topic = ranking(("out_of_scope", 0.4), ("complain_quality", 0.3))
    assert acted_on_intent("……", off_topic, MessageSignals(emotion="disappointed", emotion_confidence=0.7)) \
        == RankedIntent("complain_quality", 0.4), "the complaint the ranking holds, when it holds one"
    assert acted_on_intent("……", outburst, MessageSignals(emotion="angry", emotion_confidence=0.5)) is None
    assert acted_on_intent("……", outburst, MessageSignals(emotion="satisfied", emotion_confidence=0.9)) is None
    assert acted_on_intent("……", ranking(("affirm", 0.9), ("thank", 0.1)), upset) is None, "a grudging yes is a yes"
