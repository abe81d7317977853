"""Same seed, same result; variants share their arrivals (common random numbers)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tthc_flow._time import VN_TZ
from tthc_flow.engine import Engine, FixedClock
from tthc_flow.procedure import load_catalog
from tthc_flow.simulation import Scenario, simulate
from tthc_flow.simulation._store import SimulationStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


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


def test_the_lean_store_changes_nothing_but_the_kept_log(small_scenario: Scenario) -> None:
    """keep_events=False keeps no log, so its events are not hashed; the KPIs are the same."""
    kept = simulate(small_scenario)
    lean = simulate(small_scenario, keep_events=False)
    assert [r.counts for r in lean.replications] == [r.counts for r in kept.replications]
    assert lean.processing_days == kept.processing_days
    assert lean.backlog == kept.backlog


def test_an_engine_hashes_unless_its_store_keeps_no_events() -> None:
    catalog = load_catalog(EXAMPLES / "so-cong-thuong")
    code = next(iter(catalog)).code
    channel = next(iter(catalog)).channels[0].value
    at = datetime(2026, 3, 2, 9, tzinfo=VN_TZ)
    for keep, hashed in ((True, True), (False, False)):
        store = SimulationStore(keep_events=keep)
        engine = Engine(catalog, store=store, clock=FixedClock(at))
        dossier = engine.receive(code, "A", channel, at=at)
        assert (dossier.last_hash != "") is hashed
