"""The simulation's processing-time KPI is the figure the reports give for the same simulated
dossiers (issue 16: on 481 simulated dossiers the KPI said 0.3732 working days, receipt to
result measured by the simulator, and the report 0.3425, clock start to result measured by
the store). Both now read the engine's recorded ``Dossier.processing_seconds``."""

from __future__ import annotations

from tthc_flow.reports import Period, statistics
from tthc_flow.simulation import Scenario, simulate
from tthc_flow.store import DossierQuery


def test_a_simulated_year_reports_the_processing_mean_of_its_kpi(small_scenario: Scenario) -> None:
    result = simulate(small_scenario, replications=1)
    store = result.store
    resolved = [d for d in store.dossiers() if d.resolved_at is not None]
    assert len(resolved) > 100
    report = statistics(
        store.dossiers(), Period.parse("2026"), as_of=max(d.updated_at for d in resolved)
    )
    kpi = result.kpis["processing_days_mean"].mean
    assert report.total.resolved == result.replications[0].counts["resolved"]
    assert abs(report.total.processing_days_avg - kpi) <= 0.005  # the report rounds to 0.01


def test_the_simulation_store_finds_with_every_filter(small_scenario: Scenario) -> None:
    # a partial copy of MemoryStore.find once ignored the agency and period filters
    store = simulate(small_scenario, replications=1).store
    every = list(store.dossiers())
    agency = every[0].agency_code
    march = DossierQuery(
        agency_code=agency,
        received_from=min(d.received_at for d in every if d.received_at),
        received_until=every[len(every) // 2].received_at,
    )
    expected = sorted(
        d.code
        for d in every
        if d.agency_code == agency
        and d.received_at is not None
        and march.received_from <= d.received_at < march.received_until
    )
    assert store.find(march) == expected
    assert 0 < len(expected) < len(every)
    assert store.find(DossierQuery(agency_code="NO-SUCH-AGENCY")) == []
