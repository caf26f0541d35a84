"""A signed-in shopper is trusted only with the shop's valid, unexpired signature; anything else is anonymous."""

from __future__ import annotations

import pytest

from complaint_desk.storefront.shopper_identity import MAX_LIFETIME_SECONDS, sign, signature, verified_shopper

SECRET = "shop-secret"
NOW = 1_800_000_000.0


def test_a_signed_shopper_is_recognised() -> None:
    claim = sign(SECRET, "u-1001", "小明", now=NOW)
    shopper = verified_shopper(claim, SECRET, now=NOW + 60)
    assert shopper is not None and (shopper.shopper_id, shopper.name) == ("u-1001", "小明")


@pytest.mark.parametrize("change", [
    {"id": "u-1002"},  # someone else's id under my signature
    {"name": "小红"},
    {"expires": int(NOW) + 999_999},
    {"signature": "0" * 64},
    {"signature": None},
    {"id": "../admin"},
    {"id": ""},
    {"name": "名" * 40},
    {"expires": "tomorrow"},
])
def test_a_tampered_claim_is_anonymous(change: dict) -> None:
    claim = {**sign(SECRET, "u-1001", "小明", now=NOW), **change}
    assert verified_shopper(claim, SECRET, now=NOW) is None


def test_expired_or_too_long_lived_signatures_are_refused() -> None:
    claim = sign(SECRET, "u-1001", "小明", lifetime_seconds=60, now=NOW)
    assert verified_shopper(claim, SECRET, now=NOW + 61) is None
    forever = NOW + MAX_LIFETIME_SECONDS + 3600
    long_lived = {"id": "u-1001", "name": "小明", "expires": int(forever),
                  "signature": signature(SECRET, "u-1001", "小明", int(forever))}
    assert verified_shopper(long_lived, SECRET, now=NOW) is None


@pytest.mark.parametrize("claim", [None, "u-1001", ["u-1001"], {}])
def test_no_claim_or_no_secret_means_anonymous(claim: object) -> None:
    assert verified_shopper(claim, SECRET, now=NOW) is None
    assert verified_shopper(sign(SECRET, "u-1001", "小明", now=NOW), None, now=NOW) is None
    assert verified_shopper(sign("other-secret", "u-1001", "小明", now=NOW), SECRET, now=NOW) is None


def test_the_signature_matches_the_documented_recipe() -> None:
    import hashlib
    import hmac

    expected = hmac.new(b"shop-secret", "shopper:u-1001\n小明\n1800003600".encode(), hashlib.sha256).hexdigest()
    assert signature(SECRET, "u-1001", "小明", 1800003600) == expected
