"""Numbers as Vietnamese and English readers write them, for every printed table.

``1.234,5`` in Vietnamese (dot between thousands, comma before decimals), ``1,234.5`` in
English. The ``tthc`` command (fees, simulation tables) and the simulation's labels use it.
"""

from __future__ import annotations

import math


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``value`` with ``decimals`` places in the number style of ``lang``; ``-`` for NaN.

    >>> number(1234.5, "vi", 1), number(1234.5, "en", 1)
    ('1.234,5', '1,234.5')
    """
    if math.isnan(value):
        return "-"
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
