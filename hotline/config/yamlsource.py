"""YAML with line numbers: every mapping and list remembers where it and each of its items stand.

Operators edit flows by hand, so every problem must name `file:line`. PyYAML drops positions
once it builds Python objects; this loader keeps them, and refuses duplicate keys, which plain
YAML would silently let the last one win.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import yaml


class Map(dict):
    """A YAML mapping: `line` of the mapping, `key_lines[key]` of each key."""

    line: int = 0
    key_lines: dict

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines = {}

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class Seq(list):
    """A YAML sequence: `line` of the sequence, `item_lines[i]` of each item."""

    line: int = 0
    item_lines: list

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = 0
        self.item_lines = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, as an operator reads it."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class YAMLSourceError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _loader(filename: str, problems: list[Problem]) -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        pass

    def construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Map:
        loader.flatten_mapping(node)
        result = Map()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int, float, bool)) or key is None:
                problems.append(Problem(filename, line, f"a key must be plain text, not {key!r}"))
                continue
            if key in result:
                problems.append(
                    Problem(filename, line, f'duplicate key "{key}" (first at line {result.key_lines[key]})')
                )
                continue
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[key] = line
        return result

    def construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> Seq:
        result = Seq(loader.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_map)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_seq)
    return Loader


def parse(text: str, filename: str) -> tuple[object, list[Problem]]:
    """Parse YAML text into Map/Seq. A syntax error raises YAMLSourceError; lesser problems
    (duplicate keys) come back beside the data so the caller can report them with the rest."""
    problems: list[Problem] = []
    try:
        data = yaml.load(text, Loader=_loader(filename, problems))  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:
        raise YAMLSourceError([Problem(filename, *_syntax_error(exc, text))]) from None
    except yaml.YAMLError as exc:
        raise YAMLSourceError([Problem(filename, 1, f"YAML syntax: {exc}")]) from None
    return data, problems


def _syntax_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """The line and words of a YAML syntax error. An error found at the end of the file (an
    unclosed quote or bracket) is named where the unclosed thing starts, not past the last line."""
    last_line = max(1, len(text.splitlines()))
    problem = exc.problem_mark.line + 1 if exc.problem_mark else None
    context = exc.context_mark.line + 1 if exc.context_mark else None
    what = exc.problem or exc.context or "not valid YAML"
    if exc.problem and exc.context and context:
        what += f" ({exc.context} that starts at line {context})" if context != problem else f" ({exc.context})"
    line = problem or context or 1
    if line > last_line and context:
        line = context
    return min(line, last_line), f"YAML syntax: {what}"


def load(text: str, filename: str) -> object:
    """Parse YAML text; raise YAMLSourceError naming file and line for any problem."""
    data, problems = parse(text, filename)
    if problems:
        raise YAMLSourceError(problems)
    return data


def read(path: str) -> str:
    """A file's text, as UTF-8 (a byte-order mark is allowed); anything else names its line."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise YAMLSourceError([Problem(path, 1, f"cannot read: {exc.strerror}")]) from None
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YAMLSourceError([Problem(path, line, f"not UTF-8 text ({exc.reason}); save the file as UTF-8")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
