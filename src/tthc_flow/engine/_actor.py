"""Who fires a trigger: a person (or the system) holding roles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """An actor with an id, the roles they hold and, for inter-agency work, their agency.

    >>> Actor.of("clerk-01", "one_stop").roles
    frozenset({'one_stop'})
    """

    id: str
    roles: frozenset[str]
    agency: str | None = None

    @classmethod
    def of(cls, actor_id: str, *roles: str, agency: str | None = None) -> Actor:
        """Shorthand: ``Actor.of("nguyen.van.a", "specialist")``."""
        return cls(actor_id, frozenset(roles), agency)


DESK = Actor.of("one_stop", "one_stop")
"""Default actor of :meth:`Engine.receive` when the caller names none: the one-stop desk."""

SYSTEM = Actor.of("system", "system")
"""The engine itself, for timers (closing unsupplemented dossiers)."""
