"""Read YAML files while keeping the line of every mapping, key and list item.

Content and rule files are checked strictly, and every problem names `path:line`.
`load_yaml` returns plain Python values whose mappings and lists are `LineDict` and
`LineList`: ordinary dicts and lists that also know where they stood in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a content or rules file, printed as `path:line: message`."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Return the line of `key`, or the mapping's own line when the key is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list that remembers its own line and the line of each item (1-based)."""

    line: int = 1
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """Return the line of item `index`, or the list's own line."""
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class _LineLoader(yaml.SafeLoader):
    """A safe loader that builds LineDict and LineList and rejects duplicate keys."""

    def __init__(self, stream: str, path: str) -> None:
        super().__init__(stream)
        self.path = path
        self.problems: list[Problem] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        """Build a LineDict, recording each key's line and any duplicate key."""
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                self.problems.append(
                    Problem(self.path, key_node.start_mark.line + 1, "a key must be plain text")
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                self.problems.append(
                    Problem(self.path, key_node.start_mark.line + 1, f"duplicate key '{key}'")
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        """Build a LineList, recording each item's line."""
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    return loader.construct_mapping(node)


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    return loader.construct_sequence(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_yaml(path: Path, display: str | None = None) -> tuple[Any, list[Problem]]:
    """Parse one YAML file; return its data (None on failure) and the problems found.

    `display` is the path printed in problems (defaults to `path` as given).
    """
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(shown, 1, "file not found")]
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, 1, f"not UTF-8 text ({exc.reason})")]
    loader = _LineLoader(text, shown)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(shown, line, f"bad YAML: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, 1, f"bad YAML: {exc}")]
    finally:
        loader.dispose()
    return data, loader.problems
