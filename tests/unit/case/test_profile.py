from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from complaint_desk.case.profile import (
    KINDS,
    load_profile_rules,
    parse_profile_rules,
    profile_customer,
)
from complaint_desk.case.turns import CustomerTurn
from complaint_desk.knowledge import KnowledgeError
from tests.unit.shipped_knowledge import PROFILES, PROFILES_PATH


def t(text: str, emotion: str | None = None, intensity: float = 0.0, intent: str | None = None) -> CustomerTurn:
    return CustomerTurn(text, intent=intent, emotion=emotion, intensity=intensity)


VERY_ANGRY = [
    t("我买的手机三天就黑屏了", "disappointed", 0.4),
    t("你们这什么垃圾东西！！！一群骗子", "angry", 0.7),
]
PREPARED = [
    t("你好，我3月5号在你们店买的电动牙刷，实付¥299", "neutral", 0.1),
    t("收到第二天就充不进电，我有截图和聊天记录。按照消费者权益保护法第二十四条，质量问题七天内可以退货", "neutral", 0.2),
]
TALKATIVE = [
    t("我跟你说，我这个快递本来说好周五到的，结果周五没到，然后周六也没到，然后我就去问了快递员，快递员说不归他管，"
      "然后我又打了你们的电话，电话一直占线，而且我那天还专门请了假在家等，反正就是一直等一直等，我真的是服了", "anxious", 0.4),
    t("还有就是，快递一直没到，我周末都没出门，然后物流信息也不更新，反正就是一直显示在转运中，我家里老人也等着用这个东西，"
      "你说这叫什么事，我买了这么多年东西从来没遇到过这样的，快递一直没到", "disappointed", 0.4),
    t("然后今天又显示派送中，结果到现在也没人联系我，快递一直没到，我就想知道到底什么时候能到", "anxious", 0.5),
]
TERSE = [
    t("坏了", "disappointed", 0.3, "complain_quality"),
    t("嗯", "neutral", 0.05, "affirm"),
    t("835016429371", "neutral", 0.05, "give_order_number"),
    t("退款", "neutral", 0.1, "state_desired_outcome"),
]
ORDINARY = [
    t("你好，我买的蓝牙耳机左耳没有声音", "disappointed", 0.3, "complain_quality"),
    t("订单号是835016429371，上周三收到的", "neutral", 0.1, "give_order_number"),
    t("可以换一个新的吗？", "neutral", 0.1, "state_desired_outcome"),
]


@pytest.mark.parametrize(("turns", "kind", "display_name", "reply_style"), [
    (VERY_ANGRY, "very_angry", "极其愤怒", "de_escalate_first"),
    (PREPARED, "prepared", "有备而来", "cite_policy"),
    (TALKATIVE, "talkative", "喋喋不休", "summarize"),
    (TERSE, "terse", "少言寡语", "closed_questions"),
    (ORDINARY, "ordinary", "普通", "standard"),
])
def test_each_profile_kind(turns: list[CustomerTurn], kind: str, display_name: str, reply_style: str) -> None:
    profile = profile_customer(turns, rules=PROFILES)
    assert (profile.kind, profile.display_name, profile.reply_style) == (kind, display_name, reply_style)
    assert profile.reasons and all(reason.strip() for reason in profile.reasons)


def test_very_angry_reasons_name_the_cues() -> None:
    reasons = " ".join(profile_customer(VERY_ANGRY, rules=PROFILES).reasons)
    assert "垃圾" in reasons and "骗子" in reasons and "感叹号" in reasons


def test_high_intensity_anger_alone_is_very_angry() -> None:
    profile = profile_customer([t("东西到了是坏的", "disappointed", 0.3), t("你们到底管不管", "angry", 0.92)], rules=PROFILES)
    assert profile.kind == "very_angry"
    assert "第2句" in profile.reasons[0]


def test_one_mild_swear_word_is_not_enough() -> None:
    assert profile_customer([t("这个质量真是垃圾，我要退货", "angry", 0.5)], rules=PROFILES).kind == "ordinary"


def test_traditional_script_swearing_is_recognized() -> None:
    profile = profile_customer([t("你們這些騙子！！！黑心商家", "angry", 0.6)], rules=PROFILES)
    assert profile.kind == "very_angry"


def test_very_angry_looks_at_recent_turns_only() -> None:
    calmed_down = VERY_ANGRY + [t(text, "neutral", 0.1) for text in
                                ("好吧", "那您帮我看看能不能换货", "换货要多久", "好的我等通知", "谢谢")]
    assert profile_customer(calmed_down, rules=PROFILES).kind != "very_angry"


def test_prepared_reasons_list_law_evidence_amount_and_date() -> None:
    reasons = " ".join(profile_customer(PREPARED, rules=PROFILES).reasons)
    for cue in ("消费者权益保护法", "第二十四条", "截图", "¥299", "3月5号"):
        assert cue in reasons


def test_evidence_date_and_amount_make_a_prepared_customer() -> None:
    turns = [t("我2024-03-05付的1299元，快递单和开箱视频都在"), t("商品和详情页写的完全不一样")]
    assert profile_customer(turns, rules=PROFILES).kind == "prepared"


def test_negated_evidence_does_not_count() -> None:
    turns = [t("我没有截图，也没拍照"), t("就是收到的杯子有裂纹，6月1号到的")]
    assert profile_customer(turns, rules=PROFILES).kind != "prepared"


def test_order_number_is_not_an_exact_amount() -> None:
    profile = profile_customer([t("订单835016429371"), t("截图在这"), t("七天无理由可以退吗")], rules=PROFILES)
    assert "金额" not in " ".join(profile.reasons)


def test_talkative_reasons_mention_length_and_repetition() -> None:
    reasons = " ".join(profile_customer(TALKATIVE, rules=PROFILES).reasons)
    assert "平均每句" in reasons and "快递一直没到" in reasons


def test_a_single_long_message_is_not_talkative_yet() -> None:
    assert profile_customer(TALKATIVE[:1], rules=PROFILES).kind != "talkative"


def test_short_answers_after_a_full_description_are_not_terse() -> None:
    turns = [t("我上周买的小米手环8收到就开不了机，充了一晚上电也没反应，换了充电器也不行"), t("嗯"), t("好的"), t("是的")]
    assert profile_customer(turns, rules=PROFILES).kind != "terse"


def test_one_short_message_is_not_terse_yet() -> None:
    assert profile_customer(TERSE[:1], rules=PROFILES).kind == "ordinary"


def test_priority_picks_very_angry_and_keeps_other_traits() -> None:
    turns = PREPARED + [t("你们这帮骗子！！！再拖我就去告你们", "angry", 0.9)]
    profile = profile_customer(turns, rules=PROFILES)
    assert profile.kind == "very_angry"
    assert profile.traits == ("very_angry", "prepared")


def test_no_turns_is_ordinary() -> None:
    assert profile_customer([], rules=PROFILES).kind == "ordinary"


def test_every_kind_has_a_display_name_and_style() -> None:
    rules = load_profile_rules(PROFILES_PATH)
    assert set(rules.display_names) == set(KINDS) == set(rules.reply_styles)


def _raw_rules() -> dict:
    return yaml.safe_load(PROFILES_PATH.read_text(encoding="utf-8"))


def test_bad_reply_style_is_rejected() -> None:
    raw = _raw_rules()
    raw["kinds"]["terse"]["reply_style"] = "be_brief"
    with pytest.raises(ValueError, match="reply_style"):
        parse_profile_rules(raw)


def test_broken_reason_placeholder_fails_at_load(tmp_path: Path) -> None:
    raw = _raw_rules()
    raw["reasons"]["swear"] = "出现粗口：{wordz}"
    path = tmp_path / "profiles.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="profiles.yml"):
        load_profile_rules(path)


def test_thresholds_come_from_the_rules_file() -> None:
    raw = _raw_rules()
    raw["terse"]["min_turns"] = 10
    assert profile_customer(TERSE, parse_profile_rules(raw)).kind != "terse"
