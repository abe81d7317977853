"""Diagrams of a procedure's expanded lifecycle: Mermaid text always, SVG/PNG via Graphviz.

Both draw :func:`build_lifecycle`'s data, the same the engine compiles, so a diagram cannot
disagree with the machine that runs dossiers.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Literal

from tthc_flow.errors import ConfigurationError, TthcError
from tthc_flow.procedure._guards import describe_guard
from tthc_flow.procedure._lifecycle import (
    EVERY_STATE_TRIGGERS,
    Lifecycle,
    StateKind,
    TransitionDef,
    build_lifecycle,
)
from tthc_flow.procedure._model import ProcedureDefinition


def _state_label(definition: ProcedureDefinition, lifecycle: Lifecycle, name: str) -> str:
    state = lifecycle.state(name)
    label = state.label
    if state.agency:
        agencies = {agency.id: agency.name for agency in definition.agencies}
        agency = agencies.get(state.agency, state.agency)
        if agency not in label:
            label += f" ({agency})"
    return label


def _edge_label(transition: TransitionDef) -> str:
    text = f"{transition.trigger} [{', '.join(sorted(transition.roles))}]"
    if transition.guard:
        text += f" if {describe_guard(transition.guard)}"
    if transition.dest is None:
        text += " (internal)"
    return text


def _drawn(lifecycle: Lifecycle) -> tuple[list[TransitionDef], list[str]]:
    """The transitions drawn as edges, and the labels of the every-state commands (petitions),
    drawn once as a note: three self-loops on each state hid the procedure's own flow."""
    edges: list[TransitionDef] = []
    everywhere: dict[str, str] = {}
    for transition in lifecycle.transitions:
        if transition.trigger in EVERY_STATE_TRIGGERS and transition.dest is None:
            everywhere.setdefault(transition.trigger, _edge_label(transition))
        else:
            edges.append(transition)
    return edges, list(everywhere.values())


def _mermaid_text(text: str) -> str:
    # ':' separates a state from its description and '#' starts an entity code in Mermaid.
    return text.replace(":", "∶").replace("#", "＃").replace('"', "'")


def to_mermaid(definition: ProcedureDefinition) -> str:
    """A Mermaid ``stateDiagram-v2`` of the expanded lifecycle of ``definition``.

    Every state appears with its Vietnamese label as description; every transition is
    labelled ``trigger [roles] if guard``; internal transitions (reschedule) are self-loops;
    the commands of every state (petitions) are one note.
    """
    lifecycle = build_lifecycle(definition)
    lines = [
        "---",
        f"title: {_mermaid_text(f'{definition.code} v{definition.version} {definition.name}')}",
        "---",
        "stateDiagram-v2",
    ]
    for state in lifecycle.states:
        label = _mermaid_text(_state_label(definition, lifecycle, state.name))
        lines.append(f"    {state.name} : {label}")
    lines.append(f"    [*] --> {lifecycle.initial}")
    edges, everywhere = _drawn(lifecycle)
    for transition in edges:
        dest = transition.dest or transition.source
        label = _mermaid_text(_edge_label(transition))
        lines.append(f"    {transition.source} --> {dest} : {label}")
    if everywhere:
        lines.append(f"    note right of {lifecycle.initial}")
        lines.append("        in every state:")
        lines.extend(f"        {_mermaid_text(label)}" for label in everywhere)
        lines.append("    end note")
    for state in lifecycle.states:
        if state.kind is StateKind.FINAL:
            lines.append(f"    {state.name} --> [*]")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(definition: ProcedureDefinition) -> str:
    """The same diagram as Graphviz DOT source (no dependency needed to produce the text)."""
    lifecycle = build_lifecycle(definition)
    lines = [
        "digraph procedure {",
        "  rankdir=LR;",
        f'  label="{_dot_text(f"{definition.code} v{definition.version} {definition.name}")}";',
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for state in lifecycle.states:
        shape = ", peripheries=2" if state.kind is StateKind.FINAL else ""
        label = f"{state.name}\\n{_dot_text(_state_label(definition, lifecycle, state.name))}"
        lines.append(f'  "{state.name}" [label="{label}"{shape}];')
    edges, everywhere = _drawn(lifecycle)
    for transition in edges:
        dest = transition.dest or transition.source
        lines.append(
            f'  "{transition.source}" -> "{dest}" [label="{_dot_text(_edge_label(transition))}"];'
        )
    if everywhere:
        text = "\\l".join(["in every state:", *map(_dot_text, everywhere)]) + "\\l"
        lines.append(f'  "every state" [shape=note, label="{text}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_diagram(
    definition: ProcedureDefinition,
    path: str | Path,
    format: Literal["svg", "png"] = "svg",
) -> Path:
    """Render the lifecycle diagram to ``path`` as SVG or PNG; returns the path written.

    Needs the optional ``graphviz`` Python package and the Graphviz ``dot`` program; raises
    :class:`~tthc_flow.errors.TthcError` saying what to install when either is missing.
    (:func:`to_mermaid` and :func:`to_dot` need nothing.)
    """
    if format not in ("svg", "png"):
        raise ConfigurationError(
            f"unsupported diagram format {format!r}: use 'svg' or 'png'",
            setting="render.format",
            value=format,
            allowed=("svg", "png"),
        )
    try:
        graphviz = importlib.import_module("graphviz")
    except ImportError as exc:
        raise TthcError(
            "rendering a diagram needs the 'graphviz' Python package and the Graphviz 'dot' "
            "program: pip install graphviz, and apt-get install graphviz (or brew install "
            "graphviz); to_mermaid() works without them"
        ) from exc
    target = Path(path)
    try:
        data = graphviz.Source(to_dot(definition)).pipe(format=format)
    except graphviz.ExecutableNotFound as exc:
        raise TthcError(
            "the Graphviz 'dot' program is not on PATH: apt-get install graphviz "
            "(or brew install graphviz)"
        ) from exc
    target.write_bytes(data)
    return target
