"""Erasing (or pseudonymising) a dossier's personal data on request: ``Engine.erase_personal_data``.

The erasure is itself an event of the dossier's chain (effect ``erase_personal_data``): who
erased, when, why and on which legal basis, without the erased values. The store then
replaces the values kept beside the chain (engine/_personal.py) in the same transaction, so
``verify()`` still proves every event and knows the values are gone on purpose.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from tthc_flow.engine._actor import Actor
from tthc_flow.engine._dossier import apply
from tthc_flow.engine._events import Event
from tthc_flow.engine._inputs import check_actor, check_text
from tthc_flow.engine._personal import ERASE_EFFECT, ERASED, has_personal, is_sealed
from tthc_flow.errors import InvalidCommand, PermissionDenied, PolicyViolation, StoreError

if TYPE_CHECKING:
    from tthc_flow.engine._dossier import Dossier
    from tthc_flow.engine._engine import Engine

MAX_REASON = 2000
"""Longest reason or legal basis: a paragraph citing the request and the article."""


@runtime_checkable
class ErasingStore(Protocol):
    """A store that keeps personal data apart and can erase them (memory, SQL)."""

    def erase_personal_data(self, event: Event, dossier: Dossier, name: str) -> Event:
        """Append ``event`` and replace the dossier's kept-apart values by ``name`` and
        placeholders, in one transaction."""
        ...


def erase(
    engine: Engine,
    dossier_code: str,
    *,
    reason: str,
    legal_basis: str,
    actor: Actor,
    at: datetime | None,
    pseudonymise: bool,
) -> Dossier:
    """The body of :meth:`Engine.erase_personal_data` (see there)."""
    check_actor(actor)
    check_text("reason", reason, MAX_REASON, free_text=True)
    check_text("legal_basis", legal_basis, MAX_REASON, free_text=True)
    if not reason.strip() or not legal_basis.strip():
        field = "reason" if not reason.strip() else "legal_basis"
        raise InvalidCommand(f"{field}: say why and on which legal basis", field=field)
    store = engine.store
    if not isinstance(store, ErasingStore):
        raise StoreError(f"{type(store).__name__} cannot erase personal data")
    policy = engine.policies.personal_data
    held = actor.roles & policy.roles
    if not held:
        raise PermissionDenied(
            f"{actor.id} may not erase personal data; roles allowed: "
            f"{', '.join(sorted(policy.roles))} (PersonalDataPolicy.roles)"
        )
    moment = engine._moment(at)
    dossier = engine._fresh(dossier_code)
    events = store.load_events(dossier_code) if hasattr(store, "load_events") else []
    if any(e.effect == ERASE_EFFECT for e in events):
        raise PolicyViolation(f"the personal data of dossier {dossier_code} are already erased")
    inside = [e.version for e in events if has_personal(e.payload) and not is_sealed(e.payload)]
    if inside:
        raise PolicyViolation(
            f"dossier {dossier_code} event {inside[0]} holds personal data inside its hashed "
            "text (hash version 2, written before they were kept apart): they cannot be erased "
            "without rewriting the chain (docs/personal-data.md)"
        )
    refusal = policy.refusal(dossier, moment)
    if refusal is not None:
        raise PolicyViolation(refusal)
    name = f"Người nộp #{secrets.token_hex(4)}" if pseudonymise else ERASED
    payload: dict[str, Any] = {
        "reason": reason,
        "legal_basis": legal_basis,
        "mode": "pseudonymise" if pseudonymise else "erase",
    }
    if pseudonymise:
        payload["pseudonym"] = name
    if actor.name is not None:
        payload["actor_name"] = actor.name
    event = Event.create(
        dossier_code=dossier_code,
        version=dossier.version + 1,
        trigger=ERASE_EFFECT,
        effect=ERASE_EFFECT,
        from_state=dossier.state,
        to_state=dossier.state,
        actor=actor.id,
        role=min(held),
        at=moment,
        payload=payload,
        prev_hash=dossier.last_hash,
        key=engine._key,
    )
    after = apply(dossier, event)
    try:
        store.erase_personal_data(event, after, name)
    except Exception:
        engine._forget(dossier_code)
        raise
    engine._forget(dossier_code)
    return engine._fresh(dossier_code)
