"""complaint_desk.nlu.emotion_cues: the cue lexicon's counts and repetition."""

from __future__ import annotations

from complaint_desk.nlu.emotion_cues import DEFAULT_CUES_PATH, CueLexicon, count_repetitions


def test_cue_counts() -> None:
    cues = CueLexicon.from_yaml(DEFAULT_CUES_PATH)
    counts = cues.counts("什么破东西！！！TMD，快点快点，我要打12315😡")
    assert counts["swear"] >= 2
    assert counts["threat"] == 1
    assert counts["exclamations"] == 3
    assert counts["repetitions"] >= 1
    assert counts["emoji_angry"] == 1
    # 破 in 破损 is a damage report, not swearing
    assert cues.counts("外包装破损了")["swear"] == 0


def test_repetition() -> None:
    assert count_repetitions("啊啊啊啊") == 1
    assert count_repetitions("退钱退钱") >= 1
    assert count_repetitions("订单123333") == 0
    assert count_repetitions("我要退款，我要退款") == 1


def test_a_threat_the_customer_rules_out_is_not_counted() -> None:
    from complaint_desk.nlu.emotion_cues import CueLexicon

    cues = CueLexicon.from_yaml()
    assert cues.counts("不退款我就打12315")["threat"] == 1
    assert cues.counts("再拖下去我直接找律师")["threat"] == 1
    assert cues.counts("没打算找律师，补发就行")["threat"] == 0
    assert cues.counts("12315我就不打了，退差价就好")["threat"] == 0
    assert cues.counts("差评我不会写的，换个新的吧")["threat"] == 0
