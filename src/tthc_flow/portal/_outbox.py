"""The portal sync through the outbox: one message per event, in the event's transaction.

:class:`PortalSyncPolicy` is an :class:`~tthc_flow.engine.OutboxPolicy`: the engine asks it
for the messages of each event and the store writes them with the event (a transactional
outbox, docs/service.md), so a sync message exists exactly when its event does. The vendor's
sender claims ``portal.sync`` messages, posts ``payload["record"]`` with
``payload["progress"]`` to the portal and acknowledges them; a failed post is retried by the
store's retry bookkeeping. The message's ``key`` is the idempotency key the portal call
carries; ``payload["version"]`` orders the messages of one dossier (a sender that gets an
older version after a newer one may drop it: the newer record supersedes it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tthc_flow.engine import Dossier, Event, OutboxMessage, OutboxPolicy
from tthc_flow.portal._record import dossier_record, progress_row
from tthc_flow.procedure import ProcedureDefinition

PORTAL_SYNC = "portal.sync"
"""The dossier record and its new progress row for the national portal (art. 27.2.d)."""

_TOPICS = OutboxPolicy().topics | {PORTAL_SYNC}
"""The engine's default topics and the sync."""

DefinitionLookup = Callable[[str, int], ProcedureDefinition]
"""``(procedure_code, version) -> definition``, e.g. ``catalog.get``."""


@dataclass(frozen=True)
class PortalSyncPolicy(OutboxPolicy):
    """The engine's outbox policy plus one ``portal.sync`` message per event.

    ``definitions`` (e.g. ``catalog.get``) adds the procedure's name and field to the record.

    >>> from tthc_flow.engine import Policies      # doctest: +SKIP
    >>> policies = Policies(outbox=PortalSyncPolicy(definitions=catalog.get))  # doctest: +SKIP
    """

    topics: frozenset[str] = field(default=_TOPICS)
    definitions: DefinitionLookup | None = None

    def messages(self, before: Dossier | None, after: Dossier, event: Event) -> list[OutboxMessage]:
        found = super().messages(before, after, event)
        if PORTAL_SYNC in self.topics:
            definition = (
                self.definitions(after.procedure_code, after.procedure_version)
                if self.definitions is not None
                else None
            )
            payload = {
                "dossier_code": after.code,
                "version": event.version,
                "record": dossier_record(after, definition),
                "progress": [progress_row(event, after)],
            }
            found.append(OutboxMessage(PORTAL_SYNC, payload))
        return found
