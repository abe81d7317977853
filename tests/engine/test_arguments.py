"""A command's own arguments are kept apart from the data the dossier keeps (issue 16).

Before, both shared ``**data``: a misspelt argument was stored as data and the command failed
for a reason that named something else, and a data key called ``reason`` was read as the
argument. These tests pin the separation and that it changed no stored event.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from tthc_flow._time import VN_TZ
from tthc_flow.engine import (
    ARGUMENTS,
    DESK,
    Actor,
    Engine,
    FixedClock,
    PersonalDataPolicy,
    Policies,
)
from tthc_flow.errors import InvalidCommand
from tthc_flow.procedure import load_catalog
from tthc_flow.store import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "examples" / "so-cong-thuong")
CODE = "2.000128"
MONDAY = datetime(2025, 7, 7, 8, tzinfo=VN_TZ)


def _engine() -> tuple[Engine, MemoryStore]:
    store = MemoryStore()
    return Engine(CATALOG, store=store, clock=FixedClock(MONDAY)), store


def test_a_misspelt_argument_is_refused_by_name_and_stores_nothing() -> None:
    engine, store = _engine()
    code = engine.receive(CODE, "Công ty A", "desk").code
    with pytest.raises(InvalidCommand) as caught:
        engine.fire(code, "withdraw", DESK, resaon="đổi ý")
    assert caught.value.field == "resaon"
    assert len(store.load_events(code)) == 1
    with pytest.raises(InvalidCommand) as caught:
        engine.receive(CODE, "Công ty B", "desk", on_teh_spot=True)
    assert caught.value.field == "on_teh_spot"
    # nothing was drawn: the next receipt of the day gets number 2
    assert engine.receive(CODE, "Công ty C", "desk").code.endswith("0002")


def test_a_data_key_with_an_arguments_name_is_refused() -> None:
    engine, _ = _engine()
    code = engine.receive(CODE, "Công ty A", "desk").code
    with pytest.raises(InvalidCommand) as caught:
        engine.fire(code, "withdraw", DESK, data={"reason": "đổi ý"})
    assert caught.value.field == "data.reason"


def test_data_is_kept_and_arguments_decide() -> None:
    engine, store = _engine()
    d = engine.receive(CODE, "Công ty A", "desk", data={"area_m2": 120})
    assert d.data_dict["area_m2"] == 120
    after = engine.fire(d.code, "withdraw", DESK, reason="đổi ý", data={"note": "gọi lại"})
    event = store.load_events(d.code)[-1]
    assert event.payload["reason"] == "đổi ý"  # the argument became the decision
    assert event.payload["data"] == {"note": "gọi lại"}  # the data is kept as data
    assert after.data_dict == {"area_m2": 120, "note": "gọi lại"}


OLD_HASHES = [
    "548a18abd8ad7c2f178627e25c832be2817f26c043ad55b6c04b0c5922b58cc2",
    "628bbd01d5648cce5778f52c646cfd3bbfd74d3fabed080e09e9762668faf5b2",
]
"""The chain 0.4 (commit 52a10ab, before the split) stored for ``receive(..., area_m2=120)``
then ``fire(code, "withdraw", DESK, reason="đổi ý", note="x")``: a compatibility pin."""


def test_the_events_are_byte_for_byte_those_the_shared_form_wrote() -> None:
    """Splitting arguments from data changed no stored byte: old chains and their hashes hold
    (personal data kept in the chain, as 0.4 kept it, so the hashes are comparable)."""
    store = MemoryStore()
    policies = Policies(personal_data=PersonalDataPolicy(keep_apart=False))
    engine = Engine(CATALOG, store=store, clock=FixedClock(MONDAY), policies=policies)
    code = engine.receive(CODE, "Công ty A", "desk", data={"area_m2": 120}).code
    engine.fire(code, "withdraw", DESK, reason="đổi ý", data={"note": "x"})
    assert [e.hash for e in store.load_events(code)] == OLD_HASHES


def test_bulk_commands_take_arguments_and_data_alike() -> None:
    engine, _ = _engine()
    codes = [engine.receive(CODE, f"Công ty {i}", "desk").code for i in range(2)]
    done = engine.fire_many(codes, "withdraw", DESK, reason="đổi ý", data={"batch": "b1"})
    assert sorted(done.done) == sorted(codes)
    assert all(d.data_dict["batch"] == "b1" for d in done.done.values())
    refused = engine.fire_many(codes, "withdraw", Actor.of("x", "one_stop"), reasn="x")
    assert {type(e) for e in refused.failed.values()} == {InvalidCommand}


READS = re.compile(
    r"""data\.(?:pop|get)\("([a-z_]+)"|data\["([a-z_]+)"\]|_text\(data, "([a-z_]+)\""""
)


def test_every_value_the_engine_reads_from_a_command_is_a_declared_argument() -> None:
    """Guards against the old ambiguity coming back: a value the engine takes out of a command
    must be an argument (or a data key with that name would be consumed as one)."""
    read: set[str] = set()
    for path in (ROOT / "src" / "tthc_flow" / "engine").glob("*.py"):
        for match in READS.finditer(path.read_text()):
            for group in filter(None, match.groups()):
                read.update(re.findall(r"[a-z_]+", group))
    assert read, "the pattern found nothing: it no longer matches the engine's code"
    assert read - set(ARGUMENTS) == set(), "declare these in engine/_arguments.py ARGUMENTS"
