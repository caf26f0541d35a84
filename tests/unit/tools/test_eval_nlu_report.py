from __future__ import annotations

import pytest

from tools.eval_nlu_report import print_table


def test_the_table_prints_blind_figures_beside_the_in_sample_ones(capsys: pytest.CaptureFixture[str]) -> None:
    report = {
        "notes": [],
        "emotion_cv": {"macro_f1": 0.85, "baseline_keyword_macro_f1": 0.66},
        "external_emotion_smp2020": {"scored": 10, "surprise_left_out": 1, "macro_f1": 0.5,
                                     "baseline_keyword_macro_f1": 0.4},
        "external_complaint_eprstmt": {"ours": {"accuracy": 0.8, "complaint_f1": 0.8},
                                       "baseline_keyword": {"accuracy": 0.7, "complaint_f1": 0.7},
                                       "intent_only": {"accuracy": 0.612, "complaint_f1": 0.6}},
        "parse_latency_ms": {"p50": 5.0, "p95": 9.0},
        "parse_latency_shopper_ms": {"p50": 5.0, "p95": 9.0, "messages": 3},
        "cv_ours": {"intent_macro_f1": 0.91},
        "blind": {"batch1": {"count": 384, "intent_macro_f1": 0.947, "emotion_macro_f1": 0.75,
                             "praise_as_complaint_rate": 0.022}},
    }
    print_table(report)
    out = capsys.readouterr().out
    assert "CV intent macro-F1" in out and "0.910" in out
    assert "blind batch1: intent macro-F1 (384 messages nobody tuned on)" in out and "0.947" in out
    assert "in-sample" in out
    assert "by the intent alone" in out and "0.612" in out
