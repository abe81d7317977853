"""The national public service portal (DVCQG): the dossier sync's payloads and their delivery
through the outbox (docs/portal.md)."""

from tthc_flow.portal._outbox import PORTAL_SYNC, PortalSyncPolicy
from tthc_flow.portal._record import (
    CHANNEL_CODES,
    MOMENT_FORMAT,
    dossier_record,
    portal_moment,
    progress_row,
    progress_rows,
)

__all__ = [
    "CHANNEL_CODES",
    "MOMENT_FORMAT",
    "PORTAL_SYNC",
    "PortalSyncPolicy",
    "dossier_record",
    "portal_moment",
    "progress_row",
    "progress_rows",
]
