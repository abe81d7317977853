"""Fitting a log generated from a known model gives that model back (within tolerance).

The expected values are the generating scenario's (tests/forecast/conftest.py), not the
fitter's output; tolerances are about three standard errors of the amounts of data used.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from tthc_flow.forecast import fit_log
from tthc_flow.forecast._fit import FittedModel
from tthc_flow.simulation import Scenario, SimulationResult

JAN, FEB, MAR = 0, 1, 2


def fitted_days(scenario: Scenario) -> list[date]:
    day, days = date(2026, 1, 5), []
    while day <= date(2026, 3, 31):
        if scenario.calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


@pytest.fixture(scope="module")
def fitted(known_log: SimulationResult, known_scenario: Scenario) -> FittedModel:
    store = known_log.store
    return fit_log(
        list(store.dossiers()),
        store.events(),
        known_scenario.calendar,
        date(2026, 1, 5),
        date(2026, 3, 31),
    )


@pytest.mark.parametrize(("code", "rate"), [("2.000620", 8.0), ("2.000622", 5.0)])
def test_arrival_rates_and_months_are_fitted_back(
    fitted: FittedModel, known_scenario: Scenario, code: str, rate: float
) -> None:
    fit = fitted.arrivals[code]
    assert not fit.pooled  # enough arrivals for its own factors
    cal = known_scenario.calendar
    for month, season in ((JAN, 0.7), (FEB, 1.0), (MAR, 1.3)):
        first = date(2026, month + 1, 5 if month == JAN else 1)
        last = date(2026, month + 2, 1) - timedelta(days=1)
        days = sum(cal.is_working_day(first + timedelta(n)) for n in range((last - first).days + 1))
        expected = rate * season
        # the month's mean per day from about days x expected Poisson counts: 3 standard errors
        tolerance = 3.0 / math.sqrt(days * expected)
        assert fit.per_working_day * fit.month[month] == pytest.approx(expected, rel=tolerance)
    weekdays = {d.weekday() for d in fitted_days(known_scenario)}
    for wd in weekdays - {5}:  # no weekday effect in the model: about 12 days of each
        # 3.5 standard errors: ten such checks in this test (Bonferroni at 0.5 % each)
        assert fit.weekday[wd] == pytest.approx(1.0, abs=3.5 / math.sqrt(12 * rate))


def test_a_small_procedure_takes_the_pooled_factors(fitted: FittedModel) -> None:
    fit = fitted.arrivals["2.000645"]
    assert fit.pooled
    assert fit.month == fitted.pooled_arrivals.month
    # the seasonal Poisson model is not rejected for over-dispersion (without the month
    # factors, January's 0.7 and March's 1.3 would make the days vary far more than Poisson)
    assert fitted.pooled_arrivals.p_value > 0.01


def test_service_families_and_means_are_fitted_back(fitted: FittedModel) -> None:
    lognormal = fitted.steps[("2.000620", "appraise")]
    assert lognormal.family == "lognormal"
    assert lognormal.dist.mean == pytest.approx(2.0, rel=0.1)
    exponential = fitted.steps[("2.000622", "appraise")]
    assert exponential.family == "exponential"
    assert exponential.dist.mean == pytest.approx(1.5, rel=0.12)
    leader = fitted.steps[("2.000620", "approve")]
    assert leader.family == "exponential"
    assert leader.dist.mean == pytest.approx(0.3, rel=0.12)
    assert lognormal.p_value > 0.01 and exponential.p_value > 0.01


def test_branching_channels_and_staff_are_fitted_back(fitted: FittedModel) -> None:
    b = fitted.branching
    for name, truth in (
        ("supplement_at_reception", 0.08),
        ("supplement_during_appraisal", 0.05),
        ("withdraw", 0.02),
        ("reject", 0.05),
    ):
        share = b[name]
        assert abs(share.value - truth) < max(
            3 * math.sqrt(truth * (1 - truth) / share.trials), 0.01
        ), name
    assert b["abandon_supplement"].value == pytest.approx(0.2, abs=0.1)
    mix = fitted.channel_mix
    assert mix["desk"] == pytest.approx(0.5, abs=0.04)
    assert mix["postal"] == pytest.approx(0.2, abs=0.03)
    assert mix["online"] == pytest.approx(0.3, abs=0.04)
    assert fitted.staff["specialist"] == 4
    assert fitted.staff["leader"] == 1
    assert fitted.staff["one_stop"] == 3
    assert fitted.supplement_days is not None
    assert fitted.supplement_days.dist.mean == pytest.approx(4.0, rel=0.3)


def test_the_fit_report_says_what_was_chosen_and_how_well(fitted: FittedModel) -> None:
    from tthc_flow.forecast import fit_report

    text = fit_report(fitted)
    assert "2.000620/appraise: lognormal mean 2" in text
    assert "2.000622/appraise: exponential mean 1." in text
    assert "tried exponential D=" in text and "lognormal D=" in text
    assert "specialist 4" in text
    assert "reception: 0.25 working hours per dossier, as given" in text
