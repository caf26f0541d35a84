"""Emotion alone, in-sample against blind: the fast loop for whoever works on the emotion model.

    python -m tools.eval_emotion_blind                    # 5-fold CV + every blind batch
    python -m tools.eval_emotion_blind --no-cv            # blind batches only (one training)
    python -m tools.eval_emotion_blind --errors batch1    # also list batch 1's misses

The emotion model is trained in process by the Rasa component itself (EmotionClassifier.train on the
NLU data of this checkout, with its config from config.yml), so the figures are those of the model
`rasa train` would build; no other part of the pipeline is trained, so a run takes a minute or two.

- in-sample: 5-fold CV on the labelled NLU examples, on the seeded intent-stratified folds every NLU
  measurement uses (tools.nlu_folds); the general-domain examples (`extra_examples`) are in every
  training fold, as in the component;
- blind: the model trained on all the data, scored on tests/blind/<batch>/messages.jsonl (cases in the
  batch's excluded.txt left out).

Only aggregate figures are printed (macro-F1, per-class F1, confusion matrix). `--errors` lists the
misses of batch 1 only: the later batches are for honest figures and their sentences are never shown.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from complaint_desk.paths import PROJECT_ROOT
from complaint_desk.taxonomy import EMOTIONS

BLIND_DIR = PROJECT_ROOT / "tests" / "blind"
EMOTION_COMPONENT = "components.emotion_classifier.EmotionClassifier"
ERRORS_ALLOWED = ("batch1", "batch4")  # batches whose individual misses may be read


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def quiet_logs() -> None:
    warnings.filterwarnings("ignore")
    for name in ("rasa", "tensorflow", "absl", "jieba", "components", "complaint_desk"):
        logging.getLogger(name).setLevel(logging.ERROR)


def component_config(config_path: Path) -> dict[str, Any]:
    """The emotion component's config from config.yml (its defaults if the pipeline lacks it)."""
    import yaml

    from components.emotion_classifier import EmotionClassifier

    with open(config_path, encoding="utf-8") as handle:
        pipeline = (yaml.safe_load(handle) or {}).get("pipeline") or []
    ours = next((dict(entry) for entry in pipeline if entry.get("name") == EMOTION_COMPONENT), {})
    ours.pop("name", None)
    return {**EmotionClassifier.get_default_config(), **ours}


def train_component(config: dict[str, Any], training_data: Any, storage_dir: Path) -> Any:
    """EmotionClassifier.train on training_data, exactly as a Rasa graph would run it."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from components.emotion_classifier import EmotionClassifier

    storage_dir.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(storage_dir)
    context = ExecutionContext(GraphSchema({}), "eval-emotion-blind")
    component = EmotionClassifier.create(config, storage, Resource("emotion"), context)
    component.train(training_data)
    return component


def predict(component: Any, texts: Sequence[str]) -> list[str]:
    from rasa.shared.nlu.training_data.message import Message

    messages = component.process([Message(data={"text": text}) for text in texts])
    return [(message.get("emotion") or {}).get("name") or "neutral" for message in messages]


def scores(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Macro-F1, per-class F1 and the confusion matrix (rows: truth, columns: prediction)."""
    from sklearn.metrics import confusion_matrix, f1_score

    labels = list(EMOTIONS)
    per_class = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    return {
        "n": len(truth),
        "macro_f1": float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        "per_class": {label: float(value) for label, value in zip(labels, per_class, strict=True)},
        "confusion": confusion_matrix(truth, predicted, labels=labels).tolist(),
    }


def cross_validate(config: dict[str, Any], training_data: Any, n_folds: int, work_dir: Path) -> dict[str, Any]:
    """The component trained on each fold's NLU examples (plus the extra examples), scored on the rest."""
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from components.emotion_classifier import emotion_label
    from tools.nlu_folds import fold_indices

    examples = training_data.intent_examples
    labels = [emotion_label(example) for example in examples]
    truth: list[str] = []
    predicted: list[str] = []
    for fold, (train_index, test_index) in enumerate(fold_indices(n_folds, examples), start=1):
        started = time.monotonic()
        fold_data = TrainingData(training_examples=[examples[i] for i in train_index])
        component = train_component(config, fold_data, work_dir / f"fold{fold}")
        tested = [i for i in test_index if labels[i]]
        truth += [labels[i] for i in tested]
        predicted += predict(component, [examples[i].get("text") for i in tested])
        progress(f"  fold {fold}/{n_folds}: {time.monotonic() - started:.0f} s")
    return scores(truth, predicted)


def read_blind(batch: str) -> list[dict[str, Any]]:
    from tools.eval_blind import excluded, read_jsonl

    directory = BLIND_DIR / batch
    left_out = excluded(directory)
    return [case for case in read_jsonl(directory / "messages.jsonl") if case["id"] not in left_out]


def format_scores(title: str, result: dict[str, Any]) -> str:
    labels = list(EMOTIONS)
    lines = [f"{title}: macro-F1 {result['macro_f1']:.3f} ({result['n']} messages)"]
    lines.append("  per class: " + ", ".join(f"{label} {result['per_class'][label]:.3f}" for label in labels))
    width = max(len(label) for label in labels) + 1
    lines.append("  truth \\ read ".ljust(width + 2) + "".join(label[:5].rjust(7) for label in labels))
    for label, row in zip(labels, result["confusion"], strict=True):
        lines.append("  " + label.ljust(width) + "".join(str(count).rjust(7) for count in row))
    return "\n".join(lines)


def overrides(settings: Sequence[str]) -> dict[str, Any]:
    """`key=value` pairs, values read as YAML (an empty value is None)."""
    import yaml

    result = {}
    for setting in settings:
        key, separator, value = setting.partition("=")
        if not separator:
            raise SystemExit(f"--set expects KEY=VALUE, not {setting!r}")
        result[key.strip()] = yaml.safe_load(value) if value.strip() else None
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", action="append", help="blind batch (default: every batch)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-cv", action="store_true", help="skip the in-sample cross-validation")
    parser.add_argument("--errors", choices=ERRORS_ALLOWED, help="list this batch's misses (batches 1 and 4 only)")
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a component setting (YAML value, e.g. regularization=10)")
    arguments = parser.parse_args(argv)
    batches = arguments.batch or sorted(path.name for path in BLIND_DIR.iterdir() if (path / "messages.jsonl").is_file())

    os.chdir(PROJECT_ROOT)  # the component resolves its files against the working directory
    quiet_logs()
    from rasa.shared.nlu.training_data.loading import load_data

    started = time.monotonic()
    config = component_config(arguments.config)
    config.update(overrides(arguments.set))
    training_data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    progress(f"{len(training_data.intent_examples)} NLU examples; settings: {config}")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        if not arguments.no_cv:
            progress(f"in-sample: {arguments.folds}-fold CV")
            results["in-sample CV"] = cross_validate(config, training_data, arguments.folds, work_dir)
        progress("training on all the data")
        component = train_component(config, training_data, work_dir / "all")
        for batch in batches:
            cases = read_blind(batch)
            progress(f"blind {batch}: {len(cases)} messages")
            predicted = predict(component, [case["text"] for case in cases])
            results[f"blind {batch}"] = scores([case["emotion"] for case in cases], predicted)
            if arguments.errors == batch:
                for case, read in zip(cases, predicted, strict=True):
                    if read != case["emotion"]:
                        print(f"{case['id']}\t{case['emotion']}→{read}\t{case['text']}")

    print()
    print("  ".join(f"{name}: {result['macro_f1']:.3f}" for name, result in results.items()))
    for name, result in results.items():
        print(format_scores(name, result))
    progress(f"{time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
