"""The seeded folds of every NLU measurement, and the lexical intent model's held-out predictions on them.

Shared by `make eval-nlu` (tools.eval_nlu) and tools.intent_confusions: both split the data into the
same folds, and the lexical intent baseline that eval-nlu prints is the model intent_confusions inspects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from complaint_desk.nlu.normalize import normalize
from complaint_desk.paths import KNOWLEDGE_DIR

SEED = 17
JIEBA_DICTIONARY_DIR = KNOWLEDGE_DIR / "jieba"  # config.yml's dictionary_path


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
    """The seeded (train, test) index splits every measurement in eval-nlu and intent_confusions uses."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=SEED)
    return [(list(train), list(test)) for train, test in splitter.split(intents, intents)]


def lexical_predictions(
    texts: Sequence[str], intents: Sequence[str], splits: Sequence[tuple[Sequence[int], Sequence[int]]]
) -> list[str]:
    """The lexical model's prediction for every example, each from the split that holds it out.

    Words come from the pipeline's own tokenizer with the e-commerce dictionary, as in LexicalIntentBlender.
    """
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from complaint_desk.nlu.lexical_intents import LexicalIntentModel
    from components.normalizing_jieba_tokenizer import NormalizingJiebaTokenizer

    tokenizer = NormalizingJiebaTokenizer.create(
        {**NormalizingJiebaTokenizer.get_default_config(), "dictionary_path": str(JIEBA_DICTIONARY_DIR)},
        None, None, None)
    normalized = [normalize(text) for text in texts]
    words = [[token.text for token in tokenizer.tokenize(Message.build(text), TEXT)] for text in texts]
    predicted = [""] * len(texts)
    for train_index, test_index in splits:
        model = LexicalIntentModel().fit([words[i] for i in train_index], [normalized[i] for i in train_index],
                                         [intents[i] for i in train_index])
        probabilities = model.predict_proba([words[i] for i in test_index], [normalized[i] for i in test_index])
        for i, row in zip(test_index, probabilities, strict=True):
            predicted[i] = model.intents[int(row.argmax())]
    return predicted
