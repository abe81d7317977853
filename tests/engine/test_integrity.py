"""The audit log and commands: hashes, idempotency keys, hooks, clocks and input checks."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.engine.conftest import DESK, LEADER, POLICE, SPECIALIST, at
from tthc_flow import (
    ConfigurationError,
    EventOutOfOrder,
    InvalidCommand,
    NaiveDatetimeError,
    PolicyViolation,
    TransitionNotAllowed,
)
from tthc_flow._time import VN_TZ
from tthc_flow.engine import Engine, Event, FixedClock, first_broken_link
from tthc_flow.engine._dossier import _at, iso
from tthc_flow.engine._events import canonical_json
from tthc_flow.procedure import Catalog
from tthc_flow.store import MemoryStore


def resolved(engine: Engine) -> str:
    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 9))
    engine.fire(code, "verify", POLICE, at(2026, 4, 28, 10))
    engine.fire(code, "approve", LEADER, at(2026, 4, 28, 11), idempotency_key="sign-1")
    return code


def test_the_hash_covers_the_effect_and_the_idempotency_key(engine: Engine) -> None:
    events = engine.history(resolved(engine))
    assert first_broken_link(events) is None
    approve = events[-1]
    assert approve.effect == "approve"
    for altered in (replace(approve, effect="reject"), replace(approve, idempotency_key="x")):
        assert first_broken_link([*events[:-1], altered]) == (
            approve.version,
            "content does not match its hash (altered)",
        )


def test_the_hashed_payload_text_is_kept_and_never_outlives_an_edit(engine: Engine) -> None:
    """Event.create keeps the canonical JSON it hashed, for the stores; an edited copy drops it,
    so a store can never write an altered payload with the old text."""
    event = Event.create(
        dossier_code="X-1",
        version=1,
        trigger="receive",
        effect="accept",
        from_state="",
        to_state="received",
        actor="desk",
        role="one_stop",
        at=at(2026, 4, 28, 8),
        payload={"b": [1, 2], "a": "x"},
        prev_hash="0" * 64,
    )
    assert event.payload_json == '{"a":"x","b":[1,2]}' == event.canonical_payload()
    edited = replace(event, payload={"a": "y"})
    assert edited.payload_json == "" and edited.canonical_payload() == '{"a":"y"}'
    assert event.verify() and not edited.verify()
    assert event == replace(event)  # the kept text takes no part in equality


def test_a_reused_key_must_name_the_same_command(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk", idempotency_key="portal-1").code
    with pytest.raises(InvalidCommand, match="'portal-1'"):
        engine.receive("2.000999", "B", "desk", idempotency_key="portal-1")
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8), idempotency_key="h")
    with pytest.raises(InvalidCommand, match=r"idempotency key 'h'.*different command"):
        engine.fire(code, "withdraw", DESK, at(2026, 4, 28, 9), idempotency_key="h", reason="x")
    with pytest.raises(InvalidCommand, match="'h'"):
        engine.fire(code, "handover", LEADER, at(2026, 4, 28, 9), idempotency_key="h")
    again = engine.fire(code, "handover", DESK, at(2026, 4, 28, 9), idempotency_key="h")
    assert again.state == "appraisal"
    assert [e.trigger for e in engine.history(code)] == ["receive", "handover"]


def test_a_failing_hook_is_logged_and_the_command_stands(
    catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(dossier: object, event: object) -> None:
        raise RuntimeError("mail server down")

    engine = Engine(
        catalog,
        store=MemoryStore(),
        clock=FixedClock(at(2026, 4, 24, 16, 10)),
        hooks={"notify_leader": broken},
    )
    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 9))
    with caplog.at_level(logging.ERROR, logger="tthc_flow.engine"):
        moved = engine.fire(code, "verify", POLICE, at(2026, 4, 28, 10))
    assert moved.state == "approval" and engine.get(code).state == "approval"
    assert "hook broken failed after verify" in caplog.text and "mail server down" in caplog.text


class UtcClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


def test_the_clock_is_read_in_vietnam_time(catalog: Catalog) -> None:
    # 17:30 UTC on Monday 4/5 is 00:30 on Tuesday 5/5 in Vietnam
    engine = Engine(
        catalog, store=MemoryStore(), clock=UtcClock(datetime(2026, 5, 4, 17, 30, tzinfo=UTC))
    )
    dossier = engine.receive("2.000999", "A", "online")
    assert dossier.code == "SCT-260505-0001"
    assert dossier.received_at == at(2026, 5, 5, 0, 30)
    naive = Engine(catalog, store=MemoryStore(), clock=UtcClock(datetime(2026, 5, 4, 17, 30)))
    with pytest.raises(NaiveDatetimeError, match=r"clock\.now\(\)"):
        naive.receive("2.000999", "A", "online")


def test_events_out_of_order_say_which_event_and_version(engine: Engine) -> None:
    from tthc_flow.engine import apply, replay

    code = engine.receive("2.000999", "A", "desk").code
    engine.fire(code, "handover", DESK, at(2026, 4, 27, 8))
    first, second = engine.history(code)
    with pytest.raises(ValueError) as wrong:
        replay([])
    assert isinstance(wrong.value, EventOutOfOrder) and wrong.value.expected_version == 1
    with pytest.raises(EventOutOfOrder) as wrong:
        replay([second])
    assert (wrong.value.dossier_code, wrong.value.version) == (code, 2)
    with pytest.raises(EventOutOfOrder) as wrong:
        apply(replay([first, second]), second)  # version 2 again after version 2
    assert (wrong.value.version, wrong.value.expected_version) == (2, 3)


def test_a_fixed_clock_does_not_go_back() -> None:
    clock = FixedClock(at(2026, 5, 4, 9))
    assert clock.set(at(2026, 5, 4, 10)) == at(2026, 5, 4, 10)
    with pytest.raises(ValueError, match="cannot go back") as back:
        clock.set(at(2026, 5, 4, 9, 59))
    assert isinstance(back.value, ConfigurationError)
    assert (back.value.setting, back.value.value) == ("FixedClock.set", at(2026, 5, 4, 9, 59))
    assert clock.now() == at(2026, 5, 4, 10)  # unchanged


def test_the_code_carries_the_day_the_dossier_arrived(engine: Engine) -> None:
    """Decree 118 art. 28: the code is issued when the dossier reaches the agency."""
    code = engine.submit("2.000999", "A", "online", at=at(2026, 5, 9, 10)).code  # Saturday
    accepted = engine.fire(code, "accept", DESK, at(2026, 5, 11, 8))  # Monday
    assert accepted.code.startswith("SCT-260509-")
    assert accepted.clock_started_at == at(2026, 5, 11, 8)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), [1.0, float("-inf")]])
def test_non_finite_numbers_are_refused(engine: Engine, bad: object) -> None:
    with pytest.raises(InvalidCommand, match="finite"):
        engine.receive("2.000999", "A", "desk", data={"area_m2": bad})
    code = engine.receive("2.000999", "A", "desk").code
    with pytest.raises(InvalidCommand, match="finite"):
        engine.fire(code, "handover", DESK, at(2026, 4, 28, 8), data={"area_m2": bad})
    assert len(engine.history(code)) == 1


@pytest.mark.parametrize("applicant", ["", "   "])
def test_the_applicant_is_required(engine: Engine, applicant: str) -> None:
    with pytest.raises(InvalidCommand, match="applicant"):
        engine.receive("2.000999", applicant, "desk")
    assert list(engine.store.dossiers()) == []  # type: ignore[attr-defined]


def test_a_guard_failure_names_the_state_and_what_is_allowed(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk").code  # pay_fee needs channel online
    with pytest.raises(TransitionNotAllowed) as caught:
        engine.fire(code, "pay_fee", DESK, at(2026, 4, 28, 8))
    message = str(caught.value)
    assert "'received'" in message and "channel" in message and "handover" in message


def test_a_command_on_a_stale_cache_is_decided_on_the_stored_dossier(catalog: Catalog) -> None:
    """Two engines on one store: what the other wrote is what a command is decided on (no
    wrong refusal, no conflict to retry: the stale cache is noticed by the store's
    compare-and-swap or, for a refusal, by the store's head)."""
    store = MemoryStore()
    hooks = {"notify_leader": lambda d, e: None}
    first = Engine(catalog, store=store, clock=FixedClock(at(2026, 4, 24, 16, 10)), hooks=hooks)
    second = Engine(catalog, store=store, clock=FixedClock(at(2026, 4, 24, 16, 10)), hooks=hooks)
    code = first.receive("2.000999", "A", "desk").code
    second.fire(code, "handover", DESK, at(2026, 4, 28, 8))  # first's cache is now stale
    # valid on both copies: stored once, on top of the hand-over
    assert first.fire(code, "withdraw", DESK, at(2026, 4, 28, 9), reason="rút").outcome == (
        "withdrawn"
    )
    assert [e.trigger for e in store.load_events(code)] == ["receive", "handover", "withdraw"]
    code = first.receive("2.000999", "B", "desk").code
    second.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    # only valid on the stored copy (first still thinks "received"): not refused
    assert first.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 9)).state == "police_check"
    second.fire(code, "verify", POLICE, at(2026, 4, 28, 10))
    assert first.get(code).state == second.get(code).state  # get reads the store
    assert first.available_triggers(code, SPECIALIST) == second.available_triggers(code, SPECIALIST)
    # refused on the stored copy: refused for that reason, with nothing stored
    with pytest.raises(TransitionNotAllowed):
        first.fire(code, "handover", DESK, at(2026, 4, 28, 11))
    assert len(store.load_events(code)) == 4


class OneSequence(MemoryStore):
    """A broken sequence: every dossier of the day gets number 1."""

    def next_sequence(self, agency_code: str, day: date) -> int:
        return 1


def test_a_code_collision_is_reported_as_such(catalog: Catalog) -> None:
    engine = Engine(catalog, store=OneSequence(), clock=FixedClock(at(2026, 4, 24, 16, 10)))
    engine.receive("2.000999", "A", "desk")
    with pytest.raises(PolicyViolation, match=r"SCT-260424-0001 is already used.*art\. 28") as info:
        engine.receive("2.000999", "B", "desk")
    assert info.value.dossier_code == "SCT-260424-0001"
    assert (info.value.policy, info.value.article) == (
        "DossierCodeFormat.pattern",
        "Decree 118/2025/ND-CP art. 28",
    )


@given(
    st.dictionaries(
        st.text(max_size=6),
        st.one_of(st.text(max_size=12), st.integers(), st.none(), st.lists(st.text(max_size=3))),
        max_size=4,
    )
)
def test_canonical_json_is_the_encoders_text(payload: dict[str, object]) -> None:
    """The hashed payload text is exactly sorted, compact, non-ASCII JSON (HASH_VERSION 2)."""
    expected = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(payload) == expected


@given(
    st.datetimes(
        min_value=datetime(1976, 1, 1),
        max_value=datetime(2099, 12, 31),
        timezones=st.sampled_from([VN_TZ, UTC, timezone(timedelta(hours=-5))]),
    )
)
def test_a_written_moment_reads_back_as_the_same_moment_in_vietnam_time(moment: datetime) -> None:
    """The engine writes payload moments with ``iso()`` and ``start``/``apply`` read them back
    with ``_at``: the same instant, in Vietnam time, with the standard ISO text."""
    text = iso(moment)
    assert text == moment.isoformat()
    parsed = _at(text)
    assert parsed == moment and parsed.tzinfo is VN_TZ
