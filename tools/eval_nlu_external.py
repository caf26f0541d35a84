"""The external sets of `make eval-nlu` in ../shared/eval, measured only (never trained or tuned on).

- SMP2020-EWECT: emotion macro-F1, its labels mapped onto ours (surprise rows left out);
- EPRSTMT: complaint detection accuracy and complaint-class F1, a complaint being a negative emotion
  or a complaint intent (`predicted_complaint`).

Each is scored from the parses of a model trained on all our data, beside the keyword baselines.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tools.eval_nlu_baselines import keyword_complaint, keyword_emotion
from tools.eval_nlu_report import ROOT

EVAL_DIR = ROOT.parent / "shared" / "eval"
SMP_FILE = EVAL_DIR / "emotion_smp2020_usual_eval.jsonl"
EPRSTMT_FILE = EVAL_DIR / "complaint_eprstmt_dev.jsonl"
# SMP2020-EWECT labels onto ours (see ../shared/eval/README.md); surprise has no counterpart.
SMP_TO_EMOTION = {"angry": "angry", "sad": "disappointed", "fear": "anxious", "happy": "satisfied", "neutral": "neutral"}
COMPLAINT_INTENT_PREFIX = "complain_"
ESCALATION_INTENT = "threaten_escalation"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def check_eval_files() -> None:
    missing = [path for path in (SMP_FILE, EPRSTMT_FILE) if not path.is_file()]
    if missing:
        sys.exit(
            "eval-nlu: external eval sets not found:\n  "
            + "\n  ".join(str(path) for path in missing)
            + f"\nExpected the shared folder beside the repository ({ROOT.parent / 'shared'}),"
            " i.e. <somewhere>/main and <somewhere>/shared."
        )


def smp2020_scored_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The SMP2020 rows whose label has a counterpart among ours."""
    return [row for row in rows if row["label"] in SMP_TO_EMOTION]


def smp2020_report(rows: Sequence[dict[str, Any]], parses: Sequence[dict[str, Any]], cues: Any) -> dict[str, Any]:
    """Emotion scores on SMP2020; parses are those of `smp2020_scored_rows(rows)`, in order."""
    from sklearn.metrics import f1_score

    kept = smp2020_scored_rows(rows)
    smp_truth = [SMP_TO_EMOTION[row["label"]] for row in kept]
    smp_predicted = [parse["emotion"]["name"] for parse in parses]
    smp_baseline = [keyword_emotion(row["text"], cues) for row in kept]
    return {
        "rows": len(rows),
        "scored": len(kept),
        "surprise_left_out": sum(row["label"] == "surprise" for row in rows),
        "macro_f1": f1_score(smp_truth, smp_predicted, average="macro"),
        "per_class_f1": dict(zip(sorted(set(smp_truth)),
                                 f1_score(smp_truth, smp_predicted, average=None, labels=sorted(set(smp_truth))),
                                 strict=True)),
        "predicted_counts": dict(Counter(smp_predicted)),
        "baseline_keyword_macro_f1": f1_score(smp_truth, smp_baseline, average="macro"),
    }


def eprstmt_report(rows: Sequence[dict[str, Any]], parses: Sequence[dict[str, Any]], cues: Any) -> dict[str, Any]:
    """Complaint detection scores on EPRSTMT (negative rows are complaints), one parse per row."""
    complaint_truth = [row["label"] == "negative" for row in rows]
    return {
        "rows": len(rows),
        "ours": complaint_scores(complaint_truth, [predicted_complaint(parse) for parse in parses]),
        "ours_plain_rule": complaint_scores(
            complaint_truth, [predicted_complaint(parse, refined=False) for parse in parses]),
        "intent_only": complaint_scores(
            complaint_truth, [is_complaint_intent((parse.get("intent") or {}).get("name")) for parse in parses]),
        "emotion_only": complaint_scores(
            complaint_truth, [parse["emotion"]["name"] in ("angry", "anxious", "disappointed")
                              for parse in parses]),
        "baseline_keyword": complaint_scores(complaint_truth, [keyword_complaint(row["text"], cues)
                                                               for row in rows]),
    }


def is_complaint_intent(intent: str | None) -> bool:
    return bool(intent) and (intent.startswith(COMPLAINT_INTENT_PREFIX) or intent == ESCALATION_INTENT)


def predicted_complaint(parse: dict[str, Any], refined: bool = True) -> bool:
    """Complaint = a negative emotion, or a complaint intent.

    Refined (the headline rule, fixed before measuring): a complaint intent does not count when
    the emotion is `satisfied`, since praise names the same topics (质量, 物流) as complaints.
    """
    from complaint_desk.nlu.emotion_model import NEGATIVE_EMOTIONS

    emotion_name = (parse.get("emotion") or {}).get("name")
    intent_name = (parse.get("intent") or {}).get("name")
    if emotion_name in NEGATIVE_EMOTIONS:
        return True
    if refined and emotion_name == "satisfied":
        return False
    return is_complaint_intent(intent_name)


def complaint_scores(truth: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    return {"accuracy": accuracy_score(truth, predicted), "complaint_f1": f1_score(truth, predicted)}
