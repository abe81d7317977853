"""What-if variants: "4 tại chỗ" and a shortened limit stay valid definitions."""

from __future__ import annotations

import pytest

from tests.procedure.procedure_samples import EXAMPLES, VALID
from tthc_flow import ProcedureDefinitionError
from tthc_flow.procedure import (
    Duration,
    TimeUnit,
    check_definition,
    load_catalog,
    load_procedure,
    parse_procedure,
    to_on_the_spot,
    with_time_limit,
)


def test_to_on_the_spot_defaults_to_four_working_hours() -> None:
    original = parse_procedure(VALID)
    variant = to_on_the_spot(original)
    assert variant.key == original.key
    assert variant.on_the_spot and variant.workflow.base == "on_the_spot"
    (step,) = variant.workflow.steps
    assert (step.id, step.role, step.share, step.trigger) == (
        "on_the_spot",
        "one_stop",
        4,
        "approve",
    )
    assert step.name == "Thẩm định, phê duyệt tại chỗ"
    assert variant.time_limit.statutory == original.time_limit.statutory
    assert variant.time_limit.effective == Duration(value=4, unit=TimeUnit.WORKING_HOURS)
    assert check_definition(variant) == []


def test_to_on_the_spot_keeps_valid_extra_transitions_only() -> None:
    original = load_procedure(EXAMPLES / "xd-cua-hang-ban-le.yaml")  # guard on `received`
    variant = to_on_the_spot(original, Duration(value=1, unit=TimeUnit.WORKING_DAYS))
    assert [t.trigger for t in variant.workflow.transitions] == ["confirm_fee_paid"]
    assert variant.workflow.transitions[0].guard == original.workflow.transitions[0].guard
    inter = load_procedure(EXAMPLES / "tm-giay-phep-kinh-doanh-fdi.yaml")
    assert to_on_the_spot(inter).workflow.transitions == []


def test_every_example_has_valid_variants() -> None:
    for definition in load_catalog(EXAMPLES):
        assert check_definition(to_on_the_spot(definition)) == []
        half = Duration(
            value=definition.time_limit.effective.value / 2,
            unit=definition.time_limit.effective.unit,
        )
        assert check_definition(with_time_limit(definition, half)) == []


def test_with_time_limit_rescales_shares() -> None:
    original = parse_procedure(VALID)  # shares 5 + 2 of 10 working days
    variant = with_time_limit(original, Duration(value=5, unit=TimeUnit.WORKING_DAYS))
    assert [s.share for s in variant.workflow.steps] == [2.5, 1]
    assert variant.time_limit.shortened == Duration(value=5)
    assert variant.time_limit.statutory == original.time_limit.statutory
    hours = with_time_limit(original, Duration(value=20, unit=TimeUnit.WORKING_HOURS))
    assert [s.share for s in hours.workflow.steps] == [10, 4]
    assert check_definition(hours) == []


def test_with_time_limit_longer_than_statutory_is_an_error() -> None:
    with pytest.raises(ProcedureDefinitionError, match="exceeds the statutory"):
        with_time_limit(parse_procedure(VALID), Duration(value=16))
    with pytest.raises(ProcedureDefinitionError, match="8 working hours per working day"):
        with_time_limit(parse_procedure(VALID), Duration(value=200, unit=TimeUnit.WORKING_HOURS))
