"""After the ticket, and answers to "is it this order?" (over REST, real stack)."""

from __future__ import annotations

from tests.integration.conftest import Customer, db_rows
from tools.stack import Stack

ROBOT_ORDER = "472918305565"  # 扫地机器人, delivered 2 days ago
LATE_MASKS = "472918305566"  # 补水面膜, late
NUTS_ORDER = "472918305564"  # 坚果礼盒, food


def slots(customer: Customer) -> dict:
    return customer.tracker()["slots"]


def a_ticket_for_a_broken_robot(customer: Customer) -> str:
    customer.say("扫地机器人开机没两分钟就自己关了，充满电也一样")
    customer.say(ROBOT_ORDER)
    customer.say("退货退款")
    customer.say("照片拍好了，就是开机一会儿就断电")
    customer.say("可以")
    ticket_id = slots(customer)["ticket_id"]
    assert ticket_id
    return ticket_id


def tickets_of(stack: Stack, customer: Customer) -> list[str]:
    return [row[0] for row in db_rows(stack, "select ticket_id from complaint_tickets where conversation_id = ?",
                                      customer.sender)]


def test_follow_ups_about_the_ticket_open_no_second_ticket_and_reach_no_person(customer: Customer,
                                                                                stack: Stack) -> None:
    ticket_id = a_ticket_for_a_broken_robot(customer)
    customer.say("满意")
    pickup = customer.say_text("到时候快递员上门取件之前会打个电话不？我上班不在家")
    assert "上门取件" in pickup
    grumble = customer.say_text("那退款多久能回到我卡上啊，别又拖好久")
    customer.say("原来的箱子被我拆坏了，没关系吧")
    number = customer.say_text("刚才那个工单号再发我一下")
    assert ticket_id in grumble + number
    assert tickets_of(stack, customer) == [ticket_id]
    assert not customer.tracker()["paused"]


def test_a_new_complaint_about_another_order_after_the_ticket_starts_over(customer: Customer, stack: Stack) -> None:
    first = a_ticket_for_a_broken_robot(customer)
    customer.say("满意")
    customer.say(f"还有件事，面膜那单{LATE_MASKS}下单快两周了还没送到")
    now = slots(customer)
    assert now["ticket_id"] is None and now["order_id"] == LATE_MASKS and now["complaint_category"] == "delivery"
    assert now["desired_outcome"] is None and now["offered_remedy"] is None
    customer.say("给个说法吧，尽快送过来")
    customer.say("行")
    second = slots(customer)["ticket_id"]
    assert second and second != first
    assert sorted(tickets_of(stack, customer)) == sorted([first, second])


def test_a_wish_alone_is_no_answer_to_is_it_this_order(customer: Customer) -> None:
    customer.say("蓝牙耳机左边那只完全没声音")
    asked = customer.say_text(NUTS_ORDER)
    assert "坚果礼盒" in asked
    again = customer.say_text("给我换个好的就行")
    now = slots(customer)
    assert now["order_id"] is None and now["order_to_confirm"] == NUTS_ORDER
    assert "坚果礼盒" in again and now["desired_outcome"] == "exchange"
    assert not now["ticket_id"]


def test_an_answer_that_names_the_orders_product_takes_the_order(customer: Customer) -> None:
    customer.say("耳机连上以后总是断断续续的")
    customer.say("472918305562")  # 儿童电话手表
    customer.say("噢我说错了，就是那个电话手表，老是断连")
    assert slots(customer)["order_id"] == "472918305562"


def test_a_bare_no_after_the_order_found_asks_for_the_number_again(customer: Customer) -> None:
    customer.say("收到的东西漏了，袋子里全是水")
    found = customer.say_text(NUTS_ORDER)
    assert "坚果礼盒" in found
    again = customer.say_text("不是这个")
    now = slots(customer)
    assert now["order_id"] is None and now["requested_slot"] == "order_id"
    assert "订单号" in again
