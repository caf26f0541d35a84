"""Cross-validation of the guard's phrase model on its own corpus (in-sample by construction: the corpus is
what it learns from). Prints, for several values of max_ok_probability, how many violating lines are
caught and how many compliant lines are flagged, so the value in knowledge/guard_phrases.yml is chosen on
the corpus and never on the blind sets.

    python -m tools.guard_phrase_cv [--folds 5]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter

from complaint_desk.guard.phrase_model import OK, PhraseModel, read_corpus
from complaint_desk.knowledge import load_knowledge
from complaint_desk.paths import KNOWLEDGE_DIR, PROJECT_ROOT

THRESHOLDS = (0.4, 0.5, 0.6, 0.7)
MIN_LABEL = (0.0, 0.3, 0.4, 0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="话术模型交叉验证")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    config = load_knowledge(KNOWLEDGE_DIR / "guard_phrases.yml")
    replies = read_corpus([PROJECT_ROOT / p for p in config["corpus"]], list(config["labels"]))
    order = list(range(len(replies)))
    random.Random(11).shuffle(order)
    ok_probability: dict[int, float] = {}
    top_probability: dict[int, float] = {}
    for fold in range(args.folds):
        held = set(order[fold::args.folds])
        model = PhraseModel([r for i, r in enumerate(replies) if i not in held], 1.0,
                            float(config.get("regularization", 10.0)))
        for i in held:
            probabilities = model.probabilities(replies[i].text)
            ok_probability[i] = probabilities.get(OK, 1.0)
            top_probability[i] = max((p for label, p in probabilities.items() if label != OK), default=0.0)
        print(f"fold {fold + 1}/{args.folds}", file=sys.stderr, flush=True)
    counts = Counter(r.label for r in replies)
    print(f"corpus: {len(replies)} lines, {dict(sorted(counts.items()))}")
    print("max_ok_probability  min_label_probability  caught (violations)  flagged (ok lines)")
    violations, fine = len(replies) - counts[OK], counts[OK]
    for threshold in THRESHOLDS:
        for least in MIN_LABEL:
            flags = {i for i in ok_probability if ok_probability[i] < threshold and top_probability[i] >= least}
            caught = sum(1 for i, r in enumerate(replies) if r.label != OK and i in flags)
            flagged = sum(1 for i, r in enumerate(replies) if r.label == OK and i in flags)
            print(f"  {threshold:<18} {least:<22} {caught / violations:.3f} ({caught}/{violations})     "
                  f"{flagged / fine:.3f} ({flagged}/{fine})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
