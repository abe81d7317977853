"""What ``tthc simulate`` and ``tthc demo`` print and write: headline KPI tables (baseline, or
baseline / variant / difference) and every KPI as JSON and CSV."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from tthc_flow._cli_text import KPI_LABELS, kpi_label, kpi_value, say

if TYPE_CHECKING:
    from tthc_flow.simulation import Comparison, SimulationResult


def kpi_table(
    base: SimulationResult, comparison: Comparison | None, lang: str, title: str
) -> Table:
    """The headline KPIs: the baseline with its interval, or baseline, variant, difference."""
    table = Table(title=title, title_justify="left")
    table.add_column(say("indicator", lang), max_width=34)
    table.add_column(say("baseline", lang), justify="right")
    if comparison is not None:
        table.add_column(comparison.variant, justify="right")
        table.add_column(say("difference", lang), justify="right")
    for kpi in KPI_LABELS:
        if kpi not in base.kpis:
            continue
        estimate = base.kpis[kpi]
        if comparison is None:
            interval = ""
            if not math.isnan(estimate.low):
                low, high = (
                    kpi_value(kpi, v, lang, unit=False) for v in (estimate.low, estimate.high)
                )
                interval = f" [{low}; {high}]"
            table.add_row(kpi_label(kpi, lang), kpi_value(kpi, estimate.mean, lang) + interval)
            continue
        row = comparison[kpi]
        diff = kpi_value(kpi, row.diff.mean, lang, signed=True)
        if not math.isnan(row.diff.low):
            low, high = (kpi_value(kpi, v, lang, unit=False) for v in (row.diff.low, row.diff.high))
            diff += f" [{low}; {high}]"
        table.add_row(
            kpi_label(kpi, lang),
            kpi_value(kpi, row.baseline.mean, lang),
            kpi_value(kpi, row.variant.mean, lang),
            diff + (" *" if row.significant else ""),
        )
    notes = [say("significant", lang)] if comparison is not None else []
    table.caption = "\n".join([*notes, say("all_kpis", lang)])
    table.caption_justify = "left"
    return table


def _clean(value: Any) -> Any:
    """JSON-ready: NaN as null, tuples as lists."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_results(
    results: list[SimulationResult],
    comparisons: list[Comparison],
    json_path: Path | None,
    csv_path: Path | None,
) -> None:
    """The baseline, every variant and its comparison with the baseline, as JSON and CSV."""
    base, variants = results[0], results[1:]
    if json_path:
        data = {
            "baseline": base.to_dict(),
            "variants": [
                {**v.to_dict(), "comparison": c.to_rows()}
                for v, c in zip(variants, comparisons, strict=True)
            ],
        }
        text = json.dumps(_clean(data), ensure_ascii=False, indent=2)
        json_path.write_text(text, encoding="utf-8")
    if csv_path:
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "variant",
                    "kpi",
                    "mean",
                    "low",
                    "high",
                    "n",
                    "difference",
                    "diff_low",
                    "diff_high",
                ]
            )
            by_variant = dict(zip([r.variant for r in variants], comparisons, strict=True))
            for result in results:
                comparison = by_variant.get(result.variant)
                for name, e in result.kpis.items():
                    diff = ["", "", ""]
                    if comparison is not None:
                        d = comparison[name].diff
                        diff = [str(d.mean), str(d.low), str(d.high)]
                    writer.writerow([result.variant, name, e.mean, e.low, e.high, e.n, *diff])
