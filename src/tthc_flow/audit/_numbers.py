"""The day numbers issued against the dossiers present.

A dossier code carries the agency, the day the dossier reached it and the number of the day
(Decree 118/2025/ND-CP art. 28). The store draws the number in the receipt's transaction,
so a refused or rolled-back receipt gives it back: every number from 1 to the day's last
issued number belongs to exactly one stored dossier. A missing number is a dossier deleted
(events and summary row together, which no chain can show); a number above the last issued,
or one held by two codes, is a dossier that the store never numbered.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, Protocol

from tthc_flow._time import VN_TZ
from tthc_flow.engine import DossierCodeFormat, Event


class NumberProblem(NamedTuple):
    """A number of the day that is missing, held twice, never issued, or a code that does
    not follow the format for its agency and day (``number`` 0)."""

    agency_code: str
    day: date
    number: int
    kind: str
    """``missing``, ``duplicate``, ``not issued`` or ``not in the code format``."""
    codes: tuple[str, ...]

    def __str__(self) -> str:
        held = f" ({', '.join(self.codes)})" if self.codes else ""
        return f"{self.agency_code} {self.day.isoformat()} number {self.number}: {self.kind}{held}"


@dataclass(frozen=True)
class NumberReport:
    """Result of :func:`check_day_numbers`."""

    days_checked: int
    numbers_issued: int
    problems: tuple[NumberProblem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every issued number belongs to exactly one dossier and no more."""
        return not self.problems

    def describe(self, most: int = 20) -> str:
        """One line per problem (at most ``most``), or "ok"."""
        if self.ok:
            return "ok"
        lines = [str(p) for p in self.problems[:most]]
        if len(self.problems) > most:
            lines.append(f"... and {len(self.problems) - most} more")
        return "\n".join(lines)


class NumberedDossier(NamedTuple):
    """What the check reads of a dossier: its code, agency and the day it arrived."""

    code: str
    agency_code: str
    day: date

    @classmethod
    def of(cls, first: Event) -> NumberedDossier | None:
        """Read from a dossier's first event (its receipt or submission: the payload's agency
        and the event's day in Vietnam time, the day of its code); None for any other event,
        or one without an agency."""
        agency = first.payload.get("agency_code")
        if first.version != 1 or not isinstance(agency, str):
            return None
        return cls(first.dossier_code, agency, first.at.astimezone(VN_TZ).date())


def numbered(events: Iterable[Event]) -> list[NumberedDossier]:
    """The numbered dossiers of ``events`` (their first events; nothing is replayed, so a
    broken chain is still counted by its receipt)."""
    found = (NumberedDossier.of(e) for e in events if e.version == 1)
    return [d for d in found if d is not None]


def check_day_numbers(
    counters: Mapping[tuple[str, date], int],
    dossiers: Iterable[NumberedDossier],
    code_format: DossierCodeFormat | None = None,
) -> NumberReport:
    """Compare the last number issued per (agency, day) with the dossiers present.

    ``code_format`` is the engine's :class:`~tthc_flow.engine.DossierCodeFormat` (its
    ``policies.dossier_code``), which says where the number sits in a code.
    """
    fmt = code_format or DossierCodeFormat()
    held: dict[tuple[str, date], dict[int, list[str]]] = {}
    problems: list[NumberProblem] = []
    for d in dossiers:
        number = _number_in(fmt.pattern, d.code, d.agency_code, d.day)
        if number is None:
            problems.append(
                NumberProblem(d.agency_code, d.day, 0, "not in the code format", (d.code,))
            )
            continue
        held.setdefault((d.agency_code, d.day), {}).setdefault(number, []).append(d.code)
    for agency_day in sorted(set(counters) | set(held)):
        last = counters.get(agency_day, 0)
        numbers = held.get(agency_day, {})
        agency, day = agency_day
        for number in range(1, last + 1):
            codes = numbers.get(number)
            if codes is None:
                problems.append(NumberProblem(agency, day, number, "missing", ()))
            elif len(codes) > 1:
                problems.append(
                    NumberProblem(agency, day, number, "duplicate", tuple(sorted(codes)))
                )
        for number in sorted(n for n in numbers if n > last or n < 1):
            problems.append(
                NumberProblem(agency, day, number, "not issued", tuple(sorted(numbers[number])))
            )
    problems.sort(key=lambda p: (p.agency_code, p.day, p.number, p.kind))
    return NumberReport(len(set(counters) | set(held)), sum(counters.values()), tuple(problems))


class NumberedStore(Protocol):
    """What :func:`store_day_numbers` reads: the day counters and every event."""

    def day_counters(self) -> dict[tuple[str, date], int]:
        """The last number issued per (agency, day)."""
        ...

    def events(self) -> Iterator[Event]:
        """Every stored event."""
        ...


def store_day_numbers(
    store: NumberedStore, code_format: DossierCodeFormat | None = None
) -> NumberReport:
    """:func:`check_day_numbers` on a store (memory, SQLite, PostgreSQL)."""
    return check_day_numbers(store.day_counters(), numbered(store.events()), code_format)


def _number_in(pattern: str, code: str, agency: str, day: date) -> int | None:
    """The number of the day in ``code`` if it follows ``pattern`` for ``agency`` and ``day``."""
    regex = _regex(pattern, agency, day)
    found = regex.fullmatch(code)
    return int(found.group("seq")) if found else None


_REGEXES: dict[tuple[str, str, date], re.Pattern[str]] = {}


def _regex(pattern: str, agency: str, day: date) -> re.Pattern[str]:
    key = (pattern, agency, day)
    found = _REGEXES.get(key)
    if found is None:
        if len(_REGEXES) > 4096:
            _REGEXES.clear()
        parts: list[str] = []
        seen_seq = False
        for literal, name, spec, _ in string.Formatter().parse(pattern):
            parts.append(re.escape(literal))
            if name == "agency":
                parts.append(re.escape(format(agency, spec or "")))
            elif name == "date":
                parts.append(re.escape(format(day, spec or "")))
            elif name == "seq":
                parts.append(r"\d+" if seen_seq else r"(?P<seq>\d+)")
                seen_seq = True
        found = _REGEXES[key] = re.compile("".join(parts))
    return found
