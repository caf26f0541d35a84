"""Jieba tokenizer that reads customer text in one canonical script and width."""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from complaint_desk.nlu.normalize import normalize

# Units that follow a number in amounts and time spans.
MEASURE_WORDS = frozenset("元块毛角万千百天日周月年个次件号小分秒")
# jieba keeps "No.640281937715" or "#640281937715" whole; the number is split out.
_GLUED_NUMBER_RE = re.compile(r"^([A-Za-z#.:：_-]+)(\d{6,})$")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class NormalizingJiebaTokenizer(JiebaTokenizer):
    """Tokenizes the simplified, half-width form of the text.

    `normalize` keeps the length, so token offsets still point into the
    customer's original text and entity values keep the customer's spelling.
    Blank tokens, which jieba emits between Chinese and English words, are dropped,
    and a run of digits stays one token even where the dictionary knows part of it
    (an order number holding "12315"). A measure word glued by jieba to the word after a
    number ("30" + "元以") is split off, so that amounts and time spans ("30元", "11天")
    end on a token boundary.
    """

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        import jieba

        text = normalize(message.get(attribute) or "")
        tokens: list[Token] = []
        for word, start, _end in jieba.tokenize(text):
            if not word.strip():
                continue
            previous = tokens[-1] if tokens else None
            after_number = bool(previous and previous.end == start and previous.text.isdigit())
            if after_number and word.isdigit():
                tokens[-1] = Token(previous.text + word, previous.start)
            elif glued := _GLUED_NUMBER_RE.match(word):
                tokens += [Token(glued[1], start), Token(glued[2], start + len(glued[1]))]
            elif after_number and len(word) > 1 and word[0] in MEASURE_WORDS:
                tokens += [Token(word[0], start), Token(word[1:], start + 1)]
            else:
                tokens.append(Token(word, start))
        return self._apply_token_pattern(tokens)
