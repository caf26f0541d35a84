"""Answers to "what is the rule for ..." questions, from knowledge/policy_faq.yml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from complaint_desk.knowledge import load_knowledge, reading
from complaint_desk.nlu.normalize import normalize


@dataclass(frozen=True)
class FaqTopic:
    topic_id: str
    keywords: tuple[str, ...]
    answer: str


class PolicyFaq:
    def __init__(self, topics: list[FaqTopic], fallback: str) -> None:
        self.topics = topics
        self.fallback = fallback

    @classmethod
    def from_file(cls, path: Path) -> PolicyFaq:
        data = load_knowledge(path)
        with reading(data, "政策问答"):
            topics = [FaqTopic(t["id"], tuple(t["keywords"]), t["answer"]) for t in data["topics"]]
            return cls(topics, data["fallback"])

    def answer(self, question: str) -> tuple[str | None, str]:
        """(topic id or None, answer text) for a customer's question."""
        text = normalize(question or "")
        for topic in self.topics:
            if any(keyword in text for keyword in topic.keywords):
                return topic.topic_id, topic.answer
        return None, self.fallback
