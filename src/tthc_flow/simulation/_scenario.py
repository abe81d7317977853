"""Scenario files: what to simulate, validated like procedure files.

A scenario names a horizon, a catalog, a calendar, arrivals, staff, service times,
branching probabilities and delays, plus *variants*: changes against that baseline
("4 tại chỗ" for a list of procedures, shortened limits, more staff, more online). Every
model forbids unknown keys; :func:`load_scenario` reports every mistake with file, line,
column and field (:class:`~tthc_flow.errors.ScenarioDefinitionError`).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.exc import SQLAlchemyError

from tthc_flow._time import VN_TZ
from tthc_flow._yaml import LocatedDocument, load_located, read_text, validation_problems
from tthc_flow.calendar import (
    CalendarOverrides,
    DatedReason,
    WorkCalendar,
    WorkingHours,
    WorkingPeriod,
    YearSchedule,
    load_overrides,
)
from tthc_flow.errors import InputError, NotFound, Problem, ScenarioDefinitionError, TthcError
from tthc_flow.procedure import (
    Catalog,
    Duration,
    ProcedureDefinition,
    TimeUnit,
    load_catalog,
    to_on_the_spot,
    with_time_limit,
)
from tthc_flow.simulation._distributions import Distribution, Fixed
from tthc_flow.simulation._paths import OutsideRoot, confined
from tthc_flow.simulation._replay import ReplayedArrival, read_arrivals, store_url

Probability = Annotated[float, Field(ge=0, le=1)]
CHANNELS = ("desk", "postal", "online")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Horizon(_Strict):
    """The simulated period; dossiers arrive from ``start`` to ``end`` (both inclusive)."""

    start: date
    end: date
    warmup_days: Annotated[int, Field(ge=0)] = Field(
        default=0, description="Days at the start left out of the KPIs (the office starts empty)."
    )

    drain_working_days: Annotated[int, Field(ge=0)] = Field(
        default=60,
        description="Working days simulated after arrivals stop, so dossiers received late in "
        "the horizon are resolved and counted; still open after it: censored.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise ValueError("end is before start")
        if (self.end - self.start).days < self.warmup_days:
            raise ValueError("warmup_days is longer than the horizon")
        return self


class CalendarSpec(_Strict):
    """The working calendar: the national one, an agency's overrides, or every day working."""

    overrides: str | None = Field(default=None, description="Overrides YAML, relative path.")
    working_hours: list[WorkingPeriod] | None = Field(default=None, description="Working periods.")
    all_days: bool = Field(
        default=False,
        description="Every day of the year is a working day (for queueing validation only).",
    )


class Rate(_Strict):
    """An arrival rate: exactly one of per_working_day, per_year, per_horizon."""

    per_working_day: Annotated[float, Field(ge=0)] | None = None
    per_year: Annotated[float, Field(ge=0)] | None = None
    per_horizon: Annotated[float, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _one(self) -> Rate:
        given = [
            v for v in (self.per_working_day, self.per_year, self.per_horizon) if v is not None
        ]
        if len(given) != 1:
            raise ValueError("give exactly one of per_working_day, per_year, per_horizon")
        return self


class Replay(_Strict):
    """Arrivals read from a stored event log: each submit/receive event is one arrival."""

    db: str = Field(description="A database URL, or a SQLite file relative to the scenario.")
    from_: date | None = Field(default=None, alias="from", description="Default: horizon start.")
    until: date | None = Field(default=None, description="Default: horizon end.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Arrivals(_Strict):
    """Poisson arrivals on working days, uniform over each day's working time.

    ``total`` is shared by the procedures without their own rate, in proportion to
    ``weights`` (default 1); ``procedures`` gives a procedure its own rate; ``seasonality``
    multiplies the rate by month (1-12, default 1). Or ``replay``: the arrivals of a stored
    event log, at their recorded moments and channels (nothing else may then be given).
    """

    replay: Replay | None = None
    total: Rate | None = None
    weights: dict[str, Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    procedures: dict[str, Rate] = Field(default_factory=dict)
    seasonality: dict[Annotated[int, Field(ge=1, le=12)], Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict
    )


class Service(_Strict):
    """Service times in working hours (a task started near closing continues next period)."""

    reception: dict[str, Distribution] = Field(
        default_factory=dict,
        description="Desk time to check and receive a dossier, by channel (desk, postal, "
        "online) or 'default'.",
    )
    return_: Distribution = Field(
        default_factory=lambda: Fixed(dist="fixed", value=0.1),
        alias="return",
        description="Desk time to hand a result over.",
    )
    roles: dict[str, Distribution] = Field(default_factory=dict, description="Per role.")
    steps: dict[str, Distribution] = Field(
        default_factory=dict, description="Per step: 'code/step_id' or 'step_id'."
    )
    default: Distribution | None = Field(default=None, description="Anything not given above.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Branching(_Strict):
    """Probabilities of what happens to a dossier (drawn once per dossier)."""

    supplement_at_reception: Probability = 0.0
    supplement_during_appraisal: Probability = 0.0
    abandon_supplement: Probability = Field(
        default=0.0, description="Of the dossiers asked for a supplement, share never supplemented."
    )
    withdraw: Probability = 0.0
    reject: Probability = 0.0
    apology: Probability = Field(
        default=1.0,
        description="Probability the unit apologises (reschedules) when it foresees lateness.",
    )


class Delays(_Strict):
    """Delays outside the agency, in calendar days."""

    supplement: Distribution = Field(default_factory=lambda: Fixed(dist="fixed", value=3))
    postal_transit: Distribution = Field(default_factory=lambda: Fixed(dist="fixed", value=2))
    collection: Distribution = Field(
        default_factory=lambda: Fixed(dist="fixed", value=0),
        description="Days between result ready and the applicant collecting it at the desk.",
    )


class Shortening(_Strict):
    """Every procedure whose effective limit is ``from`` gets ``to``."""

    from_: Duration = Field(alias="from")
    to: Duration

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


UNLIMITED = "unlimited"


class StaffPool(_Strict):
    """A role's staff: headcount (or ``unlimited``) and, optionally, their own working hours.

    ``hours`` replaces the calendar's working periods on every working day for this role
    (e.g. a desk open 07:00-11:30 and 13:00-17:00); days off stay off. Queues of the role only
    move in these hours; its waits and utilisation are measured in them.
    """

    count: Annotated[int, Field(ge=1)] | Literal["unlimited"]
    hours: list[WorkingPeriod] | None = Field(
        default=None, description="Working periods of this role, e.g. [[07:30, 11:30], ...]."
    )

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        # ``role: 3`` and ``role: unlimited`` are the short forms of {count: ...}
        if isinstance(value, bool):
            raise ValueError("give a headcount, 'unlimited' or {count, hours}")
        if isinstance(value, int):
            if value < 1:
                raise ValueError(f"a headcount must be at least 1, or '{UNLIMITED}' (got {value})")
            return {"count": value}
        if isinstance(value, str):
            if value != UNLIMITED:
                raise ValueError(f"give a headcount or '{UNLIMITED}' (got {value!r})")
            return {"count": value}
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        # accept [start, end] pairs as well as {start:, end:} mappings
        if isinstance(value, list):
            return [
                {"start": p[0], "end": p[1]} if isinstance(p, list) and len(p) == 2 else p
                for p in value
            ]
        return value

    @field_validator("hours", mode="after")
    @classmethod
    def _ordered(cls, value: list[WorkingPeriod] | None) -> list[WorkingPeriod] | None:
        if value is not None:
            if not value:
                raise ValueError("give at least one period, or leave hours out")
            for before, after in pairwise(value):
                if after.start < before.end:
                    raise ValueError("periods must be in order and must not overlap")
        return value


class Variant(_Strict):
    """Changes against the baseline; everything not named stays as in the baseline."""

    name: str
    description: str = ""
    effective_from: date | None = Field(
        default=None,
        description="The changes apply from this day (dossiers arriving from it on; staff and "
        "channel mix from that morning); before it the baseline runs. None: the whole horizon.",
    )
    on_the_spot: list[str] = Field(default_factory=list, description="Codes moved to 4 tại chỗ.")
    on_the_spot_limit: Duration = Field(
        default_factory=lambda: Duration(value=4, unit=TimeUnit.WORKING_HOURS)
    )
    shorten: list[Shortening] = Field(default_factory=list)
    staff: dict[str, StaffPool] = Field(
        default_factory=dict, description="Replaces the baseline entry of each role named."
    )
    extra_staff: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    channels: dict[str, Annotated[float, Field(ge=0)]] | None = None
    online_share: Probability | None = Field(
        default=None, description="New online share; desk and postal shrink in proportion."
    )


class ScenarioModel(_Strict):
    """The YAML document of a scenario."""

    name: str
    description: str = ""
    horizon: Horizon
    catalog: str = Field(description="Catalog directory, relative to the scenario file.")
    catalog_as_of: date | None = Field(
        default=None,
        description="Use the procedure versions in force on this date for every dossier "
        "(e.g. to replay a past year with today's catalog).",
    )
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    seed: int = 0
    arrivals: Arrivals
    channels: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: {"desk": 1.0}
    )
    staff: dict[str, StaffPool] = Field(
        default_factory=dict,
        description="Every role of the catalog's steps and one_stop (reception): a headcount, "
        "'unlimited' (no queue), or {count, hours}.",
    )
    service: Service = Field(default_factory=Service)
    branching: Branching = Field(default_factory=Branching)
    delays: Delays = Field(default_factory=Delays)
    variants: list[Variant] = Field(default_factory=list)


class PinnedCatalog:
    """A catalog that answers every ``effective`` question as of one date (``catalog_as_of``)."""

    def __init__(self, catalog: Catalog, on: date) -> None:
        self.catalog = catalog
        self.on = on

    def get(self, code: str, version: int | None = None) -> ProcedureDefinition:
        """As :meth:`Catalog.get`."""
        return self.catalog.get(code, version)

    def effective(self, code: str, on: date) -> ProcedureDefinition:
        """The version in force on the pinned date, whatever ``on``."""
        return self.catalog.effective(code, self.on)


VARIANT_VERSION_OFFSET = 1000
"""A dated variant's changed procedures get version ``base + 1000`` so both live side by side."""


class PhasedCatalog:
    """The baseline catalog before ``start`` and a variant's changed procedures from it on.

    Changed definitions are renumbered (version + :data:`VARIANT_VERSION_OFFSET`) so a dossier
    received before the change keeps its version and the engine never mixes the two.
    """

    def __init__(
        self,
        base: Catalog | PinnedCatalog,
        changed: list[ProcedureDefinition],
        start: date,
    ) -> None:
        self.base = base
        self.start = start
        self.by_key: dict[tuple[str, int], ProcedureDefinition] = {}
        self.replaces: dict[tuple[str, int], ProcedureDefinition] = {}
        for definition in changed:
            renumbered = definition.model_copy(
                update={"version": definition.version + VARIANT_VERSION_OFFSET}
            )
            self.by_key[renumbered.key] = renumbered
            self.replaces[definition.key] = renumbered

    def get(self, code: str, version: int | None = None) -> ProcedureDefinition:
        """As :meth:`Catalog.get`, renumbered variant versions included."""
        if version is not None and (code, version) in self.by_key:
            return self.by_key[(code, version)]
        return self.base.get(code, version)

    def effective(self, code: str, on: date) -> ProcedureDefinition:
        """The baseline's version before ``start``, the variant's from it on."""
        definition = self.base.effective(code, on)
        return self.replaces.get(definition.key, definition) if on >= self.start else definition


class Scenario:
    """A loaded scenario: the model, its catalog and calendar, and where it came from."""

    def __init__(
        self,
        model: ScenarioModel,
        catalog: Catalog,
        calendar: WorkCalendar,
        source: str,
        text: str = "",
        base: Path | None = None,
        replayed: list[ReplayedArrival] | None = None,
    ) -> None:
        self.model = model
        self.replayed = replayed  # arrivals read from the log of arrivals.replay, if any
        self.catalog = catalog
        self.calendar = calendar
        self.source = source
        self.text = text  # the YAML it was parsed from (informative; workers get the model)
        self.base = base or Path.cwd()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Worker processes receive the validated model, catalog and calendar themselves, so a
        # scenario changed in code runs as changed (never re-parsed from ``text``).
        return _rebuild_scenario, (
            self.model,
            list(self.catalog),
            self.calendar,
            self.source,
            self.text,
            self.base,
            self.replayed,
        )

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.model.name

    def variant(self, name: str | Variant | None) -> Variant | None:
        """The variant called ``name`` (None: the baseline)."""
        if name is None or isinstance(name, Variant):
            return name
        for variant in self.model.variants:
            if variant.name == name:
                return variant
        names = tuple(v.name for v in self.model.variants)
        raise NotFound(
            f"no variant {name!r} in scenario {self.name!r}; variants: {', '.join(names) or 'none'}",
            kind="variant",
            name=name,
            known=names,
        )

    def with_seed(self, seed: int) -> Scenario:
        """The same scenario with another seed."""
        model = self.model.model_copy(update={"seed": seed})
        return Scenario(
            model, self.catalog, self.calendar, self.source, self.text, self.base, self.replayed
        )

    def catalog_for(self, variant: Variant | None) -> Catalog:
        """The catalog with the variant's procedure changes applied (whatever its date)."""
        if variant is None:
            return self.catalog
        changed = self.changed_definitions(variant)
        return self.catalog.replace(*changed) if changed else self.catalog

    def changed_definitions(self, variant: Variant) -> list[ProcedureDefinition]:
        """The procedure versions a variant changes ("4 tại chỗ", shortened limits)."""
        changed: dict[tuple[str, int], ProcedureDefinition] = {}
        for code in variant.on_the_spot:
            for definition in self.catalog.versions(code):
                if not definition.on_the_spot:
                    changed[definition.key] = to_on_the_spot(definition, variant.on_the_spot_limit)
        for rule in variant.shorten:
            for definition in self.catalog:
                current = changed.get(definition.key, definition)
                limit = current.time_limit.effective
                if limit.unit == rule.from_.unit and limit.value == rule.from_.value:
                    changed[definition.key] = with_time_limit(current, rule.to)
        return list(changed.values())


def _rebuild_scenario(
    model: ScenarioModel,
    definitions: list[ProcedureDefinition],
    calendar: WorkCalendar,
    source: str,
    text: str,
    base: Path,
    replayed: list[ReplayedArrival] | None,
) -> Scenario:
    return Scenario(model, Catalog(definitions), calendar, source, text, base, replayed)


def _all_days_overrides(start: int, end: int) -> CalendarOverrides:
    # A YearSchedule replaces the national data of its year: no holidays, every weekend worked.
    years: dict[int, YearSchedule] = {}
    for year in range(start, end + 1):
        day, last = date(year, 1, 1), date(year, 12, 31)
        weekends = []
        while day <= last:
            if day.weekday() >= 5:
                weekends.append(DatedReason(date=day, reason="simulation: every day works"))
            day += timedelta(days=1)
        years[year] = YearSchedule(working_days=tuple(weekends))
    return CalendarOverrides(years=years)


def build_calendar(
    spec: CalendarSpec, base: Path, horizon: Horizon, root: Path | None = None
) -> WorkCalendar:
    """The calendar a scenario asks for (years from the horizon to two years after it); the
    overrides file must lie inside the scenario's folder, or ``root`` (:mod:`._paths`)."""
    years = range(horizon.start.year, horizon.end.year + 3)
    hours = WorkingHours(periods=tuple(spec.working_hours)) if spec.working_hours else None
    if spec.all_days:
        if hours is None:
            hours = WorkingHours(periods=(WorkingPeriod(start=time(0), end=time.max),))
        overrides = _all_days_overrides(years[0], years[-1])
        return WorkCalendar.vietnam(years=years, overrides=overrides, working_hours=hours)
    overrides_obj = load_overrides(confined(spec.overrides, base, root)) if spec.overrides else None
    return WorkCalendar.vietnam(years=years, overrides=overrides_obj, working_hours=hours)


def _semantic_problems(
    model: ScenarioModel, catalog: Catalog, doc: LocatedDocument
) -> list[Problem]:
    problems: list[Problem] = []
    codes = set(catalog.codes())

    def check_code(code: str, path: tuple[str | int, ...]) -> None:
        if code not in codes:
            problems.append(doc.problem(path, f"no procedure {code!r} in the catalog"))

    for code in model.arrivals.weights:
        check_code(code, ("arrivals", "weights", code))
    for code in model.arrivals.procedures:
        check_code(code, ("arrivals", "procedures", code))
    a = model.arrivals
    if a.replay is not None:
        if a.total is not None or a.procedures or a.weights or a.seasonality:
            problems.append(
                doc.problem(
                    ("arrivals", "replay"),
                    "replay replaces total, procedures, weights and seasonality: give replay alone",
                )
            )
        h = model.horizon
        start, until = a.replay.from_ or h.start, a.replay.until or h.end
        if not h.start <= start <= until <= h.end:
            problems.append(
                doc.problem(
                    ("arrivals", "replay"),
                    f"from..until must lie in the horizon ({h.start}..{h.end}) and be in order",
                )
            )
    elif a.total is None and not a.procedures:
        problems.append(doc.problem(("arrivals",), "give arrivals.total or arrivals.procedures"))
    for name in model.channels:
        if name not in CHANNELS:
            problems.append(doc.problem(("channels", name), f"unknown channel; use {CHANNELS}"))
    for name in model.service.reception:
        if name not in (*CHANNELS, "default"):
            problems.append(doc.problem(("service", "reception", name), "unknown channel"))
    seen: set[str] = set()
    for index, variant in enumerate(model.variants):
        path: tuple[str | int, ...] = ("variants", index)
        if variant.name in seen:
            problems.append(doc.problem((*path, "name"), f"variant {variant.name!r} given twice"))
        seen.add(variant.name)
        for j, code in enumerate(variant.on_the_spot):
            check_code(code, (*path, "on_the_spot", j))
        for name in variant.channels or {}:
            if name not in CHANNELS:
                problems.append(doc.problem((*path, "channels", name), "unknown channel"))
    if model.service.default is None:
        given_roles = set(model.service.roles)
        for definition in catalog:
            for step in definition.workflow.steps:
                keys = {f"{definition.code}/{step.id}", step.id}
                if step.role not in given_roles and not keys & set(model.service.steps):
                    problems.append(
                        doc.problem(
                            ("service", "roles"),
                            f"no service time for role {step.role!r} (step {step.id} of "
                            f"{definition.code})",
                            "add it under service.roles or give service.default",
                        )
                    )
                    given_roles.add(step.role)
    return problems


def catalog_roles(catalog: Catalog) -> set[str]:
    """Roles that work on dossiers in a simulation: every step's role and ``one_stop``
    (reception and return of results)."""
    roles = {"one_stop"}
    for definition in catalog:
        roles.update(step.role for step in definition.workflow.steps)
    return roles


def _staff_problems(
    model: ScenarioModel, catalogs: list[Catalog], doc: LocatedDocument
) -> list[Problem]:
    """Staff, variant staff and per-role/per-step service keys must name real roles and steps
    (of the baseline catalog or a variant's, e.g. the "4 tại chỗ" step); every role needs
    staff (a headcount, or ``unlimited`` said explicitly)."""
    problems: list[Problem] = []
    catalog = catalogs[0]
    roles = set().union(*(catalog_roles(c) for c in catalogs))
    known = ", ".join(sorted(roles))

    def check_role(role: str, path: tuple[str | int, ...]) -> None:
        if role not in roles:
            problems.append(
                doc.problem(path, f"no role {role!r} in the catalog's steps", f"roles: {known}")
            )

    for role in model.staff:
        check_role(role, ("staff", role))
    for role in sorted(roles - set(model.staff)):
        used = sorted({d.code for d in catalog for s in d.workflow.steps if s.role == role}) or [
            "reception"
        ]
        problems.append(
            doc.problem(
                ("staff",),
                f"no staff for role {role!r} (used by {', '.join(used[:3])}"
                f"{', ...' if len(used) > 3 else ''})",
                f"give a headcount, or '{role}: unlimited' for a role without a queue",
            )
        )
    for index, variant in enumerate(model.variants):
        for key in ("staff", "extra_staff"):
            for role in getattr(variant, key):
                check_role(role, ("variants", index, key, role))
        if variant.effective_from is not None:
            h = model.horizon
            if not h.start < variant.effective_from <= h.end:
                problems.append(
                    doc.problem(
                        ("variants", index, "effective_from"),
                        f"must fall after the horizon's start and by its end ({h.start}..{h.end})",
                    )
                )
            for role, pool in variant.staff.items():
                before = model.staff.get(role)
                if before is not None and (
                    isinstance(before.count, str) != isinstance(pool.count, str)
                    or before.hours != pool.hours
                ):
                    problems.append(
                        doc.problem(
                            ("variants", index, "staff", role),
                            "a dated variant changes headcounts only (not hours, not unlimited)",
                        )
                    )
        for role in variant.extra_staff:
            base = model.staff.get(role)
            if base is not None and base.count == UNLIMITED:
                problems.append(
                    doc.problem(
                        ("variants", index, "extra_staff", role),
                        f"role {role!r} is unlimited in the baseline; give its headcount first",
                    )
                )
    for role in model.service.roles:
        check_role(role, ("service", "roles", role))
    steps_of: dict[str, set[str]] = {}
    for each in catalogs:
        for definition in each:
            steps_of.setdefault(definition.code, set()).update(
                s.id for s in definition.workflow.steps
            )
    every_step = set().union(*steps_of.values())
    for key in model.service.steps:
        code, _, step_id = key.rpartition("/")
        if code and code not in steps_of:
            problems.append(
                doc.problem(("service", "steps", key), f"no procedure {code!r} in the catalog")
            )
        elif step_id not in (steps_of[code] if code else every_step):
            where = f"procedure {code}" if code else "any procedure of the catalog"
            problems.append(
                doc.problem(("service", "steps", key), f"no step {step_id!r} in {where}")
            )
    return problems


def parse_scenario(
    text: str,
    source: str = "<scenario>",
    base: Path | None = None,
    *,
    root: str | Path | None = None,
) -> Scenario:
    """Parse scenario YAML ``text``; relative paths resolve against ``base``.

    The catalog, calendar overrides and replay database must lie inside ``base`` (relative,
    no ``..``) unless ``root`` widens the boundary to that folder (:mod:`._paths`).
    """
    doc, problems = load_located(source, text)
    if problems:
        raise ScenarioDefinitionError(problems)
    return _build(doc, base or Path.cwd(), text, None if root is None else Path(root))


def load_scenario(path: str | Path, *, root: str | Path | None = None) -> Scenario:
    """Load and validate a scenario file; its catalog path is relative to the file.

    The files the scenario names (catalog, calendar overrides, replay database) must lie in
    the scenario's folder, unless ``root`` names a wider folder they may lie in (for a file
    you trust: ``root="/"`` allows any path). Raises
    :class:`~tthc_flow.errors.ScenarioDefinitionError` naming file, line, column and field of
    every mistake.
    """
    text, problems = read_text(path)
    if text is None:
        raise ScenarioDefinitionError(problems)
    return parse_scenario(text, str(path), Path(path).resolve().parent, root=root)


def _build(doc: LocatedDocument, base: Path, text: str, root: Path | None) -> Scenario:
    if not isinstance(doc.data, dict):
        raise ScenarioDefinitionError([doc.problem((), "a scenario must be a mapping")])
    try:
        model = ScenarioModel.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioDefinitionError(validation_problems(exc, doc)) from exc
    _confine(doc, model, base, root)
    try:
        catalog = load_catalog(confined(model.catalog, base, root))
        calendar = build_calendar(model.calendar, base, model.horizon, root)
    except InputError as exc:
        located = doc.problem(("catalog",), "cannot load catalog or calendar")
        raise ScenarioDefinitionError([located, *exc.problems]) from exc
    except (OSError, ValueError) as exc:
        raise ScenarioDefinitionError([doc.problem(("catalog",), str(exc))]) from exc
    problems = _semantic_problems(model, catalog, doc)
    if problems:
        raise ScenarioDefinitionError(problems)
    replayed = _replayed(model, catalog, base, doc)
    scenario = Scenario(model, catalog, calendar, doc.file, text, base, replayed)
    catalogs = [catalog]
    for index, variant in enumerate(model.variants):
        try:
            catalogs.append(scenario.catalog_for(variant))
        except InputError as exc:
            located = doc.problem(("variants", index), f"variant {variant.name!r} is invalid")
            raise ScenarioDefinitionError([located, *exc.problems]) from exc
    problems = _staff_problems(model, catalogs, doc)
    if problems:
        raise ScenarioDefinitionError(problems)
    return scenario


def _confine(doc: LocatedDocument, model: ScenarioModel, base: Path, root: Path | None) -> None:
    """Every path the scenario names lies where it may read (before any is opened)."""
    paths: list[tuple[tuple[str, ...], str]] = [(("catalog",), model.catalog)]
    if model.calendar.overrides:
        paths.append((("calendar", "overrides"), model.calendar.overrides))
    replay = model.arrivals.replay
    if replay is not None and (replay.db.startswith("sqlite:///") or "://" not in replay.db):
        paths.append((("arrivals", "replay", "db"), replay.db.removeprefix("sqlite:///")))
    problems = []
    for where, text in paths:
        try:
            confined(text, base, root)
        except (OutsideRoot, OSError) as exc:
            problems.append(doc.problem(where, str(exc)))
    if problems:
        raise ScenarioDefinitionError(problems)


def _replayed(
    model: ScenarioModel, catalog: Catalog, base: Path, doc: LocatedDocument
) -> list[ReplayedArrival] | None:
    replay = model.arrivals.replay
    if replay is None:
        return None
    path = ("arrivals", "replay", "db")
    try:
        arrivals = read_arrivals(
            store_url(replay.db, base),
            replay.from_ or model.horizon.start,
            replay.until or model.horizon.end,
        )
    except (TthcError, OSError, ValueError, SQLAlchemyError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problem = doc.problem(path, f"cannot read the event log: {first}")
        raise ScenarioDefinitionError([problem]) from exc
    unknown = sorted({a.code for a in arrivals} - set(catalog.codes()))
    if unknown:
        raise ScenarioDefinitionError(
            [doc.problem(path, f"the log has procedures not in the catalog: {', '.join(unknown)}")]
        )
    return arrivals


def as_dict(value: Any) -> Any:
    """JSON-ready form of a model (used in exports)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    return value


__all__ = [
    "UNLIMITED",
    "VN_TZ",
    "PhasedCatalog",
    "Scenario",
    "ScenarioModel",
    "StaffPool",
    "Variant",
    "catalog_roles",
    "load_scenario",
    "parse_scenario",
]
