"""Who fires a trigger: a person (or the system) holding roles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """An actor with an id, the roles they hold, their agency and unit, and their name.

    ``agency`` scopes the actor (AgencyPolicy: a command on another agency's dossier is
    refused unless its current step is the actor's agency's); ``None`` leaves the actor
    unscoped, as deployments that record no agencies need. ``unit`` is the actor's
    department within the agency (phòng), checked against a step's assignment. ``name`` is
    written on the actor's events (``actor_name``) so the slips print it (docs/officials.md).

    >>> Actor.of("clerk-01", "one_stop").roles
    frozenset({'one_stop'})
    """

    id: str
    roles: frozenset[str]
    agency: str | None = None
    unit: str | None = None
    name: str | None = None

    @classmethod
    def of(
        cls,
        actor_id: str,
        *roles: str,
        agency: str | None = None,
        unit: str | None = None,
        name: str | None = None,
    ) -> Actor:
        """Shorthand: ``Actor.of("nguyen.van.a", "specialist", agency="SCT")``."""
        return cls(actor_id, frozenset(roles), agency, unit, name)


DESK = Actor.of("one_stop", "one_stop")
"""Default actor of :meth:`Engine.receive` when the caller names none: the one-stop desk."""

SYSTEM = Actor.of("system", "system")
"""The engine itself, for timers (closing unsupplemented dossiers)."""
