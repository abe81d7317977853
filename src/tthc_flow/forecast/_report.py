"""The fit report: what the fitting chose and how well it fits, as plain text (English;
weekday names from :mod:`tthc_flow._labels`)."""

from __future__ import annotations

import math

from tthc_flow._labels import label
from tthc_flow.forecast._fit import FittedModel
from tthc_flow.forecast._goodness import FitChoice


def _choice(c: FitChoice) -> str:
    tried = ", ".join(f"{name} D={d:.3f} p={p:.3f}" for name, d, p in c.candidates)
    return f"{c.family} mean {c.dist.mean:.3g} (n={c.n}; tried {tried})"


def fit_report(model: FittedModel) -> str:
    """Every fitted quantity with its goodness of fit, one line each."""
    lines = [f"Fitted to {model.dossiers} dossiers created {model.start}..{model.end}"]
    pooled = model.pooled_arrivals
    lines.append(
        f"arrivals (department): {pooled.per_working_day:.2f} a working day; dispersion "
        f"X2/df {pooled.dispersion:.2f} (Poisson: 1), p {pooled.p_value:.3f}"
    )
    lines.append(
        "  weekday factors: "
        + ", ".join(
            f"{label(f'weekday.{i}', 'en')} {f:.2f}"
            for i, f in enumerate(pooled.weekday)
            if f != 1.0
        )
    )
    lines.append(
        "  month factors: "
        + ", ".join(f"{i + 1}: {f:.2f}" for i, f in enumerate(pooled.month) if f != 1.0)
    )
    for code, fit in model.arrivals.items():
        factors = "pooled factors" if fit.pooled else "own factors"
        lines.append(
            f"  {code}: {fit.per_working_day:.3f} a working day ({fit.count} dossiers, "
            f"{factors}; dispersion {fit.dispersion:.2f}, p {fit.p_value:.3f})"
        )
    lines.append("service times (working hours):")
    for (code, step), choice in model.steps.items():
        lines.append(f"  {code}/{step}: {_choice(choice)}")
    for role, choice in model.roles.items():
        lines.append(f"  role {role} (steps with too few values): {_choice(choice)}")
    if model.pooled_service is not None:
        lines.append(f"  every step (fallback): {_choice(model.pooled_service)}")
    lines.append("branching:")
    for name, share in model.branching.items():
        half = "" if math.isnan(share.half_width) else f" ± {share.half_width:.3f}"
        lines.append(f"  {name}: {share.value:.3f}{half} ({share.hits} of {share.trials})")
    mix = ", ".join(f"{k} {v:.1%}" for k, v in model.channel_mix.items())
    lines.append(f"channels: {mix}")
    lines.append(
        "staff (people who acted): " + ", ".join(f"{k} {v}" for k, v in model.staff.items())
    )
    delays: tuple[tuple[str, FitChoice | None], ...] = (
        ("supplement wait (days)", model.supplement_days),
        ("result collection (days)", model.collection_days),
    )
    for name, maybe in delays:
        lines.append(f"{name}: {_choice(maybe) if maybe else 'none observed (default kept)'}")
    lines.extend(f"note: {note}" for note in model.notes)
    return "\n".join(lines)


__all__ = ["fit_report"]
