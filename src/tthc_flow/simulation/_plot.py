"""Plots of simulation results (matplotlib, optional: ``pip install tthc_flow[plot]``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from tthc_flow.simulation._kpis import SimulationResult


def plot_comparison(results: Sequence[SimulationResult], path: str | Path) -> Path:
    """Write a PNG (or any format matplotlib knows from the suffix) with two panels: the
    backlog (open dossiers) over time and the distribution of processing times in working
    days, one line per result (baseline and variants)."""
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
            [date.fromisoformat(d) for d, _ in series], [v for _, v in series], label=result.variant
        )
        days = sorted(result.processing_days)
        if days:
            n = len(days)
            bottom.step(days, [(i + 1) / n for i in range(n)], where="post", label=result.variant)
    top.set_title("Hồ sơ đang giải quyết (open dossiers) per day")
    top.set_ylabel("open dossiers")
    top.legend()
    bottom.set_title("Processing time (working days), cumulative share of resolved dossiers")
    bottom.set_xlabel("working days from receipt to result")
    bottom.set_ylabel("share")
    bottom.legend()
    figure.tight_layout()
    target = Path(path)
    figure.savefig(target)
    plt.close(figure)
    return target
