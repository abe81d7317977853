"""One audit: every chain (with the key), the anchor, the day numbers; on a store or an export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from tthc_flow.audit._anchor import Anchor, AnchorCheck, EventSource, check_anchor, check_events
from tthc_flow.audit._export import read_export
from tthc_flow.audit._numbers import NumberReport, check_day_numbers, numbered, store_day_numbers
from tthc_flow.engine import ChainKey, DossierCodeFormat, Event, first_broken_link, replay
from tthc_flow.errors import IntegrityError
from tthc_flow.store import ChainProblem, ChainReport


@dataclass(frozen=True)
class AuditReport:
    """What an audit found: the chains, the day numbers and, when given, the anchor."""

    chains: ChainReport
    numbers: NumberReport
    anchor: AnchorCheck | None = None
    export_problem: str | None = None
    """A chain export whose events do not digest to its own last line (damaged or edited)."""
    unreadable: str | None = None
    """Why the events could not all be read (the anchor and the day numbers not checked)."""

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return (
            self.chains.ok
            and self.numbers.ok
            and (self.anchor is None or self.anchor.ok)
            and self.export_problem is None
            and self.unreadable is None
        )

    def describe(self) -> str:
        """A few lines for a terminal or a log: each check, ok or what broke."""
        lines = [
            f"chains: {self.chains.dossiers_checked} dossiers, {self.chains.events_checked} "
            f"events: " + ("ok" if self.chains.ok else "BROKEN"),
        ]
        if not self.chains.ok:
            lines += ["  " + line for line in self.chains.describe().splitlines()]
        lines.append(
            f"day numbers: {self.numbers.numbers_issued} issued on {self.numbers.days_checked} "
            "agency-days: " + ("ok" if self.numbers.ok else "BROKEN")
        )
        if not self.numbers.ok:
            lines += ["  " + line for line in self.numbers.describe().splitlines()]
        if self.anchor is not None:
            lines.append(self.anchor.describe())
        if self.export_problem is not None:
            lines.append(f"export: {self.export_problem}")
        if self.unreadable is not None:
            lines.append(f"anchor and day numbers not checked: {self.unreadable}")
        return "\n".join(lines)


class AuditedStore(EventSource, Protocol):
    """What :func:`audit_store` reads (memory and SQL stores have all of it)."""

    def verify(
        self,
        key: ChainKey | Sequence[ChainKey] | None = None,
        *,
        unkeyed_through: int | None = None,
    ) -> ChainReport:
        """Every chain and summary."""
        ...

    def day_counters(self) -> dict[tuple[str, date], int]:
        """The last number issued per (agency, day)."""
        ...


def audit_store(
    store: AuditedStore,
    *,
    key: ChainKey | Sequence[ChainKey] | None = None,
    anchor: Anchor | None = None,
    unkeyed_through: int | None = None,
    code_format: DossierCodeFormat | None = None,
) -> AuditReport:
    """Audit a store: :meth:`verify` (every broken dossier), the day numbers and the anchor.

    A stored row that no longer parses is one of ``verify``'s problems; the anchor and the
    day numbers, which read every event, are then reported as not checked."""
    chains = store.verify(key, unkeyed_through=unkeyed_through)
    try:
        numbers = store_day_numbers(store, code_format)
        checked = check_anchor(store, anchor) if anchor is not None else None
    except IntegrityError as exc:  # a row that does not parse: verify() names it
        return AuditReport(chains, NumberReport(0, 0), None, None, str(exc))
    return AuditReport(chains, numbers, checked)


def audit_export(
    path: str | Path,
    *,
    key: ChainKey | Sequence[ChainKey] | None = None,
    anchor: Anchor | None = None,
    unkeyed_through: int | None = None,
    code_format: DossierCodeFormat | None = None,
) -> AuditReport:
    """Audit a chain export (:func:`save_export`) without the database: every chain (with
    ``key``, every event must be keyed), each chain's replay, the day numbers, the export's
    own last line and, when given, a saved anchor."""
    export = read_export(path)
    chains: dict[str, list[Event]] = {}
    for event in export.events:
        chains.setdefault(event.dossier_code, []).append(event)
    problems: list[ChainProblem] = []
    for code in sorted(chains):
        chain = sorted(chains[code], key=lambda e: e.version)
        broken = first_broken_link(chain, key, unkeyed_through=unkeyed_through)
        if broken is not None:
            problems.append(ChainProblem(code, *broken))
            continue
        try:
            replay(chain)
        except (ValueError, KeyError, TypeError) as exc:  # a chain that verifies but is no dossier
            problems.append(ChainProblem(code, chain[-1].version, f"does not replay: {exc}"))
    own = check_events(export.events, export.anchor)
    return AuditReport(
        ChainReport.of(len(chains), len(export.events), problems),
        check_day_numbers(export.counters, numbered(export.events), code_format),
        check_events(export.events, anchor) if anchor is not None else None,
        None
        if own.ok and own.events_found == len(export.events)
        else f"its events do not match its own last line ({own.problem or 'more events'})",
    )
