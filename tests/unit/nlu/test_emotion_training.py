"""complaint_desk.nlu.emotion_training: the general-domain examples and what training refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.nlu.emotion_training import load_labelled_examples, train
from complaint_desk.taxonomy import EMOTIONS

GENERAL_EXAMPLES = Path(__file__).resolve().parents[3] / "data" / "emotion" / "general_emotion.yml"


def test_general_examples_cover_every_emotion() -> None:
    pairs = load_labelled_examples(GENERAL_EXAMPLES)
    counts = {name: sum(label == name for _, label in pairs) for name in EMOTIONS}
    assert all(count >= 80 for count in counts.values()), counts
    assert len({text for text, _ in pairs}) == len(pairs), "duplicate sentences"


def test_train_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError):
        train(["好", "坏"], ["happy", "angry"], use_general_knowledge=False)
