"""Checks of a command's arguments before the engine does anything with them.

A command comes from a web form, an import or another service. Before this module, a lone
surrogate raised ``UnicodeEncodeError``, a 5,000-digit integer ``ValueError``, a list nested
2,000 deep ``RecursionError``; NUL was stored by the memory store and SQLite but refused by
PostgreSQL, and a control character in an actor id made the XES export of the whole log fail
later. Every such argument is now refused up front, identically on every store and before
anything is drawn or stored, with :class:`~tthc_flow.errors.InvalidCommand` naming the field
(``InvalidCommand.field``: ``actor.id``, ``data.reason``, ``data.missing[2]``...).

The functions are pure: they look at values and raise, nothing else. Values the engine
interprets further (an unknown trigger, a channel, a due date) are left to the engine.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from tthc_flow.engine._actor import Actor
from tthc_flow.errors import InvalidCommand

MAX_ID = 64
"""Longest code, trigger, role, agency or data key: the store's ``String(64)`` columns
(PostgreSQL refuses longer values where SQLite keeps them; one limit makes the stores agree)."""

MAX_NAME = 1_000
"""Longest applicant name, actor id or idempotency key; the longest registered company names
are a few hundred characters."""

MAX_TEXT = 10_000
"""Longest text value in a command's data (a reason, a note): a page of text."""

MAX_ITEMS = 1_000
"""Most values in one command's data, lists included (a list of missing documents has tens)."""

MAX_DEPTH = 8
"""Deepest nesting of lists in a command's data; checking deeper would exhaust Python's stack
(a list nested 2,000 deep raised RecursionError) and no command needs more than two levels."""

MAX_INT = 2**63 - 1
"""Largest integer magnitude in data: a 64-bit integer, what SQL and JSON readers keep exactly
(a 5,000-digit integer cannot even be written as text by Python's default limit)."""

_LINE_BREAKS = frozenset("\t\n\r")
"""The only control characters free text (data values) may hold: XML 1.0 and every store
keep them."""


def _bad_character(value: str, free_text: bool) -> str | None:
    """A description of the first character no store and no export can hold, or None.

    Refused: NUL (PostgreSQL refuses it in text), the other C0 and C1 controls (XML 1.0
    cannot hold C0 controls: the XES export of the whole log failed), lone surrogates (not
    Unicode text; UTF-8 cannot encode them) and the non-characters U+FFFE and U+FFFF (XML
    again). Tab, line feed and carriage return are allowed in free text only.
    """
    if value.isprintable():  # the common case, checked in C
        return None
    for char in value:
        if char.isprintable() or (free_text and char in _LINE_BREAKS):
            continue
        kind = unicodedata.category(char)
        if char == "\x00":
            return "NUL (U+0000), which PostgreSQL cannot store in text"
        if kind == "Cc":
            return f"the control character U+{ord(char):04X}"
        if kind == "Cs":
            return f"a lone surrogate (U+{ord(char):04X}), which is not valid Unicode text"
        if char in "\ufffe\uffff":
            return f"the non-character U+{ord(char):04X}, which XML exports cannot hold"
    return None  # spaces, format characters (e.g. zero-width joiners), private use


def _refuse(field: str, problem: str) -> InvalidCommand:
    return InvalidCommand(f"{field}: {problem}", field=field)


def check_text(field: str, value: object, max_len: int, *, free_text: bool = False) -> None:
    """``value`` is a ``str`` of at most ``max_len`` characters that every store keeps and
    every export can write; else :class:`InvalidCommand` naming ``field``."""
    if not isinstance(value, str):
        raise _refuse(field, f"must be text, not {type(value).__name__}")
    if len(value) > max_len:
        raise _refuse(field, f"longer than {max_len} characters ({len(value)})")
    bad = _bad_character(value, free_text)
    if bad is not None:
        raise _refuse(field, f"contains {bad}")


def check_actor(actor: object, field: str = "actor") -> None:
    """An :class:`Actor` whose id, roles and agency are clean text."""
    if not isinstance(actor, Actor):
        raise _refuse(field, f"must be an Actor, not {type(actor).__name__}")
    check_text(f"{field}.id", actor.id, MAX_NAME)
    if not isinstance(actor.roles, frozenset | set):
        raise _refuse(f"{field}.roles", f"must be a set, not {type(actor.roles).__name__}")
    for role in actor.roles:
        check_text(f"{field}.roles", role, MAX_ID)
    if actor.agency is not None:
        check_text(f"{field}.agency", actor.agency, MAX_ID)
    if actor.unit is not None:
        check_text(f"{field}.unit", actor.unit, MAX_ID)
    if actor.name is not None:
        check_text(f"{field}.name", actor.name, MAX_NAME)
    if type(actor.roles) is frozenset:  # a set could change after the check
        if len(_clean_actors) >= 4_096:  # a service sees a few hundred officers: stay bounded
            _clean_actors.clear()
        _clean_actors[id(actor)] = actor


_clean_actors: dict[int, Actor] = {}
_UNSEEN = object()  # the look-up's default: ``None`` would pass for an actor ``None``
"""Actors already checked, by identity: an :class:`Actor` is frozen, so one check holds for
good. The dict keeps each one alive, so its ``id`` cannot be reused by another object."""


def check_idempotency_key(key: object) -> None:
    """None, or a clean text of at most :data:`MAX_NAME` characters."""
    if key is not None:
        check_text("idempotency_key", key, MAX_NAME)


def check_moment(at: object) -> None:
    """None or a ``datetime`` (whether it is aware is the engine's question)."""
    if at is not None and not isinstance(at, datetime):
        raise _refuse("at", f"must be a datetime, not {type(at).__name__}")


def check_data(data: Mapping[str, Any]) -> None:
    """A command's data: names of at most :data:`MAX_ID` clean characters; values that are
    text, finite numbers within :data:`MAX_INT`, booleans, None, dates and datetimes, or lists
    of them (or mappings with text keys, read by the command that takes them) nested at
    most :data:`MAX_DEPTH` deep, :data:`MAX_ITEMS` values in all."""
    budget = [MAX_ITEMS]
    for name, value in data.items():
        check_text("data", name, MAX_ID)
        _check_value(f"data.{name}", value, 0, budget)


def _check_value(field: str, value: Any, depth: int, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _refuse("data", f"more than {MAX_ITEMS} values")
    if isinstance(value, str):
        check_text(field, value, MAX_TEXT, free_text=True)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -MAX_INT <= value <= MAX_INT:
            raise _refuse(field, f"integer beyond ±{MAX_INT} (a 64-bit integer)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse(field, f"{value!r}: numbers must be finite (no NaN or infinity)")
    elif isinstance(value, list | tuple):
        if depth >= MAX_DEPTH:
            raise _refuse(field, f"lists nested more than {MAX_DEPTH} deep")
        for index, item in enumerate(value):
            _check_value(f"{field}[{index}]", item, depth + 1, budget)
    elif isinstance(value, Mapping):  # a payment line, a rating's scores (docs/payments.md)
        if depth >= MAX_DEPTH:
            raise _refuse(field, f"values nested more than {MAX_DEPTH} deep")
        for key, item in value.items():
            check_text(field, key, MAX_ID)
            _check_value(f"{field}.{key}", item, depth + 1, budget)
    elif not isinstance(value, date):  # datetime is a date: new_due_at=...
        raise _refuse(
            field,
            f"a {type(value).__name__}: only text, numbers, booleans, None, dates and lists of "
            "them are kept with an event",
        )


def check_fire(
    dossier_code: object,
    trigger: object,
    actor: object,
    at: object,
    idempotency_key: object,
    data: Mapping[str, Any],
) -> None:
    """Every argument of :meth:`Engine.fire <tthc_flow.engine.Engine.fire>`."""
    if (  # the hot path (every simulated step): plain values, checked without a call
        type(dossier_code) is str
        and type(trigger) is str
        and len(dossier_code) <= MAX_ID
        and len(trigger) <= MAX_ID
        and dossier_code.isprintable()
        and trigger.isprintable()
        and (at is None or isinstance(at, datetime))
        and idempotency_key is None
        and not data
        and _clean_actors.get(id(actor), _UNSEEN) is actor
    ):
        return
    check_text("dossier_code", dossier_code, MAX_ID)
    check_text("trigger", trigger, MAX_ID)
    check_actor(actor)
    check_moment(at)
    check_idempotency_key(idempotency_key)
    if data:
        check_data(data)


def check_create(
    procedure_code: object,
    applicant: object,
    channel: object,
    actor: object,
    at: object,
    idempotency_key: object,
    data: Mapping[str, Any],
) -> None:
    """Every argument of :meth:`Engine.receive <tthc_flow.engine.Engine.receive>` and
    ``submit`` (``actor`` may be None: the desk)."""
    if (  # the common case, checked without a call
        type(procedure_code) is str
        and type(applicant) is str
        and type(channel) is str
        and len(procedure_code) <= MAX_ID
        and len(applicant) <= MAX_NAME
        and len(channel) <= MAX_ID
        and procedure_code.isprintable()
        and applicant.isprintable()
        and channel.isprintable()
        and (actor is None or _clean_actors.get(id(actor), _UNSEEN) is actor)
        and (at is None or isinstance(at, datetime))
        and idempotency_key is None
        and not data
    ):
        return
    check_text("procedure_code", procedure_code, MAX_ID)
    check_text("applicant", applicant, MAX_NAME)
    check_text("channel", channel, MAX_ID)
    if actor is not None:
        check_actor(actor)
    check_moment(at)
    check_idempotency_key(idempotency_key)
    if data:
        check_data(data)
