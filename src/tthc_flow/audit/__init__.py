"""Tamper evidence beyond each dossier's chain: anchors, day numbers, offline verification.

- :class:`Anchor`, :func:`take_anchor`, :func:`check_anchor`: a digest of every event in
  commit order, kept outside the database, proves nothing at or before it changed.
- :func:`store_day_numbers`: every number of the day issued belongs to exactly one dossier.
- :func:`save_export` / :func:`audit_export`: an export an inspector verifies without the
  database; :func:`audit_store` runs the same checks on a store.

Keys for the events themselves are :class:`tthc_flow.engine.ChainKey`. What each proves and
what it does not: docs/security.md.
"""

from tthc_flow.audit._anchor import Anchor, AnchorCheck, check_anchor, fold, take_anchor
from tthc_flow.audit._audit import AuditReport, audit_export, audit_store
from tthc_flow.audit._export import ChainExport, read_export, save_export, write_export
from tthc_flow.audit._numbers import (
    NumberedDossier,
    NumberProblem,
    NumberReport,
    check_day_numbers,
    numbered,
    store_day_numbers,
)

__all__ = [
    "Anchor",
    "AnchorCheck",
    "AuditReport",
    "ChainExport",
    "NumberProblem",
    "NumberReport",
    "NumberedDossier",
    "audit_export",
    "audit_store",
    "check_anchor",
    "check_day_numbers",
    "fold",
    "numbered",
    "read_export",
    "save_export",
    "store_day_numbers",
    "take_anchor",
    "write_export",
]
