"""Percentages as official reports print them: half up, one decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def percent(part: int | float, whole: int | float, places: int = 1) -> float | None:
    """``part / whole`` in per cent, rounded half up (1,410 of 10,563 -> 13.3); None if whole is 0.

    >>> percent(1, 16)  # 6.25 -> 6.3, not the banker's 6.2
    6.3
    """
    if not whole:
        return None
    exact = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def round_half_up(value: float, places: int = 1) -> float:
    """``value`` rounded half up to ``places`` decimals (decimal, not binary, halves)."""
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
