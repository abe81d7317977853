"""Guards that could never fire are errors: unknown keys, impossible values, empty sources."""

from __future__ import annotations

from pathlib import Path

from tests.procedure.procedure_samples import VALID, located, position, problems_of
from tthc_flow.procedure import check_definition, guard_holds, parse_procedure

TRANSITION = """\
  transitions:
    - trigger: confirm_fee
      source: {source}
      roles: [one_stop]
      guard: {guard}
"""


def _with_guard(guard: str, source: str = "received", head: str = "") -> str:
    return head + VALID + TRANSITION.format(guard=guard, source=source)


def test_known_keys_and_values_load() -> None:
    text = _with_guard(
        "{channel: {in: [online, postal]}, fee_paid: true, on_the_spot: {ne: true},"
        " state: received, procedure_code: '2.000128', amount: {gt: 0}}",
        head="data_keys: [amount]\n",
    )
    definition = parse_procedure(text)
    assert check_definition(definition) == []
    guard = definition.workflow.transitions[0].guard
    context = {"channel": "online", "fee_paid": True, "on_the_spot": False}
    context |= {"state": "received", "procedure_code": "2.000128", "amount": 5}
    assert guard_holds(guard, context)


def test_misspelt_keys_and_impossible_values_are_located(tmp_path: Path) -> None:
    text = _with_guard(
        "{fee_payd: true, channel: onlin, on_the_spot: 'yes', state: {in: [received, done]}}"
    )
    problems = problems_of(tmp_path, text)
    key = located(problems, "workflow.transitions[0].guard.fee_payd")
    assert "unknown guard key 'fee_payd'" in key.message
    assert key.hint is not None and "did you mean 'fee_paid'" in key.hint
    assert "data_keys" in key.hint
    channel = located(problems, "workflow.transitions[0].guard.channel")
    assert "'onlin'" in channel.message and "desk, online, postal" in (channel.hint or "")
    line, column = position(text, "channel: onlin")
    assert (channel.line, channel.column) == (line, column + len("channel: "))
    assert "'yes'" in located(problems, "workflow.transitions[0].guard.on_the_spot").message
    assert "'done'" in located(problems, "workflow.transitions[0].guard.state.in[1]").message
    assert len(problems) == 4


def test_ordering_on_a_channel_and_data_keys_that_shadow_attributes(tmp_path: Path) -> None:
    text = _with_guard("{channel: {gt: 1}}", head="data_keys: [amount, fee_paid]\n")
    problems = problems_of(tmp_path, text)
    assert (
        "cannot be compared with gt"
        in located(problems, "workflow.transitions[0].guard.channel.gt").message
    )
    assert "always available" in located(problems, "data_keys[1]").message


def test_an_empty_source_list_is_rejected(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, _with_guard("{channel: online}", source="[]"))
    assert any(p.field == "workflow.transitions[0].source" for p in problems), problems
