"""One whole conversation per complaint category over the REST webhook, from the first complaint to a
ticket, or to a handoff where the policy says only a human may decide. Every reply passes the guard
(see `Customer.say`)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import yaml

from complaint_desk.paths import KNOWLEDGE_DIR
from complaint_desk.taxonomy import COMPLAINT_LEVELS
from tests.integration.conftest import Customer, db_rows
from tools.stack import Stack

RESTATE = yaml.safe_load((KNOWLEDGE_DIR / "replies.yml").read_text(encoding="utf-8"))["restate"]


@dataclass(frozen=True)
class Script:
    category: str
    turns: tuple[str, ...]
    remedy: str | None = None  # the remedy on the ticket
    handoff_reason: str | None = None  # or the reason the bot handed over


SCRIPTS = [
    Script("quality", ("扫地机器人用了两天就不转了，什么垃圾质量", "472918305565", "我要退货，视频录了一段", "可以"),
           remedy="quality_return"),
    Script("delivery", ("我的快递一个星期了还没到！", "订单号472918305561", "给点补偿吧", "好的"),
           remedy="shipping_coupon"),
    Script("damaged_lost", ("收到的手表屏幕碎了，外箱都压扁了", "472918305562", "给我补发一个新的，照片拍了好几张", "行"),
           remedy="reship"),
    Script("after_sales", ("申请退货三天了都没人审核，售后是摆设吗", "472918305562", "退款", "嗯，可以"),
           remedy="no_reason_return"),
    Script("price", ("扫地机器人我买完第二天就降了两百，这不是坑人吗", "472918305565", "把差价退给我", "好"),
           remedy="price_difference"),
    Script("broken_promise", ("说好的买一送一，赠品到现在都没给我发", "472918305564", "赠品给我补发过来，聊天记录截图我有", "可以"),
           remedy="honour_promise"),
    Script("service", ("你們客服什麼態度啊，問了三遍都不理人", "472918305561", "给点补偿", "可以"),
           remedy="goodwill_coupon"),
    Script("fraud", ("你们页面上写的纯羊毛，收到一看标签是涤纶，这不是虚假宣传吗", "472918305563", "我要退一赔三"),
           handoff_reason="fraud"),
    Script("privacy", ("我刚在你们这买完东西就接到诈骗电话，对方连我买了啥都知道，是不是你们泄露的",),
           handoff_reason="privacy"),
    Script("escalation", ("东西坏了找你们三次了没人管，我已经在准备材料打12315了",),
           handoff_reason="channel_threat"),
]



@pytest.mark.parametrize("script", SCRIPTS, ids=[script.category for script in SCRIPTS])
def test_a_complaint_in_every_category_ends_in_a_ticket_or_an_honest_handoff(
    customer: Customer, stack: Stack, script: Script
) -> None:
    first_reply = customer.say_text(script.turns[0])
    assert RESTATE[script.category] in first_reply, "the first reply restates the problem"
    replies = [first_reply] + [customer.say_text(turn) for turn in script.turns[1:]]
    tracker = customer.tracker()
    slots = tracker["slots"]
    assert slots["complaint_category"] == script.category

    if script.remedy:
        ticket_id = slots["ticket_id"]
        assert ticket_id and ticket_id in replies[-1], replies[-1]
        assert "满意" in replies[-1], "after the ticket the bot asks whether the customer is satisfied"
        [(category, remedy, level)] = db_rows(
            stack, "select category, remedy_id, level from complaint_tickets where ticket_id = ?", ticket_id
        )
        assert (category, remedy) == (script.category, script.remedy)
        assert level in COMPLAINT_LEVELS
        assert not tracker["paused"]
    else:
        assert tracker["paused"], "the bot stops talking once a human takes over"
        assert "人工" in replies[-1] or "专员" in replies[-1], replies[-1]
        [(reason,)] = db_rows(stack, "select reason from complaint_handoffs where conversation_id = ?", customer.sender)
        assert reason == script.handoff_reason
        assert slots["ticket_id"] is None, "only a human may open a ticket here"

    bot_texts = [event["text"] for event in tracker["events"] if event["event"] == "bot" and event.get("text")]
    assert len(bot_texts) == len(set(bot_texts)), "the bot does not repeat itself word for word"
