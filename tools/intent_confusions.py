"""Fast intent cross-validation for people writing NLU data: which sentences get confused, and with what.

Trains the tokenizer's words + character n-grams + logistic regression (complaint_desk.nlu.lexical_intents) on data/nlu
in the 5 seeded folds of `make eval-nlu` (tools.nlu_folds; a few minutes, against about an hour for Rasa's own
cross-validation) and prints per-intent F1, the most frequent confusions and, for the intents named on the command
line, every misclassified sentence. The same model is the intent baseline that eval-nlu prints.

    python -m tools.intent_confusions [intent ...]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from complaint_desk.paths import PROJECT_ROOT
from tools.nlu_folds import lexical_predictions, stratified_folds


def load_intent_examples(nlu_dir: Path) -> tuple[list[str], list[str]]:
    """(texts, intents) of every intent example, entity annotations removed (Rasa's own reader, so the
    order, and with it the folds, are those of `make eval-nlu`)."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = load_data(str(nlu_dir)).intent_examples
    return [example.get("text") for example in examples], [example.get("intent") for example in examples]


def cross_validated_predictions(texts: Sequence[str], intents: Sequence[str], folds: int = 5) -> list[str]:
    return lexical_predictions(texts, intents, stratified_folds(folds, intents))


def main(argv: Sequence[str] | None = None) -> int:
    from sklearn.metrics import classification_report, f1_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("intents", nargs="*", help="list the misclassified sentences of these intents")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--top", type=int, default=25, help="how many confusion pairs to print")
    arguments = parser.parse_args(argv)

    texts, intents = load_intent_examples(PROJECT_ROOT / "data" / "nlu")
    print(f"{len(texts)} examples, {len(set(intents))} intents; {arguments.folds}-fold cross-validation…", flush=True)
    predicted = cross_validated_predictions(texts, intents, arguments.folds)
    print(classification_report(intents, predicted, digits=3, zero_division=0))
    print(f"macro-F1 {f1_score(intents, predicted, average='macro'):.3f}\n")
    confusions = Counter((truth, guess) for truth, guess in zip(intents, predicted, strict=True) if truth != guess)
    for (truth, guess), count in confusions.most_common(arguments.top):
        print(f"{count:3d}  {truth} -> {guess}")
    for text, truth, guess in zip(texts, intents, predicted, strict=True):
        if truth != guess and {truth, guess} & set(arguments.intents):
            print(f"{truth:24} -> {guess:24} {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
