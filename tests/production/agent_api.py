"""The agent API routes that the production tests check for access control and fuzz with bad input.

Hook for the agent-assist API (channels/agent_assist.py): add each route as (method, path) here,
with `{sender}` for a conversation id, and test_access.py / test_bad_input.py cover it.
"""

from __future__ import annotations

AGENT_ROUTES: list[tuple[str, str]] = []
