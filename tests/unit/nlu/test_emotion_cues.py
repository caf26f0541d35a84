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
