"""Cross-validation for `make eval-nlu`, on the seeded folds of tools.nlu_folds.

- a Rasa pipeline's intent and entity macro-F1 (Rasa's own `cross_validate`), with the share of
  held-out messages under FallbackClassifier's thresholds;
- the lexical intent baseline on the same folds;
- the emotion model, trained per fold, beside the keyword-lexicon baseline.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

from tools.eval_nlu_baselines import keyword_emotion
from tools.eval_nlu_report import OUT_DIR, ROOT, progress
from tools.nlu_folds import fold_indices, lexical_predictions, seeded_folds

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

    examples = training_data.intent_examples
    intents = [example.get("intent") for example in examples]
    predicted = lexical_predictions([example.get("text") for example in examples], intents,
                                    fold_indices(n_folds, examples))
    return {"intent_macro_f1": f1_score(intents, predicted, average="macro"),
            "intent_accuracy": accuracy_score(intents, predicted)}


# --------------------------------------------------------------------------- emotion


def emotion_cross_validation(
    training_data: Any, n_folds: int, component_config: dict[str, Any], cues: Any
) -> dict[str, Any]:
    from sklearn.metrics import classification_report, f1_score

    from complaint_desk.nlu.emotion_training import load_labelled_examples, split_pairs, train
    from components.emotion_classifier import EmotionClassifier, emotion_label, extra_example_paths

    config = {**EmotionClassifier.get_default_config(), **component_config}
    examples = training_data.intent_examples
    labels = [emotion_label(example) for example in examples]
    extra_texts: list[str] = []
    extra_labels: list[str] = []
    for path in extra_example_paths(config.get("extra_examples")):
        texts, labels_of_file = split_pairs(load_labelled_examples(path))
        extra_texts += texts
        extra_labels += labels_of_file
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
