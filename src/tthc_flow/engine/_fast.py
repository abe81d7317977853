"""The engine's speed shortcuts, in one place, each beside its plain twin.

Only what measurably pays is kept (issue 16: each shortcut was replaced by the plain call in
turn; only building frozen values without their ``__init__`` paid, the engine ran at
0.57-0.71x without it). A frozen dataclass's ``__init__`` sets every field through
``object.__setattr__``, which costs as much as hashing the event; these fill the instance's
``__dict__`` at once. ``tests/engine/test_fast.py`` checks, with hypothesis, that each gives
exactly what its twin gives.

Everything else that once lived in the hot path for speed (a hand-written JSON encoder for
the hashed text, a hand-written ``isoformat``, a module-global text-to-moment cache, inlined
look-ups in ``fire``, a store numbering the caller's event in place) was removed: within
noise, and the JSON one could have broken every hash chain with a silent difference.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def build_frozen(cls: type[T], fields: dict[str, Any]) -> T:
    """An instance of the frozen dataclass ``cls`` holding ``fields`` (every field, already
    valid: the caller built them), without running ``__init__``. Twin: :func:`build_plain`."""
    value = object.__new__(cls)
    value.__dict__.update(fields)
    return value


def build_plain(cls: type[T], fields: dict[str, Any]) -> T:
    """:func:`build_frozen` by the constructor (the reference); fields the constructor does
    not take (``init=False``, e.g. an event's kept JSON text) are set after it."""
    taken = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    value = cls(**{k: v for k, v in fields.items() if k in taken})
    for name, item in fields.items():
        if name not in taken:
            object.__setattr__(value, name, item)
    return value


def copy_frozen(value: T, changes: dict[str, Any]) -> T:
    """``value`` with ``changes``, without running ``__init__``. Twin: :func:`copy_plain`."""
    new = object.__new__(type(value))
    fields = new.__dict__
    fields.update(value.__dict__)
    fields.update(changes)
    return new


def copy_plain(value: T, changes: dict[str, Any]) -> T:
    """:func:`copy_frozen` by ``dataclasses.replace`` (the reference), which leaves out the
    fields the constructor does not take: those are carried over (or changed) after it."""
    kept = {f.name for f in dataclasses.fields(value) if not f.init}  # type: ignore[arg-type]
    new = dataclasses.replace(  # type: ignore[type-var]
        value, **{k: v for k, v in changes.items() if k not in kept}
    )
    for name in kept:
        object.__setattr__(new, name, changes.get(name, getattr(value, name)))
    return new
