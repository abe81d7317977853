"""Same seed, same result; variants share their arrivals (common random numbers)."""

from __future__ import annotations

from tthc_flow.simulation import Scenario, simulate


def test_same_seed_gives_identical_results(small_scenario: Scenario) -> None:
    a = simulate(small_scenario, replications=2, keep_events=False)
    b = simulate(small_scenario, replications=2, keep_events=False, workers=1)
    assert [r.counts for r in a.replications] == [r.counts for r in b.replications]
    assert a.processing_days == b.processing_days
    assert a.backlog == b.backlog


def test_another_seed_gives_other_dossiers(small_scenario: Scenario) -> None:
    a = simulate(small_scenario, seed=1, keep_events=False)
    b = simulate(small_scenario, seed=2, keep_events=False)
    assert a.processing_days != b.processing_days


def test_a_staffing_variant_sees_the_same_dossiers(small_scenario: Scenario) -> None:
    base = simulate(small_scenario, keep_events=False)
    more = simulate(small_scenario, "more staff", keep_events=False)
    for key in ("arrived", "desk", "postal", "online", "supplements_reception"):
        assert base.replications[0].counts[key] == more.replications[0].counts[key]
    assert more["wait_hours.specialist"].mean < base["wait_hours.specialist"].mean


def test_simulated_events_form_verifiable_chains(small_scenario: Scenario) -> None:
    result = simulate(small_scenario)
    assert result.store is not None
    report = result.store.verify()
    assert report.ok and report.events_checked > 5 * result["received"].mean
