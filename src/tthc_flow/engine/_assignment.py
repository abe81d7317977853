"""Assignment of a step to named officials: a lead handler (cán bộ xử lý chính), cooperating
officials (phối hợp) and observers (theo dõi), as OpenCPS assigns them.

Three commands record it, each an event in the dossier's chain (from and to the same
state): ``assign`` (a leader gives the step in progress to a lead, optionally within a
unit), ``reassign`` (a leader gives it to another lead, with a reason) and ``take_over``
(an official of the step's role makes themself the lead, e.g. for an absent colleague).
The payload holds ids and names as they were at that moment, so the process control slip
prints who held the dossier without any look-up (docs/officials.md).

This module is pure (no engine or dossier import): the engine passes the step in progress.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tthc_flow._choices import set_choice
from tthc_flow.engine._actor import Actor
from tthc_flow.errors import InvalidCommand, PermissionDenied, PolicyViolation, TransitionNotAllowed

ASSIGN = "assign"
REASSIGN = "reassign"
TAKE_OVER = "take_over"
ASSIGNMENT_TRIGGERS = frozenset({ASSIGN, REASSIGN, TAKE_OVER})
"""The engine's own triggers for assignment, valid in any state with a step in progress (a
procedure transition of the same name takes precedence)."""


@dataclass(frozen=True, slots=True)
class Member:
    """An official as an assignment records them: id, name and unit at that moment."""

    id: str
    name: str
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who holds one step of a dossier: recorded by an ``assign``, ``reassign`` or
    ``take_over`` event (``kind``) at ``at`` by ``by`` (actor id; ``by_name`` if known).

    ``step`` and ``step_entered_at`` name the process control slip's row it belongs to: the
    assignment is the dossier's current one (:attr:`Dossier.assignment`) while that row is
    the open one.
    """

    step: str
    step_entered_at: datetime
    lead: Member
    cooperating: tuple[Member, ...]
    observers: tuple[Member, ...]
    unit: str | None
    kind: str
    at: datetime
    by: str
    by_name: str | None = None
    reason: str = ""


class TakeOver(StrEnum):
    """Who may take over an assigned step (:attr:`AssignmentPolicy.take_over`)."""

    ANY = "any"
    """An official of the step's role, giving a reason."""
    UNASSIGNED = "unassigned"
    """Only a step nobody holds (nhận xử lý from the pool)."""
    NEVER = "never"
    """Nobody: the leader reassigns."""


@dataclass(frozen=True)
class AssignmentPolicy:
    """Who assigns and who may take over (a local rule: the decree assigns dossiers to the
    competent unit, art. 18-19, not to a person; OpenCPS practice).

    ``assigner_roles``: roles that may ``assign`` and ``reassign`` (default the leader:
    lãnh đạo phòng / Sở phân công). ``take_over``: ``"any"`` (an official of the step's role
    may take over an assigned step, giving a reason), ``"unassigned"`` (only a step nobody
    holds: nhận xử lý from the pool) or ``"never"``.
    """

    assigner_roles: frozenset[str] = frozenset({"leader"})
    take_over: TakeOver = TakeOver.ANY
    """A :class:`TakeOver` or its text; anything else is a ConfigurationError."""

    def __post_init__(self) -> None:
        set_choice(self, "take_over", TakeOver)


@dataclass(frozen=True, slots=True)
class OpenStep:
    """The step in progress as the engine passes it: the slip's open row."""

    step: str
    role: str
    agency: str
    entered_at: datetime


def member_data(official: Any) -> list[Any]:
    """An :class:`~tthc_flow.engine.Official` (or anything with ``id``, ``name``, ``unit``,
    ``agency``, ``roles``) as command data: ``[id, name, unit, agency, [roles]]``."""
    return [official.id, official.name, official.unit, official.agency, sorted(official.roles)]


def _member(raw: Any, field: str) -> tuple[Member, str | None, frozenset[str]]:
    """A member from command data ``[id, name, unit, agency, [roles]]``; InvalidCommand."""
    if (
        not isinstance(raw, list | tuple)
        or len(raw) != 5
        or not isinstance(raw[0], str)
        or not raw[0]
        or not isinstance(raw[1], str)
        or not raw[1].strip()
        or not (raw[2] is None or isinstance(raw[2], str))
        or not (raw[3] is None or isinstance(raw[3], str))
        or not isinstance(raw[4], list | tuple)
    ):
        raise InvalidCommand(
            f"{field} must be an Official (given through Engine.assign / reassign)", field=field
        )
    return Member(raw[0], raw[1].strip(), raw[2]), raw[3], frozenset(map(str, raw[4]))


def _members(raw: Any, field: str) -> tuple[Member, ...]:
    if not isinstance(raw, list | tuple):
        raise InvalidCommand(f"{field} must be a list of officials", field=field)
    found = tuple(_member(item, f"{field}[{i}]")[0] for i, item in enumerate(raw))
    ids = [m.id for m in found]
    if len(set(ids)) != len(ids):
        raise InvalidCommand(f"{field} names an official twice", field=field)
    return found


def _row(member: Member) -> list[Any]:
    return [member.id, member.name, member.unit]


def decide(
    trigger: str,
    actor: Actor,
    step: OpenStep | None,
    current: Assignment | None,
    data: Mapping[str, Any],
    policy: AssignmentPolicy,
    *,
    dossier_code: str,
    check_agency: bool,
) -> tuple[str, dict[str, Any]]:
    """The role the command is fired in and the payload of an assignment event.

    Raises TransitionNotAllowed (no step in progress, assign over an assignment, reassign or
    take over of nothing), PermissionDenied (not an assigner, or not of the step's role,
    agency or unit), InvalidCommand (a lead outside the step's candidate group, no reason),
    PolicyViolation (a take-over the policy forbids). Nothing is decided from the clock.
    """
    if step is None:
        raise TransitionNotAllowed(
            f"{trigger!r} on dossier {dossier_code}: no step is in progress (a step is "
            "assigned once the dossier was handed over to it)",
            dossier_code=dossier_code,
            trigger=trigger,
        )
    unknown = set(data) - {"lead", "cooperating", "observers", "unit", "reason"}
    if unknown:
        raise InvalidCommand(
            f"{trigger} takes lead, cooperating, observers, unit and reason; not "
            f"{', '.join(sorted(unknown))}",
            field=f"data.{min(unknown)}",
        )
    reason = data.get("reason")
    if reason is not None and (not isinstance(reason, str) or not reason.strip()):
        raise InvalidCommand("reason must be a non-empty text", field="data.reason")
    if trigger == TAKE_OVER:
        return step.role, _take_over(actor, step, current, reason, policy, dossier_code)
    held = actor.roles & policy.assigner_roles
    if not held:
        raise PermissionDenied(
            f"{actor.id} may not {trigger} dossier {dossier_code}: roles allowed "
            f"{', '.join(sorted(policy.assigner_roles))} (AssignmentPolicy.assigner_roles)",
            actor=actor.id,
            roles_allowed=tuple(sorted(policy.assigner_roles)),
            actor_agency=actor.agency,
            dossier_code=dossier_code,
            trigger=trigger,
            agencies=(step.agency,),
            rule="AssignmentPolicy.assigner_roles",
        )
    if check_agency and actor.agency is not None and actor.agency != step.agency:
        raise PermissionDenied(
            f"{actor.id} (agency {actor.agency!r}) may not {trigger} step {step.step!r} of "
            f"dossier {dossier_code}: it belongs to agency {step.agency!r}",
            actor=actor.id,
            actor_agency=actor.agency,
            dossier_code=dossier_code,
            trigger=trigger,
            agencies=(step.agency,),
            rule="AgencyPolicy.require_same_agency",
        )
    if trigger == ASSIGN and current is not None:
        raise TransitionNotAllowed(
            f"step {step.step!r} of dossier {dossier_code} is already assigned to "
            f"{current.lead.name} ({current.lead.id}); use reassign",
            dossier_code=dossier_code,
            trigger=trigger,
            state=step.step,
            allowed=(REASSIGN,),
        )
    if trigger == REASSIGN:
        if current is None:
            raise TransitionNotAllowed(
                f"step {step.step!r} of dossier {dossier_code} is not assigned; use assign",
                dossier_code=dossier_code,
                trigger=trigger,
                state=step.step,
                allowed=(ASSIGN,),
            )
        if reason is None:
            raise InvalidCommand("reassign needs reason='...'", field="data.reason")
    if "lead" not in data:
        raise InvalidCommand(f"{trigger} needs lead=<Official>", field="data.lead")
    lead, lead_agency, lead_roles = _member(data["lead"], "data.lead")
    unit = data.get("unit", lead.unit)
    if unit is not None and not isinstance(unit, str):
        raise InvalidCommand("unit must be text", field="data.unit")
    if step.role not in lead_roles:
        raise InvalidCommand(
            f"{lead.name} ({lead.id}) does not hold role {step.role!r} of step {step.step!r}: "
            "not in its candidate group",
            field="data.lead",
        )
    if check_agency and lead_agency != step.agency:
        raise InvalidCommand(
            f"{lead.name} ({lead.id}) is of agency {lead_agency!r}, step {step.step!r} of "
            f"dossier {dossier_code} belongs to {step.agency!r}",
            field="data.lead",
        )
    if unit is not None and lead.unit != unit:
        raise InvalidCommand(f"{lead.name} ({lead.id}) is not of unit {unit!r}", field="data.lead")
    cooperating = _members(data.get("cooperating", ()), "data.cooperating")
    observers = _members(data.get("observers", ()), "data.observers")
    if lead.id in {m.id for m in cooperating}:
        raise InvalidCommand("the lead handler is not also cooperating", field="data.cooperating")
    payload: dict[str, Any] = {
        "step": step.step,
        "lead": _row(lead),
        "cooperating": [_row(m) for m in cooperating],
        "observers": [_row(m) for m in observers],
        "unit": unit,
    }
    if current is not None:
        payload["previous_lead"] = current.lead.id
    if reason is not None:
        payload["reason"] = reason.strip()
    return min(held), payload


def _take_over(
    actor: Actor,
    step: OpenStep,
    current: Assignment | None,
    reason: str | None,
    policy: AssignmentPolicy,
    dossier_code: str,
) -> dict[str, Any]:
    def denied(why: str, rule: str) -> PermissionDenied:
        return PermissionDenied(
            f"{actor.id} may not take over step {step.step!r} of dossier {dossier_code}: {why}",
            actor=actor.id,
            actor_agency=actor.agency,
            dossier_code=dossier_code,
            trigger=TAKE_OVER,
            agencies=(step.agency,),
            rule=rule,
        )

    if step.role not in actor.roles:
        raise denied(f"it is a {step.role!r} step", "AssignmentPolicy.take_over")
    if actor.agency is not None and actor.agency != step.agency:
        raise denied(f"it belongs to agency {step.agency!r}", "AgencyPolicy.require_same_agency")
    unit = current.unit if current is not None else None
    if unit is not None and actor.unit != unit:
        raise denied(f"it is assigned to unit {unit!r}", "AssignmentPolicy.take_over")
    if policy.take_over == "never" or (policy.take_over == "unassigned" and current is not None):
        raise PolicyViolation(
            f"step {step.step!r} of dossier {dossier_code} cannot be taken over "
            f"(AssignmentPolicy.take_over={policy.take_over.value!r})",
            dossier_code=dossier_code,
            trigger=TAKE_OVER,
            policy="AssignmentPolicy.take_over",
        )
    if current is not None and current.lead.id == actor.id:
        raise TransitionNotAllowed(
            f"{actor.id} already leads step {step.step!r} of {dossier_code}",
            dossier_code=dossier_code,
            trigger=TAKE_OVER,
            state=step.step,
        )
    if current is not None and reason is None:
        raise InvalidCommand(
            f"taking over from {current.lead.name} needs reason='...'", field="data.reason"
        )
    lead = Member(actor.id, actor.name or actor.id, actor.unit)
    payload: dict[str, Any] = {
        "step": step.step,
        "lead": _row(lead),
        "cooperating": [_row(m) for m in current.cooperating] if current else [],
        "observers": [_row(m) for m in current.observers] if current else [],
        "unit": unit,
    }
    if current is not None:
        payload["previous_lead"] = current.lead.id
    if reason is not None:
        payload["reason"] = reason.strip()
    return payload


def assignment_of(
    payload: Mapping[str, Any],
    kind: str,
    at: datetime,
    by: str,
    step_entered_at: datetime,
) -> Assignment:
    """The :class:`Assignment` an assignment event records (the dossier fold's part)."""

    def member(row: Sequence[Any]) -> Member:
        return Member(row[0], row[1], row[2])

    return Assignment(
        step=payload["step"],
        step_entered_at=step_entered_at,
        lead=member(payload["lead"]),
        cooperating=tuple(member(r) for r in payload["cooperating"]),
        observers=tuple(member(r) for r in payload["observers"]),
        unit=payload.get("unit"),
        kind=kind,
        at=at,
        by=by,
        by_name=payload.get("actor_name"),
        reason=payload.get("reason", ""),
    )
