"""A setting that takes one of a few values: a :class:`~enum.StrEnum` that also accepts
its plain text, and refuses anything else with a :class:`~tthc_flow.errors.ConfigurationError`
naming the setting and the allowed values (docs/errors.md)."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from tthc_flow.errors import ConfigurationError

E = TypeVar("E", bound=StrEnum)


def choice(kind: type[E], value: object, setting: str) -> E:
    """``value`` as a member of ``kind`` (a member, or its text); else ConfigurationError.

    >>> from tthc_flow.engine import DueDateMode
    >>> choice(DueDateMode, "end_of_day", "DueDatePolicy.mode") is DueDateMode.END_OF_DAY
    True
    """
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass  # refused below, with the allowed values
    allowed = tuple(member.value for member in kind)
    quoted = [repr(text) for text in allowed]
    listed = " or ".join(quoted) if len(quoted) == 2 else "one of " + ", ".join(quoted)
    raise ConfigurationError(
        f"{setting} must be {listed}, not {value!r}",
        setting=setting,
        value=value,
        allowed=allowed,
    )


def set_choice(instance: object, name: str, kind: type[StrEnum]) -> None:
    """Coerce the field ``name`` of a frozen dataclass ``instance`` to ``kind`` in place
    (for ``__post_init__``); the setting is named ``ClassName.name`` in the error."""
    value = choice(kind, getattr(instance, name), f"{type(instance).__name__}.{name}")
    object.__setattr__(instance, name, value)
