from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from complaint_desk.assist import flow_stage, transcript
from complaint_desk.case.case import Case
from complaint_desk.desk import Desk
from complaint_desk.stores.conversation_index import ConversationIndex

ANGRY = "你们这什么破快递！！一个星期了还没到！气死我了"
LATE_ORDER = "472918305561"  # demo order: 蓝牙耳机, shipped, past its promised date


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    tmp_path = tmp_path_factory.mktemp("desk")
    return Desk.build(db_url=f"sqlite:///{tmp_path / 'desk.db'}", var_dir=tmp_path)


def user(text: str, intent: str = "complain_delivery", emotion: str = "angry", intensity: float = 0.9,
         stamp: float = 1.0) -> dict:
    return {"event": "user", "text": text, "timestamp": stamp,
            "parse_data": {"intent": {"name": intent, "confidence": 0.97},
                           "emotion": {"name": emotion, "intensity": intensity}, "entities": []}}


def state(*events: dict, slots: dict | None = None, paused: bool = False, loop: str | None = None) -> dict:
    return {"sender_id": "shopper-1", "events": list(events), "slots": slots or {}, "paused": paused,
            "active_loop": {"name": loop} if loop else {}}


@pytest.fixture
def view(desk: Desk) -> Callable[..., Case]:
    def make(**kwargs: object) -> Case:
        return desk.case(state(user(ANGRY), **kwargs))
    return make


@pytest.mark.parametrize(("kwargs", "mode", "expected"), [
    ({}, "bot", "listen"),
    ({"slots": {"complaint_category": "delivery", "requested_slot": "order_id"}, "loop": "complaint_form"}, "bot", "probe"),
    ({"slots": {"complaint_category": "delivery", "order_id": LATE_ORDER}}, "bot", "propose"),
    ({"slots": {"complaint_category": "delivery", "offered_remedy": "shipping_coupon"}}, "bot", "confirm"),
    ({"slots": {"ticket_id": "TS1", "offered_remedy": "shipping_coupon"}}, "bot", "closing"),
    ({"paused": True}, "bot", "handoff"),
    ({}, "suggest", "handoff"),
])
def test_flow_stage(kwargs: dict, mode: str, expected: str, view: Callable[..., Case]) -> None:
    assert flow_stage(view(**kwargs), mode) == expected


def test_three_distinct_guard_checked_suggestions_open_with_the_customers_emotion(desk: Desk, view: Callable[..., Case]) -> None:
    conversation = view(slots={"complaint_category": "delivery", "requested_slot": "order_id"}, loop="complaint_form")
    suggestions = desk.assist.suggestions(conversation, "probe")
    assert len(suggestions) == 3
    assert len({s.text for s in suggestions}) == 3
    for suggestion in suggestions:
        assert suggestion.text.startswith(desk.assist.phrasing.openers["angry"])
        assert desk.guard.check(suggestion.text, conversation.guard_context()).allowed
    assert any(desk.assist.phrasing.probe_asks["order_id"] in s.text for s in suggestions)


def test_while_an_order_awaits_confirmation_the_suggestions_ask_about_it_not_for_a_number(desk: Desk, view: Callable[..., Case]) -> None:
    conversation = view(slots={"complaint_category": "quality", "requested_slot": "order_id",
                               "order_to_confirm": "472918305565"}, loop="complaint_form")
    suggestions = desk.assist.suggestions(conversation, "probe")
    assert len(suggestions) == 3
    assert all("472918305565" in s.text and "扫地机器人" in s.text for s in suggestions if s.source == "stage:probe")
    assert not any(desk.assist.phrasing.probe_asks["order_id"] in s.text for s in suggestions)


def test_proposal_suggestions_come_from_the_policy_engines_offers(desk: Desk, view: Callable[..., Case]) -> None:
    conversation = view(slots={"complaint_category": "delivery", "order_id": LATE_ORDER})
    decision = conversation.decision()
    assert decision is not None and decision.offers
    suggestions = desk.assist.suggestions(conversation, "propose")
    offered = [s for s in suggestions if s.source.startswith("offer:")]
    assert offered, suggestions
    for suggestion in offered:
        offer = next(o for o in decision.offers if f"offer:{o.remedy_id}" == suggestion.source)
        assert offer.title in suggestion.text
        assert desk.guard.check(suggestion.text, conversation.guard_context([offer.remedy_id])).allowed


def test_an_over_promising_template_is_replaced_by_its_compliant_rewrite(
    desk: Desk, view: Callable[..., Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    stages = dict(desk.assist.phrasing.stages)
    stages["listen"] = ["{opener}我保证明天就给您全额退款！", *stages["listen"]]
    monkeypatch.setattr(desk.assist, "phrasing", dataclasses.replace(desk.assist.phrasing, stages=stages))
    conversation = view()
    first = desk.assist.suggestions(conversation, "listen")[0]
    assert first.rewritten
    assert "保证" not in first.text
    assert desk.guard.check(first.text, conversation.guard_context()).allowed


def test_draft_check_returns_spans_findings_and_a_rewrite(desk: Desk, view: Callable[..., Case]) -> None:
    draft = "我保证明天就给您全额退款，再赔您500元"
    result = desk.assist.check_draft(draft, view())
    assert not result["allowed"]
    assert result["findings"]
    for finding in result["findings"]:
        assert draft[finding["start"]:finding["end"]] == finding["text"]
        assert finding["explanation"]
    assert result["rewrite"] and desk.assist.check_draft(result["rewrite"], view())["allowed"]
    assert desk.assist.check_draft("非常抱歉，我马上帮您核实物流情况。", view())["allowed"]


def test_approved_remedy_is_allowed_in_a_draft_only_for_that_conversation(desk: Desk, view: Callable[..., Case]) -> None:
    draft = "可以为您发放10元运费券补偿。"
    approved = view(slots={"complaint_category": "delivery", "order_id": LATE_ORDER})
    assert desk.assist.check_draft(draft, approved)["allowed"]
    assert not desk.assist.check_draft(draft, view())["allowed"]


def test_transcript_keeps_raw_text_roles_and_emotions(desk: Desk) -> None:
    markup = "<img src=x onerror=alert(1)>"
    events = [
        user(markup, emotion="neutral", intensity=0.1),
        {"event": "bot", "text": "您好", "timestamp": 2.0, "data": {"buttons": [{"title": "可以", "payload": "/affirm"}]}},
        {"event": "pause", "timestamp": 3.0},
        {"event": "bot", "text": "我是人工客服", "timestamp": 4.0, "metadata": {"agent": True}},
        {"event": "resume", "timestamp": 5.0},
    ]
    lines = transcript(desk.case(state(*events)))
    assert [line["role"] for line in lines] == ["customer", "bot", "system", "agent", "system"]
    assert lines[0]["text"] == markup and lines[0]["emotion"] == "neutral"
    assert lines[1]["buttons"] == ["可以"]


def test_analysis_has_everything_the_console_shows(desk: Desk, view: Callable[..., Case]) -> None:
    case = desk.case(state(user(ANGRY), slots={"complaint_category": "delivery", "order_id": LATE_ORDER}))
    analysis = desk.assist.analyze(case)
    assert analysis["latest"]["emotion"] == "angry"
    assert analysis["latest"]["intent"] == "complain_delivery"
    assert analysis["emotion_trend"] == ["angry"]
    assert analysis["risk"]["level"] in ("green", "yellow", "orange", "red") and analysis["risk"]["reasons"]
    assert analysis["profile"]["name"]
    assert analysis["order"]["order_id"] == LATE_ORDER
    assert analysis["stage"] == "propose" and analysis["stage_name"] == desk.assist.phrasing.stage_names["propose"]
    assert len(analysis["suggestions"]) == 3


def test_overview_rows_rank_risk(desk: Desk, view: Callable[..., Case]) -> None:
    calm = desk.assist.overview(desk.case(state(user("请问我的快递到哪了", emotion="neutral", intensity=0.0))))
    threat = desk.assist.overview(desk.case(state(
        user(ANGRY), user("再不处理我就去12315投诉你们！", intent="threaten_escalation", stamp=2.0))))
    assert threat["risk"]["rank"] > calm["risk"]["rank"]


def test_close_summary_names_the_category_and_order(desk: Desk, view: Callable[..., Case]) -> None:
    case = desk.case(state(user(ANGRY), slots={"complaint_category": "delivery", "order_id": LATE_ORDER}))
    summary = desk.assist.close_summary(case)
    assert LATE_ORDER in summary
    assert desk.assist.phrasing.close_summary_reason in summary


def test_conversations_are_indexed_together_and_one_that_fails_does_not_stop_the_others(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    stock_put = ConversationIndex.put

    def put(index: ConversationIndex, row: dict, words: str | None = None) -> bool:
        if row["conversation_id"] == "index-batch-2":
            raise sa.exc.OperationalError("UPDATE", {}, Exception("database is locked"))
        return stock_put(index, row, words)

    monkeypatch.setattr(ConversationIndex, "put", put)
    batch = [dict(state(user(ANGRY, stamp=5.0)), sender_id="index-batch-1"),
             dict(state(user(ANGRY, stamp=5.5)), sender_id="index-batch-2"),
             dict(state(user("包装破了", intent="complain_quality", stamp=6.0)), sender_id="index-batch-3")]
    assert desk.index_conversations(batch) == 2
    found, total = desk.conversation_index.search("包装破了")
    assert total == 1 and found[0]["conversation_id"] == "index-batch-3"
    assert desk.conversation_index.updated_since(4.0) == {"index-batch-1": 5.0, "index-batch-3": 6.0}
