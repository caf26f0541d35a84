"""Where `make eval-nlu` writes (var/eval), its progress lines, its JSON report and its printed table."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "eval"
REPORT_PATH = OUT_DIR / "nlu_report.json"


def progress(message: str) -> None:
    print(f"[eval-nlu {time.strftime('%H:%M:%S')}] {message}", flush=True)


def save_report(report: dict[str, Any], started: float) -> None:
    """Written after each stage, so that an interrupted run keeps what it measured."""
    report["seconds"] = round(time.time() - started, 1)
    REPORT_PATH.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=float), encoding="utf-8")


def print_table(report: dict[str, Any]) -> None:
    def cell(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else ("-" if value is None else str(value))

    cv_ours = report.get("cv_ours", {})
    cv_base = report.get("cv_baseline", {})
    cv_lexical = report.get("cv_lexical_baseline", {})
    smp = report["external_emotion_smp2020"]
    complaint = report["external_complaint_eprstmt"]
    latency = report["parse_latency_ms"]
    shopper = report["parse_latency_shopper_ms"]
    rows = [
        ("CV intent macro-F1", cv_ours.get("intent_macro_f1"), cv_lexical.get("intent_macro_f1"), "≥ 0.92"),
        ("CV intent macro-F1, Rasa default pipeline", None, cv_base.get("intent_macro_f1"), ""),
        ("CV messages under the fallback thresholds", cv_ours.get("fallback_rate"), cv_base.get("fallback_rate"), ""),
        ("CV entity macro-F1 (DIET)", cv_ours.get("entity_macro_f1"), cv_base.get("entity_macro_f1"), ""),
        ("CV emotion macro-F1", report["emotion_cv"]["macro_f1"], report["emotion_cv"]["baseline_keyword_macro_f1"],
         "≥ 0.85"),
        (f"SMP2020 emotion macro-F1 ({smp['scored']} rows, {smp['surprise_left_out']} surprise left out)",
         smp["macro_f1"], smp["baseline_keyword_macro_f1"], "≥ 0.60"),
        ("EPRSTMT complaint accuracy (intent + emotion rule)", complaint["ours"]["accuracy"],
         complaint["baseline_keyword"]["accuracy"], "≥ 0.88"),
        ("EPRSTMT complaint-class F1", complaint["ours"]["complaint_f1"],
         complaint["baseline_keyword"]["complaint_f1"], ""),
        ("EPRSTMT complaint accuracy by the intent alone (what the dialogue acts on)",
         complaint["intent_only"]["accuracy"], None, "≥ 0.85"),
        (f"/model/parse p95 ms, external posts ({latency['p50']:.1f} p50)", latency["p95"], None, "≤ 20"),
        (f"/model/parse p95 ms, {shopper['messages']} of our shopper messages ({shopper['p50']:.1f} p50)",
         shopper["p95"], None, "≤ 20"),
    ]
    for batch, blind in sorted(report.get("blind", {}).items()):
        rows += [
            (f"blind {batch}: intent macro-F1 ({blind['count']} messages nobody tuned on)", blind["intent_macro_f1"],
             None, "≥ 0.92"),
            (f"blind {batch}: emotion macro-F1", blind["emotion_macro_f1"], None, "≥ 0.80"),
            (f"blind {batch}: praise read as a complaint", blind["praise_as_complaint_rate"], None, "≤ 0.02"),
        ]
    width = max(len(row[0]) for row in rows)
    print()
    print(f"{'metric':<{width}}  {'ours':>7}  {'baseline':>8}  target")
    print("-" * (width + 32))
    for name, ours, baseline, target in rows:
        if ours is None and baseline is None:
            continue  # a measurement this run skipped
        print(f"{name:<{width}}  {cell(ours):>7}  {cell(baseline):>8}  {target}")
    print("CV rows are in-sample (our own examples); blind rows are sets written by people who never saw the"
          " data (make eval-blind for conversations and the guard)")
    print("baselines: jieba + char n-gram logistic regression (intent), Rasa default pipeline + JiebaTokenizer"
          " (entity and the second intent row, with --rasa-baseline); keyword lexicon (emotion/complaint)")
    for note in report["notes"]:
        print(f"note: {note}")
    print()
