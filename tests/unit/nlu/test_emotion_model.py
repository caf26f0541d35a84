"""complaint_desk.nlu.emotion_model: the trained emotion model, its intensity and persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.nlu.emotion_model import EmotionModel, EmotionResult
from complaint_desk.nlu.emotion_training import load_labelled_examples, split_pairs, train
from complaint_desk.taxonomy import EMOTIONS

ROOT = Path(__file__).resolve().parents[3]
GENERAL_EXAMPLES = ROOT / "data" / "emotion" / "general_emotion.yml"
ANGRY_THREAT = "你们这什么破快递！！一个礼拜了还没到，再不给说法我就打12315"
ANGRY_THREAT_TRADITIONAL = "你們這什麼破快遞！！一個禮拜了還沒到，再不給說法我就打12315"


def _nlu_examples() -> list[tuple[str, str]]:
    """Emotion-labelled examples of data/nlu, read without Rasa."""
    import yaml

    pairs = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            label = ((block.get("metadata") or {}) if isinstance(block, dict) else {}).get("emotion")
            if label in EMOTIONS and block.get("examples"):
                for line in block["examples"].splitlines():
                    text = line.strip().removeprefix("- ").strip()
                    if text:
                        pairs.append((_strip_entity_markup(text), label))
    return pairs


def _strip_entity_markup(text: str) -> str:
    import re

    return re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", text)


@pytest.fixture(scope="module")
def model() -> EmotionModel:
    nlu_pairs = _nlu_examples()
    assert nlu_pairs, f"no emotion-labelled examples under {ROOT / 'data' / 'nlu'}"
    texts, labels = split_pairs(nlu_pairs + load_labelled_examples(GENERAL_EXAMPLES))
    return train(texts, labels)


@pytest.mark.parametrize("text", [ANGRY_THREAT, ANGRY_THREAT_TRADITIONAL])
def test_angry_threat_is_intense(model: EmotionModel, text: str) -> None:
    result = model.predict(text)
    assert result.name == "angry"
    assert result.intensity >= 0.7


def test_calm_question_is_low_intensity(model: EmotionModel) -> None:
    result = model.predict("请问退款一般几天到账")
    assert result.name in ("neutral", "anxious")
    assert result.intensity < 0.4


def test_thanks_is_satisfied(model: EmotionModel) -> None:
    assert model.predict("谢谢你们，处理得很快").name == "satisfied"


def test_result_shape(model: EmotionModel) -> None:
    result = model.predict("东西还没到，有点着急").as_dict()
    assert set(result) == {"name", "confidence", "intensity"}
    assert result["name"] in EMOTIONS
    assert 0.0 <= result["confidence"] <= 1.0
    assert 0.0 <= result["intensity"] <= 1.0


def test_empty_text_is_neutral(model: EmotionModel) -> None:
    assert model.predict("   ") == EmotionResult("neutral", 1.0, 0.0)


def test_cues_raise_intensity(model: EmotionModel) -> None:
    cues = model.cues
    calm = cues.intensity(cues.counts("快递还没到"), "angry", 0.8)
    loud = cues.intensity(cues.counts("垃圾快递还没到！！！快点快点，再不到我就曝光你们😡"), "angry", 0.8)
    assert loud > calm + 0.3


def test_save_and_load(model: EmotionModel, tmp_path: Path) -> None:
    model.save(tmp_path)
    loaded = EmotionModel.load(tmp_path)
    assert loaded.predict(ANGRY_THREAT) == model.predict(ANGRY_THREAT)


def test_single_message_fast_path_matches_batch(model: EmotionModel) -> None:
    import numpy as np

    texts = ["你們的客服態度太差了！！", "订单123456还没到😡", "谢谢", "ok"]
    batch = model.predict_proba(texts)
    single = np.vstack([model.predict_proba([text]) for text in texts])
    assert np.allclose(batch, single, atol=1e-5)
