"""The ``tthc`` command: validate, inspect, compute due dates, simulate, report, export.

Vietnamese labels by default, English with ``--lang en``; every label is read from the
package's one label table (:mod:`tthc_flow._labels`). KPI names, value formats and the
JSON/CSV export of simulation results are the simulation library's, laid out as terminal
tables by :mod:`tthc_flow._cli_results`.

Exit codes (docs/cli.md): 0 done; 1 bad input or a library error (``file:line:column``
messages, a store that cannot be opened, a file that cannot be read or written), nothing
written; 2 a bad command line (unknown option, a value out of range), click's usage error.
Every failure is one line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tthc_flow._cli_errors import fail, missing_hint, one_line_errors
from tthc_flow._cli_stores import open_read_only as _open_store
from tthc_flow._labels import duration, label, weekday
from tthc_flow._numbers import number
from tthc_flow._safe_text import csv_text
from tthc_flow._time import VN_TZ
from tthc_flow.errors import TthcError
from tthc_flow.store import MemoryStore

if TYPE_CHECKING:
    from tthc_flow.procedure import ProcedureDefinition


def _find_examples() -> Path | None:
    """The ``examples`` folder of a source checkout (or of the working directory), if any.

    An installed package has no examples folder: its catalog commands then read the example
    catalog shipped in the package, and ``demo`` asks for ``--scenario``.
    """
    for folder in (Path(__file__).resolve().parents[2] / "examples", Path.cwd() / "examples"):
        if (folder / "so-cong-thuong").is_dir():
            return folder
    return None


EXAMPLES = _find_examples()
SHIPPED_CATALOG = Path(__file__).resolve().parent / "data" / "so-cong-thuong"
DEFAULT_CATALOG = EXAMPLES / "so-cong-thuong" if EXAMPLES else SHIPPED_CATALOG
DEMO_SCENARIO = EXAMPLES / "scenarios" / "hai-phong-2020.yaml" if EXAMPLES else None

console = Console(markup=False, emoji=False)
"""Names and labels come from catalog, scenario and database files: printed as written, never
read as rich markup (a procedure named ``[/x]`` was a MarkupError traceback, ``[link=...]`` a
hidden terminal hyperlink) or ``:emoji:`` codes."""


if TYPE_CHECKING:  # generic in click 8.2+, a plain class in 8.1
    _TextType = click.ParamType[str]
    _NumberType = click.ParamType[float]
else:
    _TextType = _NumberType = click.ParamType


class _Text(_TextType):
    """A text argument (a code, a period) without the characters no code or name contains:
    control characters, and the lone surrogates Python makes of bytes that are not UTF-8."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        bad = next((c for c in text if ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF), None)
        if bad is not None:
            self.fail(f"contains the character U+{ord(bad):04X}", param, ctx)
        if len(text) > MAX_ARGUMENT:
            self.fail(f"longer than {MAX_ARGUMENT} characters", param, ctx)
        return text


MAX_ARGUMENT = 200
"""Longest code or period accepted: dossier codes are 15-30 characters."""

TEXT = _Text()


class _Limit(_NumberType):
    """A positive, finite time limit no larger than ``most`` (NaN, infinity, 0 and 1e20
    would hang or overflow the calendar arithmetic)."""

    name = "number"

    def __init__(self, most: float) -> None:
        self.most = most

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r:.40} is not a number", param, ctx)
        if not 0 < number <= self.most:  # False for NaN too
            self.fail(
                f"{value!r:.40} is not a number above 0 and at most {self.most:g}", param, ctx
            )
        return number


MAX_DAYS = 3650.0
"""Longest limit ``tthc due`` computes, in working days (about 14 years); the longest
statutory limit of a procedure is a few months."""


def _default(path: Path | None, fallback: Path | None, option: str) -> Path:
    if path is not None:
        return path
    if fallback is None:
        raise click.UsageError(
            f"no {option} given and no examples folder found (the package is installed without "
            f"the project's examples/): pass {option} PATH"
        )
    return fallback


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except (ValueError, UnicodeEncodeError):
        raise click.BadParameter(f"{text!r} is not a date/time like '2026-04-24 16:10'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


lang_option = click.option(
    "--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, help="Labels."
)
catalog_option = click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(exists=True, path_type=Path),
    help="Folder or file of procedure YAML (default: the example catalog of a checkout).",
)


def _out(help: str, *names: str, **extra: Any) -> Callable[[Any], Any]:
    """An option naming a file to write: a folder is refused before anything runs."""
    kind = click.Path(dir_okay=False, writable=False, path_type=Path)
    return click.option(*(names or ("--out",)), type=kind, help=help, **extra)


root_option = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder a scenario's catalog, calendar and replay files may lie in (default: the "
    "scenario's own folder; give it only for a scenario you trust).",
)


PLOT_SUFFIXES = (".png", ".svg", ".pdf", ".jpg", ".jpeg")
"""Image formats ``--plot`` writes (matplotlib chooses the format by the suffix)."""


def _image(path: Path | None) -> Path | None:
    if path is not None and path.suffix.lower() not in PLOT_SUFFIXES:
        raise click.BadParameter(
            f"{path.name!r}: name a {', '.join(PLOT_SUFFIXES)} file", param_hint="--plot"
        )
    return path


def _load_catalog(path: Path | None) -> Any:
    from tthc_flow.procedure import load_catalog

    return load_catalog(_default(path, DEFAULT_CATALOG, "--catalog"))


@click.group()
@click.version_option(package_name="tthc_flow")
def main() -> None:
    """tthc_flow: Vietnamese administrative procedures as state machines."""


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@root_option
@lang_option
def validate(path: Path, root: Path | None, lang: str) -> None:
    """Validate a procedure catalog (folder or file) or a scenario file."""
    from tthc_flow.procedure import load_catalog
    from tthc_flow.simulation import load_scenario

    with one_line_errors():
        if path.is_file() and is_scenario(path):
            scenario = load_scenario(path, root=root)
            count = len(scenario.catalog)
            click.echo(
                f"ok: {label('cli.scenario', lang)} {scenario.name} ({count} {label('cli.procedures', lang)})"
            )
        else:
            catalog = load_catalog(path)
            click.echo(f"ok: {len(catalog)} {label('cli.procedure_versions', lang)}: {path}")


def is_scenario(path: Path) -> bool:
    """Whether the YAML file ``path`` is a scenario: a mapping with a top-level key only a
    scenario has (``horizon``, ``arrivals``, ``staff``, ``variants``...) and no procedure
    ``code``. Unreadable YAML is not a scenario (the catalog loader then reports where).

    Read with the library's bounded loader: a hostile file (nested thousands deep, an alias
    bomb, bytes that are not UTF-8) is refused with its location, never a crash."""
    from tthc_flow._yaml import load_located
    from tthc_flow.procedure import ProcedureDefinition
    from tthc_flow.simulation import ScenarioModel

    doc, problems = load_located(path)
    data = doc.data
    if problems or not isinstance(data, dict):
        return False
    only_scenario = set(ScenarioModel.model_fields) - set(ProcedureDefinition.model_fields)
    return "code" not in data and bool(only_scenario & set(data))


def _show_rows(d: ProcedureDefinition, lang: str) -> list[tuple[str, str]]:
    from tthc_flow.simulation import role_label

    def limit(limit: Any) -> str:
        return "-" if limit is None else duration(limit.value, limit.unit.value, lang)

    fees = "; ".join(f"{f.name}: {number(f.amount, lang)} đ" for f in d.fees)
    rows = [
        (label("group.field", lang), d.field),
        (label("group.agency", lang), d.agency),
        (label("cli.statutory", lang), limit(d.time_limit.statutory)),
        (label("cli.shortened", lang), limit(d.time_limit.shortened)),
        (label("group.online", lang), label(f"online.{d.online.value}", lang)),
        (
            label("cli.channels", lang),
            ", ".join(label(f"channel.{c.value}", lang) for c in d.channels),
        ),
        (label("cli.on_the_spot", lang), label("cli.yes", lang) if d.on_the_spot else "-"),
        (label("procedure.fees", lang), fees or "-"),
        (label("cli.legal_basis", lang), "; ".join(d.legal_basis)),
    ]
    rows += [
        (f"{label('cli.step', lang)} {i}", f"{s.name} ({role_label(s.role, lang)}, {s.share:g})")
        for i, s in enumerate(d.workflow.steps, 1)
    ]
    return rows


@main.command()
@click.argument("code", type=TEXT)
@catalog_option
@lang_option
def show(code: str, catalog_path: Path | None, lang: str) -> None:
    """Show one procedure: limits, channels, fees and steps."""
    with one_line_errors():
        d = _load_catalog(catalog_path).get(code)
    table = Table(title=f"{d.code} v{d.version}: {d.name}", show_header=False)
    for name, value in _show_rows(d, lang):
        table.add_row(name, value)
    console.print(table)


@main.command()
@click.argument("code", type=TEXT)
@catalog_option
@click.option("--format", "fmt", type=click.Choice(["mermaid", "svg", "png"]), default="mermaid")
@_out("File for svg/png.")
def diagram(code: str, catalog_path: Path | None, fmt: str, out: Path | None) -> None:
    """Draw a procedure's lifecycle (Mermaid text, or SVG/PNG with Graphviz)."""
    from tthc_flow.procedure import render_diagram, to_mermaid

    with one_line_errors():
        definition = _load_catalog(catalog_path).get(code)
        if fmt == "svg" or fmt == "png":
            image: Literal["svg", "png"] = "svg" if fmt == "svg" else "png"
            path = render_diagram(definition, out or Path(f"{code}.{fmt}"), format=image)
            click.echo(str(path))
        else:
            click.echo(to_mermaid(definition))


@main.command()
@click.option("--received", required=True, help="Receipt moment, e.g. '2026-04-24 16:10'.")
@click.option("--days", type=_Limit(MAX_DAYS), help="Limit in working days.")
@click.option("--hours", type=_Limit(MAX_DAYS * 8), help="Limit in working hours.")
@lang_option
def due(received: str, days: float | None, hours: float | None, lang: str) -> None:
    """Compute a due moment and list every non-working day skipped, with its reason."""
    from tthc_flow.calendar import WorkCalendar
    from tthc_flow.engine import Engine
    from tthc_flow.procedure import Catalog, Duration, TimeUnit

    if (days is None) == (hours is None):
        raise click.UsageError("give exactly one of --days or --hours")
    moment = _parse_moment(received)
    calendar = WorkCalendar.vietnam(language="en_US" if lang == "en" else "vi")
    engine = Engine(Catalog([]), store=MemoryStore(), calendar=calendar)
    unit = TimeUnit.WORKING_DAYS if days is not None else TimeUnit.WORKING_HOURS
    amount = days if days is not None else hours or 0
    limit = Duration(value=amount, unit=unit)
    with one_line_errors():
        start = engine._clock_start(moment, unit)  # the same policies the engine applies
        due_at = engine._due_after(start, limit.value, limit.unit)
    click.echo(f"{label('cli.received_at', lang)}: {moment:%Y-%m-%d %H:%M}")
    if start != moment:
        click.echo(f"{label('cli.clock_starts', lang)}: {start:%Y-%m-%d %H:%M}")
    for day, reason in calendar.days_off_between(moment.date(), due_at.date()):
        click.echo(f"  {label('cli.day_off', lang)} {weekday(day, lang)} {day:%Y-%m-%d}: {reason}")
    due = duration(amount, unit.value, lang)
    click.echo(f"{label('cli.due_at', lang)}: {due_at:%Y-%m-%d %H:%M} ({due})")


@main.command()
@click.argument("scenario_path", type=click.Path(exists=True, path_type=Path))
@click.option("--variants", is_flag=True, help="Also run every variant and compare.")
@click.option("--replications", type=click.IntRange(min=1), default=5, show_default=True)
@_out("PNG of backlog and times (or .svg, .pdf).", "--plot", callback=lambda _c, _p, v: _image(v))
@_out("Results as JSON.", "--json", "json_path")
@_out("Results as CSV.", "--csv", "csv_path")
@root_option
@lang_option
def simulate(
    scenario_path: Path,
    variants: bool,
    replications: int,
    plot: Path | None,
    json_path: Path | None,
    csv_path: Path | None,
    root: Path | None,
    lang: str,
) -> None:
    """Simulate a scenario (and its variants) through the real engine."""
    from tthc_flow._cli_results import kpi_table
    from tthc_flow.simulation import compare, load_scenario, plot_comparison, write_results
    from tthc_flow.simulation import simulate as run

    with one_line_errors():
        scenario = load_scenario(scenario_path, root=root)
    base = run(scenario, replications=replications, progress=True, keep_events=False)
    title = f"{scenario.name}: {replications} {label('cli.replications', lang)}"
    results, comparisons = [base], []
    if variants:
        for variant in scenario.model.variants:
            result = run(scenario, variant.name, replications, progress=True, keep_events=False)
            results.append(result)
            comparisons.append(compare(base, result))
    if not comparisons:
        console.print(kpi_table(base, None, lang, title))
    for comparison in comparisons:
        console.print(kpi_table(base, comparison, lang, f"{title}, {comparison.variant}"))
    for fmt, path in (("json", json_path), ("csv", csv_path)):
        if path:
            with one_line_errors():
                write_results(results, path, lang, comparisons, format=fmt)
            click.echo(f"{label('cli.written', lang)}: {path}")
    if plot:
        with one_line_errors():
            click.echo(f"{label('cli.plot', lang)}: {plot_comparison(results, plot, lang)}")


@main.command()
@click.option("--db", type=click.Path(exists=True, path_type=Path), required=True)
@click.option(
    "--period", type=TEXT, required=True, help="2026-Q3, 2026-03, 2026, or 2026-01-01..2026-09-10"
)
@click.option("--by", type=click.Choice(["agency", "field", "procedure", "channel", "online"]))
@_out("Also write an Excel file.", "--xlsx")
@catalog_option
@lang_option
def report(
    db: Path, period: str, by: str | None, xlsx: Path | None, catalog_path: Path | None, lang: str
) -> None:
    """Statistics of a period from a SQLite database, as departments publish them."""
    from tthc_flow.procedure import load_catalog
    from tthc_flow.reports import Period, statistics_sql, write_statistics_xlsx

    with one_line_errors():
        try:
            chosen = Period.parse(period)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--period") from None
        folder = catalog_path or DEFAULT_CATALOG  # without one: no fields, no online modes
        catalog = load_catalog(folder) if folder else None
        if catalog is None and by in ("field", "online"):
            raise click.UsageError(f"--by {by} needs the catalog: pass --catalog FOLDER")
        result = statistics_sql(_open_store(db), chosen, by=by, catalog=catalog)
        console.print(result.to_table(lang, console.width))
        if xlsx:
            click.echo(str(write_statistics_xlsx(result, xlsx, lang)))


def _write_csv_log(store: Any, handle: IO[str]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["case", "activity", "timestamp", "resource", "role", "from", "to"])
    for e in store.events():
        row = [e.dossier_code, e.trigger, e.at.isoformat(), e.actor, e.role]
        # stored text is never a live formula once the file is opened in a spreadsheet
        writer.writerow([csv_text(cell) for cell in (*row, e.from_state, e.to_state)])


@main.command()
@click.option("--db", type=click.Path(exists=True, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["xes", "ocel", "csv"]), required=True)
@_out("File to write (default: stdout).")
def export(db: Path, fmt: str, out: Path | None) -> None:
    """Export the event log: XES (IEEE 1849), OCEL 2.0 JSON or CSV."""
    from tthc_flow.reports import to_ocel, to_xes

    with one_line_errors():
        store = _open_store(db)
        if fmt == "csv":
            buffer = io.StringIO()
            _write_csv_log(store, buffer)
            data = buffer.getvalue().encode("utf-8")
        elif fmt == "xes":
            data = to_xes(store.events())
        else:
            ocel = to_ocel(store.dossiers(), store.events())
            data = json.dumps(ocel, ensure_ascii=False, indent=1).encode("utf-8")
    if out is None:
        click.echo(data, nl=False)  # bytes go to the binary stream unchanged
        return
    with one_line_errors():
        out.write_bytes(data)
    click.echo(str(out))


@main.command()
@click.argument("dossier_code", type=TEXT)
@click.option("--db", type=click.Path(exists=True, path_type=Path), required=True)
@click.option("--form", type=click.Choice(["receipt", "control"]), default="receipt")
@_out("HTML file (default: stdout).")
@catalog_option
def forms(
    dossier_code: str, db: Path, form: str, out: Path | None, catalog_path: Path | None
) -> None:
    """Print an official slip of a dossier as HTML (receipt slip, process control slip)."""
    from tthc_flow.reports import control_slip, receipt_slip, to_html

    with one_line_errors():
        store = _open_store(db)
        dossier = store.load(dossier_code)
        if dossier is None:
            fail(TthcError(f"no dossier {dossier_code!r} in {db}"))
        events = store.load_events(dossier_code)
        catalog = _load_catalog(catalog_path)
        definition = catalog.get(dossier.procedure_code, dossier.procedure_version)
    build = receipt_slip if form == "receipt" else control_slip
    page = to_html(build(dossier, events, definition))
    if out:
        with one_line_errors():
            out.write_text(page, encoding="utf-8")
        click.echo(str(out))
    else:
        click.echo(page)


@main.command()
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("tthc-demo"), show_default=True
)
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(exists=True, path_type=Path),
    help="Scenario YAML (default: the Hải Phòng 2020 example of a checkout).",
)
@click.option(
    "--variant",
    "variant_names",
    multiple=True,
    help="Variant to compare (repeatable; default: those that move procedures to 4 tại chỗ).",
)
@click.option("--replications", type=click.IntRange(min=1), default=5, show_default=True)
@root_option
@lang_option
def demo(
    out: Path,
    scenario_path: Path | None,
    variant_names: tuple[str, ...],
    replications: int,
    root: Path | None,
    lang: str,
) -> None:
    """The main job: a department's year on the example catalog, on SQLite.

    Simulates the Hải Phòng Department of Industry and Trade (1/1-10/9/2020) through the
    engine into a SQLite file, prints the statistics as the department publishes them and
    the comparison of every variant (the "4 tại chỗ" phases) with the baseline, and writes
    Excel, XES and a plot.
    """
    from tthc_flow._cli_results import kpi_table
    from tthc_flow.reports import Period, statistics_sql, write_statistics_xlsx, write_xes
    from tthc_flow.simulation import compare, load_scenario, plot_comparison, simulate, table_label
    from tthc_flow.store import SqlStore

    started = time.perf_counter()
    with one_line_errors():
        scenario = load_scenario(_default(scenario_path, DEMO_SCENARIO, "--scenario"), root=root)
    try:
        chosen = [scenario.variant(name) for name in variant_names]
    except KeyError as error:
        raise click.BadParameter(str(error.args[0]), param_hint="--variant") from None
    variants = [v for v in chosen if v is not None] or [
        v for v in scenario.model.variants if v.on_the_spot
    ]
    db = out / "so-cong-thuong.sqlite" if scenario_path is None else out / "demo.sqlite"
    with one_line_errors():  # --out names a file, or a folder we may not write
        out.mkdir(parents=True, exist_ok=True)
        for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            stale.unlink(missing_ok=True)
        store = SqlStore.sqlite(db)
    console.rule(Text(scenario.name, style="bold"))
    with store.batch():
        base = simulate(scenario, replications=replications, store=store, progress=True)
    horizon = scenario.model.horizon
    table = statistics_sql(
        store, Period.between(horizon.start, horizon.end), by="field", catalog=scenario.catalog
    )
    console.print(table.to_table(lang, console.width))
    results = [base]
    for variant in variants:
        result = simulate(scenario, variant.name, replications, progress=True, keep_events=False)
        results.append(result)
        title = f"{label('cli.comparison', lang)}: {variant.name} / {table_label('baseline', lang)}"
        console.print(kpi_table(base, compare(base, result), lang, title))
    files: dict[str, Path] = {label("cli.database", lang): db}
    writers: list[tuple[str, Callable[[], Path]]] = [
        ("excel", lambda: write_statistics_xlsx(table, out / "thong-ke.xlsx", lang)),
        ("event_log", lambda: write_xes(store.events(), out / "nhat-ky.xes")),
        ("plot", lambda: plot_comparison(results, out / "so-sanh.png", lang)),
    ]
    for key, write in writers:
        try:
            files[label(f"cli.{key}", lang)] = write()
        except ImportError as error:  # openpyxl and matplotlib are optional extras
            click.echo(f"({label(f'cli.{key}', lang)}: {missing_hint(error)})", err=True)
    console.rule(label("cli.files_written", lang))
    for name, path in files.items():
        click.echo(f"{name}: {path}")
    elapsed = timedelta(seconds=round(time.perf_counter() - started))
    click.echo(f"{label('cli.run_time', lang)}: {elapsed}")


def _add_service_commands() -> None:
    from tthc_flow._cli_forecast import forecast
    from tthc_flow._cli_service import scheduler

    main.add_command(scheduler)
    main.add_command(forecast)


def _add_audit_commands() -> None:
    from tthc_flow._cli_audit import anchor, chain_export, verify

    for command in (anchor, chain_export, verify):
        main.add_command(command)


_add_service_commands()
_add_audit_commands()

if __name__ == "__main__":
    main()
