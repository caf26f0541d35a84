"""complaint_desk.nlu.emotion_training: the general-domain examples and what training refuses."""

from __future__ import annotations

import pytest

from complaint_desk.nlu.emotion_training import DEFAULT_EXTRA_EXAMPLES_PATH, load_labelled_examples, train
from complaint_desk.policy.taxonomy import EMOTIONS


def test_general_examples_cover_every_emotion() -> None:
    pairs = load_labelled_examples(DEFAULT_EXTRA_EXAMPLES_PATH)
    counts = {name: sum(label == name for _, label in pairs) for name in EMOTIONS}
    assert all(count >= 80 for count in counts.values()), counts
    assert len({text for text, _ in pairs}) == len(pairs), "duplicate sentences"


def test_train_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError):
        train(["好", "坏"], ["happy", "angry"], use_general_knowledge=False)
