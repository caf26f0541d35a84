from __future__ import annotations

import json

import pytest

from runtime import fast_json


@pytest.mark.parametrize("value", [
    {"event": "user", "text": "退款/换货 😡 <b>\"引号\"</b>", "timestamp": 1733570000.123456, "confidence": 0.1 + 0.2},
    {"parse_data": {"entities": [], "intent_ranking": [{"name": "greet", "confidence": 1e-07}]}, "flag": None},
    {"big": 2**70, "list": (1, 2)},
    {"nan": float("nan")},
])
def test_what_it_writes_reads_back_as_the_standard_encoder_would(value: dict) -> None:
    assert fast_json.dumps(value) == fast_json.dumps(json.loads(json.dumps(value)))
    assert json.loads(fast_json.dumps(value)).keys() == value.keys()
    assert "\\u" not in fast_json.dumps({"text": "中文"})
