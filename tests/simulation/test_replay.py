"""Arrivals replayed from a stored event log (arrivals.replay)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Engine
from tthc_flow.errors import ScenarioDefinitionError
from tthc_flow.procedure import load_catalog
from tthc_flow.simulation import load_scenario, simulate
from tthc_flow.store import SqlStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ROLES = (
    "one_stop: 2, specialist: 3, leader: 1, inspection_team: unlimited, ministry_officer: unlimited"
)

SCENARIO = f"""\
name: replayed March
horizon: {{start: 2026-03-02, end: 2026-03-31}}
catalog: so-cong-thuong
arrivals:
  replay: {{db: log.db, from: 2026-03-02, until: 2026-03-13}}
staff: {{{ROLES}}}
service:
  default: {{dist: fixed, value: 0.5}}
"""


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Counter[tuple[str, str]]]:
    """A SQLite event log: 36 dossiers over three weeks, desk and online, two procedures."""
    folder = tmp_path_factory.mktemp("replay")
    (folder / "so-cong-thuong").symlink_to(EXAMPLES / "so-cong-thuong")
    catalog = load_catalog(EXAMPLES / "so-cong-thuong")
    engine = Engine(
        catalog,
        calendar=WorkCalendar.vietnam(years=[2026]),
        store=SqlStore.sqlite(folder / "log.db"),
    )
    made: Counter[tuple[str, str]] = Counter()
    start = datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)
    for i in range(36):
        at = start + timedelta(days=i // 2, hours=i % 5)
        code, channel = ("2.000620", "desk") if i % 3 else ("2.000745", "online")
        if channel == "online":
            engine.submit(code, f"A{i}", channel, at=at)
        else:
            engine.receive(code, f"A{i}", channel, at=at)
        if at.date() <= datetime(2026, 3, 13).date():
            made[(code, channel)] += 1
    return folder, made


def test_each_logged_submission_becomes_one_arrival(
    log: tuple[Path, Counter[tuple[str, str]]],
) -> None:
    folder, made = log
    (folder / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    scenario = load_scenario(folder / "s.yaml")
    assert scenario.replayed is not None
    result = simulate(scenario)
    stored = Counter((d.procedure_code, d.channel) for d in result.store.dossiers())
    assert stored == made  # only the window 2-13 March, same procedures and channels
    assert result["arrived"].mean == sum(made.values())
    # and in parallel workers too (the arrivals travel with the scenario)
    assert (
        simulate(scenario, replications=2, keep_events=False, workers=2)["arrived"].values
        == (sum(made.values()),) * 2
    )


def test_an_unreadable_log_is_a_located_scenario_error(
    log: tuple[Path, Counter[tuple[str, str]]],
) -> None:
    folder, _ = log
    (folder / "bad.yaml").write_text(SCENARIO.replace("log.db", "missing.db"), encoding="utf-8")
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(folder / "bad.yaml")
    problem = caught.value.first
    assert (problem.line, problem.field) == (5, "arrivals.replay.db")
    assert "cannot read the event log" in problem.message
    assert not (folder / "missing.db").exists()  # nothing created


def test_replay_stands_alone(log: tuple[Path, Counter[tuple[str, str]]]) -> None:
    folder, _ = log
    text = SCENARIO.replace("arrivals:\n", "arrivals:\n  total: {per_working_day: 3}\n")
    (folder / "both.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioDefinitionError) as caught:
        load_scenario(folder / "both.yaml")
    assert caught.value.first.field == "arrivals.replay"
