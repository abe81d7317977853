"""``tthc forecast``: the period's flow indicators and the dossiers at risk, from a store.

Fits the department's model to its own log (``--fit-from`` .. the day before ``--as-of``),
starts from the dossiers open at ``--as-of`` and forecasts ``--period`` (default: the quarter
of ``--as-of``), optionally with a policy (``--extra-staff``, ``--on-the-spot``) compared on
the same replications. Prints the fit, the forecast and the dossiers most at risk; ``--plot``
writes the distribution of indicator 2.1 over the replications.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from tthc_flow._time import VN_TZ


def _pairs(values: tuple[str, ...], option: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for value in values:
        role, sep, count = value.partition("=")
        if not sep or not role or not count.isdigit():
            raise click.BadParameter(
                f"{value!r}: write ROLE=N, e.g. specialist=2", param_hint=option
            )
        found[role] = int(count)
    return found


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r}: write a date and time, e.g. 2026-04-01T08:00", param_hint="--as-of"
        ) from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VN_TZ)


@click.command()
@click.option("--db", required=True, help="A database URL, or the path of a SQLite file.")
@click.option(
    "--catalog", "catalog_path", type=click.Path(exists=True, path_type=Path), required=True
)
@click.option(
    "--as-of", "as_of_text", required=True, help="Start of the forecast, e.g. 2026-04-01T08:00."
)
@click.option(
    "--fit-from",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="First day of the log to fit the model to.",
)
@click.option(
    "--period", "period_text", default=None, help="e.g. 2026-Q2 (default: the quarter of --as-of)."
)
@click.option("--replications", type=click.IntRange(2, 10_000), default=100, show_default=True)
@click.option("--extra-staff", multiple=True, help="Policy: ROLE=N more people (repeatable).")
@click.option(
    "--on-the-spot", multiple=True, help="Policy: procedure code to '4 tại chỗ' (repeatable)."
)
@click.option(
    "--top",
    type=click.IntRange(0, 10_000),
    default=20,
    show_default=True,
    help="Dossiers at risk to list.",
)
@click.option(
    "--plot", type=click.Path(path_type=Path), default=None, help="A .png/.svg/.pdf file."
)
@click.option("--workers", type=click.IntRange(1, 256), default=None)
def forecast(
    db: str,
    catalog_path: Path,
    as_of_text: str,
    fit_from: datetime,
    period_text: str | None,
    replications: int,
    extra_staff: tuple[str, ...],
    on_the_spot: tuple[str, ...],
    top: int,
    plot: Path | None,
    workers: int | None,
) -> None:
    """Forecast the period's 766 flow indicators and the late risk of every open dossier."""
    from tthc_flow._cli_errors import one_line_errors
    from tthc_flow.forecast import fit_log, fitted_scenario, warm_start
    from tthc_flow.forecast import forecast as run_forecast
    from tthc_flow.procedure import load_catalog
    from tthc_flow.reports import Period
    from tthc_flow.simulation import Variant

    as_of = _moment(as_of_text)
    extra = _pairs(extra_staff, "--extra-staff")
    plot = _image(plot)
    with one_line_errors():
        try:
            period = (
                Period.parse(period_text)
                if period_text
                else Period.quarter(as_of.year, (as_of.month - 1) // 3 + 1)
            )
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--period") from error
        if not period.first <= as_of.date() <= period.last:
            raise click.BadParameter(
                f"--as-of {as_of.date()} is not in the period {period.first}..{period.last}",
                param_hint="--as-of",
            )
        catalog = load_catalog(catalog_path)
        for code in on_the_spot:
            if code not in set(catalog.codes()):
                raise click.BadParameter(
                    f"no procedure {code!r} in the catalog", param_hint="--on-the-spot"
                )
        from tthc_flow.calendar import WorkCalendar

        calendar = WorkCalendar.vietnam(years=range(fit_from.year, period.last.year + 3))
        with _read_store(db) as store:
            try:
                model = fit_log(
                    list(store.dossiers()),
                    store.events(),
                    calendar,
                    fit_from.date(),
                    as_of.date() - timedelta(days=1),
                )
                warm = warm_start(events=store.events(), as_of=as_of, since=period.start_at)
            except ValueError as error:
                raise click.UsageError(str(error)) from error
        scenario = fitted_scenario(model, catalog, calendar, as_of.date(), period.last)
        base = run_forecast(
            scenario,
            warm,
            period=period,
            arrivals=model.arrivals,
            replications=replications,
            workers=workers,
        )
        policy = None
        if extra or on_the_spot:
            variant = Variant(name="policy", extra_staff=extra, on_the_spot=list(on_the_spot))
            policy = run_forecast(
                scenario,
                warm,
                period=period,
                arrivals=model.arrivals,
                variant=variant,
                replications=replications,
                workers=workers,
            )
        _print(model, base, policy, top)
        if plot is not None:
            _plot([base, *([policy] if policy else [])], plot)
            click.echo(f"plot: {plot}")


PLOT_SUFFIXES = (".png", ".svg", ".pdf")
"""What ``--plot`` writes (matplotlib chooses the format by the suffix)."""


def _image(path: Path | None) -> Path | None:
    if path is not None and path.suffix.lower() not in PLOT_SUFFIXES:
        raise click.BadParameter(
            f"{path.name!r}: name a {', '.join(PLOT_SUFFIXES)} file", param_hint="--plot"
        )
    return path


def _read_store(db: str) -> Any:
    """A database URL as given, or a SQLite file opened for reading only (a wrong file, e.g.
    an empty one, stays as it was: the rule of ``tthc report``, whose helper lives in
    ``tthc_flow.cli``, which this module may not import: the CLI imports it)."""
    from sqlalchemy import make_url

    from tthc_flow.errors import StoreError
    from tthc_flow.store import SqlStore
    from tthc_flow.store._engine import read_only_url

    if "://" in db:
        return SqlStore(db, create=False)
    path = Path(db)
    if not path.is_file():
        raise click.BadParameter(f"{db!r}: no such file", param_hint="--db")
    url = read_only_url(path)
    try:
        return SqlStore(url, create=False)
    except StoreError as error:  # name the file as the user gave it, not the read-only URI
        shown = make_url(url).render_as_string(hide_password=True)
        raise type(error)(str(error).replace(shown, f"sqlite:///{path}")) from None


def _print(model: Any, base: Any, policy: Any, top: int) -> None:
    from rich.console import Console
    from rich.table import Table

    # names come from catalog and database files: printed as written, never read as markup
    console = Console(markup=False, emoji=False)

    fit = Table(title=f"Fit {model.start}..{model.end}: {model.dossiers} dossiers")
    for head in ("procedure / step", "chosen", "mean", "n", "KS p"):
        fit.add_column(head)
    for code, a in model.arrivals.items():
        fit.add_row(
            code,
            "pooled factors" if a.pooled else "own factors",
            f"{a.per_working_day:.2f}/day",
            str(a.count),
            f"{a.p_value:.2f}",
        )
    for (code, step), c in model.steps.items():
        fit.add_row(
            f"{code}/{step}", c.family, f"{c.dist.mean:.2f} h", str(c.n), f"{c.p_value:.2f}"
        )
    console.print(fit)
    out = Table(
        title=f"Forecast {base.period.first}..{base.period.last} from {base.as_of:%d/%m/%Y %H:%M} "
        f"({len(base.warm.open)} open), 95 % interval"
    )
    out.add_column("indicator")
    out.add_column("baseline")
    if policy is not None:
        out.add_column("policy")
    for ident, spread in base.indicators.items():
        row = [f"766 {ident} rate", _pct(spread)]
        if policy is not None and ident in policy.indicators:
            row.append(_pct(policy.indicators[ident]))
        out.add_row(*row)
    for ident, spread in base.points.items():
        row = [f"766 {ident} points", str(spread)]
        if policy is not None and ident in policy.points:
            row.append(str(policy.points[ident]))
        out.add_row(*row)
    console.print(out)
    risks = Table(title="Open dossiers most at risk of ending late")
    for head in ("dossier", "procedure", "state", "due", "P(late)", "action", "proposed date"):
        risks.add_column(head)
    for r in base.risks[:top]:
        risks.add_row(
            r.code,
            r.procedure_code,
            r.state,
            f"{r.due_at:%d/%m/%Y}" if r.due_at else "-",
            "-" if math.isnan(r.p_late) else f"{r.p_late:.0%}",
            r.action,
            f"{r.proposed_due_at:%d/%m/%Y}" if r.proposed_due_at else "-",
        )
    console.print(risks)
    if base.not_simulated:
        console.print(f"not simulated: {len(base.not_simulated)} dossier(s) (state not modelled)")


def _pct(spread: Any) -> str:
    return f"{spread.mean:.1%} [{spread.low:.1%}; {spread.high:.1%}]"


def _plot(results: list[Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for result in results:
        values = [
            o.indicators["2.1"][0] / o.indicators["2.1"][1]
            for o in result.outcomes
            if "2.1" in o.indicators and o.indicators["2.1"][1]
        ]
        ax.hist(values, bins=20, alpha=0.6, label=result.variant)
    ax.set_xlabel("766 2.1: share on time (portal rule) at the period end")
    ax.set_ylabel("replications")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


__all__ = ["forecast"]
