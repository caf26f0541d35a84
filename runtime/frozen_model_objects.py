"""The loaded model kept out of the garbage collector's full collections (`gc.freeze()`, standard library).

The Rasa server holds millions of long-lived objects once the model is loaded (TensorFlow, the pipeline, the
domain). CPython's full collection walks all of them: under the bench load it ran every few seconds and took
about 370 ms each time, a pause for every conversation in flight (docs/measurements.md, session 18). Objects
that exist when the model has loaded are moved to the permanent generation; collections then only look at what
was made since. A model replaced at run time (`PUT /model`) is frozen again; the old one's cycles are not freed.
"""

from __future__ import annotations

import gc
from typing import Any

import rasa.core.run

from runtime.rasa_version import require_pinned_rasa

require_pinned_rasa()  # rasa.core.run.load_agent_on_start of Rasa 3.6.21, looked up by serve_application at start

_stock_load_agent_on_start = rasa.core.run.load_agent_on_start


async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Any:
    agent = await _stock_load_agent_on_start(*args, **kwargs)
    gc.collect()
    gc.freeze()
    return agent


def install() -> None:
    rasa.core.run.load_agent_on_start = load_agent_then_freeze
