"""Semantic checks that pydantic cannot express: cross-references between parts of a definition.

Each finding is ``(path, message, hint)`` where ``path`` is the key path in the YAML file
(``("workflow", "steps", 2, "role")``), so the loader can turn it into ``file:line:column``.
Checks never stop at the first finding: a user should fix a whole file in one pass.
"""

from __future__ import annotations

import keyword
from collections import Counter, defaultdict
from collections.abc import Iterable

from tthc_flow._located import PathKey
from tthc_flow.procedure._guard_checks import check_guards
from tthc_flow.procedure._lifecycle import (
    EFFECT_DESTINATIONS,
    EFFECTS_FOR_EXTRA,
    PAUSED_FROM,
    RECEIVED,
    STANDARD_STATES,
    SUBMITTED,
    Effect,
    Lifecycle,
    StateKind,
    build_lifecycle,
)
from tthc_flow.procedure._model import (
    Duration,
    ProcedureDefinition,
    TimeUnit,
)

Finding = tuple[PathKey, str, str | None]
"""One semantic problem: the YAML key path, the message, and a hint how to fix it (or None)."""

STANDARD_TRIGGERS = frozenset(
    {
        "accept",
        "request_supplement",
        "refuse",
        "handover",
        "return_result",
        "reject",
        "submit_supplement",
        "withdraw",
        "reschedule",
    }
)
"""Triggers of the standard lifecycle; a step's own action may not reuse them."""

HOURS_PER_WORKING_DAY = 8
"""Used only to compare limits written in different units (OpenCPS: 1 day = 8 working hours)."""

ON_THE_SPOT_ROLES = frozenset({"one_stop", "leader"})
"""Who may act in a '4 tại chỗ' workflow: the desk officer, and a leader who signs at the desk.
A specialised unit or another agency would mean the dossier leaves the desk, which is exactly
what '4 tại chỗ' rules out."""

_WORKFLOW = ("workflow",)
_STEPS = ("workflow", "steps")
_TRANSITIONS = ("workflow", "transitions")


def _is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _in_days(duration: Duration) -> float | None:
    """Working days of ``duration``; None for calendar days, which cannot be compared."""
    if duration.unit in (TimeUnit.WORKING_DAYS, TimeUnit.SAME_DAY):  # trong ngày: at most 1
        return duration.value
    if duration.unit is TimeUnit.WORKING_HOURS:
        return duration.value / HOURS_PER_WORKING_DAY
    return None


def check_definition(definition: ProcedureDefinition) -> list[Finding]:
    """Every semantic problem of ``definition``, as ``(yaml_path, message, hint)`` tuples.

    Run by the loader after pydantic validation; an empty list means the definition is usable
    by the engine. The rules are listed in docs/procedures.md ("Validation").
    """
    findings: list[Finding] = []
    findings += _check_steps(definition)
    findings += _check_roles(definition)
    findings += _check_transitions(definition)
    findings += _check_time(definition)
    findings += _check_names(definition)
    findings += _check_on_the_spot(definition)
    findings += _check_agencies(definition)
    findings += check_guards(definition)
    if not findings:
        # The graph checks need a structurally sound definition (unique ids, existing states).
        findings += check_lifecycle(build_lifecycle(definition))
    return findings


def _check_steps(definition: ProcedureDefinition) -> list[Finding]:
    findings: list[Finding] = []
    steps = definition.workflow.steps
    first_with_id: dict[str, int] = {}
    for index, step in enumerate(steps):
        path = (*_STEPS, index, "id")
        if step.id in STANDARD_STATES:
            findings.append(
                (
                    path,
                    f"step id '{step.id}' is a state of the standard lifecycle",
                    f"choose another id; reserved: {', '.join(sorted(STANDARD_STATES))}",
                )
            )
        if step.id in first_with_id:
            findings.append(
                (
                    path,
                    f"duplicate step id '{step.id}' (first used by steps[{first_with_id[step.id]}])",
                    "each step is a state and needs its own id",
                )
            )
        else:
            first_with_id[step.id] = index
    first_with_trigger: dict[str, int] = {}
    for index, step in enumerate(steps):
        path = (*_STEPS, index, "action" if step.action else "id")
        if step.trigger in STANDARD_TRIGGERS:
            findings.append(
                (
                    path,
                    f"action '{step.trigger}' is a trigger of the standard lifecycle",
                    "name the step's own action, e.g. appraise, approve, sign",
                )
            )
        elif step.trigger in first_with_trigger:
            other = first_with_trigger[step.trigger]
            if steps[other].id != step.id:  # a duplicate id is already reported above
                findings.append(
                    (
                        path,
                        f"action '{step.trigger}' is also the action of steps[{other}]",
                        "give every step a distinct action so a trigger names one step",
                    )
                )
        first_with_trigger.setdefault(step.trigger, index)
    return findings


def _check_roles(definition: ProcedureDefinition) -> list[Finding]:
    known = definition.all_roles
    hint = (
        f"use a built-in role ({', '.join(sorted(known - set(definition.roles)))}) "
        "or declare it under `roles`"
    )
    findings: list[Finding] = []
    for index, step in enumerate(definition.workflow.steps):
        if step.role not in known:
            findings.append(((*_STEPS, index, "role"), f"unknown role '{step.role}'", hint))
    for index, extra in enumerate(definition.workflow.transitions):
        if not extra.roles:
            findings.append(
                (
                    (*_TRANSITIONS, index, "roles"),
                    "no role may fire this transition",
                    "list at least one role",
                )
            )
        for position, role in enumerate(extra.roles):
            if role not in known:
                findings.append(
                    ((*_TRANSITIONS, index, "roles", position), f"unknown role '{role}'", hint)
                )
    for position, count in _repeats(definition.roles):
        findings.append(
            (
                ("roles", position),
                f"role '{definition.roles[position]}' is declared {count} times",
                None,
            )
        )
    return findings


def _repeats(items: list[str]) -> Iterable[tuple[int, int]]:
    """(position, count) of the second and later occurrences of repeated items."""
    counts = Counter(items)
    seen: set[str] = set()
    for position, item in enumerate(items):
        if item in seen:
            yield position, counts[item]
        seen.add(item)


def _check_transitions(definition: ProcedureDefinition) -> list[Finding]:
    findings: list[Finding] = []
    # the standard lifecycle, expanded without the extra transitions
    bare = build_lifecycle(
        definition.model_copy(
            update={"workflow": definition.workflow.model_copy(update={"transitions": []})}
        )
    )
    states = {state.name for state in bare.states}
    state_hint = f"existing states: {', '.join(sorted(states))}"
    standard = {(t.trigger, t.source) for t in bare.transitions}
    seen: dict[tuple[str, str], int] = {}
    for index, extra in enumerate(definition.workflow.transitions):
        base = (*_TRANSITIONS, index)
        for position, source in enumerate(extra.sources):
            where = (
                (*base, "source") if isinstance(extra.source, str) else (*base, "source", position)
            )
            if source not in states:
                findings.append((where, f"source state '{source}' does not exist", state_hint))
            pair = (extra.trigger, source)
            if pair in standard:
                findings.append(
                    (
                        (*base, "trigger"),
                        f"trigger '{extra.trigger}' from '{source}' already exists in the "
                        "standard lifecycle",
                        "rename the trigger or choose another source state",
                    )
                )
            elif pair in seen:
                findings.append(
                    (
                        (*base, "trigger"),
                        f"trigger '{extra.trigger}' from '{source}' is also defined by "
                        f"workflow.transitions[{seen[pair]}]",
                        "merge the two transitions or rename one trigger",
                    )
                )
            seen.setdefault(pair, index)
        if extra.dest is not None and extra.dest not in states:
            findings.append(
                ((*base, "dest"), f"destination state '{extra.dest}' does not exist", state_hint)
            )
        findings += _check_effect(definition, extra.effect, extra.sources, extra.dest, base)
    return findings


def _check_effect(
    definition: ProcedureDefinition,
    declared: str | None,
    sources: list[str],
    dest: str | None,
    base: PathKey,
) -> list[Finding]:
    """A transition into a standard state needs the effect that does its bookkeeping; a step
    effect must fit its source and destination (the engine relies on both)."""
    allowed = ", ".join(sorted(e.value for e in EFFECTS_FOR_EXTRA))
    try:
        effect = Effect(declared) if declared else Effect.CUSTOM
    except ValueError:
        return [((*base, "effect"), f"unknown effect '{declared}'", f"use one of: {allowed}")]
    if effect not in EFFECTS_FOR_EXTRA:
        return [
            (
                (*base, "effect"),
                f"effect '{effect.value}' cannot be declared on a procedure's own transition",
                f"use one of: {allowed}",
            )
        ]
    where = (*base, "effect") if declared else (*base, "dest")
    steps = {step.id for step in definition.workflow.steps}
    needed = [e.value for e, dests in EFFECT_DESTINATIONS.items() if dests and dest in dests]
    if effect is Effect.CUSTOM:
        if dest is None:
            return []
        if needed or (dest == RECEIVED and SUBMITTED in sources):
            return [
                (
                    where,
                    f"a transition into '{dest}' without an effect skips its bookkeeping "
                    "(clock, outcome, resolution time)",
                    f"declare `effect: {' or '.join(needed or ['accept'])}`",
                )
            ]
        return []
    expected = EFFECT_DESTINATIONS.get(effect)
    if effect in (Effect.ADVANCE,):
        ok = dest in steps
        want = "a step state"
    elif effect in (Effect.PAY_FEE, Effect.RESCHEDULE):
        ok = dest is None
        want = "no dest (an internal transition)"
    else:
        ok = expected is not None and dest in expected
        want = " or ".join(sorted(expected or ()))
    if not ok:
        return [
            (
                where,
                f"effect '{effect.value}' needs {want} as destination, not '{dest}'",
                "change `dest` or the effect",
            )
        ]
    clocked = steps | {RECEIVED}
    wrong = [
        source
        for source in sources
        if (
            effect in (Effect.APPROVE, Effect.REJECT, Effect.ADVANCE, Effect.RESCHEDULE)
            and source not in clocked
        )
        or (effect is Effect.ACCEPT and source != SUBMITTED)
        # the supplement comes back only to submitted or a step (submit_supplement)
        or (effect is Effect.REQUEST_SUPPLEMENT and source not in steps | {SUBMITTED})
    ]
    if wrong:
        return [
            (
                (*base, "source"),
                f"effect '{effect.value}' cannot start from {', '.join(repr(w) for w in wrong)}",
                "approve, reject, advance and reschedule start from received or a step; "
                "accept from submitted; request_supplement from submitted or a step",
            )
        ]
    return []


def _check_time(definition: ProcedureDefinition) -> list[Finding]:
    findings: list[Finding] = []
    limit = definition.time_limit
    effective = limit.effective
    total = sum(step.share for step in definition.workflow.steps)
    # Shares are written in the unit of the effective limit, so the sum compares directly.
    if total > effective.value + 1e-6:
        shares = " + ".join(f"{step.share:g}" for step in definition.workflow.steps)
        findings.append(
            (
                (*_STEPS,),
                f"step shares add up to {total:g} ({shares}), more than the effective time "
                f"limit of {effective}",
                "shares are in the unit of the effective (shortened, else statutory) limit; "
                "reduce them or raise the limit",
            )
        )
    if limit.shortened is not None and limit.shortened.unit is not limit.statutory.unit:
        shortened_days, statutory_days = _in_days(limit.shortened), _in_days(limit.statutory)
        if (
            shortened_days is not None
            and statutory_days is not None
            and shortened_days > statutory_days + 1e-9
        ):
            findings.append(
                (
                    ("time_limit", "shortened"),
                    f"shortened limit {limit.shortened} exceeds the statutory {limit.statutory} "
                    f"(compared at {HOURS_PER_WORKING_DAY} working hours per working day)",
                    "a shortened limit may not be longer than the statutory one",
                )
            )
    return findings


def _check_names(definition: ProcedureDefinition) -> list[Finding]:
    """Hook names and guard keys are looked up by name at run time: they must be identifiers."""
    findings: list[Finding] = []
    hook_hint = "hook names are Python identifiers, e.g. notify_applicant"
    for index, step in enumerate(definition.workflow.steps):
        for position, hook in enumerate(step.on_enter):
            if not _is_identifier(hook):
                findings.append(
                    (
                        (*_STEPS, index, "on_enter", position),
                        f"hook '{hook}' is not an identifier",
                        hook_hint,
                    )
                )
    for index, extra in enumerate(definition.workflow.transitions):
        base = (*_TRANSITIONS, index)
        for position, hook in enumerate(extra.hooks):
            if not _is_identifier(hook):
                findings.append(
                    ((*base, "hooks", position), f"hook '{hook}' is not an identifier", hook_hint)
                )
        for key in extra.guard:
            if not _is_identifier(key):
                findings.append(
                    (
                        (*base, "guard", key),
                        f"guard key '{key}' is not an identifier",
                        "guard keys name dossier attributes or command data, e.g. fee_paid",
                    )
                )
            elif key == PAUSED_FROM:
                findings.append(
                    (
                        (*base, "guard", key),
                        f"guard key '{key}' is reserved for the standard lifecycle",
                        "use another key",
                    )
                )
    return findings


def _check_on_the_spot(definition: ProcedureDefinition) -> list[Finding]:
    workflow = definition.workflow
    if workflow.base != "on_the_spot":
        return []
    findings: list[Finding] = []
    if not definition.on_the_spot:
        findings.append(
            (
                ("on_the_spot",),
                "workflow.base is on_the_spot but the procedure is not flagged on_the_spot",
                "set `on_the_spot: true`, or use `base: standard`",
            )
        )
    for index, step in enumerate(workflow.steps):
        if step.role not in ON_THE_SPOT_ROLES:
            findings.append(
                (
                    (*_STEPS, index, "role"),
                    f"role '{step.role}' cannot act in a '4 tại chỗ' workflow",
                    "on the spot, only one_stop or leader act (the dossier never leaves the desk)",
                )
            )
        if step.agency is not None:
            findings.append(
                (
                    (*_STEPS, index, "agency"),
                    "an inter-agency step cannot be done on the spot",
                    "remove `agency`, or use `base: standard`",
                )
            )
    return findings


def _check_agencies(definition: ProcedureDefinition) -> list[Finding]:
    findings: list[Finding] = []
    ids = [agency.id for agency in definition.agencies]
    for position, count in _repeats(ids):
        findings.append(
            (
                ("agencies", position, "id"),
                f"agency id '{ids[position]}' is declared {count} times",
                None,
            )
        )
    for index, step in enumerate(definition.workflow.steps):
        if step.agency is not None and step.agency not in ids:
            declared = ", ".join(ids) if ids else "none"
            findings.append(
                (
                    (*_STEPS, index, "agency"),
                    f"agency '{step.agency}' is not declared in `agencies` (declared: {declared})",
                    "add it under `agencies` with its id and name",
                )
            )
    return findings


def check_lifecycle(lifecycle: Lifecycle) -> list[Finding]:
    """Graph checks on an expanded lifecycle: every state reachable from ``submitted``, and
    from every non-final state some final state reachable (no dead end).

    Findings point at ``workflow`` (the lifecycle is generated, so that is the closest key).
    """
    edges: dict[str, set[str]] = defaultdict(set)
    reverse: dict[str, set[str]] = defaultdict(set)
    for transition in lifecycle.transitions:
        if transition.dest is not None and transition.effect is not Effect.RESCHEDULE:
            edges[transition.source].add(transition.dest)
            reverse[transition.dest].add(transition.source)
    names = [state.name for state in lifecycle.states]
    reachable = _closure({lifecycle.initial or SUBMITTED, *lifecycle.entries}, edges)
    finals = {state.name for state in lifecycle.states if state.kind is StateKind.FINAL}
    can_finish = _closure(finals, reverse)
    findings: list[Finding] = []
    for name in names:
        if name not in reachable:
            findings.append(
                (
                    _WORKFLOW,
                    f"state '{name}' cannot be reached from '{lifecycle.initial}'",
                    "add a transition into it or remove it",
                )
            )
        elif name not in can_finish:
            findings.append(
                (
                    _WORKFLOW,
                    f"state '{name}' is a dead end: no final state can be reached from it",
                    "add a transition from it towards result_ready, refused or withdrawn",
                )
            )
    return findings


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
