"""Versioned Decision 766 indicator sets: which indicators, their points and thresholds.

The sets are data (``indicators_766_2022.yaml``, ``indicators_766_2026.yaml`` beside this
module): each indicator has an id, a group, its points (None: not determined by the sources;
0: monitoring only), the threshold at which it earns full points, the formula text quoted
from the national portal's description and where that text was read. The score rule is the
description's own: ``rate × points / threshold``, capped at ``points``.

>>> s = indicator_set("2026")
>>> [int(g.points) for g in s.groups], s.get("3.6").group
([18, 20, 12, 22, 18, 10], '6')
>>> indicator_set("2022").get("3.3").score(0.4)
9.6
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NoReturn

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tthc_flow._yaml import load_located, validation_problems
from tthc_flow.errors import InputError, NotFound, Problem
from tthc_flow.reports._rounding import round_half_up

Basis = Literal["computed", "catalog", "input", "partly"]

_SHIPPED = {"2022": "indicators_766_2022.yaml", "2026": "indicators_766_2026.yaml"}
INDICATOR_SETS = tuple(_SHIPPED)
"""Names of the shipped sets: ``2022`` (five groups) and ``2026`` (the six-group layout)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IndicatorSpec(_Frozen):
    """One indicator of a set."""

    id: str
    group: str
    name: str
    points: float | None = Field(description="Maximum points; None: undetermined; 0: monitoring.")
    threshold: float = Field(default=1.0, gt=0, le=1, description="Rate earning full points.")
    basis: Basis = Field(description="computed, catalog, input or partly (log plus an input).")
    inputs: tuple[str, ...] = Field(default=(), description="IndicatorInputs fields it needs.")
    formula: str | None = Field(default=None, description="Formula text quoted from the source.")
    source: str = Field(description="Where the formula and the points were read.")

    @property
    def scored(self) -> bool:
        """Whether the indicator carries points (not monitoring, not undetermined)."""
        return bool(self.points)

    def score(self, rate: float) -> float | None:
        """Points of ``rate`` (0..1): ``rate × points / threshold`` capped at ``points``
        (two decimals, half up); None when the indicator carries no points."""
        if not self.points:
            return None
        return min(self.points, round_half_up(rate * self.points / self.threshold, 2))


class IndicatorGroup(_Frozen):
    """A group of indicators and the points it weighs."""

    id: str
    name: str
    points: float


class _Change(_Frozen):
    group: str | None = None
    points: float | None = None
    source: str | None = None


class _File(_Frozen):
    id: str
    title: str
    source: str
    extends: str | None = None
    groups: tuple[IndicatorGroup, ...]
    indicators: tuple[IndicatorSpec, ...] = ()
    changes: dict[str, _Change] = Field(default_factory=dict)
    added: tuple[IndicatorSpec, ...] = ()


class IndicatorSet(_Frozen):
    """A versioned set: groups and indicators in report order."""

    id: str
    title: str
    source: str
    groups: tuple[IndicatorGroup, ...]
    indicators: tuple[IndicatorSpec, ...]

    def get(self, indicator_id: str) -> IndicatorSpec:
        """The indicator of that id (:class:`~tthc_flow.errors.NotFound`, a KeyError, when
        the set has none)."""
        for spec in self.indicators:
            if spec.id == indicator_id:
                return spec
        raise NotFound(
            f"{self.id} has no indicator {indicator_id!r}",
            kind="indicator",
            name=indicator_id,
            known=tuple(s.id for s in self.indicators),
        )

    def with_points(self, points: Mapping[str, float | None]) -> IndicatorSet:
        """A copy with other points for some indicators (e.g. a monitor's group-5 points)."""
        unknown = set(points) - {s.id for s in self.indicators}
        if unknown:
            raise NotFound(
                f"{self.id} has no indicator {sorted(unknown)}",
                kind="indicator",
                name=min(unknown),
                known=tuple(s.id for s in self.indicators),
            )
        specs = tuple(
            s.model_copy(update={"points": points[s.id]}) if s.id in points else s
            for s in self.indicators
        )
        return self.model_copy(update={"indicators": specs, "id": f"{self.id}+custom"})


def indicator_set(name: str | Path = "2022") -> IndicatorSet:
    """A shipped set by name (``2022``, ``2026``) or a set file of the same shape.

    A bad file raises :class:`~tthc_flow.errors.InputError` naming file, line and field.
    """
    key = str(name)
    if key in _SHIPPED:
        text = resources.files("tthc_flow.reports").joinpath(_SHIPPED[key]).read_text("utf-8")
        return _build(_parse(_SHIPPED[key], text))
    return _build(_parse(str(name), None))


def _parse(source: str, text: str | None) -> _File:
    doc, problems = load_located(source, text)
    if problems:
        raise InputError(problems, f"cannot read indicator set {source}")
    try:
        return _File.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(validation_problems(exc, doc), f"invalid indicator set {source}") from exc


def _build(data: _File) -> IndicatorSet:
    specs = list(data.indicators)
    if data.extends is not None:
        base = next((k for k, v in _SHIPPED.items() if f"766-{k}" == data.extends), None)
        if base is None:
            _fail(data.id, "extends", f"unknown set {data.extends!r}")
        specs = list(indicator_set(base).indicators)
    by_id = {s.id: i for i, s in enumerate(specs)}
    for indicator_id, change in data.changes.items():
        if indicator_id not in by_id:
            _fail(data.id, f"changes.{indicator_id}", "no such indicator in the base set")
        update: dict[str, Any] = change.model_dump(exclude_unset=True)
        specs[by_id[indicator_id]] = specs[by_id[indicator_id]].model_copy(update=update)
    specs.extend(data.added)
    groups = {g.id for g in data.groups}
    for spec in specs:
        if spec.group not in groups:
            _fail(data.id, f"indicator {spec.id}", f"group {spec.group!r} is not in groups")
    return IndicatorSet(
        id=data.id,
        title=data.title,
        source=data.source,
        groups=data.groups,
        indicators=tuple(sorted(specs, key=lambda s: (int(s.group), s.id))),
    )


def _fail(where: str, field: str, message: str) -> NoReturn:
    raise InputError(Problem(where, None, None, field, message))
