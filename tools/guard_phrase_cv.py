"""Cross-validation of the guard's phrase model on its own corpus (in-sample by construction: the corpus is
what it learns from). Prints, for several values of max_ok_probability, how many violating lines are
caught and how many compliant lines are flagged, so the value in knowledge/guard_phrases.yml is chosen on
the corpus and never on the blind sets. Also for held-out lines joined two by two (a violating line beside
a compliant one must still be caught; two compliant ones must pass), as agents write long sentences.

    python -m tools.guard_phrase_cv [--folds 5] [--set word_features=false ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from collections import Counter

from complaint_desk.guard.phrase_model import OK, LabelledReply, PhraseModel, joined_pairs, model_options, read_corpus
from complaint_desk.knowledge import load_knowledge
from complaint_desk.paths import KNOWLEDGE_DIR, PROJECT_ROOT

THRESHOLDS = (0.4, 0.5, 0.55, 0.6, 0.65, 0.7)
MIN_LABEL = (0.0, 0.3)
JOINED = 2000


def _value(text: str) -> object:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def _report(title: str, replies: list[LabelledReply], probabilities: list[dict[str, float]]) -> None:
    counts = Counter(r.label for r in replies)
    violations, fine = len(replies) - counts[OK], counts[OK]
    print(title)
    print("  max_ok_probability  min_label_probability  caught (violations)  flagged (ok lines)")
    for threshold in THRESHOLDS:
        for least in MIN_LABEL:
            flags = [p.get(OK, 1.0) < threshold and max((v for k, v in p.items() if k != OK), default=0.0) >= least
                     for p in probabilities]
            caught = sum(1 for r, f in zip(replies, flags, strict=True) if f and r.label != OK)
            flagged = sum(1 for r, f in zip(replies, flags, strict=True) if f and r.label == OK)
            print(f"  {threshold:<18} {least:<22} {caught / violations:.3f} ({caught}/{violations})     "
                  f"{flagged / fine:.3f} ({flagged}/{fine})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="话术模型交叉验证")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE",
                        help="覆盖 guard_phrases.yml 里 model: 的一项（只用于本次比较）")
    args = parser.parse_args(argv)
    config = load_knowledge(KNOWLEDGE_DIR / "guard_phrases.yml")
    options = model_options(config)
    for item in args.set:
        key, _, value = item.partition("=")
        options = dataclasses.replace(options, **{key: _value(value)})
    replies = read_corpus([PROJECT_ROOT / p for p in config["corpus"]], list(config["labels"]))
    order = list(range(len(replies)))
    random.Random(11).shuffle(order)
    single: dict[int, dict[str, float]] = {}
    joined: list[tuple[LabelledReply, dict[str, float]]] = []
    for fold in range(args.folds):
        held = set(order[fold::args.folds])
        model = PhraseModel([r for i, r in enumerate(replies) if i not in held], 1.0, options=options)
        for i in held:
            single[i] = dict(model.probabilities(replies[i].text))
        held_replies = [replies[i] for i in sorted(held)]
        for pair in joined_pairs(held_replies, JOINED // args.folds, seed=fold):
            joined.append((pair, dict(model.probabilities(pair.text))))
        print(f"fold {fold + 1}/{args.folds}", file=sys.stderr, flush=True)
    counts = Counter(r.label for r in replies)
    print(f"corpus: {len(replies)} lines, {dict(sorted(counts.items()))}")
    print(f"model: {options}")
    _report("single lines", replies, [single[i] for i in range(len(replies))])
    _report("held-out lines joined two by two", [p for p, _ in joined], [q for _, q in joined])
    return 0


if __name__ == "__main__":
    sys.exit(main())
