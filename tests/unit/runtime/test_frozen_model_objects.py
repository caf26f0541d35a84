from __future__ import annotations

import asyncio
import gc

import pytest
import rasa.core.run

from runtime import frozen_model_objects


def test_the_objects_of_the_loaded_model_are_frozen_after_it_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[object] = []

    async def stock_load(*args: object, **kwargs: object) -> object:
        model = {"weights": [object() for _ in range(1000)]}  # stands for the agent: made before the freeze
        loaded.append(model)
        return model

    monkeypatch.setattr(frozen_model_objects, "_stock_load_agent_on_start", stock_load)
    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", rasa.core.run.load_agent_on_start)
    frozen_model_objects.install()
    assert rasa.core.run.load_agent_on_start is frozen_model_objects.load_agent_then_freeze
    gc.unfreeze()
    try:
        agent = asyncio.run(rasa.core.run.load_agent_on_start("model.tar.gz", None, None, None, None))
        assert agent is loaded[0]
        assert gc.get_freeze_count() >= 1000
    finally:
        gc.unfreeze()
