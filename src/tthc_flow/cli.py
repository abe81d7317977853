"""The ``tthc`` command: validate, inspect, compute due dates, simulate, report, export.

Vietnamese labels by default, English with ``--lang en``. Bad input exits with code 1 and
``file:line:column`` messages; nothing is written.
"""

from __future__ import annotations

import csv
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import click
from rich.console import Console
from rich.table import Table

from tthc_flow._time import VN_TZ
from tthc_flow.errors import InputError, TthcError

REPO_EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEFAULT_CATALOG = REPO_EXAMPLES / "so-cong-thuong"
DEMO_SCENARIO = REPO_EXAMPLES / "scenarios" / "hai-phong-2020.yaml"

console = Console()


def _say(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _fail(error: Exception) -> None:
    """Print a library error the way a user can act on it, and exit 1."""
    if isinstance(error, InputError):
        for problem in error.problems:
            click.echo(str(problem), err=True)
    else:
        click.echo(f"error: {error}", err=True)
    sys.exit(1)


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date/time like '2026-04-24 16:10'") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


lang_option = click.option(
    "--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, help="Labels."
)
catalog_option = click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(exists=True, path_type=Path),
    default=DEFAULT_CATALOG,
    show_default=True,
    help="Folder or file of procedure YAML.",
)


@click.group()
@click.version_option(package_name="tthc_flow")
def main() -> None:
    """tthc_flow: Vietnamese administrative procedures as state machines."""


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def validate(path: Path) -> None:
    """Validate a procedure catalog (folder or file) or a scenario file."""
    from tthc_flow.procedure import load_catalog
    from tthc_flow.simulation import load_scenario

    try:
        if path.is_file() and _is_scenario(path):
            scenario = load_scenario(path)
            click.echo(f"ok: scenario {scenario.name} ({len(scenario.catalog)} procedures)")
        else:
            catalog = load_catalog(path)
            click.echo(f"ok: {len(catalog)} procedure versions in {path}")
    except TthcError as error:
        _fail(error)


def _is_scenario(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    return any(line.startswith(("horizon:", "arrivals:")) for line in text.splitlines())


@main.command()
@click.argument("code")
@catalog_option
@lang_option
def show(code: str, catalog_path: Path, lang: str) -> None:
    """Show one procedure: limits, channels, fees and steps."""
    from tthc_flow.procedure import load_catalog

    try:
        d = load_catalog(catalog_path).get(code)
    except TthcError as error:
        _fail(error)
        return
    table = Table(title=f"{d.code} v{d.version}: {d.name}", show_header=False)
    rows = [
        (_say(lang, "Lĩnh vực", "Field"), d.field),
        (_say(lang, "Cơ quan", "Agency"), d.agency),
        (_say(lang, "Thời hạn luật định", "Statutory limit"), str(d.time_limit.statutory)),
        (_say(lang, "Thời hạn cắt giảm", "Shortened limit"), str(d.time_limit.shortened or "-")),
        (_say(lang, "Dịch vụ công trực tuyến", "Online service"), d.online.value),
        (_say(lang, "Kênh", "Channels"), ", ".join(c.value for c in d.channels)),
        ("4 tại chỗ", "✓" if d.on_the_spot else "-"),
        (
            _say(lang, "Phí, lệ phí", "Fees"),
            ", ".join(f"{f.name}: {f.amount:,} đ" for f in d.fees) or "-",
        ),
        (_say(lang, "Căn cứ pháp lý", "Legal basis"), "; ".join(d.legal_basis)),
    ]
    rows += [
        (f"{_say(lang, 'Bước', 'Step')} {i}", f"{s.name} ({s.role}, {s.share:g})")
        for i, s in enumerate(d.workflow.steps, 1)
    ]
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)


@main.command()
@click.argument("code")
@catalog_option
@click.option("--format", "fmt", type=click.Choice(["mermaid", "svg", "png"]), default="mermaid")
@click.option("--out", type=click.Path(path_type=Path), help="File for svg/png.")
def diagram(code: str, catalog_path: Path, fmt: str, out: Path | None) -> None:
    """Draw a procedure's lifecycle (Mermaid text, or SVG/PNG with Graphviz)."""
    from tthc_flow.procedure import load_catalog, render_diagram, to_mermaid

    try:
        definition = load_catalog(catalog_path).get(code)
        if fmt == "svg" or fmt == "png":
            image: Literal["svg", "png"] = "svg" if fmt == "svg" else "png"
            path = render_diagram(definition, out or Path(f"{code}.{fmt}"), format=image)
            click.echo(str(path))
        else:
            click.echo(to_mermaid(definition))
    except TthcError as error:
        _fail(error)


@main.command()
@click.option("--received", required=True, help="Receipt moment, e.g. '2026-04-24 16:10'.")
@click.option("--days", type=float, help="Limit in working days.")
@click.option("--hours", type=float, help="Limit in working hours.")
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
    engine = Engine(Catalog([]), calendar=calendar)
    limit = (
        Duration(value=days, unit=TimeUnit.WORKING_DAYS)
        if days is not None
        else Duration(value=hours or 0, unit=TimeUnit.WORKING_HOURS)
    )
    try:
        start = engine._clock_start(moment)  # the same policies the engine applies
        due_at = engine._due_after(start, limit)
    except TthcError as error:
        _fail(error)
        return
    click.echo(f"{_say(lang, 'Tiếp nhận', 'Received')}: {moment:%Y-%m-%d %H:%M}")
    if start != moment:
        click.echo(f"{_say(lang, 'Bắt đầu tính', 'Clock starts')}: {start:%Y-%m-%d %H:%M}")
    for day, reason in calendar.days_off_between(moment.date(), due_at.date()):
        click.echo(f"  {_say(lang, 'nghỉ', 'off')} {day:%a %Y-%m-%d}: {reason}")
    click.echo(f"{_say(lang, 'Hẹn trả kết quả', 'Due')}: {due_at:%Y-%m-%d %H:%M} ({limit})")


@main.command()
@click.argument("scenario_path", type=click.Path(exists=True, path_type=Path))
@click.option("--variants", is_flag=True, help="Also run every variant and compare.")
@click.option("--replications", type=int, default=3, show_default=True)
@click.option("--plot", type=click.Path(path_type=Path), help="PNG of backlog and times.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Results as JSON.")
def simulate(
    scenario_path: Path,
    variants: bool,
    replications: int,
    plot: Path | None,
    json_path: Path | None,
) -> None:
    """Simulate a scenario (and its variants) through the real engine."""
    from tthc_flow.simulation import compare, load_scenario, plot_comparison
    from tthc_flow.simulation import simulate as run

    try:
        scenario = load_scenario(scenario_path)
    except TthcError as error:
        _fail(error)
        return
    base = run(scenario, replications=replications, progress=True, keep_events=False)
    click.echo(base.summary())
    results = [base]
    if variants:
        for variant in scenario.model.variants:
            result = run(scenario, variant.name, replications=replications, keep_events=False)
            results.append(result)
            click.echo(f"\n== {variant.name}\n{compare(base, result)}")
    if json_path:
        base.to_json(json_path)
    if plot:
        click.echo(f"plot: {plot_comparison(results, plot)}")


def _open_store(db: Path) -> Any:
    from tthc_flow.store import SqlStore

    return SqlStore.sqlite(db, create=False)


@main.command()
@click.option("--db", type=click.Path(exists=True, path_type=Path), required=True)
@click.option("--period", required=True, help="2026-Q3, 2026-03, 2026, or 2026-01-01..2026-09-10")
@click.option("--by", type=click.Choice(["agency", "field", "procedure", "channel", "online"]))
@click.option("--xlsx", type=click.Path(path_type=Path), help="Also write an Excel file.")
@catalog_option
@lang_option
def report(
    db: Path, period: str, by: str | None, xlsx: Path | None, catalog_path: Path, lang: str
) -> None:
    """Statistics of a period from a SQLite database, as departments publish them."""
    from tthc_flow.procedure import load_catalog
    from tthc_flow.reports import Period, statistics_sql, write_statistics_xlsx

    try:
        result = statistics_sql(
            _open_store(db), Period.parse(period), by=by, catalog=load_catalog(catalog_path)
        )
    except (TthcError, ValueError) as error:
        _fail(error)
        return
    console.print(result.to_text(lang, rich=True))
    if xlsx:
        click.echo(str(write_statistics_xlsx(result, xlsx, lang)))


@main.command()
@click.option("--db", type=click.Path(exists=True, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["xes", "ocel", "csv"]), required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True)
def export(db: Path, fmt: str, out: Path) -> None:
    """Export the event log: XES (IEEE 1849), OCEL 2.0 JSON or CSV."""
    from tthc_flow.reports import write_ocel, write_xes

    store = _open_store(db)
    if fmt == "xes":
        write_xes(store.events(), out)
    elif fmt == "ocel":
        write_ocel(store.dossiers(), store.events(), out)
    else:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["case", "activity", "timestamp", "resource", "role", "from", "to"])
            for e in store.events():
                row = [e.dossier_code, e.trigger, e.at.isoformat(), e.actor, e.role]
                writer.writerow([*row, e.from_state, e.to_state])
    click.echo(str(out))


@main.command()
@click.argument("dossier_code")
@click.option("--db", type=click.Path(exists=True, path_type=Path), required=True)
@click.option("--form", type=click.Choice(["receipt", "control"]), default="receipt")
@click.option("--out", type=click.Path(path_type=Path), help="HTML file (default: stdout).")
@catalog_option
def forms(dossier_code: str, db: Path, form: str, out: Path | None, catalog_path: Path) -> None:
    """Print an official slip of a dossier as HTML (receipt slip, process control slip)."""
    from tthc_flow.procedure import load_catalog
    from tthc_flow.reports import control_slip, receipt_slip, to_html

    store = _open_store(db)
    dossier = store.load(dossier_code)
    if dossier is None:
        _fail(TthcError(f"no dossier {dossier_code!r} in {db}"))
        return
    events = store.load_events(dossier_code)
    definition = load_catalog(catalog_path).get(dossier.procedure_code, dossier.procedure_version)
    build = receipt_slip if form == "receipt" else control_slip
    page = to_html(build(dossier, events, definition))
    if out:
        out.write_text(page, encoding="utf-8")
        click.echo(str(out))
    else:
        click.echo(page)


@main.command()
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("tthc-demo"), show_default=True
)
@click.option("--replications", type=int, default=2, show_default=True)
@lang_option
def demo(out: Path, replications: int, lang: str) -> None:
    """The main job: a department's year on the example catalog, on SQLite.

    Simulates the Hải Phòng Department of Industry and Trade (1/1-10/9/2020) through the
    engine into a SQLite file, prints the statistics as the department publishes them and
    the comparison of the "4 tại chỗ" phases, and writes Excel, XES and a plot.
    """
    from tthc_flow.reports import Period, statistics_sql, write_statistics_xlsx, write_xes
    from tthc_flow.simulation import compare, load_scenario, plot_comparison, simulate
    from tthc_flow.store import SqlStore

    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    db = out / "so-cong-thuong.sqlite"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    scenario = load_scenario(DEMO_SCENARIO)
    store = SqlStore.sqlite(db)
    console.rule(f"[bold]{scenario.name}")
    with store.batch():
        base = simulate(scenario, replications=replications, store=store, progress=True)
    horizon = scenario.model.horizon
    period = Period.between(horizon.start, horizon.end)
    table = statistics_sql(store, period, by="field", catalog=scenario.catalog)
    console.print(table.to_text(lang, rich=True))
    results = [base]
    for name in ("phase 1", "phase 2"):
        variant = simulate(scenario, name, replications=replications, keep_events=False)
        results.append(variant)
        console.rule(f"{_say(lang, 'So sánh', 'Comparison')}: {name} / baseline")
        console.print(str(compare(base, variant)))
    files = {
        _say(lang, "Cơ sở dữ liệu", "Database"): db,
        "Excel": write_statistics_xlsx(table, out / "thong-ke.xlsx", lang),
        "XES": write_xes(store.events(), out / "nhat-ky.xes"),
    }
    try:
        files[_say(lang, "Biểu đồ", "Plot")] = plot_comparison(results, out / "so-sanh.png")
    except TthcError as error:  # matplotlib is an optional extra
        click.echo(f"(no plot: {error})")
    console.rule(_say(lang, "Tệp đã ghi", "Files written"))
    for label, path in files.items():
        click.echo(f"{label}: {path}")
    elapsed = timedelta(seconds=round(time.perf_counter() - started))
    click.echo(_say(lang, f"Thời gian chạy: {elapsed}", f"Run time: {elapsed}"))


if __name__ == "__main__":
    main()
