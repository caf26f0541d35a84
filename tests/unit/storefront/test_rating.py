"""Stars are 1 to 5, a comment is optional and bounded; anything else gets a Chinese reason."""

from __future__ import annotations

import pytest

from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.storefront.rating import RatingRejected, check_rating, thanks
from complaint_desk.storefront.wording import load_widget_wording

WORDING = load_widget_wording(KNOWLEDGE_DIR / "widget.yml")


@pytest.mark.parametrize(("stars", "comment", "kept"), [
    (5, None, (5, None)),
    ("4", "  挺好的 ", (4, "挺好的")),
    (1, "", (1, None)),
])
def test_good_ratings_are_kept(stars: object, comment: object, kept: tuple) -> None:
    assert check_rating(stars, comment, WORDING) == kept


@pytest.mark.parametrize(("stars", "comment", "code"), [
    (0, None, "bad_stars"), (6, None, "bad_stars"), (True, None, "bad_stars"), ("五", None, "bad_stars"),
    (None, None, "bad_stars"), (4.5, None, "bad_stars"), ([5], None, "bad_stars"),
    (3, "很" * 501, "too_long"), (3, {"x": 1}, "bad_comment"),
])
def test_bad_ratings_are_refused(stars: object, comment: object, code: str) -> None:
    with pytest.raises(RatingRejected) as rejected:
        check_rating(stars, comment, WORDING)
    assert rejected.value.code == code and str(rejected.value)


def test_low_stars_get_an_apology_not_a_cheer() -> None:
    assert thanks(5, WORDING) == WORDING.text("rating.thanks")
    assert thanks(1, WORDING) == WORDING.text("rating.thanks_low")
