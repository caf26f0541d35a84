"""A shopper the shop has signed in: the shop's backend signs who the shopper is, the widget passes it on, and the
desk trusts it only with a valid signature that has not expired.

The signature is HMAC-SHA256, hex, of "shopper:<id>\\n<name>\\n<expires>" under the shared secret
SHOPPER_SIGNING_SECRET; `expires` is Unix seconds. The shop computes it server-side for each page (README shows how);
the secret never reaches a browser. Without a secret configured, nobody is signed in and every shopper is anonymous.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Any

SHOPPER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
MAX_NAME_CHARS = 32
MAX_LIFETIME_SECONDS = 7 * 24 * 3600  # a signature valid for longer than this is refused: the shop signs per page


@dataclass(frozen=True)
class SignedShopper:
    shopper_id: str
    name: str
    expires: int


def signature(secret: str, shopper_id: str, name: str, expires: int) -> str:
    message = f"shopper:{shopper_id}\n{name}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, shopper_id: str, name: str, lifetime_seconds: int = 12 * 3600,
         now: float | None = None) -> dict[str, Any]:
    """What the shop's page passes to the widget (the demo shop signs its demo shopper with this)."""
    expires = int((now if now is not None else time.time()) + lifetime_seconds)
    return {"id": shopper_id, "name": name, "expires": expires,
            "signature": signature(secret, shopper_id, name, expires)}


def verified_shopper(claim: Any, secret: str | None, now: float | None = None) -> SignedShopper | None:
    """The shopper in `claim` ({"id", "name", "expires", "signature"}) when it is signed with `secret` and still
    valid; None otherwise (the shopper is then treated as anonymous)."""
    if not secret or not isinstance(claim, dict):
        return None
    shopper_id, name, expires, given = (claim.get(key) for key in ("id", "name", "expires", "signature"))
    if not (isinstance(shopper_id, str) and SHOPPER_ID.match(shopper_id) and isinstance(name, str)
            and len(name) <= MAX_NAME_CHARS and isinstance(given, str)):
        return None
    try:
        expires = int(expires)
    except (TypeError, ValueError):
        return None
    now = now if now is not None else time.time()
    if not now < expires <= now + MAX_LIFETIME_SECONDS:
        return None
    if not hmac.compare_digest(given.encode(), signature(secret, shopper_id, name, expires).encode()):
        return None
    return SignedShopper(shopper_id, name, expires)
