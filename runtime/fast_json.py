"""One JSON encoder for what the Rasa server writes in bulk: custom-action calls and the tracker store's events.

ujson is in the Rasa pin list, and Sanic parses with it on the action server. UTF-8 is written as is, not as
\\u escapes, so the text is also shorter. Whatever ujson cannot encode (an integer beyond 64 bits, NaN) goes to
the standard library's encoder, as before.
"""

from __future__ import annotations

import json
from typing import Any

import ujson


def dumps(value: Any) -> str:
    try:
        return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value, ensure_ascii=False)
