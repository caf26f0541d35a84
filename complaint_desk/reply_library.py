"""The reply library (话术库): approved replies agents insert with one click, with placeholders filled from the
case. Shipped in knowledge/reply_library.yml; supervisors add and change entries on a page (kept in the database,
overriding the file by id). Every entry passes the guard when it is saved, and again, filled in, when it is used.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from complaint_desk.guard.checker import Guard
from complaint_desk.guard.verdict import GuardContext, verdict_json
from complaint_desk.knowledge import KnowledgeError, line_of, load_knowledge, source_name

STAGES = ("listen", "empathize", "probe", "propose", "confirm", "closing", "handoff", "any")
PLACEHOLDERS = ("order_id", "product", "remedy", "amount", "deadline")
# What a placeholder stands for when an entry is checked on its own (when it is saved): plausible values, so the
# guard judges the sentence a customer would read.
SAMPLE_VALUES = {"order_id": "472918305561", "product": "蓝牙耳机", "remedy": "补发", "amount": "10 元",
                 "deadline": "12月09日 18:00"}
ENTRY_ID = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
MAX_TEXT = 500


class LibraryError(ValueError):
    """An entry that cannot be saved; the message says why, in Chinese."""

    def __init__(self, message: str, findings: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


@dataclass(frozen=True)
class LibraryEntry:
    entry_id: str
    title: str
    stage: str
    text: str
    source: str = "knowledge"  # or "edited" (a supervisor's change, in the database)

    def placeholders(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.text) if name]

    def fill(self, values: Mapping[str, str | None]) -> tuple[str, list[str]]:
        """The text with the case's values, and the placeholders the case has no value for (left as 【…】)."""
        missing = [name for name in self.placeholders() if not values.get(name)]
        filled = {name: values.get(name) or f"【{LABELS[name]}】" for name in PLACEHOLDERS}
        return self.text.format(**filled), missing

    def public(self) -> dict[str, Any]:
        return {"id": self.entry_id, "title": self.title, "stage": self.stage, "text": self.text,
                "source": self.source}


LABELS = {"order_id": "订单号", "product": "商品", "remedy": "方案", "amount": "金额", "deadline": "处理时限"}


def check_entry(entry_id: str, title: str, stage: str, text: str, guard: Guard, context: GuardContext) -> LibraryEntry:
    """A valid entry, or LibraryError naming what is wrong (an over-promise comes with the guard's findings)."""
    if not ENTRY_ID.match(entry_id):
        raise LibraryError("编号只能用小写字母、数字和下划线，以字母开头（2–50 位）")
    if not title.strip() or len(title) > 50:
        raise LibraryError("请填写标题（50 字以内）")
    if stage not in STAGES:
        raise LibraryError(f"不认识的阶段 {stage!r}，可选：{'、'.join(STAGES)}")
    if not text.strip() or len(text) > MAX_TEXT:
        raise LibraryError(f"请填写正文（{MAX_TEXT} 字以内）")
    entry = LibraryEntry(entry_id, title.strip(), stage, text.strip())
    try:
        unknown = [name for name in entry.placeholders() if name not in PLACEHOLDERS]
    except ValueError as error:
        raise LibraryError(f"花括号没有配对：{error}") from error
    if unknown:
        raise LibraryError(f"不认识的占位 {'、'.join('{' + n + '}' for n in unknown)}，可用："
                           f"{'、'.join('{' + n + '}' for n in PLACEHOLDERS)}")
    sample, _ = entry.fill(SAMPLE_VALUES)
    verdict = verdict_json(guard.check(sample, context))
    if not verdict["allowed"]:
        raise LibraryError("这条话术有过度承诺，不能保存；请按提示修改。", verdict["findings"])
    return entry


def load_library(path: str | Path, guard: Guard, context: GuardContext) -> list[LibraryEntry]:
    raw = load_knowledge(path)
    source = source_name(path)
    entries, problems, seen = [], [], set()
    for item in raw.get("replies") or []:
        if not isinstance(item, Mapping):
            problems.append((line_of(item), "每条话术应写成 id / title / stage / text"))
            continue
        try:
            entry = check_entry(str(item.get("id", "")), str(item.get("title", "")), str(item.get("stage", "")),
                                str(item.get("text", "")), guard, context)
        except LibraryError as error:
            detail = "；".join(f["explanation"] for f in error.findings if f.get("explanation"))
            problems.append((line_of(item), f"话术 {item.get('id')!r}：{error}{'（' + detail + '）' if detail else ''}"))
            continue
        if entry.entry_id in seen:
            problems.append((line_of(item, "id"), f"话术编号 {entry.entry_id!r} 重复了"))
        seen.add(entry.entry_id)
        entries.append(entry)
    if problems:
        raise KnowledgeError(source, problems)
    return entries


def merged(shipped: Iterable[LibraryEntry], edited: Iterable[LibraryEntry], deleted: Iterable[str]) -> list[LibraryEntry]:
    """The library as agents see it: the shipped entries, replaced or added to by supervisors' edits."""
    gone = set(deleted)
    by_id = {entry.entry_id: entry for entry in shipped}
    by_id.update({entry.entry_id: entry for entry in edited})
    return [entry for entry_id, entry in by_id.items() if entry_id not in gone]
