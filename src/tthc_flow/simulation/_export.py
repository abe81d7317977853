"""Simulation results for people and for other programs: the 80-column table, JSON and CSV.

Labels, the headline list and number formats come from :mod:`tthc_flow.simulation._labels`;
:func:`format_comparison` prints a comparison as plain text; :func:`write_comparison` and
:func:`write_results` export to JSON or CSV (by file suffix).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tthc_flow._safe_text import csv_text
from tthc_flow.errors import InvalidCommand
from tthc_flow.simulation._compare import Comparison
from tthc_flow.simulation._kpis import SimulationResult
from tthc_flow.simulation._labels import (
    kpi_label,
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


def result_rows(
    results: Sequence[SimulationResult],
    lang: str = "vi",
    comparisons: Sequence[Comparison] = (),
) -> list[dict[str, Any]]:
    """One row per (variant, KPI): label, mean, 95 % interval and replications, and the
    difference from the baseline with its interval for a variant that ``comparisons`` holds
    (NaN otherwise)."""
    by_variant = {c.variant: {r.kpi: r.diff for r in c.rows} for c in comparisons}
    rows: list[dict[str, Any]] = []
    for result in results:
        diffs = by_variant.get(result.variant, {})
        for name, e in result.kpis.items():
            d = diffs.get(name)
            nan = math.nan
            rows.append(
                {
                    "variant": result.variant,
                    "kpi": name,
                    "label": kpi_label(name, lang),
                    "mean": e.mean,
                    "low": e.low,
                    "high": e.high,
                    "n": e.n,
                    "difference": d.mean if d else nan,
                    "diff_low": d.low if d else nan,
                    "diff_high": d.high if d else nan,
                }
            )
    return rows


def write_results(
    results: SimulationResult | Sequence[SimulationResult],
    path: str | Path,
    lang: str = "vi",
    comparisons: Sequence[Comparison] = (),
    format: str | None = None,
) -> Path:
    """Write the KPIs of each result (baseline and variants), with each variant's difference
    from the baseline when ``comparisons`` are given, as JSON or CSV: ``format`` (``json`` or
    ``csv``), else by the suffix."""
    items = [results] if isinstance(results, SimulationResult) else list(results)
    return _write(result_rows(items, lang, comparisons), Path(path), format)


def _write(rows: list[dict[str, Any]], path: Path, format: str | None = None) -> Path:
    """Rows as a JSON list (NaN as null) or as CSV (NaN as an empty cell)."""
    suffix = f".{format}" if format else path.suffix.lower()
    if suffix == ".json":
        path.write_text(
            json.dumps(_clean(rows), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    elif suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["kpi"])
            writer.writeheader()
            # labels and variant names come from the scenario file: never a live formula
            writer.writerows({k: csv_text(v) for k, v in row.items()} for row in _clean(rows))
    else:
        raise InvalidCommand(
            f"cannot tell the format of {path.name}: use .json or .csv (or format='json')"
        )
    return path
