"""The bot's actions and the agent console read the same case: for every complaint category, the remedy
the bot offers is among the console's suggestions, and both see the same risk and complaint level."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.call_cache import case_of
from actions.complaint_actions import ActionProposeRemedy
from actions.handoff_actions import ActionHandoffToHuman
from complaint_desk.desk import Desk, shared_desk
from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.stores.tickets import NewTicket
from complaint_desk.taxonomy import COMPLAINT_CATEGORIES

DEMO_ORDERS = [o["order_id"] for o in yaml.safe_load((KNOWLEDGE_DIR / "demo_orders.yml").read_text())["orders"]]
WORDS = {  # one plain complaint per category, so the case has turns the risk and profile rules can read
    "quality": "刚买的东西用了两天就坏了，质量太差",
    "delivery": "快递一个星期了还没到，物流也不更新",
    "damaged_lost": "收到的时候盒子是破的，里面的东西也碎了",
    "after_sales": "退货申请提交一周了一直没人处理，退款也没到",
    "price": "我刚买完第二天就降价了一百块，太坑了",
    "fraud": "页面写的是纯棉，收到是化纤，这不是虚假宣传吗",
    "broken_promise": "说好的赠品一直没给我发",
    "service": "客服态度特别差，问什么都不耐烦",
    "privacy": "我刚下单就接到骚扰电话，对方知道我买了什么，是不是你们泄露了我的信息",
    "escalation": "再不给我解决我就去12315投诉你们",
}
INTENT = {category: f"complain_{category}" for category in COMPLAINT_CATEGORIES} | {"escalation": "threaten_escalation"}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """The shared desk the actions use, on a database of this test's own."""
    tmp: Path = tmp_path_factory.mktemp("desk")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COMPLAINT_DB_URL", f"sqlite:///{tmp / 'desk.db'}")
        patch.setenv("COMPLAINT_VAR_DIR", str(tmp))
        shared_desk.cache_clear()
        yield shared_desk()
    shared_desk.cache_clear()


def tracker(category: str, order_id: str) -> Tracker:
    text = WORDS[category]
    user = {"event": "user", "text": text, "timestamp": 1.0,
            "parse_data": {"text": text, "intent": {"name": INTENT[category], "confidence": 0.95},
                           "emotion": {"name": "angry", "intensity": 0.7}, "entities": []}}
    slots = {"complaint_category": category, "order_id": order_id, "desired_outcome": "unspecified",
             "declined_remedies": []}
    return Tracker(f"parity-{category}-{order_id}", slots, user["parse_data"], [user], False, None, {}, "action_listen")


def run(action: object, tracker: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))  # type: ignore[attr-defined]
    return events, dispatcher.messages


@pytest.mark.parametrize("category", COMPLAINT_CATEGORIES)
def test_the_bots_offer_risk_and_level_are_the_consoles(desk: Desk, category: str) -> None:
    checked = 0
    for order_id in DEMO_ORDERS:
        events, _messages = run(ActionProposeRemedy(), tracker(category, order_id))
        offered = next((e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "offered_remedy"), None)
        console = desk.assist.analyze(desk.case(tracker(category, order_id).current_state()))
        if offered is not None:
            assert f"offer:{offered}" in [s["source"] for s in console["suggestions"]], (order_id, console["suggestions"])
            checked += 1
        conversation_id = f"parity-{category}-{order_id}"
        if not desk.handoffs.for_conversation(conversation_id):  # the bot hands off itself when nothing is left
            run(ActionHandoffToHuman(), tracker(category, order_id))
        handoff = desk.handoffs.for_conversation(conversation_id)[-1]
        assert handoff.level == console["complaint_level"], order_id
        assert console["risk"]["label"] in handoff.summary, (order_id, handoff.summary)
    assert checked, f"no demo order got an offer for {category}"


def test_tickets_other_conversations_opened_on_the_order_raise_the_risk_for_bot_and_console(desk: Desk) -> None:
    order_id = DEMO_ORDERS[-1]
    state = tracker("delivery", order_id).current_state()
    before = desk.case(state).risk()
    for _ in range(2):
        desk.tickets.open_ticket(NewTicket("another-conversation", order_id, "delivery", "投诉", "reship", "补发", None,
                                           ["angry"], dt.timedelta(hours=48), customer_text="还是没到"))
    console = desk.case(state).risk()
    bot = case_of(tracker("delivery", order_id)).risk()
    assert console.score > before.score
    assert (bot.score, bot.triggers) == (console.score, console.triggers)
    assert "earlier_complaints" in console.triggers
