"""Helpers for pinning a policy in your own pytest suite.

Use :func:`assert_policy` on a :class:`~tthc_flow.simulation.SimulationResult`,
:func:`assert_forecast` on a :class:`~tthc_flow.forecast.Forecast`, and the
fixtures ``sim_clock`` and ``small_scenario`` by adding to your ``conftest.py``::

    pytest_plugins = ["tthc_flow.testing"]

See docs/simulation.md ("Pinning a policy in pytest") and examples/policy_test_example.py.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tthc_flow._time import VN_TZ
from tthc_flow.engine import FixedClock
from tthc_flow.simulation import Scenario, SimulationResult, parse_scenario

if TYPE_CHECKING:
    from tthc_flow.forecast import Forecast

EXAMPLE_CATALOG = Path(__file__).resolve().parent / "data" / "so-cong-thuong"
"""The example catalog (a provincial Department of Industry and Trade), shipped with the
package so the fixtures work from an installed wheel; in a checkout it is examples/."""

SMALL_SCENARIO = """\
name: small department
horizon: {start: 2026-03-02, end: 2026-04-30}
catalog: so-cong-thuong
seed: 1
arrivals:
  total: {per_working_day: 12}
channels: {desk: 0.6, postal: 0.1, online: 0.3}
staff: {one_stop: 2, specialist: 4, leader: 1, inspection_team: unlimited,
        ministry_officer: unlimited}
service:
  reception: {default: {dist: lognormal, mean: 0.3, sd: 0.15}}
  roles:
    specialist: {dist: lognormal, mean: 1.5, sd: 1.0}
    leader: {dist: exponential, mean: 0.25}
    one_stop: {dist: lognormal, mean: 0.75, sd: 0.4}
  default: {dist: triangular, low: 1, mode: 3, high: 6}
branching: {supplement_at_reception: 0.05, supplement_during_appraisal: 0.02, apology: 1.0}
variants:
  - name: more staff
    extra_staff: {specialist: 1, one_stop: 1}
"""


def small_scenario_text(catalog: str | Path = EXAMPLE_CATALOG) -> Scenario:
    """A two-month, 12-dossiers-a-day department on the example catalog (or ``catalog``)."""
    catalog = Path(catalog).resolve()
    text = SMALL_SCENARIO.replace("catalog: so-cong-thuong", f"catalog: {catalog.name}")
    return parse_scenario(text, "<small scenario>", catalog.parent)


class PolicyViolationAssertion(AssertionError):
    """A simulated KPI misses the pinned policy."""


def assert_policy(
    result: SimulationResult,
    *,
    on_time_rate_at_least: float | None = None,
    utilisation_below: Mapping[str, float] | None = None,
    processing_days_p90_at_most: float | None = None,
    wait_hours_below: Mapping[str, float] | None = None,
    use_interval: bool = False,
) -> None:
    """Fail with every missed target listed when the simulated KPIs miss a policy.

    Targets are checked on the mean over replications; with ``use_interval`` the whole 95 %
    interval must meet them (the stricter, "we are confident" reading).
    """
    failures: list[str] = []

    def check(kpi: str, limit: float, above: bool) -> None:
        if kpi not in result.kpis:
            failures.append(f"{kpi}: not measured (is the role staffed?)")
            return
        e = result.kpis[kpi]
        value = (e.low if above else e.high) if use_interval and e.n > 1 else e.mean
        ok = value >= limit if above else value < limit
        if not ok:
            relation = ">=" if above else "<"
            failures.append(f"{kpi} = {e} (wanted {relation} {limit})")

    if on_time_rate_at_least is not None:
        check("on_time_rate", on_time_rate_at_least, True)
    for role, limit in (utilisation_below or {}).items():
        check(f"utilisation.{role}", limit, False)
    if processing_days_p90_at_most is not None:
        check("processing_days_p90", processing_days_p90_at_most + 1e-12, False)
    for role, limit in (wait_hours_below or {}).items():
        check(f"wait_hours.{role}", limit, False)
    if failures:
        raise PolicyViolationAssertion(
            f"{result.scenario} / {result.variant} misses the policy:\n  " + "\n  ".join(failures)
        )


def assert_forecast(
    result: Forecast,
    *,
    on_time_at_least: float | None = None,
    points_at_least: float | None = None,
    late_risk_below: float | None = None,
    use_interval: bool = False,
) -> None:
    """Fail with every missed target listed when a :func:`tthc_flow.forecast.forecast` misses
    a promise: the period's 766 2.1 rate (``on_time_at_least``, 0..1) and points
    (``points_at_least``), and no open dossier with a late risk of ``late_risk_below`` or
    more. Targets are checked on the forecast mean; with ``use_interval`` the low end of the
    outcome's 95 % interval must meet them (the "even in a bad quarter" reading)."""
    failures: list[str] = []
    for name, spreads, limit in (
        ("766 2.1 rate", result.indicators, on_time_at_least),
        ("766 2.1 points", result.points, points_at_least),
    ):
        if limit is None:
            continue
        spread = spreads.get("2.1")
        if spread is None:
            failures.append(f"{name}: not forecast (no period given?)")
            continue
        value = spread.low if use_interval else spread.mean
        if not value >= limit:
            failures.append(f"{name} = {spread} (wanted >= {limit})")
    if late_risk_below is not None:
        risky = [r for r in result.risks if r.p_late >= late_risk_below]
        for r in risky[:10]:
            failures.append(f"dossier {r.code}: late risk {r.p_late:.0%} ({r.action})")
        if len(risky) > 10:
            failures.append(f"... and {len(risky) - 10} more dossiers at risk")
    if failures:
        raise PolicyViolationAssertion(
            f"forecast {result.scenario} / {result.variant} misses the promise:\n  "
            + "\n  ".join(failures)
        )


if importlib.util.find_spec("pytest") is not None:  # assert_policy needs no pytest; these do
    import pytest

    @pytest.fixture
    def sim_clock() -> FixedClock:
        """A FixedClock at Monday 2 March 2026, 07:30 (a working morning)."""
        return FixedClock(datetime(2026, 3, 2, 7, 30, tzinfo=VN_TZ))

    @pytest.fixture(scope="session")
    def small_scenario() -> Scenario:
        """The small example department (see :data:`SMALL_SCENARIO`)."""
        return small_scenario_text()


__all__ = [
    "EXAMPLE_CATALOG",
    "SMALL_SCENARIO",
    "PolicyViolationAssertion",
    "assert_forecast",
    "assert_policy",
    "small_scenario_text",
]
"""The helpers; the pytest fixtures (defined when pytest is installed) are found by pytest."""
