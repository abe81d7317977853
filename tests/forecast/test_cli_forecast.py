"""``tthc forecast`` on a store written by a simulated department: tables, a plot, and one-line
errors for bad arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tthc_flow.cli import main
from tthc_flow.simulation import simulate
from tthc_flow.store import SqlStore
from tthc_flow.testing import EXAMPLE_CATALOG, small_scenario_text


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forecast") / "log.sqlite"
    with SqlStore.sqlite(path) as store:
        simulate(small_scenario_text(), replications=1, workers=1, store=store)
    return path


ARGS = [
    "--catalog",
    str(EXAMPLE_CATALOG),
    "--fit-from",
    "2026-03-02",
    "--as-of",
    "2026-04-01T08:00",
    "--period",
    "2026-04-01..2026-04-30",
    "--workers",
    "1",
]


def test_forecast_prints_the_fit_the_indicators_and_the_risks(db: Path, tmp_path: Path) -> None:
    plot = tmp_path / "f.png"
    result = CliRunner().invoke(
        main,
        [
            "forecast",
            "--db",
            str(db),
            *ARGS,
            "--replications",
            "3",
            "--extra-staff",
            "specialist=1",
            "--plot",
            str(plot),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Fit 2026-03-02..2026-03-31" in result.output
    assert "766 2.1 rate" in result.output and "policy" in result.output
    assert "Open dossiers most at risk" in result.output
    assert plot.stat().st_size > 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--extra-staff", "specialist"], "write ROLE=N"),
        (["--as-of", "yesterday"], "write a date and time"),
        (["--on-the-spot", "9.999999"], "no procedure '9.999999'"),
        (["--as-of", "2026-06-01T08:00"], "is not in the period"),
    ],
)
def test_bad_arguments_are_one_line_errors(db: Path, extra: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["forecast", "--db", str(db), *ARGS, *extra])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_no_store_is_one_line_and_stays_untouched(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["forecast", "--db", str(empty), *ARGS])
    assert result.exit_code == 1
    assert "no tthc_flow schema" in result.output
    assert "Traceback" not in result.output
    assert empty.read_bytes() == b""


def test_a_window_without_dossiers_is_a_usage_error(db: Path) -> None:
    args = [a if a != "2026-03-02" else "2025-01-01" for a in ARGS]
    args[args.index("--as-of") + 1] = "2025-02-03T08:00"
    args[args.index("--period") + 1] = "2025-Q1"
    result = CliRunner().invoke(main, ["forecast", "--db", str(db), *args])
    assert result.exit_code == 2
    assert "no dossier was created in 2025-01-01..2025-02-02" in result.output
