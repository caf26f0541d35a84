"""Conversation ids (Rasa sender ids) that a customer cannot guess.

With `CUSTOMER_SESSION_SECRET` set (production), the server issues every id as
`<32 random hex>.<HMAC of it>` and the chat channels accept only ids carrying a valid HMAC,
so knowing or guessing another customer's id pattern gets nobody into their conversation.
Without the secret (development), any well-formed id is accepted, as in stock Rasa.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

SECRET_ENV = "CUSTOMER_SESSION_SECRET"


def _secret() -> bytes | None:
    value = os.environ.get(SECRET_ENV)
    return value.encode() if value else None


def _signature(secret: bytes, raw: str) -> str:
    return hmac.new(secret, f"customer-session:{raw}".encode(), hashlib.sha256).hexdigest()[:32]


def new_session_id() -> str:
    raw = secrets.token_hex(16)
    secret = _secret()
    return signed_id(raw, secret.decode()) if secret else raw


def signed_id(raw: str, secret: str) -> str:
    """The id the server would issue for `raw` under `secret` (load generators and tests sign their own)."""
    return f"{raw}.{_signature(secret.encode(), raw)}"


def is_trusted(session_id: str) -> bool:
    """True when the id was issued by this deployment (always true without a secret)."""
    secret = _secret()
    if secret is None:
        return True
    raw, _, signature = session_id.rpartition(".")
    return bool(raw) and hmac.compare_digest(signature.encode(), _signature(secret, raw).encode())
