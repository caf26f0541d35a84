"""The Markdown table of a `make bench` run (bench/run_all.py): figures, ratios to the stock bot, targets."""

from __future__ import annotations

import os

TARGETS = {"parse_p95_ms": 20, "turn10_p95_ms": 150, "turn10_turns_per_s": 30, "turn_vs_stock": 1.5}


def role_of(process_name: str) -> str:
    """`rasa_server_1` -> `rasa_server`: replicas of one role are added up."""
    base, _, suffix = process_name.rpartition("_")
    return base if suffix.isdigit() else process_name


def _three(d: dict | None) -> str:
    if not d or not d.get("n"):
        return "—"
    return f"{d['p50_ms']:.1f} / {d['p95_ms']:.1f} / {d['p99_ms']:.1f}"


def _ratio3(a: dict | None, b: dict | None) -> str:
    if not a or not b or not a.get("n") or not b.get("n"):
        return "—"
    return " / ".join(f"{a[k] / b[k]:.2f}×" for k in ("p50_ms", "p95_ms", "p99_ms"))


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def _num(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:g}{unit}"


def _met(ok: bool | None) -> str:
    return "" if ok is None else (" ✓" if ok else " ✗")


def ratios(report: dict) -> dict:
    ours, stock = report.get("ours") or {}, report.get("stock") or {}
    out: dict = {}
    if ours.get("parse") and stock.get("parse"):
        out["parse_p95"] = round(ours["parse"]["p95_ms"] / stock["parse"]["p95_ms"], 2)
    for level, turns in (ours.get("turns") or {}).items():
        base = (stock.get("turns") or {}).get(level)
        if base and turns.get("n") and base.get("n"):
            out[f"turn{level}_p50"] = round(turns["p50_ms"] / base["p50_ms"], 2)
            out[f"turn{level}_p95"] = round(turns["p95_ms"] / base["p95_ms"], 2)
            out[f"turn{level}_throughput"] = round(turns["turns_per_s"] / base["turns_per_s"], 2)
    return out


def markdown(report: dict) -> str:
    ours, stock, stock_sql = (report.get(k) or {} for k in ("ours", "stock", "stock_sql"))
    floor = report.get("floor") or {}
    deployment = (report.get("meta") or {}).get("deployment") or {}
    sql_name = stock_sql.get("tracker_store") or ("PostgreSQL" if deployment.get("mode") == "production" else "SQLite")
    rows = [_mode_line(deployment), ""] if deployment else []
    rows += [
        f"| metric | 投诉助手 | stock Rasa | ours ÷ stock | stock + {sql_name} tracker | ours ÷ (stock + {sql_name}) "
        "| target (context) |",
        "|---|---|---|---|---|---|---|",
    ]
    parse_ok = ours.get("parse", {}).get("p95_ms", 1e9) <= TARGETS["parse_p95_ms"] if ours.get("parse") else None
    rows.append(f"| `/model/parse` p50 / p95 / p99 (ms) | {_three(ours.get('parse'))}{_met(parse_ok)} | "
                f"{_three(stock.get('parse'))} | {_ratio3(ours.get('parse'), stock.get('parse'))} | — | — | "
                f"p95 ≤ {TARGETS['parse_p95_ms']} ms |")
    levels = sorted({int(k) for k in (ours.get("turns") or {})} | {int(k) for k in (stock.get("turns") or {})})
    for level in levels:
        o = (ours.get("turns") or {}).get(str(level))
        s = (stock.get("turns") or {}).get(str(level))
        q = (stock_sql.get("turns") or {}).get(str(level))
        p95_target, tps_target = "", ""
        p95_ok = tps_ok = None
        if level == 10:
            p95_target = f"p95 ≤ {TARGETS['turn10_p95_ms']} ms; "
            tps_target = f"≥ {TARGETS['turn10_turns_per_s']} turns/s"
            if o and o.get("n"):
                p95_ok = o["p95_ms"] <= TARGETS["turn10_p95_ms"]
                tps_ok = o["turns_per_s"] >= TARGETS["turn10_turns_per_s"]
        vs_stock_ok = (o["p95_ms"] / s["p95_ms"] <= TARGETS["turn_vs_stock"]) if o and s and o.get("n") and s.get("n") \
            else None
        rows.append(
            f"| turn @ {level} concurrent, p50 / p95 / p99 (ms) | {_three(o)}{_met(p95_ok)} | {_three(s)} | "
            f"{_ratio3(o, s)}{_met(vs_stock_ok)} | {_three(q)} | {_ratio3(o, q)} | "
            f"{p95_target}p95 ≤ {TARGETS['turn_vs_stock']}× stock |")
        rows.append(
            f"| turn @ {level} concurrent, turns/s | {_num(o and o['turns_per_s'])}{_met(tps_ok)} | "
            f"{_num(s and s['turns_per_s'])} | {_ratio(o and o['turns_per_s'], s and s['turns_per_s'])} | "
            f"{_num(q and q['turns_per_s'])} | {_ratio(o and o['turns_per_s'], q and q['turns_per_s'])} | "
            f"{tps_target} |")
        cpu_o = (o or {}).get("cpu_ms_per_turn") or {}
        cpu_s = (s or {}).get("cpu_ms_per_turn") or {}
        cpu_q = (q or {}).get("cpu_ms_per_turn") or {}
        servers_o = sum(v for k, v in cpu_o.items() if k != "load_generator") or None
        rows.append(
            f"| turn @ {level}: server CPU ms per turn (Rasa + actions + worker) | "
            f"{_num(servers_o and round(servers_o, 1))} ({_num(cpu_o.get('rasa_server'))} + "
            f"{_num(cpu_o.get('action_server'))} + {_num(cpu_o.get('followup_worker'))}) | "
            f"{_num(cpu_s.get('rasa_server'))} | {_ratio(servers_o, cpu_s.get('rasa_server'))} | "
            f"{_num(cpu_q.get('rasa_server'))} | {_ratio(servers_o, cpu_q.get('rasa_server'))} | |")
    ot, st = ours.get("training") or {}, stock.get("training") or {}
    cached = " (cached)" if stock.get("training_cached") else ""
    if stock.get("epochs"):
        cached = f" (stock trained with {stock['epochs']} epochs for this run: not comparable)"
    rows.append(f"| training from scratch, `rasa train --force` (s) | {_num(ot.get('seconds'))} | "
                f"{_num(st.get('seconds'))}{cached} | {_ratio(ot.get('seconds'), st.get('seconds'))} | — | — | |")
    rows.append(f"| training peak RSS (MB) | {_num(ot.get('peak_rss_mb'))} | {_num(st.get('peak_rss_mb'))} | "
                f"{_ratio(ot.get('peak_rss_mb'), st.get('peak_rss_mb'))} | — | — | |")
    rows.append(f"| model size (MB) | {_num(ours.get('model_size_mb'))} | {_num(stock.get('model_size_mb'))} | "
                f"{_ratio(ours.get('model_size_mb'), stock.get('model_size_mb'))} | — | — | |")
    mem_o, mem_s, mem_q = (x.get("memory") or {} for x in (ours, stock, stock_sql))

    def peak(mem: dict, name: str) -> float | None:
        """Peak RSS of one process of that role (the largest replica's)."""
        values = [v.get("peak_rss_mb") for k, v in mem.items() if role_of(k) == name and v.get("peak_rss_mb")]
        return max(values) if values else None

    def peak_total(mem: dict) -> float | None:
        return round(sum(v.get("peak_rss_mb") or 0.0 for v in mem.values()), 1) or None

    rows.append(f"| peak RSS, Rasa server (MB, per replica) | {_num(peak(mem_o, 'rasa_server'))} | {_num(peak(mem_s, 'rasa_server'))} | "
                f"{_ratio(peak(mem_o, 'rasa_server'), peak(mem_s, 'rasa_server'))} | {_num(peak(mem_q, 'rasa_server'))} | "
                f"{_ratio(peak(mem_o, 'rasa_server'), peak(mem_q, 'rasa_server'))} | |")
    rows.append(f"| peak RSS, action server (MB) | {_num(peak(mem_o, 'action_server'))} | — | — | — | — | |")
    rows.append(f"| peak RSS, follow-up worker (MB) | {_num(peak(mem_o, 'followup_worker'))} | — | — | — | — | |")
    total_o = peak_total(mem_o)
    rows.append(f"| peak RSS, all server processes (MB) | {_num(total_o and round(total_o, 1))} | "
                f"{_num(peak(mem_s, 'rasa_server'))} | {_ratio(total_o, peak(mem_s, 'rasa_server'))} | — | — | |")
    if floor.get("n"):
        floor_ratio = _ratio3(ours.get("parse"), floor)
        rows.append(f"| floor: jieba + TF-IDF + LogReg in-process, per message p50 / p95 / p99 (ms) | "
                    f"{_three(floor)} (held-out acc. {floor['held_out_accuracy']}) | — | "
                    f"our parse ÷ floor: {floor_ratio} | — | — | |")
    foreign = _foreign_load(report)
    if foreign:
        rows.append("")
        rows.append("Other jobs on the machine during the measurements (cores busy outside the bench, of "
                    f"{os.cpu_count()}): " + ", ".join(f"{k} {v}" for k, v in foreign.items()) + ".")
    return "\n".join(rows)


def _mode_line(deployment: dict) -> str:
    if deployment.get("mode") == "production":
        line = (f"Complaint desk in **production** mode: {deployment.get('replicas')} Rasa replicas (requests "
                f"round-robin), one action server, PostgreSQL schema {deployment.get('schema')}, Redis lock store.")
    else:
        line = "Complaint desk in **development** mode: one Rasa server, SQLite, in-memory lock store."
    if deployment.get("fallback_reason"):
        line += f" Production was asked for but {deployment['fallback_reason']}."
    return line


def _foreign_load(report: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for label in ("ours", "stock", "stock_sql"):
        section = report.get(label) or {}
        phases = [section.get("parse") or {}] + list((section.get("turns") or {}).values())
        values = [p["foreign_cpu_cores"] for p in phases if "foreign_cpu_cores" in p]
        if values:
            out[f"{label} load runs up to"] = max(values)
        if "foreign_cpu_cores" in (section.get("training") or {}):
            out[f"{label} training"] = section["training"]["foreign_cpu_cores"]
    return out
