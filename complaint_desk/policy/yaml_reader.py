"""A YAML file read for validation: the value at every path with its line number, and the problems found.

The typed accessors report a problem and return a fallback, so that validation goes on and one run names
every problem in the file (policy/loader.py uses it for knowledge/remedy_policy.yml).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml


class YamlReader:
    """Walks the composed YAML tree, records line numbers per path and collects problems."""

    def __init__(self) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        self.problems: list[tuple[int | None, str]] = []

    def record_lines(self, node: yaml.Node, path: tuple[Any, ...]) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value
                if key in seen:
                    self.problems.append((key_node.start_mark.line + 1, f"重复的键 {key!r}"))
                seen.add(key)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                self.record_lines(value_node, (*path, key))
                self.lines[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.record_lines(item, (*path, index))

    def line(self, path: tuple[Any, ...]) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        self.problems.append((self.line(path), message))

    # typed accessors: report a problem and return a fallback so validation can go on

    def mapping(self, value: Any, path: tuple[Any, ...], required: Iterable[str] = (),
                optional: Iterable[str] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(path, f"{_dotted(path)} 应为键值表（mapping）")
            return {}
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in required:
            if key not in value:
                self.problem(path, f"{_dotted(path)} 缺少必填键 {key!r}")
        if allowed:
            for key in value:
                if key not in allowed:
                    self.problem((*path, key), f"未知的键 {key!r}（{_dotted(path)} 允许：{', '.join(sorted(allowed))}）")
        return value

    def text(self, value: Any, path: tuple[Any, ...], default: str = "") -> str:
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"{_dotted(path)} 应为非空文字（当前为 {value!r}）")
            return default
        return value

    def number(self, value: Any, path: tuple[Any, ...], what: str, default: float = 0.0) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, f"{what}应为数字 ({path[-1]} = {value!r})")
            return default
        if value < 0:
            self.problem(path, f"{what}不能为负数 ({path[-1]} = {value})")
            return default
        return float(value)

    def integer(self, value: Any, path: tuple[Any, ...], what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"{what}应为整数 ({path[-1]} = {value!r})")
            return 0
        if value < 0:
            self.problem(path, f"{what}不能为负数 ({path[-1]} = {value})")
            return 0
        return value

    def boolean(self, value: Any, path: tuple[Any, ...], default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(path, f"{_dotted(path)} 应为 true 或 false（当前为 {value!r}）")
            return default
        return value

    def ids(self, value: Any, path: tuple[Any, ...], known: Iterable[str], what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(path, f"{_dotted(path)} 应为列表")
            return ()
        known = set(known)
        result = []
        for index, item in enumerate(value):
            if item not in known:
                self.problem((*path, index), f"未知的{what} {item!r}（可选：{', '.join(sorted(known))}）")
            else:
                result.append(item)
        return tuple(result)

    def texts(self, value: Any, path: tuple[Any, ...]) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(path, f"{_dotted(path)} 应为列表")
            return ()
        return tuple(self.text(item, (*path, index)) for index, item in enumerate(value))


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in path) or "文件顶层"
