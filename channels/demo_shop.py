"""The demo shop's page, standing in for a real shop: it sells what the demo orders contain, and its "backend" (this
route) signs in the demo shopper who placed them when asked (?login=demo), the way a real shop signs its logged-in
shopper for the widget (README: 登录的顾客)."""

from __future__ import annotations

from html import escape

from channels.shopper_sign_in import shopper_secret
from complaint_desk.desk import shared_desk
from complaint_desk.paths import WEB_DIR
from complaint_desk.storefront.shopper_identity import sign

DEMO_SHOPPER_ID, DEMO_SHOPPER_NAME = "demo-xiaoming", "小明"


def products_html(shopper_id: str = DEMO_SHOPPER_ID) -> str:
    seen: dict[str, float] = {}
    for order in shared_desk().orders.for_shopper(shopper_id, limit=50):
        seen.setdefault(order.product, order.price)
    return "\n".join(
        f'  <article class="product" data-testid="shop-product"><div class="pic" aria-hidden="true">{escape(name[:2])}'
        f'</div><h2>{escape(name)}</h2><p class="price">¥{price:.0f}</p></article>'
        for name, price in seen.items())


def shop_page(login: bool) -> str:
    html = (WEB_DIR / "storefront" / "index.html").read_text(encoding="utf-8")
    secret = shopper_secret()
    attributes = ""
    if login and secret:
        signed = sign(secret, DEMO_SHOPPER_ID, DEMO_SHOPPER_NAME)
        attributes = "".join(f' data-shopper-{key}="{escape(str(value))}"' for key, value in signed.items())
        account = f'<span>{escape(DEMO_SHOPPER_NAME)}，您好</span> · <a href="./">退出登录</a>'
    elif login:
        account = "<span>演示登录不可用：没有配置 SHOPPER_SIGNING_SECRET</span>"
    else:
        account = f'<a href="./?login=demo" data-testid="shop-login">登录演示账号（{escape(DEMO_SHOPPER_NAME)}）</a>'
    return (html.replace("<!--account-->", account)
            .replace("<!--products-->", products_html())
            .replace("<!--widget-->", f'<script src="widget.js" defer{attributes}></script>'))
