"""Commands an official gives by name (assign, reassign, take over) and to many dossiers at
once (bulk actions), as thin layers over :meth:`Engine.fire`: every dossier gets its own
command, decided on its own committed state, in its own transaction, and its own outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from tthc_flow.engine._actor import Actor
from tthc_flow.engine._assignment import ASSIGN, REASSIGN, TAKE_OVER, member_data
from tthc_flow.errors import ConcurrencyConflict, InvalidCommand, StoreError, TthcError

if TYPE_CHECKING:
    from tthc_flow.engine._dossier import Dossier
    from tthc_flow.engine._officials import Official


class _Fires(Protocol):
    def fire(
        self,
        dossier_code: str,
        trigger: str,
        actor: Actor,
        at: datetime | None = None,
        idempotency_key: str | None = None,
        *,
        data: Mapping[str, Any] | None = None,
        **arguments: Any,
    ) -> Dossier: ...


@dataclass(frozen=True)
class BulkResult:
    """The outcome of a bulk action, per dossier, in the order given: ``done`` maps each
    dossier that moved on to its new state; ``failed`` each refused one to the library error
    that refused it (nothing was stored for it)."""

    done: dict[str, Dossier] = field(default_factory=dict)
    failed: dict[str, TthcError] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every dossier was done."""
        return not self.failed


class BulkCommands:
    """Mixed into :class:`~tthc_flow.engine.Engine`: assignment by :class:`Official` and
    bulk actions (docs/officials.md, docs/worklists.md)."""

    def assign(
        self: _Fires,
        dossier_code: str,
        lead: Official,
        actor: Actor,
        *,
        cooperating: Iterable[Official] = (),
        observers: Iterable[Official] = (),
        unit: str | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Dossier:
        """Give the step in progress to ``lead`` (cán bộ xử lý chính), with ``cooperating``
        officials and ``observers``, optionally within ``unit``; ``actor`` must hold an
        assigner role (AssignmentPolicy). The lead must hold the step's role and belong to
        its agency (and unit)."""
        return self.fire(
            dossier_code,
            ASSIGN,
            actor,
            at,
            idempotency_key,
            **_assignment_data(lead, cooperating, observers, unit, None),
        )

    def reassign(
        self: _Fires,
        dossier_code: str,
        lead: Official,
        actor: Actor,
        *,
        reason: str,
        cooperating: Iterable[Official] = (),
        observers: Iterable[Official] = (),
        unit: str | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Dossier:
        """Give an assigned step to another lead (``reason`` is recorded)."""
        return self.fire(
            dossier_code,
            REASSIGN,
            actor,
            at,
            idempotency_key,
            **_assignment_data(lead, cooperating, observers, unit, reason),
        )

    def take_over(
        self: _Fires,
        dossier_code: str,
        actor: Actor,
        *,
        reason: str | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Dossier:
        """``actor`` (of the step's role, agency and unit) becomes the step's lead; a reason
        is needed when someone else held it (AssignmentPolicy.take_over)."""
        if reason is None:
            return self.fire(dossier_code, TAKE_OVER, actor, at, idempotency_key)
        return self.fire(dossier_code, TAKE_OVER, actor, at, idempotency_key, reason=reason)

    def fire_many(
        self: _Fires,
        dossier_codes: Iterable[str],
        trigger: str,
        actor: Actor,
        at: datetime | None = None,
        idempotency_key: str | None = None,
        *,
        data: Mapping[str, Any] | None = None,
        **arguments: Any,
    ) -> BulkResult:
        """The same command on each dossier (e.g. a leader approving twenty dossiers, a
        clerk returning a morning's results): each is its own command and event, decided on
        that dossier as committed; a refusal of one does not stop the others.

        ``idempotency_key`` makes the whole action safe to retry: dossier ``c`` is fired
        with the key ``f"{idempotency_key}/{c}"``. Errors that are not the dossier's (the
        database is down) are raised, not collected: the rest would fail alike.
        """
        codes = list(dossier_codes)
        if len(set(codes)) != len(codes):
            raise InvalidCommand("a bulk action names a dossier twice", field="dossier_codes")
        done: dict[str, Dossier] = {}
        failed: dict[str, TthcError] = {}
        for code in codes:
            key = None if idempotency_key is None else f"{idempotency_key}/{code}"
            try:
                done[code] = self.fire(code, trigger, actor, at, key, data=data, **arguments)
            except StoreError as exc:
                if not isinstance(exc, ConcurrencyConflict):
                    raise
                failed[code] = exc  # a real race on this dossier: retry it alone
            except TthcError as exc:
                failed[code] = exc
        return BulkResult(done, failed)


def _assignment_data(
    lead: Official,
    cooperating: Iterable[Official],
    observers: Iterable[Official],
    unit: str | None,
    reason: str | None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "lead": member_data(lead),
        "cooperating": [member_data(o) for o in cooperating],
        "observers": [member_data(o) for o in observers],
    }
    if unit is not None:
        data["unit"] = unit
    if reason is not None:
        data["reason"] = reason
    return data
