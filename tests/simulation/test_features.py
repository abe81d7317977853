"""Scenario features through the public API: distributions, seasonality, variants, progress."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Engine, FixedClock
from tthc_flow.procedure import Catalog, Duration, TimeUnit
from tthc_flow.simulation import Empirical, Scenario, Variant, simulate
from tthc_flow.simulation._scenario import Shortening
from tthc_flow.store import MemoryStore


def _copy(scenario: Scenario, **changes: object) -> Scenario:
    return Scenario(
        scenario.model.model_copy(update=changes), scenario.catalog, scenario.calendar, "<code>"
    )


def test_empirical_quantiles_follow_the_weights() -> None:
    dist = Empirical(dist="empirical", values=[1, 2, 8], weights=[2, 1, 1])
    assert [dist.quantile(u) for u in (0.0, 0.49, 0.5, 0.74, 0.75, 0.999)] == [1, 1, 2, 2, 8, 8]
    assert dist.mean == pytest.approx(3.0)


def test_an_empirical_desk_time_loads_the_desk_by_its_mean(small_scenario: Scenario) -> None:
    m = small_scenario.model
    slow = Empirical(dist="empirical", values=[0.5, 1.5])  # mean 1 h instead of 0.3 h
    service = m.service.model_copy(update={"reception": {"default": slow}})
    base = simulate(small_scenario, keep_events=False)
    slower = simulate(_copy(small_scenario, service=service), keep_events=False)
    assert slower["arrived"].mean == base["arrived"].mean
    extra_hours = (1.0 - 0.3) * base["received"].mean
    measured = slower.replications[0].measured_by_role["one_stop"]
    gained = slower["busy_servers.one_stop"].mean - base["busy_servers.one_stop"].mean
    assert gained * measured == pytest.approx(extra_hours, rel=0.15)


def test_seasonality_scales_arrivals_by_month(small_scenario: Scenario) -> None:
    arrivals = small_scenario.model.arrivals.model_copy(update={"seasonality": {3: 2.0, 4: 0.5}})
    result = simulate(_copy(small_scenario, arrivals=arrivals))
    months = Counter(d.submitted_at.month for d in result.store.dossiers())
    working = Counter(
        day.month
        for day in (small_scenario.model.horizon.start + timedelta(days=i) for i in range(60))
        if small_scenario.calendar.is_working_day(day) and day.month in (3, 4)
    )
    per_day = {month: months[month] / working[month] for month in (3, 4)}
    assert per_day[3] / per_day[4] == pytest.approx(4.0, rel=0.25)


def test_shorter_limits_give_earlier_appointments(small_scenario: Scenario) -> None:
    ten = Duration(value=10, unit=TimeUnit.WORKING_DAYS)
    seven = Duration(value=7, unit=TimeUnit.WORKING_DAYS)
    shorter = Variant(name="shorter limits", shorten=[Shortening(**{"from": ten, "to": seven})])
    scenario = _copy(small_scenario, variants=[shorter])
    tens = {d.code for d in scenario.catalog if d.time_limit.effective == ten}
    assert tens
    cal = scenario.calendar

    def working_days(result_store: object) -> Counter[int]:
        return Counter(
            cal.working_days_between(d.clock_started_at.date(), d.original_due_at.date())
            for d in result_store.dossiers()  # type: ignore[attr-defined]
            if d.procedure_code in tens and d.original_due_at is not None
        )

    base = working_days(simulate(scenario).store)
    short = working_days(simulate(scenario, "shorter limits").store)
    assert max(short) < max(base)
    assert max(base) - max(short) == 3


def test_online_share_variant_moves_the_channel_mix(small_scenario: Scenario) -> None:
    variant = Variant(name="online 50 %", online_share=0.5)
    scenario = _copy(small_scenario, variants=[variant])
    base = simulate(scenario, replications=2, keep_events=False)
    online = simulate(scenario, "online 50 %", replications=2, keep_events=False)
    counts = online.replications[0].counts
    assert counts["online"] / counts["arrived"] == pytest.approx(0.5, abs=0.06)
    # desk and postal keep their 6:1 ratio; fewer desk visits
    assert counts["desk"] / counts["postal"] == pytest.approx(6.0, rel=0.35)
    assert online["visits"].mean < base["visits"].mean


def test_progress_bar_shows_and_changes_nothing(
    small_scenario: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    quiet = simulate(small_scenario, replications=2, keep_events=False)
    shown = simulate(small_scenario, replications=2, keep_events=False, progress=True)
    out = capsys.readouterr().out
    assert "small department: baseline" in out
    assert "100%" in out
    assert [r.counts for r in shown.replications] == [r.counts for r in quiet.replications]


def test_sim_clock_fixture_drives_an_engine(
    sim_clock: FixedClock, small_scenario: Scenario
) -> None:
    catalog: Catalog = small_scenario.catalog
    cal = WorkCalendar.vietnam(years=[2026])
    engine = Engine(catalog, store=MemoryStore(), calendar=cal, clock=sim_clock)
    dossier = engine.receive("2.000620", "Công ty A", "desk")
    assert dossier.received_at == sim_clock.now()
    assert engine.overdue() == []
    sim_clock.advance(timedelta(days=30))  # past any limit of 2.000620
    assert [d.code for d in engine.overdue()] == [dossier.code]


def test_a_dated_variant_applies_from_its_day(small_scenario: Scenario) -> None:
    from datetime import date

    from tthc_flow.simulation import StaffPool

    april = date(2026, 4, 1)
    variant = Variant(
        name="april",
        effective_from=april,
        on_the_spot=["2.000620"],
        staff={"one_stop": StaffPool(count=4)},
    )
    scenario = _copy(small_scenario, variants=[variant])
    result = simulate(scenario, "april")
    dossiers = [d for d in result.store.dossiers() if d.procedure_code == "2.000620"]
    before = [d for d in dossiers if d.submitted_at.date() < april]
    after = [d for d in dossiers if d.submitted_at.date() >= april]
    assert before and after
    assert not any(d.on_the_spot for d in before)
    assert all(d.procedure_version < 1000 for d in before)
    assert all(d.procedure_version >= 1000 for d in after)
    assert any(d.on_the_spot for d in after if d.channel == "desk")
    data = result.replications[0]
    assert data.staff["one_stop"] == 4
    # two clerks in March, four in April: staff-hours in between
    measured = data.measured_by_role["one_stop"]
    assert 2 * measured < data.capacity_hours["one_stop"] < 4 * measured
    # the whole-horizon variant has more '4 tại chỗ' dossiers than the dated one
    undated = _copy(small_scenario, variants=[variant.model_copy(update={"effective_from": None})])
    assert (
        simulate(undated, "april", keep_events=False)["on_the_spot"].mean
        > result["on_the_spot"].mean
    )


def test_a_dossier_received_on_a_variants_day_follows_its_new_version() -> None:
    """The engine files a dossier under the version in force when it is received; one that
    arrived (e.g. by post or online) before a dated variant and is received on or after its
    day must be handled by the simulator under that new version too (it used to fire the old
    steps at it and fail)."""
    from datetime import date

    from tthc_flow.simulation import load_scenario

    examples = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
    hai_phong = load_scenario(examples / "hai-phong-2020.yaml")
    horizon = hai_phong.model.horizon.model_copy(
        update={"start": date(2020, 5, 25), "end": date(2020, 6, 5)}
    )
    scenario = _copy(hai_phong, horizon=horizon)
    phase_day = date(2020, 6, 1)
    result = simulate(scenario, "giai đoạn 1")
    assert result.store is not None
    received = [d for d in result.store.dossiers() if d.received_at is not None]
    crossing = [d for d in received if d.submitted_at.date() < phase_day <= d.received_at.date()]
    assert crossing
    phase_1 = scenario.variant("giai đoạn 1")
    assert phase_1 is not None
    changed = {definition.code for definition in scenario.changed_definitions(phase_1)}
    for d in received:
        if d.procedure_code in changed:
            assert (d.procedure_version >= 1000) == (d.received_at.date() >= phase_day), d.code
