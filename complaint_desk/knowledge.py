"""Reading the business knowledge files (knowledge/*.yml): one loader, one error, naming the file and the line.

Every knowledge file is edited by people who are not programmers, so a mistake must be reported as
"knowledge/risk_rules.yml 第 42 行: ..." rather than a stack trace. `load_knowledge` returns plain
mappings and lists that remember the line each value came from; a missing key raises
`KnowledgeError` at the line of the mapping it is missing from, and `reading(section)` turns any
other mistake found while a section is parsed into a `KnowledgeError` at that section's line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml


class KnowledgeError(ValueError):
    """A knowledge file is missing, malformed or contradictory. Names the file and line of each problem."""

    def __init__(self, source: str, problems: list[tuple[int | None, str]]) -> None:
        self.source = source
        self.problems = problems
        self.line = problems[0][0] if problems else None
        super().__init__(self._text())

    def _text(self) -> str:
        return "\n".join(
            f"{self.source} 第 {line} 行: {message}" if line else f"{self.source}: {message}"
            for line, message in self.problems
        )

    def __str__(self) -> str:
        return self._text()


class MissingKnowledge(KnowledgeError, KeyError):
    """A required key is missing (also a KeyError, for code that offers a default)."""


class KnowledgeMap(dict):
    """A YAML mapping that remembers its file, its line and the line of each key."""

    source: str = "<knowledge>"
    line: int | None = None
    key_lines: dict[Any, int]

    def __missing__(self, key: Any) -> Any:
        raise MissingKnowledge(self.source, [(self.line, f"缺少必填项 {key!r}")])

    def line_of(self, key: Any) -> int | None:
        return getattr(self, "key_lines", {}).get(key, self.line)


class KnowledgeList(list):
    """A YAML sequence that remembers its file and its line."""

    source: str = "<knowledge>"
    line: int | None = None


class _Loader(yaml.SafeLoader):
    source = "<knowledge>"


def _mapping(loader: _Loader, node: yaml.MappingNode) -> KnowledgeMap:
    result = KnowledgeMap()
    result.source, result.line, result.key_lines = loader.source, node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise KnowledgeError(loader.source, [(key_node.start_mark.line + 1, f"重复的键 {key!r}")])
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> KnowledgeList:
    result = KnowledgeList(loader.construct_object(child, deep=True) for child in node.value)
    result.source, result.line = loader.source, node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def source_name(path: str | Path) -> str:
    """The path as people see it: relative to the project when it is inside it."""
    from complaint_desk.paths import PROJECT_ROOT

    path = Path(path)
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def parse_knowledge(text: str, source: str = "<knowledge>") -> Any:
    """YAML text as KnowledgeMap / KnowledgeList / scalars."""
    loader_class = type("_SourceLoader", (_Loader,), {"source": source})
    try:
        return yaml.load(text, Loader=loader_class)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise KnowledgeError(source, [(line, f"YAML 格式错误：{error.problem or error}")]) from error
    except yaml.YAMLError as error:
        raise KnowledgeError(source, [(None, f"YAML 格式错误：{error}")]) from error


def read_knowledge_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise KnowledgeError(source_name(path), [(None, f"无法读取文件：{error}")]) from error


def load_knowledge(path: str | Path, expect: type = dict) -> Any:
    """Read one knowledge file. `expect`: the type its top level must have (a mapping by default)."""
    source = source_name(path)
    data = parse_knowledge(read_knowledge_text(path), source)
    if not isinstance(data, expect):
        kind = "键值表（mapping）" if expect is dict else "列表" if expect is list else expect.__name__
        raise KnowledgeError(source, [(1, f"文件的最外层应为{kind}")])
    return data


def line_of(value: Any, key: Any = None) -> int | None:
    if isinstance(value, KnowledgeMap):
        return value.line_of(key) if key is not None else value.line
    return getattr(value, "line", None)


@contextmanager
def reading(section: Any, what: str = "") -> Iterator[None]:
    """Any mistake found while `section` is parsed becomes a KnowledgeError at its line."""
    try:
        yield
    except KnowledgeError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, re.error) as error:
        source = getattr(section, "source", "<knowledge>")
        detail = error.args[0] if isinstance(error, KeyError) and error.args else error
        prefix = f"{what}：" if what else ""
        raise KnowledgeError(source, [(line_of(section), f"{prefix}{type(error).__name__}: {detail}")]) from error
