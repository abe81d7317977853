"""Plots of simulation results (matplotlib, optional: ``pip install tthc_flow[plot]``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from tthc_flow.simulation._kpis import SimulationResult
from tthc_flow.simulation._labels import table_label, variant_label


def plot_comparison(
    results: Sequence[SimulationResult], path: str | Path, lang: str = "vi"
) -> Path:
    """Write a PNG (or any format matplotlib knows from the suffix) with two panels: the
    backlog (open dossiers) over time and the distribution of processing times in working
    days, one line per result (baseline and variants), labelled in ``lang`` (vi or en)."""
    words = {
        key: table_label(f"plot_{key}", lang)
        for key in ("backlog", "open", "processing", "days", "share")
    }
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no display needed on servers and in CI
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plot_comparison needs matplotlib: pip install tthc_flow[plot]") from exc
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 8))
    for result in results:
        series = result.backlog
        top.plot(
            [date.fromisoformat(d) for d, _ in series],
            [v for _, v in series],
            label=variant_label(result.variant, lang),
        )
        days = sorted(result.processing_days)
        if days:
            n = len(days)
            bottom.step(
                days,
                [(i + 1) / n for i in range(n)],
                where="post",
                label=variant_label(result.variant, lang),
            )
    top.set_title(words["backlog"])
    top.set_ylabel(words["open"])
    top.legend()
    bottom.set_title(words["processing"])
    bottom.set_xlabel(words["days"])
    bottom.set_ylabel(words["share"])
    bottom.legend()
    figure.tight_layout()
    target = Path(path)
    figure.savefig(target)
    plt.close(figure)
    return target
