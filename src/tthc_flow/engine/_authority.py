"""Agencies and authority: which agency's staff may act on a dossier, and the deployment's
own authorization check, both decided inside the command on the dossier as committed.

A provincial service centre serves every department from one database, so an actor carries
its agency (:attr:`Actor.agency`) and a command on a dossier of another agency is refused
unless the dossier's current step belongs to the actor's agency (liên thông, Decree
118/2025/ND-CP art. 20.2: each agency acts on its own part). The check is
:class:`~tthc_flow.engine.AgencyPolicy` (``home_agency``, ``serves``); the pluggable check
is ``AgencyPolicy.authorize`` (docs/agencies.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tthc_flow.engine._actor import Actor
from tthc_flow.errors import PermissionDenied

if TYPE_CHECKING:
    from tthc_flow.engine._dossier import Dossier

UNSCOPED_ROLES = frozenset({"applicant", "system"})
"""Roles no agency scopes: the applicant acts on their own dossier, the engine on any."""


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """What ``AgencyPolicy.authorize`` is asked about one command, after the engine's own
    checks passed (role, step agency, home agency), on the dossier as the store holds it.

    ``dossier`` is None for a receipt or submission (no dossier yet); ``agency_code`` is
    the dossier's (the procedure's) agency; ``step_agency`` the agency holding the dossier
    now (its current step's, else ``agency_code``); ``role`` the role the command is fired
    in; ``data`` the command's data as given.
    """

    actor: Actor
    trigger: str
    role: str
    procedure_code: str
    agency_code: str
    step_agency: str
    at: datetime
    dossier: Dossier | None = None
    data: Mapping[str, Any] | None = None


Authorizer = Callable[[AuthorizationRequest], str | None]
"""A deployment's own check: returns None to allow, or the reason to refuse (the engine
raises :class:`~tthc_flow.errors.PermissionDenied` with it, rule ``AgencyPolicy.authorize``).
It must be a pure function of the request (and the deployment's own reference data): the
engine may call it twice when a command decided on a cached copy is decided again."""


def may_act_for(actor_agency: str, agency: str, serves: Mapping[str, frozenset[str]]) -> bool:
    """Whether staff of ``actor_agency`` act for ``agency``: the same agency, or one the
    actor's agency serves (``"*"``: every agency, a provincial service centre)."""
    if actor_agency == agency:
        return True
    served = serves.get(actor_agency)
    return served is not None and ("*" in served or agency in served)


def home_agency_refusal(
    actor: Actor,
    role: str,
    trigger: str,
    dossier_code: str | None,
    agency_code: str,
    step_agency: str,
    *,
    serves: Mapping[str, frozenset[str]],
    actors_need_agency: bool,
) -> PermissionDenied | None:
    """The refusal of a command by an actor of another agency (None: allowed).

    Allowed when the actor's agency is the dossier's, the current step's (liên thông), or
    serves either; roles in :data:`UNSCOPED_ROLES` are not scoped; an actor without an
    agency is not scoped unless ``actors_need_agency``.
    """
    if role in UNSCOPED_ROLES:
        return None
    agencies = (agency_code,) if step_agency == agency_code else (agency_code, step_agency)
    what = f"dossier {dossier_code}" if dossier_code else f"a dossier of agency {agency_code!r}"
    if actor.agency is None:
        if not actors_need_agency:
            return None
        return PermissionDenied(
            f"{actor.id} has no agency and may not {trigger} {what} "
            "(AgencyPolicy.actors_need_agency)",
            actor=actor.id,
            dossier_code=dossier_code,
            trigger=trigger,
            agencies=agencies,
            rule="AgencyPolicy.actors_need_agency",
        )
    if any(may_act_for(actor.agency, agency, serves) for agency in agencies):
        return None
    held = f"; its current step belongs to {step_agency!r}" if step_agency != agency_code else ""
    return PermissionDenied(
        f"{actor.id} (agency {actor.agency!r}) may not {trigger} {what}: it belongs to "
        f"agency {agency_code!r}{held} (AgencyPolicy.home_agency)",
        actor=actor.id,
        actor_agency=actor.agency,
        dossier_code=dossier_code,
        trigger=trigger,
        agencies=agencies,
        rule="AgencyPolicy.home_agency",
    )


def authorizer_refusal(
    authorize: Authorizer | None, request: AuthorizationRequest, dossier_code: str | None
) -> PermissionDenied | None:
    """The deployment check's refusal as a :class:`PermissionDenied` (None: allowed)."""
    if authorize is None:
        return None
    reason = authorize(request)
    if reason is None:
        return None
    actor = request.actor
    return PermissionDenied(
        f"{actor.id} may not {request.trigger} "
        f"{'dossier ' + dossier_code if dossier_code else 'this dossier'}: {reason} "
        "(AgencyPolicy.authorize)",
        actor=actor.id,
        actor_agency=actor.agency,
        dossier_code=dossier_code,
        trigger=request.trigger,
        agencies=(request.step_agency,),
        rule="AgencyPolicy.authorize",
    )
