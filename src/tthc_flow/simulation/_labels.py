"""KPI names for people, the headline list, values as printed.

The words are those of the package's label table (:mod:`tthc_flow._labels`); this module says
which entry names which KPI, and how values print. :func:`~tthc_flow.simulation.format_comparison`,
the JSON/CSV exports and the ``tthc simulate`` / ``tthc demo`` tables all read it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from tthc_flow._labels import LANGUAGES, check_language, label
from tthc_flow._numbers import number
from tthc_flow.errors import InvalidCommand
from tthc_flow.simulation._kpis import Estimate, SimulationResult
from tthc_flow.simulation._run import BASELINE

if TYPE_CHECKING:  # _compare prints itself with these labels: no runtime import back
    from tthc_flow.simulation._compare import Comparison, Difference

KPI_KEYS: dict[str, str] = {
    "arrived": "kpi.arrived",
    "received": "report.received",
    "resolved": "report.resolved",
    "early": "timeliness.early",
    "on_time": "timeliness.on_time",
    "late": "timeliness.late",
    "rejected": "report.rejected",
    "withdrawn": "report.withdrawn",
    "returned": "state.returned",
    "rescheduled": "report.rescheduled",
    "open_at_end": "kpi.open_at_end",
    "resolved_at_end": "kpi.resolved_at_end",
    "in_progress_at_end": "kpi.in_progress_at_end",
    "censored": "kpi.censored",
    "censored_overdue": "kpi.censored_overdue",
    "on_the_spot": "report.on_the_spot",
    "visits": "kpi.visits",
    "visits_saved": "kpi.visits_saved",
    "visits_saved_per_dossier": "kpi.visits_saved_per_dossier",
    "on_time_rate": "report.on_time_rate",
    "processing_days_mean": "kpi.processing_days_mean",
    "processing_days_median": "kpi.processing_days_median",
    "processing_days_p90": "kpi.processing_days_p90",
    "citizen_days_mean": "kpi.citizen_days_mean",
    "backlog_mean": "kpi.backlog_mean",
    "wait_hours": "kpi.wait_hours",
    "busy_servers": "kpi.busy_servers",
    "utilisation": "kpi.utilisation",
}
"""Every KPI (per-role KPIs by their prefix) and its entry in the label table
(:mod:`tthc_flow._labels`). A KPI the statistics report also counts reads the report's entry
(Form 06a wording): one concept, one label."""

KPI_LABELS: dict[str, dict[str, str]] = {
    name: {lang: label(key, lang) for lang in LANGUAGES} for name, key in KPI_KEYS.items()
}
"""Display names of every KPI in Vietnamese and English (a view of the label table)."""

BUILT_IN_ROLES = ("one_stop", "specialist", "leader", "applicant", "system")
"""The roles per-role KPIs translate (``role.<name>`` labels); a procedure's own role keeps
its name."""

HEADLINE_KPIS: tuple[str, ...] = (
    "received",
    "on_time_rate",
    "late",
    "censored",
    "processing_days_mean",
    "processing_days_p90",
    "citizen_days_mean",
    "on_the_spot",
    "visits_saved_per_dossier",
    "backlog_mean",
    "utilisation.one_stop",
    "utilisation.specialist",
)
"""The KPIs a director reads first, in display order (those missing from a result are skipped;
every KPI is in the JSON / CSV exports)."""

TABLE_WORDS = (
    "kpi",
    "baseline",
    "plot_backlog",
    "plot_open",
    "plot_processing",
    "plot_days",
    "plot_share",
    "difference",
    "significant",
    "points",
)
"""Words of a results table (``sim.<word>`` labels): column heads, the note on ``*``, the unit
of a rate difference, the plot's titles and axes."""

COUNT_KPIS = frozenset(
    {
        "arrived", "received", "resolved", "early", "on_time", "late", "rejected", "withdrawn",
        "returned", "rescheduled", "open_at_end", "resolved_at_end", "in_progress_at_end",
        "censored", "censored_overdue", "on_the_spot", "visits", "visits_saved", "backlog_mean",
    }
)  # fmt: skip
"""KPIs printed as whole numbers (means of counts); rates are in %, the rest has 2 decimals."""


def role_label(role: str, lang: str = "vi") -> str:
    """A built-in role in ``lang`` (``one_stop`` -> ``Bộ phận Một cửa``); other roles as given."""
    check_language(lang)
    return label(f"role.{role}", lang) if role in BUILT_IN_ROLES else role


def kpi_label(name: str, lang: str = "vi") -> str:
    """Display name of a KPI; ``utilisation.specialist`` -> ``Mức bận: chuyên viên``.

    >>> kpi_label("on_time_rate", "en")
    'Early or on time'
    """
    base, _, role = name.partition(".")
    key = KPI_KEYS.get(base)
    if key is None:
        check_language(lang)
        return name
    text = label(key, lang)
    return f"{text}: {role_label(role, lang)}" if role else text


def kpi_labels(lang: str = "vi") -> dict[str, str]:
    """Every label of :data:`KPI_LABELS` in one language."""
    return {name: kpi_label(name, lang) for name in KPI_LABELS}


def table_label(key: str, lang: str = "vi") -> str:
    """A word of :data:`TABLE_WORDS` in ``lang``."""
    if key not in TABLE_WORDS:
        raise InvalidCommand(f"key: no results-table word {key!r}; use one of {TABLE_WORDS}")
    return label(f"sim.{key}", lang)


def headline_kpis(result: SimulationResult | Comparison) -> list[str]:
    """The headline KPIs present in a result or comparison, in display order."""
    present = (
        set(result.kpis) if isinstance(result, SimulationResult) else {r.kpi for r in result.rows}
    )
    return [k for k in HEADLINE_KPIS if k in present]


def is_rate(name: str) -> bool:
    """Whether a KPI is a share (printed in %, differences in percentage points)."""
    return name == "on_time_rate" or name.startswith("utilisation.")


def format_kpi(
    name: str, value: float, lang: str = "vi", *, signed: bool = False, unit: bool = True
) -> str:
    """A KPI value as printed: rates in % with one decimal, counts whole, the rest with two
    decimals, in the number style of ``lang`` (``99,5 %`` / ``99.5 %``); ``-`` for NaN.

    ``signed`` writes a difference: ``+`` before a positive value, percentage points for a
    rate (``+1,5 điểm %`` / ``+1.5 pp``); ``unit=False`` leaves the unit out (interval ends).

    >>> format_kpi("on_time_rate", 0.995, "vi"), format_kpi("on_time_rate", 0.015, "en", signed=True)
    ('99,5 %', '+1.5 pp')
    """
    rate = is_rate(name)
    decimals = 1 if rate else 0 if name in COUNT_KPIS else 2
    scaled = value * 100 if rate else value
    if not math.isnan(scaled) and round(scaled, decimals) == 0:
        scaled = 0.0  # no "-0,0"
    text = number(scaled, check_language(lang), decimals)
    if signed and scaled > 0:
        text = "+" + text
    if not rate or not unit or text == "-":
        return text
    return f"{text} {table_label('points', lang)}" if signed else f"{text} %"


def format_estimate(name: str, estimate: Estimate, lang: str = "vi") -> str:
    """A mean and its 95 % interval: ``97,3 % [95,1; 99,5]`` (the interval only when known)."""
    text = format_kpi(name, estimate.mean, lang)
    if math.isnan(estimate.low):
        return text
    low, high = (format_kpi(name, v, lang, unit=False) for v in (estimate.low, estimate.high))
    return f"{text} [{low}; {high}]"


def format_difference(row: Difference, lang: str = "vi") -> str:
    """Variant minus baseline with its 95 % interval, ``*`` when the interval excludes 0:
    ``+2,1 điểm % [+0,4; +3,8] *``."""
    d = row.diff
    text = format_kpi(row.kpi, d.mean, lang, signed=True)
    if not math.isnan(d.low):
        low, high = (format_kpi(row.kpi, v, lang, signed=True, unit=False) for v in (d.low, d.high))
        text += f" [{low}; {high}]"
    return text + (" *" if row.significant else "")


def variant_label(variant: str, lang: str = "vi") -> str:
    """A variant's name as a column head: the baseline translated, others as named."""
    return table_label("baseline", lang) if variant == BASELINE else variant
