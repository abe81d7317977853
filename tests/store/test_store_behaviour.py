"""The Store protocol's semantics, identical on MemoryStore, SQLite and PostgreSQL."""

from __future__ import annotations

import gc
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from store_workers import T0, chain, first_event, next_event

from tthc_flow.engine import apply, replay
from tthc_flow.errors import ConcurrencyConflict, StoreError
from tthc_flow.store import DossierQuery, MemoryStore
from tthc_flow.store._memory import matches


def test_append_then_load_gives_the_events_and_the_replayed_dossier(store: Any) -> None:
    events, dossier = chain("SCT-1", 5)
    stored = store.append(events[:2], replay(events[:2]))
    for k in range(2, 5):
        stored = [*stored, *store.append([events[k]], replay(events[: k + 1]))]
    assert [e.seq for e in stored] == sorted({e.seq for e in stored})
    assert store.load_events("SCT-1") == events
    assert store.load("SCT-1") == dossier
    assert store.load("nope") is None and store.load_events("nope") == []
    assert store.verify().ok


def test_datetimes_round_trip_in_vietnam_time_and_other_offsets_keep_the_hash(store: Any) -> None:
    at = datetime(2026, 3, 2, 1, 2, 3, 456789, tzinfo=UTC)  # 08:02:03.456789 in Hà Nội
    event = first_event("SCT-1", at)
    store.append([event], replay([event]))
    loaded = store.load_events("SCT-1")[0]
    assert loaded == event and loaded.verify()
    assert loaded.at.isoformat() == event.at.isoformat()
    dossier = store.load("SCT-1")
    assert dossier.submitted_at == at and dossier.submitted_at.isoformat() == at.isoformat()
    shifted = first_event("SCT-2", at.astimezone(timezone(timedelta(hours=-5))))
    store.append([shifted], replay([shifted]))
    assert store.load_events("SCT-2")[0].at.isoformat() == shifted.at.isoformat()
    assert store.verify().ok


@pytest.mark.parametrize("stale_version", [1, 2, 4])
def test_a_wrong_expected_version_conflicts_and_stores_nothing(
    store: Any, stale_version: int
) -> None:
    events, _ = chain("SCT-1", 3)
    store.append(events, replay(events))
    stale = replay(events[:stale_version]) if stale_version <= 3 else replay(events)
    bad = next_event(stale) if stale_version <= 3 else replace(next_event(stale), version=5)
    if stale_version == 3:
        pytest.skip("version 3 is the current one")
    with pytest.raises(ConcurrencyConflict):
        store.append([bad], apply(stale, next_event(stale)) if stale_version <= 3 else stale)
    assert store.load_events("SCT-1") == events
    assert store.load("SCT-1") == replay(events)
    assert len(list(store.events())) == 3


def test_creating_an_existing_dossier_conflicts(store: Any) -> None:
    event = first_event("SCT-1")
    store.append([event], replay([event]))
    again = first_event("SCT-1", T0 + timedelta(hours=1))
    with pytest.raises(ConcurrencyConflict):
        store.append([again], replay([again]))
    assert store.load_events("SCT-1") == [event]


def test_idempotency_keys_are_found_and_cannot_be_reused(store: Any) -> None:
    created = first_event("SCT-1", key="create-1")
    store.append([created], replay([created]))
    dossier = replay([created])
    noted = next_event(dossier, key="note-1")
    store.append([noted], apply(dossier, noted))
    assert store.find_idempotent(None, "create-1") == created
    assert store.find_idempotent("SCT-1", "note-1") == noted
    assert store.find_idempotent(None, "note-1") is None
    assert store.find_idempotent("SCT-1", "other") is None
    dossier = apply(dossier, noted)
    reused = next_event(dossier, key="note-1")
    with pytest.raises(ConcurrencyConflict):
        store.append([reused], apply(dossier, reused))
    other = first_event("SCT-2", key="create-1")
    with pytest.raises(ConcurrencyConflict):
        store.append([other], replay([other]))
    assert store.load("SCT-1") == dossier and store.load("SCT-2") is None


def test_next_sequence_counts_per_agency_and_day(store: Any) -> None:
    day = date(2026, 3, 2)
    assert [store.next_sequence("SCT", day) for _ in range(3)] == [1, 2, 3]
    assert store.next_sequence("SXD", day) == 1
    assert store.next_sequence("SCT", day + timedelta(days=1)) == 1
    assert store.next_sequence("SCT", day) == 4


def test_events_come_in_seq_order_across_dossiers(store: Any) -> None:
    a, _ = chain("A", 3)
    b, _ = chain("B", 2)
    order = [(a, 1), (b, 1), (a, 2), (b, 2), (a, 3)]
    for events, n in order:
        store.append([events[n - 1]], replay(events[:n]))
    listed = list(store.events())
    assert [(e.dossier_code, e.version) for e in listed] == [
        ("A", 1),
        ("B", 1),
        ("A", 2),
        ("B", 2),
        ("A", 3),
    ]
    assert [e.seq for e in listed] == sorted(e.seq for e in listed)


def _population(store: Any) -> list[Any]:
    """Dossiers of two agencies and procedures, received over days, some resolved."""
    from tthc_flow.engine import Event

    dossiers = []
    for i in range(12):
        at = T0 + timedelta(days=i, hours=i % 3)
        event = first_event(f"D{i:02d}", at, agency_code="SCT" if i % 2 else "SXD")
        if i % 4 == 0:
            event = replace(event, payload={**event.payload, "procedure_code": "1.000001"})
            event = Event.create(
                **{
                    k: getattr(event, k)
                    for k in (
                        "dossier_code",
                        "version",
                        "trigger",
                        "effect",
                        "from_state",
                        "to_state",
                        "actor",
                        "role",
                        "at",
                        "payload",
                        "prev_hash",
                        "idempotency_key",
                    )
                }
            )
        dossier = replay([event])
        store.append([event], dossier)
        if i % 3 != 2:
            done = Event.create(
                dossier_code=dossier.code,
                version=2,
                trigger="approve",
                effect="approve",
                from_state="received",
                to_state="result_ready",
                actor="ld",
                role="leader",
                at=at + timedelta(days=i % 5),
                payload={"timeliness": ("early", "late")[i % 2]},
                prev_hash=dossier.last_hash,
            )
            dossier = apply(dossier, done)
            store.append([done], dossier)
        if i % 5 == 0:
            back = Event.create(
                dossier_code=dossier.code,
                version=dossier.version + 1,
                trigger="return_result",
                effect="return",
                from_state=dossier.state,
                to_state="returned",
                actor="os",
                role="one_stop",
                at=dossier.updated_at + timedelta(hours=1),
                payload={"method": "desk"},
                prev_hash=dossier.last_hash,
            )
            dossier = apply(dossier, back)
            store.append([back], dossier)
        dossiers.append(dossier)
    return dossiers


QUERIES = [
    DossierQuery(),
    DossierQuery(states=frozenset({"received"})),
    DossierQuery(states=frozenset({"returned", "result_ready"})),
    DossierQuery(procedure_code="1.000001"),
    DossierQuery(agency_code="SCT"),
    DossierQuery(open_only=True),
    DossierQuery(due_before=T0 + timedelta(days=20)),
    DossierQuery(received_from=T0 + timedelta(days=3), received_until=T0 + timedelta(days=7)),
    DossierQuery(received_from=T0 + timedelta(days=4, hours=1)),
    DossierQuery(resolved_from=T0 + timedelta(days=5), resolved_until=T0 + timedelta(days=9)),
    DossierQuery(timeliness="late", agency_code="SCT"),
    DossierQuery(open_only=True, agency_code="SXD", due_before=T0 + timedelta(days=30)),
    DossierQuery(received_until=(T0 + timedelta(days=2)).astimezone(UTC)),
]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_find_matches_the_reference_filter(store: Any, query: DossierQuery) -> None:
    dossiers = _population(store)
    expected = sorted(d.code for d in dossiers if matches(d, query))
    assert store.find(query) == expected  # sorted by code on every store
    if not isinstance(store, MemoryStore):
        assert expected or query.timeliness  # the population exercises every filter


def test_dossiers_and_verify_cover_every_stored_dossier(store: Any) -> None:
    dossiers = _population(store)
    assert list(store.dossiers()) == sorted(dossiers, key=lambda d: d.code)
    report = store.verify()
    assert report.ok
    assert report.dossiers_checked == 12
    assert report.events_checked == sum(d.version for d in dossiers)


def test_a_second_store_on_the_same_database_sees_everything(open_store: Any) -> None:
    first = open_store()
    events, dossier = chain("SCT-1", 4)
    first.append(events, dossier)
    second = open_store()
    assert second.load("SCT-1") == dossier
    assert second.next_sequence("SCT", date(2026, 3, 2)) == 1
    assert first.next_sequence("SCT", date(2026, 3, 2)) == 2


def test_naive_query_datetimes_are_refused(store: Any) -> None:
    _population(store)
    with pytest.raises((TypeError, ValueError)):
        store.find(DossierQuery(due_before=datetime(2026, 3, 20)))


def test_a_batch_must_be_one_dossiers_contiguous_versions(store: Any) -> None:
    events, dossier = chain("SCT-1", 4)
    other, _ = chain("SCT-2", 2)
    for bad, summary in (
        ([events[0], events[2]], dossier),
        ([events[0], other[1]], dossier),
        (events, replay(other)),
    ):
        with pytest.raises(StoreError, match="append"):
            store.append(bad, summary)
    assert store.load("SCT-1") is None and list(store.events()) == []
    store.append(events, dossier)
    assert store.load("SCT-1") == dossier


def test_batch_groups_appends_on_every_store(store: Any) -> None:
    with store.batch():
        for code in ("B", "A"):
            events, dossier = chain(code, 2)
            store.append(events, dossier)
    assert [d.code for d in store.dossiers()] == ["A", "B"]
    store.check()


def test_an_append_whose_later_event_reuses_a_key_stores_none_of_its_events(store: Any) -> None:
    created = first_event("SCT-1")
    dossier = replay([created])
    noted = next_event(dossier, key="k")
    dossier = apply(dossier, noted)
    store.append([created, noted], dossier)
    first = next_event(dossier, note="a")
    second = next_event(apply(dossier, first), key="k")  # used by ``noted``
    with pytest.raises(ConcurrencyConflict, match="'k'"):
        store.append([first, second], apply(apply(dossier, first), second))
    assert store.load_events("SCT-1") == [created, noted] and store.load("SCT-1") == dossier
    assert store.verify().ok


def test_memory_store_rows_are_invisible_to_the_garbage_collector() -> None:
    """MemoryStore keeps events as rows of plain values so that Python's cyclic collector
    need not walk them (docs/performance.md): after two collections (the first untracks the
    rows, the second the tuple holding them) none is tracked, while
    the events read back are equal to those appended."""
    store = MemoryStore()
    events, dossier = chain("GC-1", 4)
    store.append(events, dossier)
    gc.collect()
    gc.collect()
    rows = store._events["GC-1"]
    assert len(rows) == 4 and not gc.is_tracked(rows)
    assert not any(gc.is_tracked(row) for row in rows)
    assert store.load_events("GC-1") == events
