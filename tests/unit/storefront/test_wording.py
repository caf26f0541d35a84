"""knowledge/widget.yml: loaded and checked at load, and every sentence a shopper reads passes the guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.guard.checker import load_guard
from complaint_desk.guard.verdict import GuardContext
from complaint_desk.knowledge import KnowledgeError
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.policy.loader import load_policy
from complaint_desk.storefront.wording import PLACEHOLDERS, load_widget_wording

WIDGET_FILE = KNOWLEDGE_DIR / "widget.yml"
WORDING = load_widget_wording(WIDGET_FILE)
GUARD = load_guard(KNOWLEDGE_DIR / "guard_rules.yml", KNOWLEDGE_DIR / "guard_phrases.yml")
POLICY = load_policy(KNOWLEDGE_DIR / "remedy_policy.yml")
SAMPLE = {"team": "售后", "ahead": 3, "minutes": 18, "agent": "小周", "hours": "9:00-21:00", "opening": "明天 9:00",
          "ticket_id": "TS20261207A1B2C3", "contact": "138****8000", "limit": 500, "count": 2, "name": "小明",
          "order_id": "472918305561"}


@pytest.mark.parametrize("key", sorted(WORDING.texts))
def test_every_sentence_a_shopper_reads_passes_the_guard(key: str) -> None:
    text = WORDING.text(key, **{name: SAMPLE[name] for name in PLACEHOLDERS.get(key, ())})
    verdict = GUARD.check(text, GuardContext(coupon_cap=POLICY.authority.coupon_cap, sla=POLICY.sla,
                                             fixed_wording=True))
    assert verdict.allowed, (text, [(finding.rule_id, finding.matched_text) for finding in verdict.findings])


def test_the_widget_gets_its_labels_and_limits() -> None:
    sent = WORDING.for_widget()
    assert sent["texts"]["header.human_button"] == "转人工"
    assert sent["stars"] == {"1": "非常不满意", "2": "不满意", "3": "一般", "4": "满意", "5": "非常满意"}
    assert sent["limits"]["max_photos"] == WORDING.max_photos


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = WIDGET_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "widget.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if fragment in line)


def test_a_misspelt_placeholder_names_the_file_the_line_and_what_may_be_used(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "您前面还有 {ahead} 位", "您前面还有 {ahaed} 位")
    with pytest.raises(KnowledgeError) as error:
        load_widget_wording(path)
    assert error.value.line == line_of(path, "{ahaed}")
    assert "ahaed" in str(error.value) and "ahead" in str(error.value)


def test_a_missing_star_and_a_bad_number_are_reported_at_their_line(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "    5: 非常满意\n", "")
    with pytest.raises(KnowledgeError, match="1 到 5") as error:
        load_widget_wording(path)
    assert error.value.line == line_of(path, "  stars:")
    path = broken_copy(tmp_path, "minutes_per_shopper: 6", "minutes_per_shopper: 六")
    with pytest.raises(KnowledgeError, match="正整数") as error:
        load_widget_wording(path)
    assert error.value.line == line_of(path, "minutes_per_shopper")


def test_an_empty_sentence_is_refused(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "  cancelled: 好的，已取消转人工，我继续为您服务。需要的话可以随时再点“转人工”。",
                       "  cancelled: ''")
    with pytest.raises(KnowledgeError, match="queue.cancelled") as error:
        load_widget_wording(path)
    assert error.value.line == line_of(path, "  cancelled:")
