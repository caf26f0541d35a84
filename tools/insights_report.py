"""The supervisor aggregates as a daily report on the command line.

    python -m tools.insights_report --since 2026-11-01 [--until ...] [--category delivery] [--level 投诉]
                                    [--format text|json|csv] [--db-url URL]

--since also takes a number of days back ("7d" = the last seven days, today included).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from complaint_desk import clock
from complaint_desk.insights.errors import InsightsError
from complaint_desk.insights.filters import InsightFilter
from complaint_desk.insights.report import insights
from complaint_desk.stores.database import create_schema, default_engine, engine_for, session_factory


def parse_since(value: str | None, today: dt.date) -> str | None:
    if value and value.endswith("d") and value[:-1].isdigit():
        return (today - dt.timedelta(days=int(value[:-1]) - 1)).isoformat()
    return value


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"


def text_report(data: dict[str, Any]) -> str:
    labels = data["labels"]
    s = data["summary"]
    f = data["filters"]
    scope = "，".join(f"{k}={v}" for k, v in f.items()) or "全部"
    lines = [
        f"投诉洞察日报（{data['generated_at'].replace('T', ' ')}，筛选：{scope}）",
        "",
        f"投诉总数 {s['cases']}（工单 {s['tickets']}，未建单转人工 {s['handoffs_without_ticket']}）",
        f"升级率 {_pct(s['escalation_rate'])}  解决率 {_pct(s['resolution_rate'])}  "
        f"情绪平复率 {_pct(s.get('calmer_rate'))}  SLA 超时工单 {_pct(s.get('sla_breach_rate'))}  "
        f"逾期未回访 {s.get('follow_ups_overdue', '–')}",
    ]
    volume = data["volume"]
    lines += ["", "按类别："]
    for category, counts in sorted(volume["by_category"].items(), key=lambda kv: -sum(kv[1])):
        lines.append(f"  {labels['categories'].get(category, category)}：{sum(counts)}")
    lines += ["按等级："]
    for level, counts in volume["by_level"].items():
        lines.append(f"  {level}：{sum(counts)}")
    emotions = data["emotions"]
    change = emotions["change"]
    lines += ["", f"情绪：平复 {change['calmer']}，不变 {change['same']}，更激动 {change['worse']}，无记录 {change['unknown']}"]
    lines += ["升级触发原因：" + ("；".join(f"{t['label']} {t['count']}" for t in data["escalation"]["triggers"]) or "无")]
    resolution = data["resolution"]
    lines += [
        "接受的方案：" + ("；".join(f"{r['label']} {r['count']}" for r in resolution["remedies_accepted"][:6]) or "无"),
        f"拒绝过方案的客户 {resolution['customers_declined']}（全部拒绝后转人工 {resolution['declined_everything']}）",
    ]
    sla = data["sla"]
    first, res = sla["first_response"], sla["resolution"]
    lines += [
        "",
        f"首次响应：按时 {first['within']}，超时 {first['breached']}，中位数 {first['median_seconds']} 秒",
        f"处理时效：按时解决 {res['resolved_within']}，超时解决 {res['resolved_late']}，"
        f"处理中未超时 {res['open_within']}，处理中已超时 {res['open_overdue']}",
    ]
    follow_ups = data["follow_ups"]
    repeat = follow_ups["repeat_complainants"]
    lines += [
        f"回访：逾期 {follow_ups['overdue']}，{follow_ups['due_soon_hours']:g} 小时内到期 {follow_ups['due_soon']}，"
        f"多次触发失败已停止重试 {follow_ups['failed']}",
        *(f"  回访失败：工单 {item['ticket_id']}，尝试 {item['attempts']} 次，最后一次错误：{item['last_error']}"
          for item in follow_ups["failed_list"]),
        f"重复投诉客户 {repeat['customers']} 位，共 {repeat['cases']} 起",
        "",
        "根因短语：",
    ]
    for category, phrases in data["root_causes"].items():
        words = "、".join(f"{p['phrase']}({p['cases']})" for p in phrases)
        lines.append(f"  {labels['categories'].get(category, category)}：{words}")
    return "\n".join(lines) + "\n"


def flat_rows(data: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(section, key path, value) for every number and string in the aggregates."""
    def walk(section: str, prefix: str, value: Any) -> Iterator[tuple[str, str, Any]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(section, f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list):
            for position, item in enumerate(value):
                yield from walk(section, f"{prefix}[{position}]", item)
        else:
            yield section, prefix, value

    for section in ("summary", "volume", "emotions", "escalation", "resolution", "sla", "follow_ups", "root_causes"):
        yield from walk(section, "", data[section])


def csv_report(data: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "key", "value"])
    writer.writerows(flat_rows(data))
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="投诉洞察日报：与主管看板相同的统计")
    parser.add_argument("--since", help="起始日期 YYYY-MM-DD，或最近 N 天，如 7d")
    parser.add_argument("--until", help="结束日期 YYYY-MM-DD（含）")
    parser.add_argument("--category", help="投诉类别编号，如 delivery")
    parser.add_argument("--level", help="投诉等级：咨询 / 异议 / 投诉 / 升级投诉")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")
    parser.add_argument("--db-url", help="数据库 URL（默认 COMPLAINT_DB_URL 或 var/complaint_desk.db）")
    args = parser.parse_args(argv)
    params = {"since": parse_since(args.since, clock.today()), "until": args.until,
              "category": args.category, "level": args.level}
    try:
        filters = InsightFilter.from_params(params)
    except InsightsError as error:
        print(f"参数有误：{error}", file=sys.stderr)
        return 2
    engine = engine_for(args.db_url) if args.db_url else default_engine()
    create_schema(engine)
    data = insights(session_factory(engine), filters).as_dict()
    if args.format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif args.format == "csv":
        sys.stdout.write(csv_report(data))
    else:
        sys.stdout.write(text_report(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
