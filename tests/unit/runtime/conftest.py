"""The project's domain and test stories, as Rasa events, for the checks of the runtime's Rasa patches."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture(scope="session")
def test_stories(domain: Domain) -> list[tuple[str, list[Event]]]:
    """(name, events) of every story in tests/test_stories.yml."""
    steps = YAMLStoryReader(domain).read_from_file(str(ROOT / "tests" / "test_stories.yml"))
    return [(step.block_name, list(step.events)) for step in steps]
