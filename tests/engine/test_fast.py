"""The engine's speed shortcuts (engine/_fast.py) give exactly what their plain twins give,
and the hashed text is the documented HASH_VERSION 2 encoding to the byte (issue 16)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tthc_flow._time import VN_TZ
from tthc_flow.engine import Dossier, Event
from tthc_flow.engine._fast import build_frozen, build_plain, copy_frozen, copy_plain

TEXT = st.text(max_size=8)
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1)).map(
    lambda m: m.replace(tzinfo=VN_TZ)
)
PAYLOADS = st.dictionaries(
    TEXT, st.one_of(TEXT, st.integers(), st.none(), st.booleans(), st.lists(TEXT, max_size=3))
)


@st.composite
def event_fields(draw: st.DrawFn) -> dict[str, object]:
    return {
        "dossier_code": draw(TEXT),
        "version": draw(st.integers(1, 10_000)),
        "trigger": draw(TEXT),
        "effect": draw(TEXT),
        "from_state": draw(TEXT),
        "to_state": draw(TEXT),
        "actor": draw(TEXT),
        "role": draw(TEXT),
        "at": draw(MOMENTS),
        "payload": draw(PAYLOADS),
        "prev_hash": draw(TEXT),
        "hash": draw(TEXT),
        "idempotency_key": draw(st.none() | TEXT),
        "seq": draw(st.integers(0, 10**9)),
        "payload_json": draw(st.none() | TEXT),
        "personal_nonce": draw(TEXT),
    }


@given(event_fields())
def test_an_event_built_without_init_equals_the_constructed_one(values: dict[str, object]) -> None:
    assert {f.name for f in fields(Event)} == set(values)
    fast, plain = build_frozen(Event, values), build_plain(Event, values)
    assert fast == plain and repr(fast) == repr(plain)
    assert fast.__dict__ == plain.__dict__  # the fields left out of == as well
    assert type(fast) is Event


@given(event_fields(), st.integers(1, 10**9), TEXT)
def test_a_copy_without_init_equals_dataclasses_replace(
    values: dict[str, object], seq: int, actor: str
) -> None:
    event = build_plain(Event, values)
    changes = {"seq": seq, "actor": actor}
    assert copy_frozen(event, changes).__dict__ == copy_plain(event, changes).__dict__
    assert event == build_plain(Event, values)  # the original is left as it was


@given(MOMENTS, st.integers(1, 50), TEXT, st.none() | st.sampled_from(["early", "late"]))
def test_a_dossier_copied_without_init_equals_dataclasses_replace(
    at: datetime, version: int, state: str, timeliness: str | None
) -> None:
    dossier = Dossier(
        code="SCT-260105-0001",
        procedure_code="2.000999",
        procedure_version=1,
        agency_code="SCT",
        applicant="Công ty A",
        channel="desk",
        state="received",
        version=1,
        last_hash="0" * 64,
        submitted_at=at,
        updated_at=at,
    )
    changes = {
        "state": state,
        "version": version,
        "updated_at": at + timedelta(hours=1),
        "resolution_timeliness": timeliness,
    }
    assert copy_frozen(dossier, changes) == copy_plain(dossier, changes)


def test_the_hashed_text_is_hash_version_2_to_the_byte() -> None:
    # computed by hand from the documented encoding (Event docs, docs/engine.md): code,
    # version, trigger, effect, idempotency key ("" for None), from, to, actor, role, ISO
    # time, canonical JSON (sorted keys, no spaces, non-ASCII kept), previous hash, joined
    # by U+001F, SHA-256 of the UTF-8 bytes
    event = Event.create(
        dossier_code="SCT-260105-0001",
        version=2,
        trigger="handover",
        effect="handover",
        from_state="received",
        to_state="appraisal",
        actor="clerk",
        role="one_stop",
        at=datetime(2026, 1, 5, 8, tzinfo=VN_TZ),
        payload={"role": "specialist", "ghi chú": "Hồ sơ đủ"},
        prev_hash="0" * 64,
    )
    assert event.hash == "4c532db75620bf8d958d7c32d6fe620a9c425540517db7f3130f36281cc6b969"
    assert event.verify()
