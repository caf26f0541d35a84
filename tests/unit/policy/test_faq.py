from pathlib import Path

import pytest

from complaint_desk.policy.faq import PolicyFaq

FAQ = PolicyFaq.from_file(Path(__file__).resolve().parents[3] / "knowledge" / "policy_faq.yml")


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("退款一般几天到账啊", "refund_arrival"),
        ("七天無理由怎麼算？", "no_reason_return"),
        ("退货运费谁出", "shipping_fee"),
        ("刚买就降价了，有价保吗", "price_protection"),
        ("听说可以退一赔三？", "fraud_compensation"),
        ("要是用两天质量就出毛病了呢", "quality_return"),
    ],
)
def test_questions_find_their_topic(question: str, topic: str) -> None:
    assert FAQ.answer(question)[0] == topic


def test_unknown_question_gets_the_fallback() -> None:
    topic, answer = FAQ.answer("你们公司在哪个城市")
    assert topic is None and answer == FAQ.fallback
