"""tools.eval_emotion_blind: figures, settings and the rule that only batch 1's misses may be listed."""

from __future__ import annotations

import pytest

from tools import eval_emotion_blind


def test_scores_give_macro_f1_and_confusion() -> None:
    result = eval_emotion_blind.scores(["angry", "neutral", "neutral"], ["angry", "angry", "neutral"])
    assert result["n"] == 3
    assert result["confusion"][0][0] == 1  # angry read as angry
    assert result["per_class"]["angry"] == pytest.approx(2 / 3)
    assert 0 < result["macro_f1"] < 1


def test_overrides_read_yaml_values() -> None:
    assert eval_emotion_blind.overrides(["regularization=10", "extra_examples=", "word_ngrams=false"]) == {
        "regularization": 10, "extra_examples": None, "word_ngrams": False}
    with pytest.raises(SystemExit):
        eval_emotion_blind.overrides(["regularization"])


def test_component_config_comes_from_config_yml() -> None:
    config = eval_emotion_blind.component_config(eval_emotion_blind.PROJECT_ROOT / "config.yml")
    assert "cues" in config and "regularization" in config and "name" not in config


def test_only_batch1_misses_can_be_listed() -> None:
    with pytest.raises(SystemExit):
        eval_emotion_blind.main(["--errors", "batch2"])
