"""Safe YAML loading that remembers where every value came from.

Procedures, calendar overrides and scenarios are all YAML written by people. When one is
wrong we must say *where*: this module loads YAML with PyYAML's safe loader (never
arbitrary objects, never ``eval``), keeps the line and column of every key and item, and
turns pydantic validation errors into :class:`~tthc_flow.errors.Problem` values that name
the file, line, column and dotted field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tthc_flow.errors import Problem

PathKey = tuple[str | int, ...]


@dataclass
class LocatedDocument:
    """A parsed YAML document plus the 1-based (line, column) of every node by its path."""

    data: Any
    file: str
    locations: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Iterable[str | int]) -> tuple[int | None, int | None]:
        """Location of ``path``, or of its longest located prefix (e.g. the mapping missing a key)."""
        key: PathKey = tuple(path)
        while True:
            if key in self.locations:
                return self.locations[key]
            if not key:
                return (None, None)
            key = key[:-1]

    def problem(self, path: Iterable[str | int], message: str, hint: str | None = None) -> Problem:
        """A :class:`Problem` located at ``path`` in this document."""
        parts = tuple(path)
        line, column = self.where(parts)
        return Problem(self.file, line, column, dotted(parts), message, hint)


def dotted(path: Iterable[str | int]) -> str:
    """``("steps", 2, "role")`` -> ``"steps[2].role"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class _Loader(yaml.SafeLoader):
    """SafeLoader; only used for its resolver and scalar constructors."""


def _convert(
    node: yaml.Node,
    loader: _Loader,
    path: PathKey,
    doc: LocatedDocument,
    problems: list[Problem],
) -> Any:
    doc.locations[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<) safely
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) or key is None:
                problems.append(
                    Problem(
                        doc.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        dotted(path),
                        "mapping keys must be plain scalars",
                    )
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                problems.append(
                    Problem(
                        doc.file,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        dotted((*path, key)),
                        "duplicate key",
                        "each key may appear once in a mapping; remove or merge the repeats",
                    )
                )
                continue
            result[key] = _convert(value_node, loader, (*path, key), doc, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, loader, (*path, index), doc, problems)
            for index, item in enumerate(node.value)
        ]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError) as exc:
        # A scalar PyYAML resolves but cannot construct, e.g. the date 2026-02-30.
        line, column = doc.locations[path]
        problems.append(Problem(doc.file, line, column, dotted(path), f"invalid value: {exc}"))
        return None


def load_located(
    source: str | Path, text: str | None = None
) -> tuple[LocatedDocument, list[Problem]]:
    """Parse one YAML document from ``source`` (a path) or from ``text`` named ``source``.

    Returns the document and the problems found while parsing (syntax errors, duplicate keys).
    A document with problems should not be used further; report all of them at once.

    >>> doc, problems = load_located("inline.yaml", "a:\\n  b: 1\\n")
    >>> doc.data, doc.where(["a", "b"]), problems
    ({'a': {'b': 1}}, (2, 6), [])
    """
    name = str(source)
    if text is None:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return LocatedDocument(None, name), [
                Problem(name, None, None, "", f"cannot read: {exc}")
            ]
    doc = LocatedDocument(None, name)
    problems: list[Problem] = []
    try:
        loader = _Loader(text)  # the reader rejects control characters already here
    except yaml.YAMLError as exc:
        return doc, [Problem(name, None, None, "", f"YAML error: {exc}")]
    try:
        node = loader.get_single_node()
        if node is not None:
            doc.data = _convert(node, loader, (), doc, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        problems.append(Problem(name, line, column, "", f"YAML syntax error: {message}"))
    except yaml.YAMLError as exc:
        problems.append(Problem(name, None, None, "", f"YAML error: {exc}"))
    finally:
        loader.dispose()
    return doc, problems


def validation_problems(
    exc: ValidationError, doc: LocatedDocument, prefix: PathKey = ()
) -> list[Problem]:
    """Map every pydantic error to a located :class:`Problem` in ``doc``.

    ``prefix`` is the path, inside ``doc``, of the data that was validated.
    """
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if isinstance(part, str | int))
        # pydantic adds the tag of a tagged union or a validator name to loc; keep only real keys
        path: PathKey = (*prefix, *loc)
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key"
            hint = "check the spelling against the YAML reference (docs/yaml-reference.md)"
        elif error["type"] == "missing":
            message = "required key is missing"
            hint = None
        else:
            hint = None
            if "input" in error and not isinstance(error["input"], dict | list):
                message += f" (got {error['input']!r})"
        problems.append(doc.problem(path, message, hint))
    return problems
