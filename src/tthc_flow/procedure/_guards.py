"""Evaluation of declarative guards. Guards are data, never code: no ``eval`` anywhere."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tthc_flow.procedure._model import Guard, GuardComparison


def _compare(actual: Any, condition: GuardComparison) -> bool:
    name = next(iter(condition.model_fields_set))
    expected = getattr(condition, "in_" if name == "in_" else name)
    try:
        match name:
            case "eq":
                return bool(actual == expected)
            case "ne":
                return bool(actual != expected)
            case "gt":
                return actual is not None and actual > expected
            case "ge":
                return actual is not None and actual >= expected
            case "lt":
                return actual is not None and actual < expected
            case "le":
                return actual is not None and actual <= expected
            case "in_":
                return actual in expected
            case "not_in":
                return actual not in expected
    except TypeError:  # e.g. comparing a string with a number: the guard does not hold
        return False
    raise AssertionError(f"unhandled operator {name}")


def guard_holds(guard: Guard, context: Mapping[str, Any]) -> bool:
    """True when every condition of ``guard`` holds for ``context``.

    A plain value means equality; a missing key compares as ``None``.

    >>> guard_holds({"channel": "online", "amount": GuardComparison(gt=100)}, {"channel": "online", "amount": 150})
    True
    >>> guard_holds({"fee_paid": True}, {})
    False
    """
    for key, condition in guard.items():
        actual = context.get(key)
        if isinstance(condition, GuardComparison):
            if not _compare(actual, condition):
                return False
        elif actual != condition:
            return False
    return True


def describe_guard(guard: Guard) -> str:
    """Human-readable text of a guard, for errors and diagrams: ``channel = online, amount > 100``."""
    symbols = {
        "eq": "=",
        "ne": "≠",
        "gt": ">",
        "ge": "≥",
        "lt": "<",
        "le": "≤",
        "in_": "in",
        "not_in": "not in",
    }
    parts = []
    for key, condition in guard.items():
        if isinstance(condition, GuardComparison):
            name = next(iter(condition.model_fields_set))
            parts.append(f"{key} {symbols[name]} {getattr(condition, name)}")
        else:
            parts.append(f"{key} = {condition}")
    return ", ".join(parts)
