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

    Every dossier of this version is moved by the same ``machine`` (no ``add_model``: a
    :class:`Cursor` is passed to the event's ``trigger``), so a dossier costs no machine state.
    """

    definition: ProcedureDefinition
    lifecycle: Lifecycle
    machine: Machine
    candidates: dict[tuple[str, str], tuple[TransitionDef, ...]]
    roles_for: dict[tuple[str, str], frozenset[str]]
    states: dict[str, StateDef]
    guarded: frozenset[tuple[str, str]]
    hook_names: dict[int, tuple[str, ...]]  # by id(): the lifecycle keeps each alive

    @classmethod
    def compile(cls, definition: ProcedureDefinition) -> CompiledProcedure:
        """Build the machine and tables for ``definition``."""
        lifecycle = build_lifecycle(definition)
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
        roles = {key: frozenset().union(*(t.roles for t in value)) for key, value in frozen.items()}
        states = {s.name: s for s in lifecycle.states}
        guarded = frozenset(key for key, value in frozen.items() if any(t.guard for t in value))
        hook_names: dict[int, tuple[str, ...]] = {}
        for t in lifecycle.transitions:
            step = states[t.dest].step if t.dest is not None else None
            hook_names[id(t)] = (*t.hooks, *(step.on_enter if step is not None else ()))
        return cls(definition, lifecycle, machine, frozen, roles, states, guarded, hook_names)

    def triggers_from(self, state: str) -> list[str]:
        """Triggers defined for ``state``, sorted."""
        return sorted({trigger for (source, trigger) in self.candidates if source == state})

    def fire(self, state: str, trigger: str, context: dict[str, Any]) -> TransitionDef | None:
        """Run the shared machine from ``state``; the transition taken, or None if no guard held."""
        cursor = Cursor(state)
        if not self.machine.events[trigger].trigger(cursor, context=context):
            return None
        options = self.candidates[(state, trigger)]
        if len(options) == 1:
            return options[0]
        for option in options:  # several guarded options: the one whose destination we reached
            dest = option.dest or state
            if dest == cursor.state and guard_holds(option.guard, context):
                return option
        raise AssertionError("machine and lifecycle disagree")  # pragma: no cover
