"""NLU evaluation: `make eval-nlu` (or `python -m tools.eval_nlu`).

Measures, each next to a simple baseline run in the same process:
1. intent and entity macro-F1 by 5-fold cross-validation (Rasa's `cross_validate`, seeded
   folds) for our pipeline (config.yml); on the same folds, a lexical baseline (jieba words +
   character n-grams + logistic regression, a few seconds) and, with --rasa-baseline, Rasa's
   default pipeline with JiebaTokenizer (about an hour of CPU on our data);
2. emotion macro-F1 on the same folds (the emotion model trained per fold) and for the
   keyword-lexicon baseline;
3. on the external sets in ../shared/eval (measured only, never trained or tuned on):
   emotion macro-F1 on SMP2020-EWECT (surprise rows left out) and complaint detection
   accuracy / complaint-class F1 on EPRSTMT, with the model trained on all our data;
4. /model/parse latency (p50/p95) of that model.

Prints a table and writes var/eval/nlu_report.json.

This module runs the stages in order; the work is done in
- tools.nlu_folds: the seeded folds (shared with tools.intent_confusions) and the lexical intent baseline;
- tools.eval_nlu_cross_validation: stages 1 and 2;
- tools.eval_nlu_external: stage 3, the external sets and the complaint rule;
- tools.eval_nlu_timing: the parses of stages 3 and 4, timed;
- tools.eval_nlu_baselines: Rasa's default pipeline and the keyword baselines;
- tools.eval_nlu_report: progress lines, the JSON report and the printed table.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from complaint_desk import percentiles
from tools.eval_nlu_baselines import BASELINE_PIPELINE
from tools.eval_nlu_cross_validation import (
    cross_validate_pipeline,
    emotion_cross_validation,
    lexical_intent_cross_validation,
)
from tools.eval_nlu_external import (
    EPRSTMT_FILE,
    SMP_FILE,
    check_eval_files,
    eprstmt_report,
    read_jsonl,
    smp2020_report,
    smp2020_scored_rows,
)
from tools.eval_nlu_report import OUT_DIR, REPORT_PATH, ROOT, print_table, progress, save_report
from tools.eval_nlu_timing import parse_all, shopper_messages
from tools.nlu_folds import SEED

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("LOG_LEVEL", "WARNING")

EMOTION_COMPONENT = "components.emotion_classifier.EmotionClassifier"
AMOUNT_COMPONENT = "components.amount_normalizer.AmountNormalizer"


def quiet_logs() -> None:
    warnings.filterwarnings("ignore")
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl", "jieba", "components", "complaint_desk", "matplotlib"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)


def load_configs() -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Our config (config.yml, with our components added if the lead has not yet) and the baseline."""
    import yaml

    with open(ROOT / "config.yml", encoding="utf-8") as handle:
        ours = yaml.safe_load(handle)
    ours.pop("policies", None)
    notes = []
    names = [component["name"] for component in ours["pipeline"]]
    if EMOTION_COMPONENT not in names:
        notes.append(f"config.yml lacks {EMOTION_COMPONENT}: added after DIETClassifier for this evaluation")
        position = names.index("DIETClassifier") + 1 if "DIETClassifier" in names else len(names)
        ours["pipeline"].insert(position, {"name": EMOTION_COMPONENT})
        names = [component["name"] for component in ours["pipeline"]]
    if AMOUNT_COMPONENT not in names:
        notes.append(f"config.yml lacks {AMOUNT_COMPONENT}: added after EntitySynonymMapper for this evaluation")
        position = names.index("EntitySynonymMapper") + 1 if "EntitySynonymMapper" in names else len(names)
        ours["pipeline"].insert(position, {"name": AMOUNT_COMPONENT})
    baseline = {"recipe": "default.v1", "language": ours.get("language", "zh"), "pipeline": BASELINE_PIPELINE}
    return ours, baseline, notes


def without_emotion(config: dict[str, Any]) -> dict[str, Any]:
    """Cross-validation config: emotion does not affect intents or entities, and Rasa's fold
    writer keeps only one metadata block per intent, which would mislabel emotions anyway."""
    trimmed = copy.deepcopy(config)
    trimmed["pipeline"] = [c for c in trimmed["pipeline"] if c["name"] != EMOTION_COMPONENT]
    return trimmed


def latency_summary(latencies: Sequence[float]) -> dict[str, float]:
    return {"messages": len(latencies), "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
            "max": max(latencies)}


def percentile(values: Sequence[float], fraction: float) -> float:
    """The timings' percentiles as this report has always given them: by rounded position."""
    return percentiles.percentile(values, fraction, method="rounded_position")


def blind_message_figures(model: Path) -> dict[str, dict[str, Any]]:
    """The blind message sets (tests/blind/<batch>/messages.jsonl) through the same model: figures only."""
    from tools.eval_blind import BLIND_DIR, eval_messages
    from tools.eval_blind import read_jsonl as read_blind

    figures = {}
    for path in sorted(BLIND_DIR.glob("*/messages.jsonl")):
        progress(f"blind messages {path.parent.name}")
        measured = eval_messages(read_blind(path), model)
        figures[path.parent.name] = {key: measured[key] for key in
                                     ("count", "intent_macro_f1", "emotion_macro_f1", "praise_as_complaint_rate")}
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-cv", action="store_true", help="skip the Rasa intent/entity cross-validation")
    parser.add_argument("--rasa-baseline", action="store_true",
                        help="also cross-validate Rasa's default pipeline (slow: about an hour of CPU)")
    parser.add_argument("--model", type=Path,
                        help="parse the external sets with this model (trained on the current data, e.g. by"
                             " `make train`) instead of training one")
    arguments = parser.parse_args(argv)
    if arguments.model:
        if not arguments.model.is_file():
            parser.error(f"找不到模型文件 {arguments.model}（先运行 make train）")
        arguments.model = arguments.model.resolve()  # before the chdir below

    check_eval_files()
    os.chdir(ROOT)
    started = time.time()
    progress("loading Rasa (takes a few seconds)")
    quiet_logs()
    import rasa.model_training
    from rasa.shared.nlu.training_data.loading import load_data

    from complaint_desk.nlu.emotion_cues import CueLexicon
    from complaint_desk.nlu.emotion_general_knowledge import train_polarity_model

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    ours, baseline, notes = load_configs()
    for note in notes:
        progress(f"note: {note}")
    emotion_config = next(c for c in ours["pipeline"] if c["name"] == EMOTION_COMPONENT)
    cues = CueLexicon.from_yaml(ROOT / emotion_config.get("cues", "knowledge/emotion_cues.yml"))
    training_data = load_data(str(ROOT / "data" / "nlu"))
    progress(f"{len(training_data.intent_examples)} NLU examples, {len(training_data.intents)} intents")
    report: dict[str, Any] = {"notes": notes, "folds": arguments.folds, "seed": SEED}

    progress("emotion cross-validation (same folds)")
    train_polarity_model()  # trained once, shared by every fold
    report["emotion_cv"] = emotion_cross_validation(training_data, arguments.folds, emotion_config, cues)
    save_report(report, started)

    if arguments.model:
        model_path = str(arguments.model)
        report["external_model"] = model_path
        progress(f"external sets with the given model {model_path}")
    else:
        progress("training our pipeline on all NLU data for the external sets")
        model_dir = OUT_DIR / "model"
        config_path = OUT_DIR / "config_ours.yml"
        import yaml

        config_path.write_text(yaml.safe_dump(ours, allow_unicode=True, sort_keys=False), encoding="utf-8")
        model_path = rasa.model_training.train_nlu(str(config_path), str(ROOT / "data" / "nlu"), str(model_dir),
                                                   fixed_model_name="eval-nlu")

    smp_rows = read_jsonl(SMP_FILE)
    kept = smp2020_scored_rows(smp_rows)
    eprstmt_rows = read_jsonl(EPRSTMT_FILE)
    shopper_texts = shopper_messages(training_data)
    progress(f"parsing {len(kept)} SMP2020 and {len(eprstmt_rows)} EPRSTMT texts, then {len(shopper_texts)} of ours")
    external_texts = [row["text"] for row in kept + eprstmt_rows]
    parses, latencies = asyncio.run(parse_all(model_path, external_texts + shopper_texts))
    latencies, shopper_latencies = latencies[: len(external_texts)], latencies[len(external_texts):]
    smp_parses, eprstmt_parses = parses[: len(kept)], parses[len(kept): len(external_texts)]

    report["external_emotion_smp2020"] = smp2020_report(smp_rows, smp_parses, cues)
    report["external_complaint_eprstmt"] = eprstmt_report(eprstmt_rows, eprstmt_parses, cues)
    report["parse_latency_ms"] = latency_summary(latencies)
    report["parse_latency_shopper_ms"] = latency_summary(shopper_latencies)
    save_report(report, started)
    report["blind"] = blind_message_figures(Path(model_path))
    save_report(report, started)
    progress("external and blind sets done (partial report saved); cross-validation next, the longest step")

    if not arguments.skip_cv:
        progress("intent/entity cross-validation: our pipeline (config.yml)")
        report["cv_ours"] = cross_validate_pipeline("ours", without_emotion(ours), training_data, arguments.folds)
        save_report(report, started)
        progress("intent cross-validation: lexical baseline (same folds)")
        report["cv_lexical_baseline"] = lexical_intent_cross_validation(training_data, arguments.folds)
        save_report(report, started)
        if arguments.rasa_baseline:
            progress("intent/entity cross-validation: baseline (Rasa default pipeline + JiebaTokenizer)")
            report["cv_baseline"] = cross_validate_pipeline("baseline", baseline, training_data, arguments.folds)

    save_report(report, started)
    print_table(report)
    progress(f"report written to {REPORT_PATH.relative_to(ROOT)} ({report['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
