"""The console's conversation index: sorted and paged in SQL, never going back in time."""

from __future__ import annotations

from pathlib import Path

import pytest

from complaint_desk.stores.conversation_index import MAX_PAGE, ConversationIndex
from complaint_desk.stores.database import create_schema, engine_for, session_factory


def row(conversation_id: str, rank: int = 1, score: float = 0.2, updated_at: float = 100.0, turns: int = 1,
        mode: str = "bot", text: str = "快递还没到") -> dict:
    return {"conversation_id": conversation_id, "last_message": text, "risk": {"rank": rank, "score": score},
            "mode": mode, "turns": turns, "updated_at": updated_at}


@pytest.fixture
def index(tmp_path: Path) -> ConversationIndex:
    engine = engine_for(f"sqlite:///{tmp_path / 'index.db'}")
    create_schema(engine)
    return ConversationIndex(session_factory(engine))


def test_most_at_risk_first_then_the_highest_score_then_the_most_recent(index):
    for item in (row("calm-old", 1, 0.1, 100), row("red", 3, 0.9, 50), row("calm-new", 1, 0.1, 300),
                 row("calm-scored", 1, 0.5, 10)):
        index.put(item)
    assert [r["conversation_id"] for r in index.page()] == ["red", "calm-scored", "calm-new", "calm-old"]


def test_a_late_older_write_does_not_overwrite_a_newer_row(index):
    assert index.put(row("c1", updated_at=200, text="新消息", mode="takeover"))
    assert not index.put(row("c1", updated_at=150, text="旧消息"))
    assert index.put(row("c1", updated_at=200, mode="bot", text="新消息"))  # same instant: a mode change
    [only] = index.page()
    assert (only["last_message"], only["mode"]) == ("新消息", "bot")


def test_conversations_without_a_customer_turn_are_not_listed(index):
    index.put(row("empty", turns=0))
    index.put(row("spoke"))
    assert [r["conversation_id"] for r in index.page()] == ["spoke"] and index.count() == 1


def test_pages_are_cut_in_sql_and_the_page_size_is_capped(index):
    for n in range(250):
        index.put(row(f"c{n:03d}", updated_at=float(n)))
    first, second = index.page(limit=100), index.page(limit=100, offset=100)
    assert first[0]["conversation_id"] == "c249" and second[0]["conversation_id"] == "c149"
    assert len(index.page(limit=10_000)) == MAX_PAGE and index.count() == 250
    assert index.page(limit=5, offset=10_000) == []


def indexed(index: ConversationIndex, conversation_id: str, words: list[str], order_id: str | None = None,
            updated_at: float = 100.0) -> None:
    from complaint_desk.stores.conversation_index import search_text

    index.put(row(conversation_id, updated_at=updated_at), search_text(words, [order_id, None]))


def test_search_finds_words_numbers_and_phones_whatever_the_script_or_spacing(index):
    indexed(index, "leak", ["有人打我电话 138-1234-5678 报出我的订单"], updated_at=300)
    indexed(index, "late", ["快遞一個星期還沒到"], order_id="472918305561", updated_at=200)
    indexed(index, "broken", ["耳机坏了，ＡＢＣ１２３型号"], updated_at=100)
    found = lambda query: [r["conversation_id"] for r in index.search(query)[0]]  # noqa: E731
    assert found("13812345678") == ["leak"]
    assert found("快递") == ["late"] and found("還沒到") == ["late"]
    assert found("472918305561") == ["late"]
    assert found("abc123") == ["broken"]


def test_search_treats_like_wildcards_as_text_and_pages(index):
    for n in range(30):
        indexed(index, f"c{n:02d}", [f"退款 {n}"], updated_at=float(n))
    indexed(index, "percent", ["打了100%的好评"], updated_at=99.0)
    assert [r["conversation_id"] for r in index.search("%")[0]] == ["percent"]
    assert index.search("_")[1] == 0
    page, total = index.search("退款", limit=10, offset=10)
    assert total == 30 and [r["conversation_id"] for r in page] == [f"c{n:02d}" for n in range(19, 9, -1)]
    assert index.search("   ") == ([], 0)


def test_a_view_of_one_team_or_owner_pages_and_counts_only_its_rows(index):
    index.put({**row("fraud-1"), "queue": {"team": "fraud", "owner_id": 7}})
    index.put({**row("fraud-2"), "queue": {"team": "fraud", "owner_id": None}})
    index.put({**row("sales-1"), "queue": {"team": "after_sales", "owner_id": 7}})
    index.put(row("bot-only"))
    assert {r["conversation_id"] for r in index.page(team="fraud")} == {"fraud-1", "fraud-2"}
    assert index.count(team="fraud") == 2 and index.count(owner_id=7) == 2 and index.count() == 4
    assert [r["conversation_id"] for r in index.page(team="fraud", owner_id=7)] == ["fraud-1"]
