"""A procedure version compiled once into a shared ``transitions.Machine`` and lookup tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from transitions import EventData, Machine

from tthc_flow.procedure import (
    Lifecycle,
    ProcedureDefinition,
    StateDef,
    TransitionDef,
    build_lifecycle,
    guard_holds,
)


class Cursor:
    """What the shared machine moves: only a state. The dossier itself is never touched by
    ``transitions``, so a refused command leaves it exactly as it was."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _condition(transition: TransitionDef) -> Callable[[EventData], bool]:
    def holds(event: EventData) -> bool:
        return guard_holds(transition.guard, event.kwargs["context"])

    return holds


@dataclass(frozen=True)
class CompiledProcedure:
    """One procedure version: its definition, lifecycle, machine and dispatch tables.

    The ``machine`` is built once per version and shared by every dossier (no ``add_model``,
    no machine state per dossier); ``candidates`` is its dispatch table, checked against it at
    compile time, so commands are decided by a dictionary look-up (see :meth:`fire`).
    """

    definition: ProcedureDefinition
    lifecycle: Lifecycle
    machine: Machine
    candidates: dict[tuple[str, str], tuple[TransitionDef, ...]]
    roles_for: dict[tuple[str, str], frozenset[str]]
    states: dict[str, StateDef]
    guarded: frozenset[tuple[str, str]]
    hook_names: dict[int, tuple[str, ...]]  # by id(): the lifecycle keeps each alive
    agency_of: dict[str, tuple[str, str]]  # step state -> (its agency, its role), liên thông

    @classmethod
    def compile(
        cls, definition: ProcedureDefinition, *, trim_on_the_spot: bool = True
    ) -> CompiledProcedure:
        """Build the machine and tables for ``definition`` (see :func:`build_lifecycle`)."""
        lifecycle = build_lifecycle(definition, trim_on_the_spot=trim_on_the_spot)
        specs: list[dict[str, Any]] = []
        candidates: dict[tuple[str, str], list[TransitionDef]] = {}
        for t in lifecycle.transitions:
            spec: dict[str, Any] = {"trigger": t.trigger, "source": t.source, "dest": t.dest}
            if t.guard:
                spec["conditions"] = [_condition(t)]
            specs.append(spec)
            candidates.setdefault((t.source, t.trigger), []).append(t)
        machine = Machine(
            model=None,
            states=[s.name for s in lifecycle.states],
            transitions=specs,
            initial=lifecycle.initial,
            auto_transitions=False,
            send_event=True,
        )
        frozen = {key: tuple(value) for key, value in candidates.items()}
        _check_against_machine(machine, frozen)
        roles = {key: frozenset().union(*(t.roles for t in value)) for key, value in frozen.items()}
        states = {s.name: s for s in lifecycle.states}
        guarded = frozenset(key for key, value in frozen.items() if any(t.guard for t in value))
        hook_names: dict[int, tuple[str, ...]] = {}
        for t in lifecycle.transitions:
            step = states[t.dest].step if t.dest is not None else None
            hook_names[id(t)] = (*t.hooks, *(step.on_enter if step is not None else ()))
        agency_of = {s.name: (s.agency, s.role) for s in lifecycle.states if s.agency is not None}
        return cls(
            definition, lifecycle, machine, frozen, roles, states, guarded, hook_names, agency_of
        )

    def triggers_from(self, state: str) -> list[str]:
        """Triggers defined for ``state``, sorted."""
        return sorted({trigger for (source, trigger) in self.candidates if source == state})

    def fire(self, state: str, trigger: str, context: dict[str, Any]) -> TransitionDef | None:
        """The transition ``trigger`` takes from ``state``, or None if no guard holds.

        The same rule as the machine's ``Event.trigger`` (the first transition whose
        conditions all hold is taken), read from ``candidates``, which :meth:`compile` checked
        against the machine. Calling ``trigger`` itself would cost as much as the rest of a
        command (event, hash, snapshot) together; :meth:`fire_through_machine` does it, and a
        test checks that both agree on every procedure.
        """
        return self.pick((state, trigger), context)

    def pick(self, key: tuple[str, str], context: dict[str, Any]) -> TransitionDef | None:
        """:meth:`fire` by its ``(state, trigger)`` key."""
        for option in self.candidates[key]:
            if not option.guard or guard_holds(option.guard, context):
                return option
        return None

    def fire_through_machine(
        self, state: str, trigger: str, context: dict[str, Any]
    ) -> TransitionDef | None:
        """:meth:`fire` by running the shared machine on a :class:`Cursor` (the reference)."""
        cursor = Cursor(state)
        if not self.machine.events[trigger].trigger(cursor, context=context):
            return None
        for option in self.candidates[(state, trigger)]:
            if (option.dest or state) == cursor.state and guard_holds(option.guard, context):
                return option
        raise AssertionError("machine and lifecycle disagree")  # pragma: no cover


def _check_against_machine(
    machine: Machine, candidates: dict[tuple[str, str], tuple[TransitionDef, ...]]
) -> None:
    """The dispatch table must list, per (state, trigger), the machine's transitions in the
    machine's order: a mismatch is a bug in :meth:`CompiledProcedure.compile`."""
    for (source, trigger), options in candidates.items():
        in_machine = machine.events[trigger].transitions.get(source, [])
        ours = [(t.dest or source, bool(t.guard)) for t in options]
        theirs = [(t.dest or source, bool(t.conditions)) for t in in_machine]
        if ours != theirs:  # pragma: no cover
            raise AssertionError(f"dispatch table disagrees with the machine at {source}/{trigger}")
