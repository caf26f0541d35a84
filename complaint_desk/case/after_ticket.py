"""After the ticket: whether a complaint-like message is more about the case the ticket is for, or a new complaint.

Once a ticket is open, shoppers keep talking about it: where to send the parcel, whether the courier calls
first, when the money arrives, "盒子我扔了". The intent models read many of these as complaints (they name a
delivery, a refund, a return). By default such a message is about the ticket; it starts a new complaint only
when it gives another order number, names a product that cannot be the one on the ticket's order, or says it
is another matter (knowledge/after_ticket.yml).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.normalize import normalize


@dataclass(frozen=True)
class AfterTicketWords:
    another_matter: tuple[str, ...]  # "还有个事", "另一单": the message is about something else

    @classmethod
    def from_file(cls, path: str | Path) -> AfterTicketWords:
        raw = load_knowledge(path)
        with reading(raw, "另一件事的说法"):
            words = tuple(normalize(str(word)) for word in raw["another_matter"])
            if not all(words):
                raise ValueError("another_matter 里有空的说法")
            return cls(words)

    def starts_a_new_complaint(self, text: str, *, order_number: str | None, ticket_order_id: str | None,
                               names_another_product: bool) -> bool:
        """Whether the message is a new complaint rather than more about the ticket's case.

        `order_number` is the one the message gives, `ticket_order_id` the order the ticket is for, and
        `names_another_product` whether the message names products none of which can be the one on that order.
        """
        if (order_number and order_number != ticket_order_id) or names_another_product:
            return True
        normalized = normalize(text or "")
        return any(word in normalized for word in self.another_matter)
