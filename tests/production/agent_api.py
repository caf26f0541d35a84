"""The agent API routes that the production tests check for access control and fuzz with bad input.

Each route is (method, path), with `{sender}` for a conversation id; test_access.py and
test_bad_input.py cover every one. The live stream (`/webhooks/agent/api/stream`) is left out: an
authorised request to it stays open by design. Its 401 is tested in tests/integration/.
"""

from __future__ import annotations

AGENT_ROUTES: list[tuple[str, str]] = [
    ("GET", "/webhooks/agent/api/conversations"),
    ("GET", "/webhooks/agent/api/conversations/{sender}"),
    ("GET", "/webhooks/agent/api/conversations/{sender}/evidence/1"),
    ("POST", "/webhooks/agent/api/draft-check"),
    ("POST", "/webhooks/agent/api/conversations/{sender}/takeover"),
    ("POST", "/webhooks/agent/api/conversations/{sender}/messages"),
    ("POST", "/webhooks/agent/api/conversations/{sender}/handback"),
    ("POST", "/webhooks/agent/api/conversations/{sender}/close"),
    ("GET", "/webhooks/supervisor/api/insights"),
    ("GET", "/webhooks/supervisor/api/export.csv"),
    ("GET", "/webhooks/supervisor/api/export.json"),
]
