"""Fuzzed command lines: every invocation ends with an exit code of 0, 1 or 2 and, when it
fails, a message on stderr, never a traceback.

Arguments are drawn from pools of hostile values (NaN, infinities, 5,000-digit numbers,
impossible dates, lone surrogates, NUL, folders where files are expected, files that are not
databases, YAML nested thousands deep, bytes that are not UTF-8, missing folders, a catalog
whose names are terminal markup); about 400
invocations per run. No pool value makes a command run long (no valid scenario, so nothing
is simulated).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tthc_flow import VN_TZ, Engine, SqlStore, load_catalog
from tthc_flow.cli import main

CATALOG = Path(__file__).resolve().parents[2] / "examples" / "so-cong-thuong"
NUMBERS = ["nan", "inf", "-inf", "0", "-0", "-1", "1e20", "1e308", "1e-300", "abc", "", "9" * 5000]
NUMBERS += ["0.5", "7"]
MOMENTS = ["2026-02-30", "", "x", "9999-12-31 23:59", "0001-01-01", "2026-04-24 16:10"]
MOMENTS += ["2026-04-24T16:10+25:00", "\x00", "\ud800"]
PERIODS = ["2026-Q3", "2026-Q9", "2026-13", "0000-01", "9999", "2026-01-01..2025-01-01", ""]
PERIODS += ["x..y", "2026-01-01..9999-12-31", "0001-01-01..0001-01-02", "\ud800", "2026-06"]
CODES = ["2.000128", "SCT-260601-0001", "9.9", "", "\x00", "a" * 5000, "\ud800", "../../etc"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Named hostile (and a few good) paths."""
    root = tmp_path_factory.mktemp("cli-fuzz")
    db = root / "ok.sqlite"
    engine = Engine(load_catalog(CATALOG), store=SqlStore.sqlite(db))
    engine.receive("2.000128", "A", "desk", at=datetime(2026, 6, 1, 8, tzinfo=VN_TZ))
    (root / "garbage.sqlite").write_bytes(bytes(range(256)) * 12)
    (root / "empty").write_bytes(b"")
    (root / "deep.yaml").write_text("a: " + "[" * 3000 + "]" * 3000 + "\n")
    (root / "open.yaml").write_text("a: " + "[" * 3000 + "\n")
    (root / "latin1.yaml").write_bytes(b"code: \xff\n")
    (root / "scenario.yaml").write_text("horizon: {start: 2026-01-01, end: 2026-02-01}\n")
    (root / "folder").mkdir()
    shutil.copy(CATALOG / "khi-cua-hang-lpg-chai.yaml", root / "one.yaml")
    procedure = (CATALOG / "khi-cua-hang-lpg-chai.yaml").read_text(encoding="utf-8")
    (root / "markup.yaml").write_text(  # rich markup in every name the CLI prints
        procedure.replace("name: ", "name: '[/x][link=http://example.invalid]:smile:' #", 1)
    )
    return {
        **{p.name: str(p) for p in root.iterdir()},
        "catalog": str(CATALOG),
        "missing": str(root / "missing" / "x"),
        "empty-name": "",
    }


def _commands(files: dict[str, str]) -> st.SearchStrategy[list[str]]:
    path = st.sampled_from(sorted(files.values()))
    out = st.sampled_from(
        [files["folder"], files["missing"], files["empty-name"], str(Path(files["folder"]) / "o")]
    )

    def opt(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
        return st.one_of(st.just([]), values.map(lambda v: [name, v]))

    number, code = st.sampled_from(NUMBERS), st.sampled_from(CODES)
    formats = st.sampled_from(["xes", "ocel", "csv"])

    def join(*parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
        return st.tuples(*parts).map(lambda lists: [a for part in lists for a in part])

    def fixed(*args: str) -> st.SearchStrategy[list[str]]:
        return st.just(list(args))

    return st.one_of(
        join(fixed("validate"), path.map(lambda p: [p])),
        join(fixed("show"), code.map(lambda c: [c]), opt("--catalog", path)),
        join(fixed("diagram"), code.map(lambda c: [c]), opt("--out", out), opt("--catalog", path)),
        join(fixed("due", "--received"), st.sampled_from(MOMENTS).map(lambda m: [m]),
             opt("--days", number), opt("--hours", number)),
        join(fixed("report", "--db"), path.map(lambda p: [p]),
             st.sampled_from(PERIODS).map(lambda p: ["--period", p]),
             opt("--by", st.sampled_from(["agency", "field", "online"])), opt("--xlsx", out),
             opt("--catalog", path)),
        join(fixed("export", "--db"), path.map(lambda p: [p]),
             formats.map(lambda f: ["--format", f]), opt("--out", out)),
        join(fixed("forms"), code.map(lambda c: [c]), fixed("--db"), path.map(lambda p: [p]),
             opt("--out", out), opt("--catalog", path)),
        join(fixed("simulate"), path.map(lambda p: [p]), opt("--replications", number),
             opt("--json", out), opt("--plot", st.sampled_from(["p.txt", "p", "p.png"]))),
        join(fixed("demo", "--scenario"), path.map(lambda p: [p]),
             opt("--replications", number), opt("--out", out)),
    )  # fmt: skip


def test_no_command_line_makes_a_traceback(files: dict[str, str]) -> None:
    @settings(
        max_examples=400,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )
    @given(_commands(files))
    def invoke(args: list[str]) -> None:
        result = CliRunner().invoke(main, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{args!r:.300}") from result.exception
        assert result.exit_code in (0, 1, 2), (args, result.output)
        if result.exit_code:
            assert result.stderr.strip(), (args, result.output)
            assert "Traceback" not in result.output

    invoke()
