"""The headline KPI tables that ``tthc simulate`` and ``tthc demo`` print: the baseline with its
intervals, or baseline / variant / difference. Labels, the headline list and number formats
are the simulation library's (:mod:`tthc_flow.simulation`); this module only lays them out as
rich tables for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.table import Table

from tthc_flow._labels import label
from tthc_flow.simulation import (
    format_difference,
    format_estimate,
    format_kpi,
    headline_kpis,
    kpi_label,
    table_label,
    variant_label,
)

if TYPE_CHECKING:
    from tthc_flow.simulation import Comparison, SimulationResult


def kpi_table(
    base: SimulationResult, comparison: Comparison | None, lang: str, title: str
) -> Table:
    """The headline KPIs: the baseline with its interval, or baseline, variant, difference."""
    table = Table(
        title=title,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )  # no vertical rules or edges: the room goes to the labels
    table.add_column(table_label("kpi", lang), max_width=30)
    table.add_column(variant_label(base.variant, lang), justify="right", no_wrap=True)
    if comparison is None:
        for kpi in headline_kpis(base):
            table.add_row(kpi_label(kpi, lang), format_estimate(kpi, base.kpis[kpi], lang))
        return _caption(table, [label("cli.all_kpis", lang)])
    table.add_column(comparison.variant, justify="right", no_wrap=True)
    table.add_column(table_label("difference", lang), justify="right", no_wrap=True)
    for kpi in headline_kpis(comparison):
        row = comparison[kpi]
        table.add_row(
            kpi_label(kpi, lang),
            format_kpi(kpi, row.baseline.mean, lang),
            format_kpi(kpi, row.variant.mean, lang),
            format_difference(row, lang),
        )
    return _caption(table, [table_label("significant", lang), label("cli.all_kpis", lang)])


def _caption(table: Table, notes: list[str]) -> Table:
    """Notes under the table, which is made wide enough not to wrap them."""
    table.caption = "\n".join(notes)
    table.min_width = max(len(note) for note in notes)
    return table
