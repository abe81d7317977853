"""Safe YAML loading that remembers where every value came from.

Procedures, calendar overrides and scenarios are all YAML written by people. When one is
wrong we must say *where*: this module loads YAML with PyYAML's safe loader (never
arbitrary objects, never ``eval``), keeps the line and column of every key and item, and
turns pydantic validation errors into :class:`~tthc_flow.errors.Problem` values that name
the file, line, column and dotted field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tthc_flow._located import (
    LocatedDocument,
    PathKey,
    dotted,
    python_problems,
    validation_problems,
)
from tthc_flow.errors import Problem

__all__ = [
    "LocatedDocument",
    "PathKey",
    "dotted",
    "load_located",
    "python_problems",
    "read_text",
    "validation_problems",
]


class _Loader(yaml.SafeLoader):
    """SafeLoader, used for its composer, resolver and scalar constructors.

    The composer is recursive; it stops at :data:`MAX_DEPTH` with a located error instead of
    exhausting Python's stack on a document nested a thousand levels deep.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                message = f"nested more than {MAX_DEPTH} levels deep"
                raise yaml.composer.ComposerError(None, None, message, mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted; real files nest fewer than 10 levels."""

MAX_ALIAS_NODES = 10_000
"""Most nodes that aliases (``*name``) may expand to in one document: merge keys and shared
defaults stay far below it, a "billion laughs" document (aliases of aliases, each doubling
the size) goes beyond it after a few levels instead of expanding to 10^9 values."""


MAX_FILE_BYTES = 4 * 2**20
"""Largest YAML file read: the largest procedure, override or scenario file is tens of kB,
and PyYAML, pure Python, would spend minutes on hundreds of MB (or /dev/zero, endless)."""


class _Abort(Exception):
    """Stops the conversion of a document that is too deep or expands too much."""


@dataclass
class _Walk:
    loader: _Loader
    doc: LocatedDocument
    problems: list[Problem]
    active: set[int] = field(default_factory=set)  # ids of the collections being converted
    seen: set[int] = field(default_factory=set)  # ids of the collections converted once
    aliased: int = 0  # nesting level of alias expansions around the current node
    expanded: int = 0  # nodes converted inside alias expansions

    def problem(self, node: yaml.Node, path: PathKey, message: str, hint: str | None) -> None:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Problem(self.doc.file, line, column, dotted(path), message, hint))


_CONSTRUCT_ERRORS = (
    ValueError,  # !!int abc, the date 2026-02-30
    TypeError,
    OverflowError,
    KeyError,  # !!bool maybe: PyYAML looks the word up in its table of booleans
    AttributeError,  # !!timestamp x: PyYAML uses the regex match without checking it
    yaml.YAMLError,  # !!binary with bad base64, unknown tags
)
"""What PyYAML's scalar constructors raise on a value they resolve (or are told by an explicit
tag) to construct but cannot: each is a mistake in the value, located at the value."""


def _scalar(node: yaml.Node, walk: _Walk, path: PathKey) -> Any:
    try:
        return walk.loader.construct_object(node, deep=True)
    except _CONSTRUCT_ERRORS as exc:
        walk.problem(node, path, f"invalid value: {exc}", None)
        return _INVALID


class _Invalid:
    """Stands for a scalar that could not be constructed (its problem is recorded)."""


_INVALID: Any = _Invalid()


def _convert(node: yaml.Node, walk: _Walk, path: PathKey) -> Any:
    walk.doc.locations.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if walk.aliased:
        walk.expanded += 1
        if walk.expanded > MAX_ALIAS_NODES:
            walk.problem(
                node,
                path,
                f"aliases expand to more than {MAX_ALIAS_NODES} values",
                "write the values out, or use fewer nested aliases (*name)",
            )
            raise _Abort
    if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        value = _scalar(node, walk, path)
        return None if value is _INVALID else value
    if id(node) in walk.active:
        walk.problem(
            node, path, "recursive alias: the value contains itself", "remove the alias loop"
        )
        return None
    if len(path) >= MAX_DEPTH:
        walk.problem(
            node, path, f"nested more than {MAX_DEPTH} levels deep", "flatten the structure"
        )
        raise _Abort
    repeat = id(node) in walk.seen
    walk.seen.add(id(node))
    walk.active.add(id(node))
    walk.aliased += repeat
    try:
        if isinstance(node, yaml.SequenceNode):
            return [_convert(item, walk, (*path, index)) for index, item in enumerate(node.value)]
        return _convert_mapping(node, walk, path)
    finally:
        walk.aliased -= repeat
        walk.active.discard(id(node))


def _convert_mapping(node: yaml.MappingNode, walk: _Walk, path: PathKey) -> dict[str, Any]:
    try:
        walk.loader.flatten_mapping(node)  # resolves YAML merge keys (<<) safely
    except RecursionError:  # merge keys of merge keys, thousands deep
        walk.problem(node, path, "merge keys (<<) nested too deeply", "flatten the structure")
        raise _Abort from None
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = _scalar(key_node, walk, path) if isinstance(key_node, yaml.ScalarNode) else None
        if key is _INVALID:
            continue
        if not isinstance(key, str | int | float | bool):
            walk.problem(key_node, path, "mapping keys must be plain scalars", None)
            continue
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            walk.problem(
                key_node,
                (*path, key),
                "duplicate key",
                "each key may appear once in a mapping; remove or merge the repeats",
            )
            continue
        result[key] = _convert(value_node, walk, (*path, key))
    return result


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of the character at ``position`` (lines end at ``\\n``)."""
    position = max(0, min(position, len(text)))
    line_start = text.rfind("\n", 0, position) + 1
    return text.count("\n", 0, position) + 1, position - line_start + 1


def read_text(source: str | Path) -> tuple[str | None, list[Problem]]:
    """The UTF-8 text of the file ``source``, or the problem that prevents reading it.

    Bytes that are not UTF-8 are located at the line and column of the first bad byte (the
    column counts the characters before it on that line), so the user can find it in an editor.
    """
    name = str(source)
    try:
        with Path(source).open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, [Problem(name, None, None, "", f"cannot read: {exc.strerror or exc}")]
    if len(data) > MAX_FILE_BYTES:
        message = f"larger than {MAX_FILE_BYTES // 2**20} MiB: not a file written by a person"
        return None, [Problem(name, None, None, "", message)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line, column = _line_column(before, len(before))
        message = f"not UTF-8: byte 0x{data[exc.start]:02x} cannot start or continue a character"
        hint = "save the file as UTF-8"
        return None, [Problem(name, line, column, "", message, hint)]


def load_located(
    source: str | Path, text: str | None = None
) -> tuple[LocatedDocument, list[Problem]]:
    """Parse one YAML document from ``source`` (a path) or from ``text`` named ``source``.

    Returns the document and the problems found while parsing (syntax errors, duplicate keys,
    values that cannot be constructed, characters YAML forbids); every problem with the text
    names its line and column. A document with problems should not be used further; report
    all of them at once.

    >>> doc, problems = load_located("inline.yaml", "a:\\n  b: 1\\n")
    >>> doc.data, doc.where(["a", "b"]), problems
    ({'a': {'b': 1}}, (2, 6), [])
    """
    name = str(source)
    doc = LocatedDocument(None, name)
    if text is None:
        text, unreadable = read_text(source)
        if text is None:
            return doc, unreadable
    problems: list[Problem] = []
    try:
        loader = _Loader(text)  # the reader rejects control characters already here
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"character U+{code:04X} is not allowed in YAML"
        hint = "remove it, or write it as an escape (\\uXXXX) inside a double-quoted string"
        return doc, [Problem(name, line, column, "", message, hint)]
    try:
        node = loader.get_single_node()
        if node is not None:
            doc.data = _convert(node, _Walk(loader, doc, problems), ())
    except _Abort:
        doc.data = None  # the problem is recorded; the partial data must not be used
    except RecursionError:  # a last resort: the composer's depth is bounded (MAX_DEPTH)
        problems.append(Problem(name, 1, 1, "", "nested too deeply or recursive merge keys (<<)"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        problems.append(Problem(name, line, column, "", f"YAML syntax error: {message}"))
    except yaml.YAMLError as exc:  # PyYAML marks every error it raises while parsing text
        problems.append(Problem(name, 1, 1, "", f"YAML error: {exc}"))
    finally:
        loader.dispose()
    # an empty document, or one that failed, is located at its start: every problem of a
    # text gets a line
    doc.locations.setdefault((), (1, 1))
    return doc, problems
