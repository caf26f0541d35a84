"""asyncio + aiohttp load generator for a running Rasa server, on loopback.

Two loads, both bounded in count and in time:
- `parse_load`: sequential `POST /model/parse` (NLU only), one request in flight;
- `turn_load`: N concurrent shoppers, each running whole multi-turn conversations back to back through
  `POST /webhooks/rest/webhook`, each conversation with its own sender id. One turn = one request = the
  full Rasa turn (NLU, policies, tracker store, custom actions) until the bot's replies come back.
With several Rasa replicas (a list of URLs) the generator is the load balancer: each request goes to the
next replica in turn, so the turns of one conversation land on different replicas, as behind a round-robin
balancer without sticky sessions.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import count

import aiohttp

from bench.common import summarize_ms

LATE_ORDER = "472918305561"  # knowledge/demo_orders.yml: shipped, late
WATCH_ORDER = "472918305562"  # delivered, electronics


@dataclass(frozen=True)
class Script:
    name: str
    messages: tuple[str, ...]
    # For the complaint desk only: a pattern the last turn's replies must contain (the ticket number).
    expect_last: str | None = None


CONVERSATIONS: tuple[Script, ...] = (
    Script("late_delivery", ("我的快递一个星期了还没到！", f"订单号{LATE_ORDER}", "给点补偿吧", "好的"), r"TS\d{6}"),
    Script("damaged_watch", ("收到的手表屏幕碎了，外箱都压扁了", WATCH_ORDER, "给我补发一个新的，照片拍了好几张",
                             "可以"), r"TS\d{6}"),
    Script("late_delivery_with_policy_question", ("快递超时了，说好前天到的", "退款一般几天能到账？", LATE_ORDER,
                                                  "补偿一下吧", "好的"), r"TS\d{6}"),
    Script("late_delivery_traditional", ("我的快遞一個星期了還沒到！", "訂單號：４７２９１８３０５５６１",
                                         "给点补偿吧", "好的"), r"TS\d{6}"),
)

PARSE_MESSAGES: tuple[str, ...] = tuple(dict.fromkeys(
    [m for script in CONVERSATIONS for m in script.messages]
    + [
        "你好，在吗", "衣服质量太差了，洗一次就起球", "退款申请了半个月钱还没到账！！",
        "说好的赠品呢？？下单前客服亲口说送保温杯", "刚买三天就降价一百块，能退差价吗",
        "有人冒充你们客服让我转账", "我的手机号怎么被泄露了，天天接到骚扰电话", "客服态度太差了，爱答不理的",
        "再不解决我就打12315投诉你们！", "转人工", "我的投诉处理得怎么样了", "谢谢你", "不行，这个我不接受",
        "今天天气怎么样", "拜拜",
    ]
))


@dataclass
class TurnStats:
    durations_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    empty_replies: int = 0
    conversations_done: int = 0
    checked: int = 0
    check_failed: int = 0
    check_failures: list[str] = field(default_factory=list)


SenderId = Callable[[str], str]  # a readable conversation name -> the sender id the server accepts


def as_is(name: str) -> str:
    return name


class RoundRobin:
    """The next replica's base URL for every request."""

    def __init__(self, urls: str | Sequence[str]) -> None:
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        if not self.urls:
            raise ValueError("no Rasa URL to send requests to")
        self._next = count()

    def __call__(self) -> str:
        return self.urls[next(self._next) % len(self.urls)]


def _texts(body: object) -> str:
    if not isinstance(body, list):
        return ""
    return "\n".join(str(reply.get("text", "")) for reply in body if isinstance(reply, dict))


async def _post(session: aiohttp.ClientSession, url: str, payload: dict) -> tuple[int, object]:
    async with session.post(url, json=payload) as response:
        body = await response.json(content_type=None)
        return response.status, body


async def _parse_load(rasa_urls: str | Sequence[str], token: str, requests: int, warmup: int,
                      max_seconds: float) -> dict:
    replica = RoundRobin(rasa_urls)

    def url() -> str:
        return f"{replica()}/model/parse?token={token}"

    durations: list[float] = []
    errors: Counter = Counter()
    intents: Counter = Counter()
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for i in range(warmup):
            await _post(session, url(), {"text": PARSE_MESSAGES[i % len(PARSE_MESSAGES)]})
        deadline = time.perf_counter() + max_seconds
        for i in range(requests):
            if time.perf_counter() >= deadline:
                break
            text = PARSE_MESSAGES[i % len(PARSE_MESSAGES)]
            started = time.perf_counter()
            try:
                status, body = await _post(session, url(), {"text": text})
            except (TimeoutError, aiohttp.ClientError) as error:
                errors[type(error).__name__] += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                errors[f"HTTP {status}"] += 1
                continue
            durations.append(elapsed)
            if isinstance(body, dict):
                intents[(body.get("intent") or {}).get("name")] += 1
    return {**summarize_ms(durations), "errors": dict(errors), "messages": len(PARSE_MESSAGES),
            "intents_seen": len(intents)}


def parse_load(rasa_urls: str | Sequence[str], token: str, requests: int = 400, warmup: int = 30,
               max_seconds: float = 90) -> dict:
    return asyncio.run(_parse_load(rasa_urls, token, requests, warmup, max_seconds))


async def _turn_load(rasa_urls: str | Sequence[str], concurrency: int, max_turns: int, max_seconds: float,
                     label: str, check: bool, sender_id: SenderId) -> dict:
    replica = RoundRobin(rasa_urls)
    stats = TurnStats()
    budget = [max_turns]
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=concurrency + 2)
    run_tag = uuid.uuid4().hex[:6]
    last_done = [0.0]

    async def shopper(session: aiohttp.ClientSession, worker: int, deadline: float) -> None:
        await asyncio.sleep(worker * min(0.02, 1.0 / max(concurrency, 1)))  # desynchronize the first wave
        conversation = 0
        while True:
            script = CONVERSATIONS[(worker + conversation) % len(CONVERSATIONS)]
            sender = sender_id(f"bench-{label}-c{concurrency}-{run_tag}-{worker}-{conversation}")
            conversation += 1
            last_text = ""
            for message in script.messages:
                if budget[0] <= 0 or time.perf_counter() >= deadline:
                    return
                budget[0] -= 1
                turn_started = time.perf_counter()
                try:
                    status, body = await _post(session, f"{replica()}/webhooks/rest/webhook",
                                               {"sender": sender, "message": message})
                except (TimeoutError, aiohttp.ClientError) as error:
                    stats.errors[type(error).__name__] += 1
                    break
                turn_done = time.perf_counter()
                if status != 200:
                    stats.errors[f"HTTP {status}"] += 1
                    break
                stats.durations_ms.append((turn_done - turn_started) * 1000)
                last_done[0] = turn_done
                last_text = _texts(body)
                if not body:
                    stats.empty_replies += 1
            else:
                stats.conversations_done += 1
                if check and script.expect_last:
                    stats.checked += 1
                    if not re.search(script.expect_last, last_text):
                        stats.check_failed += 1
                        if len(stats.check_failures) < 5:
                            stats.check_failures.append(f"{script.name}: {last_text[:160]!r}")

    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.perf_counter()
        deadline = started + max_seconds
        await asyncio.gather(*(shopper(session, w, deadline) for w in range(concurrency)))
        window = max(last_done[0] - started, 1e-9)
    return {
        "concurrency": concurrency,
        **summarize_ms(stats.durations_ms),
        "turns_per_s": round(len(stats.durations_ms) / window, 2),
        "window_s": round(window, 2),
        "errors": dict(stats.errors),
        "empty_replies": stats.empty_replies,
        "conversations_completed": stats.conversations_done,
        "conversations_checked": stats.checked,
        "conversations_failing_check": stats.check_failed,
        "check_failure_samples": stats.check_failures,
    }


def turn_load(rasa_urls: str | Sequence[str], concurrency: int, max_turns: int, max_seconds: float, label: str,
              check: bool = False, sender_id: SenderId = as_is) -> dict:
    return asyncio.run(_turn_load(rasa_urls, concurrency, max_turns, max_seconds, label, check, sender_id))


async def _one_conversation(rasa_urls: str | Sequence[str], script: Script, sender: str) -> list[str]:
    replica = RoundRobin(rasa_urls)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        replies = []
        for message in script.messages:
            _status, body = await _post(session, f"{replica()}/webhooks/rest/webhook",
                                        {"sender": sender, "message": message})
            replies.append(_texts(body))
        return replies


def warm_up(rasa_urls: str | Sequence[str], label: str, sender_id: SenderId = as_is) -> list[tuple[str, list[str]]]:
    """One sequential pass over every script, not measured; returns the replies for a sanity print."""
    tag = uuid.uuid4().hex[:6]
    return [(script.name, asyncio.run(_one_conversation(rasa_urls, script,
                                                        sender_id(f"bench-{label}-warmup-{tag}-{script.name}"))))
            for script in CONVERSATIONS]
