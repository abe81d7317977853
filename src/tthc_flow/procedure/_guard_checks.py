"""Guards must be able to fire: known keys, and values of the right kind for each key.

A guard whose key is misspelt (``fee_payd``) or whose value cannot occur (``channel: onlin``)
loads fine as data but never holds, so the transition it protects is silently dead. The
engine's guard context (``Engine._context``) holds the dossier attributes in
:data:`CONTEXT_KEYS` plus the data given with ``receive`` or the command; a procedure names the
data keys its guards test under ``data_keys``. Any other key is an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from difflib import get_close_matches

from tthc_flow._located import PathKey
from tthc_flow.procedure._lifecycle import PAUSED_FROM, STANDARD_STATES
from tthc_flow.procedure._model import Channel, GuardComparison, ProcedureDefinition, ScalarValue

Finding = tuple[PathKey, str, str | None]  # as in _checks (which imports this module)

CONTEXT_KEYS = frozenset({"channel", "fee_paid", "on_the_spot", "state", "procedure_code"})
"""Keys the engine always puts in a guard's context (``paused_from`` is reserved besides)."""

_EQUALITY = ("eq", "ne")
_MEMBERSHIP = ("in_", "not_in")
_ORDERING = ("gt", "ge", "lt", "le")


def check_guards(definition: ProcedureDefinition) -> list[Finding]:
    """Unknown guard keys, impossible values for ``channel``, ``fee_paid``, ``on_the_spot`` and
    ``state``, and ``data_keys`` that repeat a context key."""
    findings: list[Finding] = []
    for position, key in enumerate(definition.data_keys):
        if key in CONTEXT_KEYS or key == PAUSED_FROM:
            findings.append(
                (
                    ("data_keys", position),
                    f"'{key}' is a dossier attribute, always available to guards",
                    "remove it from data_keys",
                )
            )
    known = CONTEXT_KEYS | set(definition.data_keys)
    allowed: dict[str, AbstractSet[object]] = {
        "channel": {channel.value for channel in Channel},
        "state": STANDARD_STATES | {step.id for step in definition.workflow.steps},
        "fee_paid": {True, False},
        "on_the_spot": {True, False},
    }
    for index, extra in enumerate(definition.workflow.transitions):
        for key, condition in extra.guard.items():
            path = ("workflow", "transitions", index, "guard", key)
            if key == PAUSED_FROM or not key.isidentifier():
                continue  # reported by the name checks
            if key not in known:
                findings.append((path, f"unknown guard key '{key}'", _key_hint(key, known)))
            elif key in allowed:
                findings += _check_values(path, key, condition, allowed[key])
    return findings


def _key_hint(key: str, known: set[str] | frozenset[str]) -> str:
    close = get_close_matches(key, sorted(known), n=1)
    guess = f"did you mean '{close[0]}'? " if close else ""
    return (
        f"{guess}guards may test {', '.join(sorted(CONTEXT_KEYS))}, or command data named "
        "under `data_keys`"
    )


def _check_values(
    path: PathKey,
    key: str,
    condition: ScalarValue | GuardComparison,
    allowed: AbstractSet[object],
) -> Iterator[Finding]:
    choices = ", ".join(sorted(str(value).lower() for value in allowed))
    if not isinstance(condition, GuardComparison):
        values: list[tuple[PathKey, ScalarValue]] = [(path, condition)]
    else:
        operator = next(iter(condition.model_fields_set))
        where = (*path, "in" if operator == "in_" else operator)
        if operator in _ORDERING:
            yield (
                where,
                f"'{key}' cannot be compared with {operator}",
                f"use eq, ne or in with {choices}",
            )
            return
        given = getattr(condition, operator)
        if operator in _MEMBERSHIP:
            values = [((*where, position), value) for position, value in enumerate(given)]
        else:
            values = [(where, given)]
    for where, value in values:
        if value not in allowed or isinstance(value, bool) is not (key in _BOOLEAN_KEYS):
            yield (
                where,
                f"'{key}' is never {value!r}: the comparison can never match",
                f"use one of: {choices}",
            )


_BOOLEAN_KEYS = frozenset({"fee_paid", "on_the_spot"})
