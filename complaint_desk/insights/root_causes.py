"""Root causes: the top TF-IDF phrases (jieba.analyse) of the customers' own words, per category."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from typing import Any

import jieba
import jieba.analyse

from complaint_desk.insights.records import ComplaintRecord
from complaint_desk.insights.settings import Settings
from complaint_desk.nlu.normalize import normalize
from complaint_desk.paths import KNOWLEDGE_DIR

USER_DICT_PATH = KNOWLEDGE_DIR / "jieba" / "userdict.txt"
PHRASES_PATH = KNOWLEDGE_DIR / "root_cause_phrases.txt"
# Numbers, codes and counted amounts (八十块, 两千块, 三次) say how much, not why.
_NOT_A_PHRASE_RE = re.compile(r"[0-9a-z._\-#]+|.*[0-9].*|[一二两三四五六七八九十百千万几半]+[块元个次天件瓶周月年]", re.IGNORECASE)


@cache
def _tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer of its own (the global one is left alone) with the e-commerce and root-cause dictionaries."""
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(USER_DICT_PATH))
    for line in PHRASES_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, *rest = line.split()
            tokenizer.add_word(normalize(word), int(rest[0]) if rest else None, rest[1] if len(rest) > 1 else None)
    return tokenizer


@lru_cache(maxsize=65536)
def _tokens(line: str) -> tuple[str, ...]:
    return tuple(_tokenizer().cut(line))


@lru_cache(maxsize=65536)
def _words(line: str) -> frozenset[str]:
    return frozenset(_tokens(line))


class _CachedLineTokenizer:
    """What jieba.analyse calls as `tokenizer.cut(text)`: cuts line by line, each line cached.

    Plain cutting, not POS tagging: tagging is about 17 times slower, and the stopword list and
    the phrase dictionary already keep filler words out.
    """

    def cut(self, text: str) -> Iterator[str]:
        for line in text.split("\n"):
            yield from _tokens(line)


@cache
def _extractor(stopwords: frozenset[str]) -> jieba.analyse.TFIDF:
    extractor = jieba.analyse.TFIDF()
    extractor.tokenizer = _CachedLineTokenizer()
    extractor.stop_words = set(extractor.stop_words) | set(stopwords)
    return extractor


def _is_phrase(word: str) -> bool:
    return not _NOT_A_PHRASE_RE.fullmatch(word)


def root_causes(cases: Sequence[ComplaintRecord], settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Top TF-IDF phrases (jieba.analyse) of the customers' own words, per category, with how many cases use each."""
    texts: dict[str, list[str]] = defaultdict(list)
    for case in cases:
        if case.customer_text:
            texts[case.category].append(_one_line(case.customer_text))
    order = [c for c in settings.category_titles if c in texts] + sorted(set(texts) - set(settings.category_titles))
    return {
        category: [dict(item) for item in _top_phrases("\n".join(texts[category]), settings.root_cause_top_k,
                                                        settings.stopwords)]
        for category in order
    }


@lru_cache(maxsize=65536)
def _one_line(text: str) -> str:
    return normalize(text).lower().replace("\n", " ")


@lru_cache(maxsize=64)
def _top_phrases(text: str, top_k: int, stopwords: frozenset[str]) -> tuple[dict[str, Any], ...]:
    """Cached by the category's whole text: the same cases give the same phrases without re-counting."""
    lines = text.split("\n")
    tags = _extractor(stopwords).extract_tags(text, topK=top_k * 3, withWeight=True)
    phrases = [(word, weight) for word, weight in tags if _is_phrase(word)][:top_k]
    return tuple(
        {"phrase": word, "weight": round(weight, 4), "cases": sum(1 for line in lines if word in _words(line))}
        for word, weight in phrases
    )


def load_dictionaries(stopwords: frozenset[str]) -> None:
    """Load jieba's dictionaries and build the extractor now (1-3 s) rather than on the first request."""
    _extractor(stopwords)
    _tokens("快递一直不更新")
