"""Whether what the NLU took for a product names a product at all (knowledge/product_words.yml).

The order check asks "是这一单吗？" when the customer described another product than the one on the order.
The product entity also catches parts (指示灯), packaging (盒子), materials (羽绒) and quantities (两罐); none of
them is another product, so none of them is a reason to doubt the order. And it misses some products: which
words DIET marks changes from one training to the next, so the product names shoppers commonly use are also
looked for in the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.normalize import normalize

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LEADING = " \t，,。.!！~～哦噢喔啊呃额嗯诶欸唉"  # fillers before the answer itself
_NUMERALS = r"(?:\d+|[一二两三四五六七八九十百几多半俩仨]+)"


@dataclass(frozen=True)
class ProductWords:
    not_a_product: tuple[str, ...]
    quantity: re.Pattern[str]
    not_this_order: tuple[str, ...] = ()  # a bare no right after the bot named the order it found ("不是这单")
    generic_characters: frozenset[str] = frozenset()  # 机, 器…: shared by too many products to tell them apart
    denial_openings: tuple[str, ...] = ()  # an answer to "is it this order?" that opens with these is a no
    known_products: tuple[str, ...] = ()  # product names looked for in the text, longest first

    @classmethod
    def from_file(cls, path: str | Path) -> ProductWords:
        raw = load_knowledge(path)
        with reading(raw, "商品用词"):
            words = tuple(normalize(str(word)) for word in raw["not_a_product"])
            measures = "".join(re.escape(normalize(str(word))) for word in raw["measure_words"])
            return cls(words, re.compile(f"^{_NUMERALS}[{measures}]$"),
                       tuple(normalize(str(word)) for word in raw.get("not_this_order") or ()),
                       frozenset("".join(normalize(str(word)) for word in raw.get("generic_characters") or ())),
                       tuple(normalize(str(word)) for word in raw.get("denial_openings") or ()),
                       tuple(sorted({normalize(str(word)) for word in raw.get("known_products") or ()},
                                    key=lambda word: (-len(word), word))))

    def names_a_product(self, value: str, following: str = "") -> bool:
        """False for a part, an accessory, packaging, a material or a bare quantity.

        `following` is the message's text right after the value: the NLU may cut a part's name short (集尘 of
        集尘盒), and a part word that begins inside the value and ends after it still names a part.
        """
        text = normalize(value or "").strip()
        if not text or self.quantity.match(text):
            return False
        after = normalize(following or "")
        return not any((text + after[:extra]).endswith(word)
                       for word in self.not_a_product for extra in range(min(len(word), len(after) + 1)))

    def could_be(self, named: str, ordered: str) -> bool:
        """Whether a product the customer named could be the one on the order.

        Lenient on purpose, since a wrong doubt annoys more than a missed one: a shared Chinese character counts
        (耳机 / 蓝牙耳机, 杯子 / 保温杯, 耳機 / 耳机), and a name without Chinese characters (iPhone) cannot be
        judged, so it counts too. Characters many products share (扫地机 / 蓝牙耳机: 机) count only when the
        name has nothing else (机器 / 扫地机器人).
        """
        named_characters = set(_HAN.findall(normalize(named)))
        ordered_characters = set(_HAN.findall(normalize(ordered)))
        if not named_characters or not ordered_characters:
            return True
        shared = named_characters & ordered_characters
        return bool(shared - self.generic_characters) or bool(shared and named_characters <= self.generic_characters)

    def opens_with_a_denial(self, text: str) -> bool:
        """"不是啊 手表早收到了": a no, whatever it names after."""
        return normalize(text or "").lstrip(_LEADING).startswith(self.denial_openings) if self.denial_openings else False

    def says_not_this_order(self, text: str) -> bool:
        normalized = normalize(text or "")
        return any(word in normalized for word in self.not_this_order)

    def products_named(self, text: str, entities: Sequence[Mapping[str, Any]]) -> list[str]:
        """The products a message names, in order: those the NLU marked and the known product names in the text.
        Parts, packaging and materials are left out, and Latin names (SOS, app) too when a Chinese one is there
        ("孩子的电话手表 SOS键按了没反应" names 电话手表)."""
        found = [(entity.get("start") if isinstance(entity.get("start"), int) else 0, product)
                 for entity in entities if entity.get("entity") == "product"
                 for product in [self.product_in(text, entity)] if product]
        marked = [normalize(product) for _start, product in found]
        found += [(start, word) for start, word in self.known_products_in(text)
                  if not any(word in product or product in word for product in marked)]
        products = [product for _start, product in sorted(found, key=lambda item: item[0])]
        chinese = [product for product in products if _HAN.search(product)]
        return chinese or products

    def known_products_in(self, text: str) -> list[tuple[int, str]]:
        """(position, name) of each known product name in the text, the longest where names overlap (电话手表, not
        手表), and not where it is followed by a part (手表 in 手表带)."""
        normalized = normalize(text or "")
        taken = [False] * len(normalized)
        found = []
        for word in self.known_products:
            start = normalized.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(taken[start:end]) and self.names_a_product(word, normalized[end:]):
                    taken[start:end] = [True] * len(word)
                    found.append((start, word))
                start = normalized.find(word, start + 1)
        return sorted(found)

    def names_any_product(self, text: str, entities: Sequence[Mapping[str, Any]]) -> bool:
        """Whether the NLU marked a product (a part counts: it says which product the message is about) or a known
        product name is in the text."""
        return any(entity.get("entity") == "product" and entity.get("value") for entity in entities) or \
            bool(self.known_products_in(text))

    def product_in(self, text: str, entity: Mapping[str, Any]) -> str | None:
        """The product a Rasa-style product entity of `text` names, or None for a part, packaging, a quantity."""
        value = str(entity.get("value") or "")
        end = entity.get("end")
        following = text[end:] if isinstance(end, int) else ""
        return value if self.names_a_product(value, following) else None
