"""The chain export: every event with every hashed field, for an inspector without the database.

A JSON Lines file. The first line names the format; then one line per event in commit order
(``seq`` order, settled: see :mod:`tthc_flow.audit._anchor`), ``{"e": [dossier code, version, trigger, effect, from state, to state,
actor, role, moment with its UTC offset, payload as the canonical JSON that was hashed,
prev_hash, hash, idempotency key, seq]}``; then one line per number-of-the-day counter,
``{"day": [agency, "YYYY-MM-DD", last number]}``; the last line is the export's own anchor,
``{"end": {...}}`` (:class:`~tthc_flow.audit.Anchor` fields). A file cut short has no last
line and is refused.

The export's own anchor only shows the file was not damaged: whoever writes the file can
write that line too. The evidence is an anchor saved elsewhere when it was taken, and the key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any, Protocol

from tthc_flow._time import VN_TZ
from tthc_flow.audit._anchor import ANCHOR_FORMAT, Anchor, EventSource, fold, settled
from tthc_flow.engine import Event
from tthc_flow.errors import AuditFileError, Problem

EXPORT_FORMAT = "tthc_flow chain export"
_MAX_LINE = 16 * 1024 * 1024  # an event's payload is at most ~10 MB (docs/security.md limits)


class ExportableStore(EventSource, Protocol):
    """What an export reads: the events and the day counters."""

    def day_counters(self) -> dict[tuple[str, date], int]:
        """The last number issued per (agency, day)."""
        ...


@dataclass(frozen=True)
class ChainExport:
    """An export read back: its events in file order, its day counters and its own anchor."""

    events: list[Event]
    counters: dict[tuple[str, date], int]
    anchor: Anchor
    source: str


def write_export(store: ExportableStore, handle: IO[str], *, now: datetime | None = None) -> Anchor:
    """Write the store's chain export to ``handle``; returns the anchor of what was written
    (the export's last line).

    The events are the store's settled events in ``seq`` order (as :func:`take_anchor`
    reads them), so anchors taken before the export check against it.
    """
    moment = now if now is not None else datetime.now(VN_TZ)
    handle.write(_line({"format": EXPORT_FORMAT, "version": 1, "exported_at": moment.isoformat()}))
    count, root, position = 0, "0" * 64, "0"
    for event in settled(store):
        handle.write(_line({"e": _event_fields(event)}))
        root = fold(root, event)
        count += 1
        position = str(event.seq)
    for (agency, day), last in sorted(store.day_counters().items()):
        handle.write(_line({"day": [agency, day.isoformat(), last]}))
    anchor = Anchor(count, root, position, moment)
    handle.write(_line({"end": json.loads(anchor.to_json())}))
    return anchor


def save_export(store: ExportableStore, path: str | Path, *, now: datetime | None = None) -> Anchor:
    """:func:`write_export` into a file (UTF-8); returns the export's anchor."""
    with Path(path).open("w", encoding="utf-8", newline="\n") as handle:
        return write_export(store, handle, now=now)


def read_export(path: str | Path) -> ChainExport:
    """Read a chain export; :class:`AuditFileError` naming the line of the first mistake."""
    source = str(path)
    try:
        with Path(path).open("rb") as handle:
            return _read(handle, source)
    except OSError as exc:
        raise _bad(source, None, "", f"cannot read: {exc.strerror}") from None


def _read(handle: IO[bytes], source: str) -> ChainExport:
    events: list[Event] = []
    counters: dict[tuple[str, date], int] = {}
    anchor: Anchor | None = None
    for number, data in _lines(handle, source):
        if number == 1:
            if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
                raise _bad(source, 1, "format", f"not a chain export ({EXPORT_FORMAT!r})")
            if data.get("version") != 1:
                raise _bad(source, 1, "version", f"export version {data.get('version')!r}")
            continue
        if anchor is not None:
            raise _bad(source, number, "", "text after the export's last line")
        if not isinstance(data, dict) or len(data) != 1:
            raise _bad(source, number, "", 'expected {"e": ...}, {"day": ...} or {"end": ...}')
        ((kind, value),) = data.items()
        if kind == "e":
            events.append(_event_of(value, source, number))
        elif kind == "day":
            agency, day, last = _counter_of(value, source, number)
            counters[(agency, day)] = last
        elif kind == "end":
            if not isinstance(value, dict) or value.get("format") != ANCHOR_FORMAT:
                raise _bad(source, number, "end", "not an anchor")
            anchor = Anchor.from_json(json.dumps(value), source=f"{source}:{number}")
        else:
            raise _bad(source, number, kind, 'expected "e", "day" or "end"')
    if anchor is None:
        raise _bad(source, None, "end", "no last line: the export was cut short or is empty")
    return ChainExport(events, counters, anchor, source)


def _lines(handle: IO[bytes], source: str) -> Iterator[tuple[int, Any]]:
    number = 0
    while True:
        raw = handle.readline(_MAX_LINE + 1)
        if not raw:
            return
        number += 1
        if len(raw) > _MAX_LINE:
            raise _bad(source, number, "", "line longer than 16 MiB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _bad(source, number, "", f"not UTF-8 (byte {exc.start + 1})") from None
        try:
            yield number, json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise _bad(source, number, "", f"not JSON ({str(exc)[:80]})") from None


_TEXT_FIELDS = ("dossier_code", "trigger", "effect", "from_state", "to_state", "actor", "role")


def _event_fields(event: Event) -> list[Any]:
    return [
        event.dossier_code,
        event.version,
        event.trigger,
        event.effect,
        event.from_state,
        event.to_state,
        event.actor,
        event.role,
        event.at.isoformat(),
        event.canonical_payload(),
        event.prev_hash,
        event.hash,
        event.idempotency_key,
        event.seq,
    ]


def _event_of(value: Any, source: str, line: int) -> Event:
    if not isinstance(value, list) or len(value) != 14:
        raise _bad(source, line, "e", "an event is a list of 14 fields")
    code, version, trigger, effect, from_state, to_state, actor, role = value[:8]
    at_text, payload_text, prev_hash, hash_, key, seq = value[8:]
    for name, text in zip(_TEXT_FIELDS, (value[0], *value[2:8]), strict=True):
        if not isinstance(text, str):
            raise _bad(source, line, f"e.{name}", "text expected")
    if not isinstance(code, str) or not code:
        raise _bad(source, line, "e.dossier_code", "text expected")
    if type(version) is not int or version < 1 or type(seq) is not int:
        raise _bad(source, line, "e.version", "whole numbers expected (version and seq)")
    if not all(isinstance(t, str) for t in (at_text, payload_text, prev_hash, hash_)):
        raise _bad(source, line, "e.at", "text expected (at, payload, prev_hash, hash)")
    if key is not None and not isinstance(key, str):
        raise _bad(source, line, "e.idempotency_key", "text or null expected")
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        raise _bad(source, line, "e.at", f"not an ISO 8601 moment: {at_text[:40]!r}") from None
    offset = at.utcoffset()
    if offset is None:
        raise _bad(source, line, "e.at", "the moment has no UTC offset")
    if offset == timedelta(hours=7):
        at = at.replace(tzinfo=VN_TZ)
    else:
        at = at.replace(tzinfo=timezone(offset))
    try:
        payload = json.loads(payload_text)
    except (ValueError, RecursionError):
        raise _bad(source, line, "e.payload", "not JSON") from None
    if not isinstance(payload, dict):
        raise _bad(source, line, "e.payload", "a JSON object expected")
    return Event(
        code,
        version,
        trigger,
        effect,
        from_state,
        to_state,
        actor,
        role,
        at,
        payload,
        prev_hash,
        hash_,
        key,
        seq,
    )


def _counter_of(value: Any, source: str, line: int) -> tuple[str, date, int]:
    if not isinstance(value, list) or len(value) != 3:
        raise _bad(source, line, "day", "[agency, day, last number] expected")
    agency, day_text, last = value
    if not isinstance(agency, str) or type(last) is not int or last < 0:
        raise _bad(source, line, "day", "[agency, day, last number] expected")
    try:
        day = date.fromisoformat(str(day_text))
    except ValueError:
        raise _bad(source, line, "day", f"not a date: {str(day_text)[:20]!r}") from None
    return agency, day, last


def _line(data: dict[str, Any]) -> str:
    # ASCII: a lone surrogate kept by an older version is written as an escape, not refused
    return json.dumps(data, separators=(",", ":")) + "\n"


def _bad(source: str, line: int | None, field: str, message: str) -> AuditFileError:
    return AuditFileError(Problem(source, line, None, field, message), f"bad chain export {source}")
