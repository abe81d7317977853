"""A simulation :class:`~tthc_flow.simulation.Scenario` from a fitted model.

The simulator's own scenario model carries what it can (rates per procedure, service times
per step, role or default, branching, channels, staff, delays); the weekday and per-procedure
monthly factors, which a scenario file cannot say, are applied by the forecast's replication
(:mod:`._warm`) through ``FittedModel.arrivals[code].rate_on``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from tthc_flow.calendar import WorkCalendar
from tthc_flow.forecast._fit import FittedModel
from tthc_flow.procedure import Catalog
from tthc_flow.simulation import (
    Distribution,
    Fixed,
    Rate,
    Scenario,
    ScenarioModel,
    StaffPool,
    catalog_roles,
)
from tthc_flow.simulation._scenario import Branching, Delays, Horizon, Service

DEFAULT_STAFF = 1
"""People in a role that acted nowhere in the log (e.g. a step never reached)."""


def fitted_scenario(
    model: FittedModel,
    catalog: Catalog,
    calendar: WorkCalendar,
    start: date,
    end: date,
    *,
    staff: Mapping[str, int | str] | None = None,
    drain_working_days: int = 60,
    seed: int = 0,
    name: str = "forecast",
) -> Scenario:
    """The scenario of ``start..end`` with ``model``'s arrivals, service, branching, channels,
    staff (``staff`` replaces a role's headcount, ``"unlimited"`` removes its queue) and
    delays."""
    service_steps: dict[str, Distribution] = {
        f"{code}/{step}": choice.dist for (code, step), choice in model.steps.items()
    }
    pooled = model.pooled_service.dist if model.pooled_service is not None else None
    service = Service(
        reception={"default": Fixed(dist="fixed", value=model.reception_hours)},
        roles={role: choice.dist for role, choice in model.roles.items()},
        steps=service_steps,
        default=pooled or Fixed(dist="fixed", value=1.0),
    )
    headcount: dict[str, StaffPool] = {}
    for role in sorted(catalog_roles(catalog)):
        count: int | str = model.staff.get(role, DEFAULT_STAFF)
        if staff is not None and role in staff:
            count = staff[role]
        headcount[role] = StaffPool.model_validate(count)
    b = model.branching
    delays = Delays()
    if model.supplement_days is not None:
        delays = delays.model_copy(update={"supplement": model.supplement_days.dist})
    if model.collection_days is not None:
        delays = delays.model_copy(update={"collection": model.collection_days.dist})
    mix = model.channel_mix or {"desk": 1.0}
    scenario_model = ScenarioModel(
        name=name,
        horizon=Horizon(start=start, end=end, drain_working_days=drain_working_days),
        catalog="<fitted>",
        seed=seed,
        arrivals={  # type: ignore[arg-type]
            "procedures": {
                code: Rate(per_working_day=fit.per_working_day)
                for code, fit in model.arrivals.items()
                if fit.per_working_day > 0 and code in set(catalog.codes())
            }
        },
        channels=mix,
        staff=headcount,
        service=service,
        branching=Branching(**{name: share.value for name, share in b.items()}),
        delays=delays,
    )
    return Scenario(scenario_model, catalog, calendar, "<fitted>")


__all__ = ["fitted_scenario"]
