"""Semantic checks on a definition that failed pydantic validation.

A file with a wrong ``level`` may also have an unknown role and step shares above the limit;
the user should learn all three in one pass. When the whole model does not validate, each
section (steps one by one, transitions one by one, roles, agencies, time limit) is validated
on its own, and the cross-reference checks of :mod:`._checks` run on the valid sections. A
check whose inputs are not all valid is skipped rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from tthc_flow.procedure._checks import (
    Finding,
    _check_agencies,
    _check_roles,
    _check_steps,
    _check_time,
)
from tthc_flow.procedure._model import (
    IDENTIFIER,
    Agency,
    ExtraTransition,
    ProcedureDefinition,
    Step,
    TimeLimit,
    Workflow,
)

_M = TypeVar("_M", bound=BaseModel)
_ROLES: TypeAdapter[list[str]] = TypeAdapter(list[Annotated[str, Field(pattern=IDENTIFIER)]])
_AGENCIES: TypeAdapter[list[Agency]] = TypeAdapter(list[Agency])


def _valid(model: type[_M], data: Any) -> _M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _each(model: type[_M], items: Any) -> tuple[list[_M], list[int], bool]:
    """The valid items of a YAML list, their positions in it, and whether all were valid."""
    if not isinstance(items, list):
        return [], [], False
    valid: list[_M] = []
    positions: list[int] = []
    for position, item in enumerate(items):
        parsed = _valid(model, item)
        if parsed is not None:
            valid.append(parsed)
            positions.append(position)
    return valid, positions, len(valid) == len(items)


def _section(adapter: TypeAdapter[Any], data: Any, default: Any) -> Any:
    try:
        return adapter.validate_python(default if data is None else data)
    except ValidationError:
        return None


def salvage_findings(data: dict[str, Any]) -> list[Finding]:
    """Findings of the step-id, role, agency and time-share checks on the valid parts of
    ``data`` (a procedure mapping that failed validation as a whole)."""
    workflow = data.get("workflow")
    if not isinstance(workflow, dict):
        workflow = {}
    steps, step_at, all_steps = _each(Step, workflow.get("steps"))
    transitions, transition_at, _ = _each(ExtraTransition, workflow.get("transitions", []))
    roles = _section(_ROLES, data.get("roles"), [])
    agencies = _section(_AGENCIES, data.get("agencies"), [])
    time_limit = _valid(TimeLimit, data.get("time_limit"))
    partial = ProcedureDefinition.model_construct(
        roles=roles or [],
        agencies=agencies or [],
        time_limit=time_limit,
        workflow=Workflow.model_construct(steps=steps, transitions=transitions),
    )
    checks: list[Callable[[ProcedureDefinition], list[Finding]]] = [_check_steps]
    if roles is not None:
        checks.append(_check_roles)
    if agencies is not None:
        checks.append(_check_agencies)
    if time_limit is not None and all_steps and steps:
        checks.append(_check_time)
    findings: list[Finding] = []
    for check in checks:
        findings += [_renumber(finding, step_at, transition_at) for finding in check(partial)]
    return findings


def _renumber(finding: Finding, step_at: list[int], transition_at: list[int]) -> Finding:
    """Map positions among the valid steps/transitions back to positions in the file."""
    path, message, hint = finding
    if len(path) > 2 and path[0] == "workflow" and isinstance(path[2], int):
        positions = step_at if path[1] == "steps" else transition_at
        path = (*path[:2], positions[path[2]], *path[3:])
    return path, message, hint
