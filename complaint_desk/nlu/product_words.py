"""Whether what the NLU took for a product names a product at all (knowledge/product_words.yml).

The order check asks "是这一单吗？" when the customer described another product than the one on the order.
The product entity also catches parts (指示灯), packaging (盒子), materials (羽绒) and quantities (两罐); none of
them is another product, so none of them is a reason to doubt the order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.normalize import normalize

_NUMERALS = r"(?:\d+|[一二两三四五六七八九十百几多半俩仨]+)"


@dataclass(frozen=True)
class ProductWords:
    not_a_product: tuple[str, ...]
    quantity: re.Pattern[str]

    @classmethod
    def from_file(cls, path: str | Path) -> ProductWords:
        raw = load_knowledge(path)
        with reading(raw, "商品用词"):
            words = tuple(normalize(str(word)) for word in raw["not_a_product"])
            measures = "".join(re.escape(normalize(str(word))) for word in raw["measure_words"])
            return cls(words, re.compile(f"^{_NUMERALS}[{measures}]$"))

    def names_a_product(self, value: str) -> bool:
        """False for a part, an accessory, packaging, a material or a bare quantity."""
        text = normalize(value or "").strip()
        if not text or self.quantity.match(text):
            return False
        return not text.endswith(self.not_a_product)
