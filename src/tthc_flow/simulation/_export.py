"""Labels and exports for showing simulation results to people and to other programs.

``kpi_label("on_time_rate", "vi")`` names a KPI in Vietnamese or English (per-role KPIs such
as ``utilisation.one_stop`` get the role appended); :data:`HEADLINE_KPIS` are the few that a
director reads first; :func:`format_comparison` prints them as an 80-column table;
:func:`write_comparison` and :func:`write_results` export to JSON or CSV (by file suffix).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tthc_flow.simulation._compare import Comparison, Difference
from tthc_flow.simulation._kpis import SimulationResult

LANGUAGES = ("vi", "en")

KPI_LABELS: dict[str, dict[str, str]] = {
    "arrived": {"vi": "Hồ sơ đến", "en": "Dossiers arrived"},
    "received": {"vi": "Hồ sơ tiếp nhận", "en": "Dossiers received"},
    "resolved": {"vi": "Hồ sơ đã giải quyết", "en": "Dossiers resolved"},
    "early": {"vi": "Giải quyết trước hạn", "en": "Resolved early"},
    "on_time": {"vi": "Giải quyết đúng hạn", "en": "Resolved on time"},
    "late": {"vi": "Giải quyết quá hạn", "en": "Resolved late"},
    "rejected": {"vi": "Từ chối", "en": "Rejected"},
    "withdrawn": {"vi": "Rút hồ sơ", "en": "Withdrawn"},
    "returned": {"vi": "Đã trả kết quả", "en": "Results handed over"},
    "rescheduled": {"vi": "Xin lỗi, hẹn lại", "en": "Apologised, rescheduled"},
    "open_at_end": {"vi": "Còn mở cuối kỳ", "en": "Open at horizon end"},
    "resolved_at_end": {"vi": "Đã giải quyết cuối kỳ", "en": "Resolved by horizon end"},
    "in_progress_at_end": {"vi": "Đang giải quyết cuối kỳ", "en": "In progress at horizon end"},
    "censored": {"vi": "Chưa xong sau kỳ bù", "en": "Still open after drain"},
    "censored_overdue": {"vi": "Chưa xong, đã quá hạn", "en": "Still open, overdue"},
    "on_the_spot": {"vi": "Giải quyết 4 tại chỗ", "en": "Handled '4 tại chỗ'"},
    "visits": {"vi": "Lượt đến Một cửa", "en": "Desk visits"},
    "visits_saved": {"vi": "Lượt đi lại tiết kiệm", "en": "Visits saved"},
    "visits_saved_per_dossier": {"vi": "Lượt tiết kiệm / hồ sơ", "en": "Visits saved per dossier"},
    "on_time_rate": {"vi": "Tỷ lệ đúng hạn", "en": "On-time rate"},
    "processing_days_mean": {"vi": "Thời gian xử lý TB (ngày)", "en": "Processing, mean (days)"},
    "processing_days_median": {"vi": "Thời gian xử lý trung vị", "en": "Processing, median (days)"},
    "processing_days_p90": {"vi": "Thời gian xử lý P90 (ngày)", "en": "Processing, p90 (days)"},
    "citizen_days_mean": {"vi": "Thời gian người dân chờ (ngày)", "en": "Citizen wait (days)"},
    "backlog_mean": {"vi": "Hồ sơ tồn TB mỗi ngày", "en": "Open dossiers per day"},
    "wait_hours": {"vi": "Chờ (giờ)", "en": "Wait (hours)"},
    "busy_servers": {"vi": "Số người bận TB", "en": "Busy staff, mean"},
    "utilisation": {"vi": "Mức sử dụng", "en": "Utilisation"},
}
"""Display names of every KPI (per-role KPIs by their prefix), in Vietnamese and English."""

HEADLINE_KPIS: tuple[str, ...] = (
    "on_time_rate",
    "processing_days_mean",
    "processing_days_p90",
    "late",
    "censored",
    "backlog_mean",
    "visits_saved_per_dossier",
    "utilisation.one_stop",
    "utilisation.specialist",
)
"""The KPIs to show first (those missing from a result are skipped)."""

RATE_KPIS = frozenset({"on_time_rate"})


def kpi_label(name: str, lang: str = "vi") -> str:
    """Display name of a KPI; ``wait_hours.one_stop`` -> ``Chờ (giờ): one_stop``.

    >>> kpi_label("on_time_rate", "en")
    'On-time rate'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {LANGUAGES}")
    base, _, role = name.partition(".")
    labels = KPI_LABELS.get(base)
    if labels is None:
        return name
    return f"{labels[lang]}: {role}" if role else labels[lang]


def kpi_labels(lang: str = "vi") -> dict[str, str]:
    """Every label of :data:`KPI_LABELS` in one language."""
    return {name: kpi_label(name, lang) for name in KPI_LABELS}


def headline_kpis(result: SimulationResult | Comparison) -> list[str]:
    """The headline KPIs present in a result or comparison, in display order."""
    present = (
        set(result.kpis) if isinstance(result, SimulationResult) else {r.kpi for r in result.rows}
    )
    return [k for k in HEADLINE_KPIS if k in present]


def _fmt(name: str, value: float, signed: bool = False) -> str:
    if math.isnan(value):
        return "-"
    if name in RATE_KPIS or name.startswith("utilisation."):
        return f"{value * 100:+.1f}%" if signed else f"{value * 100:.1f}%"
    return f"{value:+.3g}" if signed else f"{value:.4g}"


def format_comparison(
    comparison: Comparison,
    lang: str = "vi",
    kpis: Sequence[str] | None = None,
    width: int = 80,
) -> str:
    """A plain-text table of baseline, variant and difference with its 95 % interval, one KPI
    per line, at most ``width`` columns; ``*`` marks a difference whose interval excludes 0.
    ``kpis`` defaults to the headline KPIs."""
    names = list(kpis) if kpis is not None else headline_kpis(comparison)
    rows = {r.kpi: r for r in comparison.rows}
    label_w = max(12, width - 2 - 11 - 11 - 26)
    head = ("Chỉ số" if lang == "vi" else "KPI", comparison.baseline, comparison.variant)
    diff_head = "chênh lệch [95%]" if lang == "vi" else "difference [95%]"
    lines = [f"{head[0][:label_w]:<{label_w}} {head[1][:10]:>10} {head[2][:10]:>10}  {diff_head}"]
    lines.append("-" * min(width, len(lines[0]) + 8))
    for name in names:
        row = rows.get(name)
        if row is None:
            continue
        lines.append(_line(row, kpi_label(name, lang)[:label_w], label_w)[:width])
    return "\n".join(lines)


def _line(row: Difference, label: str, label_w: int) -> str:
    d = row.diff
    interval = (
        ""
        if math.isnan(d.low)
        else f" [{_fmt(row.kpi, d.low, True)}, {_fmt(row.kpi, d.high, True)}]"
    )
    mark = " *" if row.significant else ""
    return (
        f"{label:<{label_w}} {_fmt(row.kpi, row.baseline.mean):>10} "
        f"{_fmt(row.kpi, row.variant.mean):>10}  {_fmt(row.kpi, d.mean, True)}{interval}{mark}"
    )


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def comparison_rows(comparisons: Sequence[Comparison], lang: str = "vi") -> list[dict[str, Any]]:
    """One row per (variant, KPI): labels, baseline, variant, difference and interval."""
    rows = []
    for comparison in comparisons:
        for row in comparison.to_rows():
            rows.append(
                {
                    "baseline_name": comparison.baseline,
                    "variant_name": comparison.variant,
                    "label": kpi_label(str(row["kpi"]), lang),
                    **row,
                }
            )
    return rows


def write_comparison(
    comparisons: Comparison | Sequence[Comparison], path: str | Path, lang: str = "vi"
) -> Path:
    """Write comparisons (baseline against each variant) as JSON or CSV, by the suffix."""
    items = [comparisons] if isinstance(comparisons, Comparison) else list(comparisons)
    return _write(comparison_rows(items, lang), Path(path))


def result_rows(results: Sequence[SimulationResult], lang: str = "vi") -> list[dict[str, Any]]:
    """One row per (variant, KPI): label, mean, 95 % interval and replications."""
    return [
        {
            "variant": result.variant,
            "kpi": name,
            "label": kpi_label(name, lang),
            "mean": e.mean,
            "low": e.low,
            "high": e.high,
            "n": e.n,
        }
        for result in results
        for name, e in result.kpis.items()
    ]


def write_results(
    results: SimulationResult | Sequence[SimulationResult], path: str | Path, lang: str = "vi"
) -> Path:
    """Write the KPIs of each result (baseline and variants) as JSON or CSV, by the suffix."""
    items = [results] if isinstance(results, SimulationResult) else list(results)
    return _write(result_rows(items, lang), Path(path))


def _write(rows: list[dict[str, Any]], path: Path) -> Path:
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(
            json.dumps(_clean(rows), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    elif suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["kpi"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        raise ValueError(f"cannot tell the format of {path.name}: use .json or .csv")
    return path
