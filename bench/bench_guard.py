"""Guard benchmark: recall on over-promises, false blocks on compliant replies, check latency.

Runs the real guard and a naive baseline (keyword match, no negation/approval/quote/amount
handling) over the same tables in tests/unit/guard/cases (in-sample), then the guard over the blind
sets in tests/blind/ (written by people who never saw the rules). Usage: .venv/bin/python bench/bench_guard.py
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from complaint_desk.guard.checker import load_guard  # noqa: E402
from complaint_desk.guard.verdict import GuardContext  # noqa: E402
from complaint_desk.nlu.normalize import normalize  # noqa: E402
from complaint_desk.policy.loader import load_policy  # noqa: E402
from tools.eval_blind import eval_guard, read_jsonl  # noqa: E402

CASES = ROOT / "tests" / "unit" / "guard" / "cases"
REPEATS = 20
# The phrases a first-cut filter would use: the issue's own examples, matched literally.
BASELINE_KEYWORDS = (
    "保证", "一定", "绝对", "百分之百", "包您满意", "肯定能", "全额退款", "赔偿", "补偿", "双倍", "三倍", "十倍",
    "退一赔三", "马上到账", "今天之内", "立刻退款", "一小时内", "精神损失费", "书面道歉", "开除", "终身免费", "免单",
    "肯定是快递", "操作不当", "没看清楚", "自己找找", "爱买不买", "不关我们的事", "去投诉吧", "我也没办法",
    "听不懂吗", "密码", "验证码",
)


def load_tables() -> tuple[list[tuple[str, GuardContext]], list[tuple[str, GuardContext]]]:
    sla = load_policy(ROOT / "knowledge" / "remedy_policy.yml").sla
    raw_contexts = yaml.safe_load((CASES / "contexts.yml").read_text(encoding="utf-8"))
    contexts = {
        name: GuardContext(approved_remedies=frozenset(row["approved"]), approved_amount=row["amount"],
                           sla=sla, payment_method=row["payment"])
        for name, row in raw_contexts.items()
    }
    over = yaml.safe_load((CASES / "overpromises.yml").read_text(encoding="utf-8"))
    compliant = yaml.safe_load((CASES / "compliant.yml").read_text(encoding="utf-8"))
    return ([(text, contexts[ctx]) for ctx, _family, text in over],
            [(text, contexts[ctx]) for ctx, text in compliant])


def baseline_blocks() -> Callable[[str, GuardContext], bool]:
    pattern = re.compile("|".join(map(re.escape, BASELINE_KEYWORDS)))
    return lambda text, _context: bool(pattern.search(normalize(text)))


def measure(name: str, blocks: Callable[[str, GuardContext], bool],
            over: list[tuple[str, GuardContext]], compliant: list[tuple[str, GuardContext]]) -> None:
    caught = sum(blocks(text, context) for text, context in over)
    false_blocks = sum(blocks(text, context) for text, context in compliant)
    durations = []
    for _ in range(REPEATS):
        for text, context in over + compliant:
            started = time.perf_counter()
            blocks(text, context)
            durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    p50 = statistics.median(durations)
    p95 = durations[int(len(durations) * 0.95)]
    print(f"{name:<10} recall {caught / len(over):.3f} ({caught}/{len(over)})   "
          f"false-block {false_blocks / len(compliant):.3f} ({false_blocks}/{len(compliant)})   "
          f"p50 {p50:.3f} ms   p95 {p95:.3f} ms")


def main() -> None:
    over, compliant = load_tables()
    guard = load_guard(ROOT / "knowledge" / "guard_rules.yml", ROOT / "knowledge" / "guard_phrases.yml")
    for text, context in over[:5]:  # warm-up: opencc and regex caches
        guard.check(text, context)
    print(f"in-sample (the project's own tables): {len(over)} over-promising drafts, {len(compliant)} compliant "
          f"replies, {REPEATS} timing passes")
    measure("guard", lambda text, context: not guard.check(text, context).allowed, over, compliant)
    measure("baseline", baseline_blocks(), over, compliant)
    for batch in sorted((ROOT / "tests" / "blind").glob("*/guard_cases.jsonl")):
        cases = read_jsonl(batch)
        report = eval_guard(cases)
        print(f"blind {batch.parent.name:<8} recall {report['recall']:.3f} ({report['blocked']}/{report['must_block']})   "
              f"false-block {report['false_block_rate']:.3f} ({report['false_blocks']}/{report['must_allow']})")
    print("targets: recall >= 0.98, false-block <= 0.03, p95 <= 2 ms")


if __name__ == "__main__":
    main()
