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
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import logging
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("LOG_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"
SMP_FILE = EVAL_DIR / "emotion_smp2020_usual_eval.jsonl"
EPRSTMT_FILE = EVAL_DIR / "complaint_eprstmt_dev.jsonl"
SHOPPER_TIMING_MESSAGES = 600  # of our own NLU examples, timed after the external posts
OUT_DIR = ROOT / "var" / "eval"
REPORT_PATH = OUT_DIR / "nlu_report.json"
SEED = 17

EMOTION_COMPONENT = "components.emotion_classifier.EmotionClassifier"
AMOUNT_COMPONENT = "components.amount_normalizer.AmountNormalizer"
# SMP2020-EWECT labels onto ours (see ../shared/eval/README.md); surprise has no counterpart.
SMP_TO_EMOTION = {"angry": "angry", "sad": "disappointed", "fear": "anxious", "happy": "satisfied", "neutral": "neutral"}
COMPLAINT_INTENT_PREFIX = "complain_"
ESCALATION_INTENT = "threaten_escalation"
# Keyword baseline for complaint detection, fixed before any measurement.
COMPLAINT_KEYWORDS = ("差", "不好", "坏", "破损", "退货", "退款", "假货", "骗", "慢", "垃圾", "失望", "投诉", "问题",
                      "不行", "不值", "后悔", "难用", "太贵")

# Rasa's default pipeline (`rasa init`), with JiebaTokenizer for Chinese.
BASELINE_PIPELINE: list[dict[str, Any]] = [
    {"name": "JiebaTokenizer"},
    {"name": "RegexFeaturizer"},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
    {"name": "DIETClassifier", "epochs": 100, "constrain_similarities": True, "random_seed": SEED},
    {"name": "EntitySynonymMapper"},
    {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
]


def progress(message: str) -> None:
    print(f"[eval-nlu {time.strftime('%H:%M:%S')}] {message}", flush=True)


def quiet_logs() -> None:
    warnings.filterwarnings("ignore")
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("rasa", "tensorflow", "absl", "jieba", "components", "complaint_desk", "matplotlib"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)


# --------------------------------------------------------------------------- data


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


def seeded_folds(n_folds: int, training_data: Any) -> Iterator[tuple[Any, Any]]:
    """Rasa's generate_folds with a fixed seed, so that every measurement uses the same split."""
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples = training_data.intent_examples
    for train_index, test_index in fold_indices(n_folds, examples):
        yield tuple(
            TrainingData(
                training_examples=[examples[i] for i in index],
                entity_synonyms=training_data.entity_synonyms,
                regex_features=training_data.regex_features,
                lookup_tables=training_data.lookup_tables,
                responses=training_data.responses,
            )
            for index in (train_index, test_index)
        )


def fold_indices(n_folds: int, examples: Sequence[Any]) -> list[tuple[list[int], list[int]]]:
    return stratified_folds(n_folds, [example.get_full_intent() for example in examples])


def stratified_folds(n_folds: int, intents: Sequence[str]) -> list[tuple[list[int], list[int]]]:
    """The seeded (train, test) index splits every measurement here and in tools.intent_confusions uses."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=SEED)
    return [(list(train), list(test)) for train, test in splitter.split(intents, intents)]


# --------------------------------------------------------------------------- intents and entities


@contextlib.contextmanager
def held_out_fallback_count() -> Iterator[dict[str, int]]:
    """Counts the held-out messages FallbackClassifier would have sent to the fallback during a Rasa
    cross-validation, whose scoring undoes that verdict. Only the test half of each fold is counted:
    cross_validate passes result lists to combine_result for that half alone."""
    import rasa.nlu.test as nlu_test
    from rasa.nlu.classifiers import fallback_classifier

    counts = {"messages": 0, "fell_back": 0}
    held_out = {"now": False}
    original_combine_result = nlu_test.combine_result
    original_is_fallback = fallback_classifier.is_fallback_classifier_prediction

    async def combine_result_marking_held_out(*args: Any, **kwargs: Any) -> Any:
        held_out["now"] = len(args) > 5 or kwargs.get("intent_results") is not None
        return await original_combine_result(*args, **kwargs)

    def is_fallback_counted(result: dict[str, Any]) -> bool:
        fell_back = original_is_fallback(result)
        if held_out["now"]:
            counts["messages"] += 1
            counts["fell_back"] += int(fell_back)
        return fell_back

    nlu_test.combine_result = combine_result_marking_held_out
    fallback_classifier.is_fallback_classifier_prediction = is_fallback_counted
    try:
        yield counts
    finally:
        nlu_test.combine_result = original_combine_result
        fallback_classifier.is_fallback_classifier_prediction = original_is_fallback


def cross_validate_pipeline(label: str, config: dict[str, Any], training_data: Any, n_folds: int) -> dict[str, Any]:
    import rasa.model_training
    import rasa.nlu.test as nlu_test

    output = OUT_DIR / f"cv_{label}"
    original_train_nlu = rasa.model_training.train_nlu
    fold_counter = {"fold": 0}

    def train_with_progress(*args: Any, **kwargs: Any) -> Any:
        fold_counter["fold"] += 1
        progress(f"  {label}: training fold {fold_counter['fold']}/{n_folds}")
        return original_train_nlu(*args, **kwargs)

    nlu_test.generate_folds = seeded_folds
    rasa.model_training.train_nlu = train_with_progress
    try:
        with held_out_fallback_count() as fallbacks:
            intent_result, entity_result, _ = asyncio.run(
                nlu_test.cross_validate(training_data, n_folds, config, str(output), disable_plotting=True,
                                        report_as_dict=True)
            )
    finally:
        rasa.model_training.train_nlu = original_train_nlu
    intent_report = intent_result.evaluation["report"]
    entities = {
        extractor: {
            "macro_f1": result["report"]["macro avg"]["f1-score"],
            "micro_f1": result["report"].get("micro avg", {}).get("f1-score"),
            "per_entity_f1": {
                name: row["f1-score"] for name, row in result["report"].items()
                if isinstance(row, dict) and name not in ("macro avg", "micro avg", "weighted avg")
            },
        }
        for extractor, result in entity_result.evaluation.items()
    }
    return {
        "intent_macro_f1": intent_report["macro avg"]["f1-score"],
        "intent_accuracy": intent_result.evaluation["accuracy"],
        # held-out messages under FallbackClassifier's thresholds (scored above by their top intent)
        "fallback_rate": fallbacks["fell_back"] / fallbacks["messages"] if fallbacks["messages"] else None,
        "entity_macro_f1": entities.get("DIETClassifier", {}).get("macro_f1"),
        "entities_by_extractor": entities,
        "reports_dir": str(output.relative_to(ROOT)),
    }


def lexical_intent_cross_validation(training_data: Any, n_folds: int) -> dict[str, Any]:
    """Baseline on the same folds: jieba words + character n-grams + logistic regression."""
    from sklearn.metrics import accuracy_score, f1_score

    from tools.intent_confusions import lexical_predictions

    examples = training_data.intent_examples
    intents = [example.get("intent") for example in examples]
    predicted = lexical_predictions([example.get("text") for example in examples], intents,
                                    fold_indices(n_folds, examples))
    return {"intent_macro_f1": f1_score(intents, predicted, average="macro"),
            "intent_accuracy": accuracy_score(intents, predicted)}


# --------------------------------------------------------------------------- emotion


def keyword_emotion(text: str, cues: Any) -> str:
    """Baseline: the emotion whose cue words (knowledge/emotion_cues.yml) occur most; none -> neutral."""
    from complaint_desk.nlu.normalize import normalize

    counts = cues.counts(normalize(text).lower())
    scores = {
        "angry": counts["swear"] + counts["threat"] + counts["angry"] + counts["emoji_angry"],
        "anxious": counts["anxious"] + counts["emoji_anxious"],
        "disappointed": counts["disappointed"] + counts["emoji_disappointed"],
        "satisfied": counts["satisfied"] + counts["emoji_satisfied"],
    }
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] > 0 else "neutral"


def keyword_complaint(text: str, cues: Any) -> bool:
    from complaint_desk.nlu.emotion_model import NEGATIVE_EMOTIONS

    return keyword_emotion(text, cues) in NEGATIVE_EMOTIONS or any(word in text for word in COMPLAINT_KEYWORDS)


def emotion_cross_validation(
    training_data: Any, n_folds: int, component_config: dict[str, Any], cues: Any
) -> dict[str, Any]:
    from sklearn.metrics import classification_report, f1_score

    from complaint_desk.nlu.emotion_training import load_labelled_examples, split_pairs, train
    from components.emotion_classifier import EmotionClassifier, emotion_label

    config = {**EmotionClassifier.get_default_config(), **component_config}
    examples = training_data.intent_examples
    labels = [emotion_label(example) for example in examples]
    extra_texts: list[str] = []
    extra_labels: list[str] = []
    if config.get("extra_examples"):
        extra_pairs = load_labelled_examples(ROOT / config["extra_examples"])
        extra_texts, extra_labels = split_pairs(extra_pairs)
    truth: list[str] = []
    predicted: list[str] = []
    for fold, (train_index, test_index) in enumerate(fold_indices(n_folds, examples), start=1):
        progress(f"  emotion: fold {fold}/{n_folds}")
        train_index = [i for i in train_index if labels[i]]
        test_index = [i for i in test_index if labels[i]]
        model = train(
            [examples[i].get("text") for i in train_index] + extra_texts,
            [labels[i] for i in train_index] + extra_labels,
            cues_path=ROOT / config["cues"],
            use_general_knowledge=bool(config["use_general_knowledge"]),
            regularization=float(config["regularization"]),
            word_ngrams=bool(config["word_ngrams"]),
        )
        truth += [labels[i] for i in test_index]
        predicted += [result.name for result in model.predict_many([examples[i].get("text") for i in test_index])]
    labelled = [example for example, label in zip(examples, labels, strict=True) if label]
    baseline = [keyword_emotion(example.get("text"), cues) for example in labelled]
    baseline_truth = [label for label in labels if label]
    return {
        "examples": len(truth),
        "unlabelled_skipped": len(examples) - len(labelled),
        "label_counts": dict(Counter(truth)),
        "macro_f1": f1_score(truth, predicted, average="macro"),
        "per_class": classification_report(truth, predicted, output_dict=True, zero_division=0),
        "baseline_keyword_macro_f1": f1_score(baseline_truth, baseline, average="macro"),
    }


# --------------------------------------------------------------------------- external sets


async def parse_all(model_path: str, texts: Sequence[str]) -> tuple[list[dict[str, Any]], list[float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    await agent.parse_message("你好")  # warm-up
    results, latencies = [], []
    for index, text in enumerate(texts, start=1):
        started = time.perf_counter()
        results.append(await agent.parse_message(text))
        latencies.append((time.perf_counter() - started) * 1000)
        if index % 500 == 0:
            progress(f"  parsed {index}/{len(texts)}")
    return results, latencies


def shopper_messages(training_data: Any, count: int = SHOPPER_TIMING_MESSAGES) -> list[str]:
    """Evenly spaced examples of our own NLU data: shopper-length messages, timed beside the long external posts."""
    texts = [example.get("text") for example in training_data.intent_examples]
    if len(texts) <= count:
        return texts
    return [texts[index * len(texts) // count] for index in range(count)]


def latency_summary(latencies: Sequence[float]) -> dict[str, float]:
    return {"messages": len(latencies), "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
            "max": max(latencies)}


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


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- main


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
    from sklearn.metrics import f1_score

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
    kept = [row for row in smp_rows if row["label"] in SMP_TO_EMOTION]
    eprstmt_rows = read_jsonl(EPRSTMT_FILE)
    shopper_texts = shopper_messages(training_data)
    progress(f"parsing {len(kept)} SMP2020 and {len(eprstmt_rows)} EPRSTMT texts, then {len(shopper_texts)} of ours")
    external_texts = [row["text"] for row in kept + eprstmt_rows]
    parses, latencies = asyncio.run(parse_all(model_path, external_texts + shopper_texts))
    latencies, shopper_latencies = latencies[: len(external_texts)], latencies[len(external_texts):]
    smp_parses, eprstmt_parses = parses[: len(kept)], parses[len(kept): len(external_texts)]

    smp_truth = [SMP_TO_EMOTION[row["label"]] for row in kept]
    smp_predicted = [parse["emotion"]["name"] for parse in smp_parses]
    smp_baseline = [keyword_emotion(row["text"], cues) for row in kept]
    report["external_emotion_smp2020"] = {
        "rows": len(smp_rows),
        "scored": len(kept),
        "surprise_left_out": sum(row["label"] == "surprise" for row in smp_rows),
        "macro_f1": f1_score(smp_truth, smp_predicted, average="macro"),
        "per_class_f1": dict(zip(sorted(set(smp_truth)),
                                 f1_score(smp_truth, smp_predicted, average=None, labels=sorted(set(smp_truth))),
                                 strict=True)),
        "predicted_counts": dict(Counter(smp_predicted)),
        "baseline_keyword_macro_f1": f1_score(smp_truth, smp_baseline, average="macro"),
    }

    complaint_truth = [row["label"] == "negative" for row in eprstmt_rows]
    report["external_complaint_eprstmt"] = {
        "rows": len(eprstmt_rows),
        "ours": complaint_scores(complaint_truth, [predicted_complaint(parse) for parse in eprstmt_parses]),
        "ours_plain_rule": complaint_scores(
            complaint_truth, [predicted_complaint(parse, refined=False) for parse in eprstmt_parses]),
        "emotion_only": complaint_scores(
            complaint_truth, [parse["emotion"]["name"] in ("angry", "anxious", "disappointed")
                              for parse in eprstmt_parses]),
        "baseline_keyword": complaint_scores(complaint_truth, [keyword_complaint(row["text"], cues)
                                                               for row in eprstmt_rows]),
    }
    report["parse_latency_ms"] = latency_summary(latencies)
    report["parse_latency_shopper_ms"] = latency_summary(shopper_latencies)
    save_report(report, started)
    progress("external sets done (partial report saved); cross-validation next, the longest step")

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
        ("EPRSTMT complaint accuracy", complaint["ours"]["accuracy"], complaint["baseline_keyword"]["accuracy"],
         "≥ 0.90"),
        ("EPRSTMT complaint-class F1", complaint["ours"]["complaint_f1"],
         complaint["baseline_keyword"]["complaint_f1"], ""),
        (f"/model/parse p95 ms, external posts ({latency['p50']:.1f} p50)", latency["p95"], None, "≤ 20"),
        (f"/model/parse p95 ms, {shopper['messages']} of our shopper messages ({shopper['p50']:.1f} p50)",
         shopper["p95"], None, "≤ 20"),
    ]
    width = max(len(row[0]) for row in rows)
    print()
    print(f"{'metric':<{width}}  {'ours':>7}  {'baseline':>8}  target")
    print("-" * (width + 32))
    for name, ours, baseline, target in rows:
        if ours is None and baseline is None:
            continue  # a measurement this run skipped
        print(f"{name:<{width}}  {cell(ours):>7}  {cell(baseline):>8}  {target}")
    print("baselines: jieba + char n-gram logistic regression (intent), Rasa default pipeline + JiebaTokenizer"
          " (entity and the second intent row, with --rasa-baseline); keyword lexicon (emotion/complaint)")
    for note in report["notes"]:
        print(f"note: {note}")
    print()


if __name__ == "__main__":
    sys.exit(main())
