"""Dry run of a legal change: which open dossiers' appointments it would change.

A change is a new procedure version (``new_limit`` builds one with another time limit) taking
effect on a date. The engine applies the version in force **on the day of receipt** and a
dossier keeps it for life (a supplement during appraisal restarts the limit of that same
version, art. 19.5), so:

* a dossier received before the change keeps its appointment; the dry run still shows the
  appointment the new version would have given it from the same clock start, so a
  department sees what "applying the new limit to dossiers in progress" would mean;
* a dossier not yet received (submitted, or waiting for a supplement at reception) gets the
  new version if it is received on or after the effective date: its appointment changes.

Every date is computed by the engine itself (a scratch engine with a memory store receives a
copy of the dossier at the same moment, under each version), never by a formula here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Dossier, Engine, FixedClock, Policies
from tthc_flow.errors import TthcError
from tthc_flow.procedure import Catalog, Duration, ProcedureDefinition, with_time_limit
from tthc_flow.store import MemoryStore


def new_limit(
    catalog: Catalog, code: str, limit: Duration, effective_from: date
) -> ProcedureDefinition:
    """The next version of ``code`` with ``limit`` as its (shortened) time limit, in force
    from ``effective_from`` (steps keep their share of the limit)."""
    current = catalog.effective(code, effective_from)
    changed = with_time_limit(current, limit)
    latest = max(d.version for d in catalog.versions(code))
    return changed.model_copy(update={"version": latest + 1, "effective_from": effective_from})


@dataclass(frozen=True)
class ChangeImpact:
    """One open dossier of a changed procedure."""

    code: str
    procedure_code: str
    state: str
    applies: bool
    """Whether the engine would judge it under the new version (received on or after the
    effective date)."""
    due_at: datetime | None
    """The appointment it has now (None: not received yet)."""
    due_before: datetime | None
    """Its appointment under the version in force before the change, from ``moment``."""
    due_after: datetime | None
    """Its appointment under the new version, from the same ``moment``."""
    moment: datetime
    """The clock start used: its receipt, or (not yet received) the later of the dry run's
    moment and the effective date."""
    reason: str

    @property
    def changes(self) -> bool:
        """Whether its appointment would actually change under the engine's rule."""
        return self.applies and self.due_before != self.due_after


def _due(
    definition: ProcedureDefinition,
    d: Dossier,
    moment: datetime,
    calendar: WorkCalendar,
    policies: Policies | None,
) -> datetime | None:
    pinned = definition.model_copy(
        update={
            "effective_from": min(definition.effective_from, moment.date()),
            "effective_to": None,
        }
    )
    engine = Engine(
        Catalog([pinned]),
        store=MemoryStore(),
        calendar=calendar,
        clock=FixedClock(moment),
        policies=policies,
    )
    for name in {h for t in pinned.workflow.transitions for h in t.hooks} | {
        h for s in pinned.workflow.steps for h in s.on_enter
    }:
        engine.register_hook(name, lambda dossier, event: None)
    received = engine.receive(d.procedure_code, d.applicant, d.channel, at=moment)
    return received.due_at


def dry_run(
    open_dossiers: Sequence[Dossier],
    catalog: Catalog,
    changed: Sequence[ProcedureDefinition],
    calendar: WorkCalendar,
    *,
    as_of: datetime,
    policies: Policies | None = None,
) -> list[ChangeImpact]:
    """The open dossiers of every changed procedure, with their appointment before and after
    the change (see the module docs); dossiers whose appointment changes first."""
    by_code = {d.code: d for d in changed}
    rows = []
    for d in open_dossiers:
        new = by_code.get(d.procedure_code)
        if new is None:
            continue
        effective = datetime.combine(new.effective_from, time(0), VN_TZ)
        clock_start = d.clock_started_at or d.received_at
        moment = clock_start if clock_start is not None else max(as_of, effective)
        try:
            before_def = (
                catalog.get(d.procedure_code, d.procedure_version)
                if clock_start is not None
                else catalog.effective(d.procedure_code, _day_before(new))
            )
            due_before = _due(before_def, d, moment, calendar, policies)
            due_after = _due(new, d, moment, calendar, policies)
        except TthcError as error:
            rows.append(
                ChangeImpact(
                    d.code,
                    d.procedure_code,
                    d.state,
                    False,
                    d.due_at,
                    None,
                    None,
                    moment,
                    f"cannot be computed: {error}",
                )
            )
            continue
        if clock_start is not None:
            applies = False
            reason = (
                f"received {clock_start:%d/%m/%Y} under version {d.procedure_version}: keeps "
                "it and its appointment (the engine applies the version in force at receipt)"
            )
        else:
            applies = True
            reason = (
                f"not received yet: if received from {new.effective_from:%d/%m/%Y}, version "
                f"{new.version} applies"
            )
        rows.append(
            ChangeImpact(
                d.code,
                d.procedure_code,
                d.state,
                applies,
                d.due_at,
                due_before,
                due_after,
                moment,
                reason,
            )
        )
    rows.sort(key=lambda r: (not r.changes, r.code))
    return rows


def _day_before(definition: ProcedureDefinition) -> date:
    return date.fromordinal(definition.effective_from.toordinal() - 1)


__all__ = ["ChangeImpact", "dry_run", "new_limit"]
