"""A comparison as the 80-column plain-text table that ``tthc simulate`` prints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tthc_flow.simulation._labels import (
    format_difference,
    format_kpi,
    headline_kpis,
    kpi_label,
    table_label,
    variant_label,
)

if TYPE_CHECKING:  # Comparison.__str__ calls format_comparison: no runtime import back
    from tthc_flow.simulation._compare import Comparison


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def format_comparison(
    comparison: Comparison,
    lang: str = "vi",
    kpis: Sequence[str] | None = None,
    width: int = 80,
) -> str:
    """A plain-text table of baseline, variant and difference with its 95 % interval, one KPI
    per line, at most ``width`` columns (long labels are cut with ``…``); ``*`` marks a
    difference whose interval excludes 0. ``kpis`` defaults to the headline KPIs."""
    rows = {r.kpi: r for r in comparison.rows}
    shown = [
        rows[n] for n in (kpis if kpis is not None else headline_kpis(comparison)) if n in rows
    ]
    heads = [variant_label(v, lang)[:12] for v in (comparison.baseline, comparison.variant)]
    cells = [
        (
            kpi_label(r.kpi, lang),
            format_kpi(r.kpi, r.baseline.mean, lang),
            format_kpi(r.kpi, r.variant.mean, lang),
            format_difference(r, lang),
        )
        for r in shown
    ]
    value_w = max([len(h) for h in heads] + [len(c[i]) for c in cells for i in (1, 2)])
    diff_w = max([len(table_label("difference", lang))] + [len(c[3]) for c in cells])
    label_w = max(12, width - 2 * (value_w + 1) - 2 - diff_w)
    head = (table_label("kpi", lang), *heads, table_label("difference", lang))
    lines = []
    for label, base, variant, diff in [head, *cells]:
        values = f"{base:>{value_w}} {variant:>{value_w}}  {diff:>{diff_w}}"
        lines.append(f"{_fit(label, label_w):<{label_w}} {values}")
    lines.insert(1, "-" * min(width, max(len(line) for line in lines)))
    return "\n".join(lines)
