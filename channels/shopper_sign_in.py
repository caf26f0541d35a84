"""Signed-in shoppers on the storefront channels: the shop's signature is checked with SHOPPER_SIGNING_SECRET
(complaint_desk/storefront/shopper_identity.py), and a signed-in shopper always gets their own conversation."""

from __future__ import annotations

import os
from typing import Any

from complaint_desk.desk import shared_desk
from complaint_desk.storefront.shopper_identity import SignedShopper, verified_shopper

SECRET_ENV = "SHOPPER_SIGNING_SECRET"


def shopper_secret() -> str | None:
    return os.environ.get(SECRET_ENV) or None


def signed_in(claim: Any) -> SignedShopper | None:
    return verified_shopper(claim, shopper_secret())


def conversation_for(shopper: SignedShopper | None, requested: str | None, fresh: str) -> str:
    """The conversation a socket joins. A signed-in shopper: theirs (an anonymous conversation they were in becomes
    theirs when they sign in); an anonymous one: the requested id, unless it is a signed-in shopper's. Blocking
    (database); run it in a thread."""
    kept = shared_desk().shopper_conversations
    owner = kept.shopper_of(requested) if requested else None
    if shopper is None:
        return requested if requested and owner is None else fresh
    proposed = requested if requested and owner in (None, shopper.shopper_id) else fresh
    return kept.bind(shopper.shopper_id, proposed)
