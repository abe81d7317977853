"""What-if variants of a procedure for simulation: "4 tại chỗ", or a shorter time limit.

Variants keep the code *and the version*: they are not new published versions but
hypotheses to compare (``catalog.replace(variant)`` swaps one in). Publishing a variant for
real means writing it to YAML with a new ``version`` and ``effective_from``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tthc_flow.errors import Problem, ProcedureDefinitionError
from tthc_flow.procedure._checks import check_definition
from tthc_flow.procedure._lifecycle import STANDARD_STATES
from tthc_flow.procedure._model import (
    Channel,
    Duration,
    ProcedureDefinition,
    Step,
    TimeUnit,
)

ON_THE_SPOT_STEP_ID = "on_the_spot"
ON_THE_SPOT_STEP_NAME = "Thẩm định, phê duyệt tại chỗ"
FOUR_WORKING_HOURS = Duration(value=4, unit=TimeUnit.WORKING_HOURS)
"""The default "4 tại chỗ" limit (Duration is frozen, so sharing one instance is safe)."""


def _validated(
    definition: ProcedureDefinition, update: dict[str, Any], what: str
) -> ProcedureDefinition:
    """Re-validate the updated definition from plain data, so model validators run again."""
    source = f"<{what} of {definition.code} v{definition.version}>"
    # exclude_unset: a guard GuardComparison must come back with only the operator it was given
    data = definition.model_dump(by_alias=True, exclude_unset=True)
    data.update(update)
    try:
        variant = ProcedureDefinition.model_validate(data)
    except ValidationError as exc:
        raise ProcedureDefinitionError(
            [
                Problem(source, None, None, ".".join(map(str, e["loc"])), e["msg"])
                for e in exc.errors(include_url=False)
            ]
        ) from exc
    findings = check_definition(variant)
    if findings:
        raise ProcedureDefinitionError(
            [
                Problem(source, None, None, ".".join(map(str, path)), message, hint)
                for path, message, hint in findings
            ]
        )
    return variant


def to_on_the_spot(
    definition: ProcedureDefinition,
    limit: Duration = FOUR_WORKING_HOURS,
) -> ProcedureDefinition:
    """The "4 tại chỗ" variant: received, appraised, approved and returned at the desk.

    One step ``on_the_spot`` acted by the desk (action ``approve``, share = the whole
    ``limit``), ``time_limit.shortened = limit`` with the statutory limit kept,
    ``on_the_spot: true`` and ``desk`` added to the channels if missing (the applicant comes to
    the desk). Extra transitions that referred to the removed steps are dropped; the others
    are kept. Same code and version (see the module docstring).
    """
    step = Step(
        id=ON_THE_SPOT_STEP_ID,
        name=ON_THE_SPOT_STEP_NAME,
        role="one_stop",
        share=limit.value,
        action="approve",
    )
    states = {ON_THE_SPOT_STEP_ID} | STANDARD_STATES
    kept = [
        t.model_dump(by_alias=True, exclude_unset=True)
        for t in definition.workflow.transitions
        if set(t.sources) <= states and (t.dest is None or t.dest in states)
    ]
    channels = list(definition.channels)
    if Channel.DESK not in channels:
        channels.insert(0, Channel.DESK)
    return _validated(
        definition,
        {
            "on_the_spot": True,
            "channels": channels,
            "time_limit": {
                "statutory": definition.time_limit.statutory.model_dump(),
                "shortened": limit.model_dump(),
            },
            "workflow": {
                "base": "on_the_spot",
                "steps": [step.model_dump(by_alias=True, exclude_unset=True)],
                "transitions": kept,
            },
        },
        "on-the-spot variant",
    )


def with_time_limit(definition: ProcedureDefinition, shortened: Duration) -> ProcedureDefinition:
    """The variant with ``shortened`` as the shortened time limit, step shares rescaled.

    Each step keeps its fraction of the limit: ``share / old effective value * new value``
    (shares are in the unit of the effective limit, so this also converts units). The
    statutory limit is kept; a ``shortened`` longer than it is an error.
    """
    old = definition.time_limit.effective.value
    steps = [
        step.model_dump(by_alias=True, exclude_unset=True)
        | {"share": round(step.share / old * shortened.value, 6)}
        for step in definition.workflow.steps
    ]
    workflow = definition.workflow.model_dump(by_alias=True, exclude_unset=True) | {"steps": steps}
    return _validated(
        definition,
        {
            "time_limit": {
                "statutory": definition.time_limit.statutory.model_dump(),
                "shortened": shortened.model_dump(),
            },
            "workflow": workflow,
        },
        "time-limit variant",
    )
