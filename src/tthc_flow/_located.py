"""Problems located in a document: where a value sits (line, column, dotted path) and how a
pydantic error becomes a :class:`~tthc_flow.errors.Problem`.

Kept apart from :mod:`tthc_flow._yaml` so that models validated in Python (working hours,
policies) report located problems without importing PyYAML, which only loading a file needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

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


_MISSING = object()

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean",
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "date_type": "a date",
    "none_required": "null",
}
"""What a type error of a union member expects, for the one merged message of a union."""


def _yaml_path(loc: tuple[Any, ...], data: Any, missing: bool) -> tuple[PathKey, PathKey | None]:
    """Split pydantic's ``loc`` into the YAML key path and, if pydantic named a union member
    or validator (``constrained-str``, ``function-after[...]``), the path where it did so.

    A part is a YAML key when the data at that point holds it; the last part is kept even if
    absent when ``missing`` (a missing key). Anything else is pydantic's own bookkeeping and is dropped.
    """
    path: list[str | int] = []
    union_at: PathKey | None = None
    node = data
    for position, part in enumerate(loc):
        child = _child(node, part)
        if child is _MISSING and not (
            missing and isinstance(node, dict) and position == len(loc) - 1
        ):
            if union_at is None:
                union_at = tuple(path)
            continue
        node = child
        path.append(part)
    return tuple(path), union_at


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part, _MISSING)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _MISSING


def _message(error: Any) -> tuple[str, str | None]:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        return (
            "unknown key",
            "check the spelling against the YAML reference (docs/yaml-reference.md)",
        )
    if kind == "missing":
        return "required key is missing", None
    message = message.removeprefix("Value error, ")
    if "input" in error and not isinstance(error["input"], dict | list):
        message += f" (got {error['input']!r})"
    return message, None


def validation_problems(
    exc: ValidationError, doc: LocatedDocument, prefix: PathKey = ()
) -> list[Problem]:
    """Map every pydantic error to a located :class:`Problem` in ``doc``.

    ``prefix`` is the path, inside ``doc``, of the data that was validated. Field names are
    YAML keys only; the errors of one value that fits no member of a union (a guard value
    that is neither a scalar nor a comparison) become one problem, or only the errors inside
    the member whose shape the value has (``{gt: .inf}``: the error at ``gt``).
    """
    data: Any = doc.data
    for part in prefix:
        data = _child(data, part)
    problems: list[Problem] = []
    unions: dict[PathKey, list[tuple[PathKey, Any]]] = {}
    for error in exc.errors(include_url=False):
        path, union_at = _yaml_path(tuple(error["loc"]), data, error["type"] == "missing")
        if union_at is None:
            message, hint = _message(error)
            problems.append(doc.problem((*prefix, *path), message, hint))
        else:
            unions.setdefault(union_at, []).append((path, error))
    for at, errors in unions.items():
        deeper = [(path, error) for path, error in errors if len(path) > len(at)]
        specific = [(path, error) for path, error in errors if error["type"] not in _EXPECTED]
        chosen = deeper or specific
        if chosen:
            for path, error in chosen:
                message, hint = _message(error)
                problems.append(doc.problem((*prefix, *path), message, hint))
            continue
        expected = list(dict.fromkeys(_EXPECTED[error["type"]] for _, error in errors))
        got = errors[0][1].get("input")
        problems.append(
            doc.problem(
                (*prefix, *at),
                f"wrong type (got {got!r:.60}): expected {' or '.join(expected)}",
            )
        )
    return problems


def python_problems(exc: ValidationError, data: Any, source: str) -> list[Problem]:
    """:func:`validation_problems` for a model built in Python from ``data``: no file or line,
    ``source`` (e.g. ``"CalendarOverrides(...)"``) stands for the file."""
    return validation_problems(exc, LocatedDocument(data, source))
