"""Selects that read stored moments as their raw text.

A reader parses the text itself (with :data:`AT`) inside its own ``try``, so a moment altered
in the database is reported as an integrity problem of that row instead of failing the
driver's conversion of a whole page.
"""

from __future__ import annotations

from sqlalchemy import String, and_, select, type_coerce

from tthc_flow.store.schema import UtcDateTime, dossiers, events, personal_data

_PD = personal_data.c
RAW_EVENTS = select(
    *(type_coerce(c, String).label(c.name) if c.name == "at" else c for c in events.columns),
    _PD.nonce.label("pd_nonce"),
    _PD.data.label("pd_data"),
).select_from(
    events.outerjoin(
        personal_data,
        and_(_PD.dossier_code == events.c.dossier_code, _PD.version == events.c.version),
    )
)
"""Events with the personal data kept beside them (engine/_personal.py), joined on read."""
AT = UtcDateTime()
MOMENTS = frozenset(c.name for c in dossiers.columns if isinstance(c.type, UtcDateTime))
RAW_DOSSIERS = select(
    *(type_coerce(c, String).label(c.name) if c.name in MOMENTS else c for c in dossiers.columns)
)
