"""Tamper evidence on every store: forgeries made with the public Event.create, and naive edits.

Issue 20 item 2: 12 of 12 forgeries passed ``verify()``. Each forgery below is what someone
with write access to the database can do without the chain key; the table says which
evidence catches it (the key, an anchor kept outside the database, the day numbers), and the
tests hold both halves: caught where the table says, and (for the limits documented in
docs/security.md) not provable where it does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.store.conftest import StoreFactory
from tests.store.forgers import Forger, recreate
from tthc_flow._time import VN_TZ
from tthc_flow.audit import (
    Anchor,
    audit_export,
    audit_store,
    check_anchor,
    save_export,
    store_day_numbers,
    take_anchor,
)
from tthc_flow.engine import Actor, ChainKey, Engine, Event, FixedClock
from tthc_flow.errors import IntegrityError
from tthc_flow.procedure import load_catalog

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")
MONDAY = datetime(2026, 3, 2, 8, tzinfo=VN_TZ)
OPERATOR = ChainKey(bytes(range(32)))
FORGERS_OWN = ChainKey(bytes(range(100, 132)))


@dataclass
class Office:
    """Four dossiers of one day; ``a`` has four events, all before the anchor."""

    store: Any
    engine: Engine
    a: str
    b: str
    c: str
    d: str
    anchor: Anchor


def _office(store: Any, key: ChainKey | None) -> Office:
    engine = Engine(CATALOG, store=store, clock=FixedClock(MONDAY), key=key)
    codes = [
        engine.receive("2.000234", applicant=f"Công ty {name}", channel="desk").code
        for name in "ABCD"
    ]
    a, b, c, d = codes
    for hour, trigger in enumerate(("handover", "appraise", "inspect"), start=1):
        engine.fire(a, trigger, EVERYONE, MONDAY + timedelta(hours=hour))
    engine.fire(b, "handover", EVERYONE, MONDAY + timedelta(hours=1))
    anchor = take_anchor(store, now=MONDAY + timedelta(hours=5))
    # after the anchor: a legitimate event the anchor neither covers nor forbids
    engine.fire(c, "handover", EVERYONE, MONDAY + timedelta(hours=6))
    return Office(store, engine, a, b, c, d, anchor)


def _note(after: Event, text: str) -> Event:
    """A forged event following ``after`` (no state change; the replay folds it)."""
    return Event.create(
        dossier_code=after.dossier_code,
        version=after.version + 1,
        trigger="note",
        effect="note",
        from_state=after.to_state,
        to_state=after.to_state,
        actor="clerk-07",
        role="one_stop",
        at=after.at + timedelta(minutes=5),
        payload={"note": text},
        prev_hash=after.hash,
    )


Forgery = Callable[[Office, Forger, ChainKey | None], str]
"""Forge the office's data; returns the dossier code it forged or removed."""


def _append(o: Office, f: Forger, key: ChainKey | None) -> str:
    chain = o.store.load_events(o.a)
    note = replace(_note(chain[-1], "đã thẩm định"), seq=0)
    f.replace_chain(o.a, [*chain, *recreate([note], key, after=chain[-1])])
    return o.a


def _insert(o: Office, f: Forger, key: ChainKey | None) -> str:
    chain = o.store.load_events(o.a)
    inserted = replace(_note(chain[1], "bổ sung"), seq=0)
    f.replace_chain(o.a, recreate([*chain[:2], inserted, *chain[2:]], key))
    return o.a


def _rewrite_applicant(o: Office, f: Forger, key: ChainKey | None) -> str:
    chain = o.store.load_events(o.a)
    first = replace(chain[0], payload={**chain[0].payload, "applicant": "Công ty Khác"})
    f.replace_chain(o.a, recreate([first, *chain[1:]], key))
    return o.a


def _backdate(o: Office, f: Forger, key: ChainKey | None) -> str:
    chain = o.store.load_events(o.a)
    last = replace(chain[-1], at=chain[-1].at - timedelta(minutes=30))
    f.replace_chain(o.a, recreate([*chain[:-1], last], key))
    return o.a


def _change_actor(o: Office, f: Forger, key: ChainKey | None) -> str:
    chain = o.store.load_events(o.a)
    f.replace_chain(
        o.a, recreate([chain[0], replace(chain[1], actor="leader-02"), *chain[2:]], key)
    )
    return o.a


def _delete_middle(o: Office, f: Forger, key: ChainKey | None) -> str:
    chain = o.store.load_events(o.a)
    # the hand-over is removed; the appraisal then follows the receipt directly
    f.replace_chain(
        o.a, recreate([chain[0], replace(chain[2], from_state=chain[0].to_state), chain[3]], key)
    )
    return o.a


def _rewrite_chain(o: Office, f: Forger, key: ChainKey | None) -> str:
    chain = o.store.load_events(o.a)
    # every event 20 minutes later, by another clerk (a day's shift would also move the
    # receipt off the day its code names, which the day numbers would catch)
    moved = [replace(e, at=e.at + timedelta(minutes=20), actor="clerk-09") for e in chain]
    f.replace_chain(o.a, recreate(moved, key))
    return o.a


def _truncate(o: Office, f: Forger, key: ChainKey | None) -> str:
    f.replace_chain(o.a, o.store.load_events(o.a)[:-1])
    return o.a


def _delete_dossier(o: Office, f: Forger, key: ChainKey | None) -> str:
    f.delete_dossier(o.b)
    return o.b


def _delete_last_and_counter(o: Office, f: Forger, key: ChainKey | None) -> str:
    f.delete_dossier(o.d)
    f.set_counter("SCT", MONDAY.date(), 3)
    return o.d


def _forged_dossier(o: Office, f: Forger, key: ChainKey | None) -> str:
    code = "SCT-260302-0005"
    receipt = o.store.load_events(o.d)[0]
    forged = replace(
        receipt, dossier_code=code, seq=0, payload={**receipt.payload, "applicant": "Ma"}
    )
    f.replace_chain(code, recreate([forged], key))
    return code


def _forged_dossier_and_counter(o: Office, f: Forger, key: ChainKey | None) -> str:
    code = _forged_dossier(o, f, key)
    f.set_counter("SCT", MONDAY.date(), 5)
    return code


FORGERIES: dict[str, tuple[Forgery, frozenset[str]]] = {
    "append an event": (_append, frozenset({"key"})),
    "insert an event": (_insert, frozenset({"key", "anchor"})),
    "rewrite the applicant": (_rewrite_applicant, frozenset({"key", "anchor"})),
    "backdate an event": (_backdate, frozenset({"key", "anchor"})),
    "change an actor": (_change_actor, frozenset({"key", "anchor"})),
    "delete a middle event": (_delete_middle, frozenset({"key", "anchor"})),
    "rewrite a whole chain": (_rewrite_chain, frozenset({"key", "anchor"})),
    "truncate a chain": (_truncate, frozenset({"anchor"})),
    "delete a whole dossier": (_delete_dossier, frozenset({"anchor", "numbers"})),
    "delete the day's last dossier and its number": (
        _delete_last_and_counter,
        frozenset({"anchor"}),
    ),
    "forge a dossier": (_forged_dossier, frozenset({"key", "numbers"})),
    "forge a dossier and its number": (_forged_dossier_and_counter, frozenset({"key"})),
}


@pytest.mark.parametrize("kind", list(FORGERIES))
def test_without_a_key_a_forgery_passes_verify_and_the_anchor_and_numbers_catch_it(
    open_store: StoreFactory, kind: str
) -> None:
    """Today's evidence and where it stops: each forgery is consistent (``verify()`` passes,
    as the attack found); an anchor catches what lies at or before its position, the day
    numbers catch a dossier removed or added without its counter."""
    forgery, caught_by = FORGERIES[kind]
    office = _office(open_store(), key=None)
    assert audit_store(office.store, anchor=office.anchor).ok  # the untouched office
    forgery(office, Forger(office.store), None)
    store = open_store()  # what another process reads
    assert store.verify().ok
    assert check_anchor(store, office.anchor).ok is ("anchor" not in caught_by)
    assert store_day_numbers(store).ok is ("numbers" not in caught_by)


@pytest.mark.parametrize("forgers_key", [None, FORGERS_OWN], ids=["unkeyed", "own key"])
@pytest.mark.parametrize("kind", list(FORGERIES))
def test_with_the_key_and_an_anchor_every_forgery_is_caught_online_and_offline(
    open_store: StoreFactory, tmp_path: Path, kind: str, forgers_key: ChainKey | None
) -> None:
    forgery, caught_by = FORGERIES[kind]
    office = _office(open_store(), key=OPERATOR)
    assert audit_store(office.store, key=OPERATOR, anchor=office.anchor).ok
    forged = forgery(office, Forger(office.store), forgers_key)
    store = open_store()
    report = store.verify(OPERATOR)
    if "key" in caught_by:
        assert [p.dossier_code for p in report.problems] == [forged]
        expected = "another key" if forgers_key is not None else "not keyed"
        assert expected in (report.reason or "")
    else:
        assert report.ok  # what a key cannot show: events or dossiers that are gone
    audited = audit_store(store, key=OPERATOR, anchor=office.anchor)
    assert not audited.ok
    assert audited.anchor is not None and audited.anchor.ok is ("anchor" not in caught_by)
    assert audited.numbers.ok is ("numbers" not in caught_by)
    export = tmp_path / "chain.jsonl"
    save_export(store, export)
    offline = audit_export(export, key=OPERATOR, anchor=office.anchor)
    assert (offline.chains.ok, offline.numbers.ok, offline.anchor and offline.anchor.ok) == (
        audited.chains.ok,
        audited.numbers.ok,
        audited.anchor.ok,
    )
    assert offline.export_problem is None


def test_forgeries_after_the_anchor_need_the_key(open_store: StoreFactory) -> None:
    """An anchor proves nothing after its position: a forged event appended later passes it;
    the key catches it."""
    office = _office(open_store(), key=OPERATOR)
    _append(office, Forger(office.store), None)
    assert check_anchor(office.store, office.anchor).ok
    assert not office.store.verify(OPERATOR).ok


def test_naive_edits_are_caught_and_every_broken_dossier_is_named(open_store: StoreFactory) -> None:
    """Edits without recomputing a hash (the 34 naive edits of the attack): caught with or
    without the key, every broken dossier reported with its version."""
    store = open_store()
    office = _office(store, key=None)
    chains = {code: store.load_events(code) for code in (office.a, office.b, office.c)}
    forger = Forger(store)
    a = chains[office.a]
    edited = replace(a[2], payload={**a[2].payload, "edited": True})
    forger.replace_chain(office.a, [*a[:2], edited, a[3]], naive=True)
    b = chains[office.b]
    forger.replace_chain(office.b, [b[0], replace(b[1], actor="someone")], naive=True)
    c = chains[office.c]
    forger.replace_chain(office.c, [c[0], replace(c[1], prev_hash="f" * 64)], naive=True)
    report = open_store().verify()
    assert [(p.dossier_code, p.version) for p in report.problems] == [
        (office.a, 3),
        (office.b, 2),
        (office.c, 2),
    ]
    assert (report.broken_dossier, report.broken_version) == (office.a, 3)  # the old fields
    assert "altered" in report.problems[0].reason and "prev_hash" in report.problems[2].reason
    assert report.describe().count("\n") == 2


def test_a_fresh_engine_refuses_to_write_onto_a_broken_chain(open_store: StoreFactory) -> None:
    """load() checks the links (memory: the last one; SQL: every one, and every unkeyed
    hash); a command on such a dossier is an IntegrityError naming it and nothing is written."""
    store = open_store()
    office = _office(store, key=None)
    chain = store.load_events(office.a)
    edited = replace(chain[-1], actor="someone")
    Forger(store).replace_chain(office.a, [*chain[:-1], edited], naive=True)
    fresh = Engine(CATALOG, store=open_store(), clock=FixedClock(MONDAY))
    with pytest.raises(IntegrityError, match=f"dossier {office.a} event 4") as broken:
        fresh.fire(office.a, "approve", EVERYONE, MONDAY + timedelta(hours=8))
    assert (broken.value.dossier_code, broken.value.version) == (office.a, 4)
    assert len(open_store().load_events(office.a)) == 4


def test_keys_rotate_and_old_unkeyed_events_are_accepted_up_to_a_seq(
    open_store: StoreFactory,
) -> None:
    """A store that adopts a key: events up to ``unkeyed_through`` (written before) may be
    unkeyed; after it every event must be keyed; both old and new keys verify."""
    store = open_store()
    old = _office(store, key=None)
    adopted_at = max(e.seq for e in store.events())
    new_key = ChainKey(bytes(range(50, 82)))
    with_key = Engine(CATALOG, store=store, clock=FixedClock(MONDAY), key=OPERATOR)
    with_key.fire(old.b, "appraise", EVERYONE, MONDAY + timedelta(hours=7))
    rotated = Engine(CATALOG, store=store, clock=FixedClock(MONDAY), key=new_key)
    rotated.fire(old.b, "inspect", EVERYONE, MONDAY + timedelta(hours=8))
    assert store.verify([OPERATOR, new_key], unkeyed_through=adopted_at).ok
    assert not store.verify([OPERATOR, new_key]).ok  # the old events are unkeyed
    missing = store.verify(OPERATOR, unkeyed_through=adopted_at)
    assert [(p.dossier_code, p.version) for p in missing.problems] == [(old.b, 4)]


def test_the_memory_stores_load_check_never_sees_an_append_half_done() -> None:
    """An append writes the rows, then the state: a load from another thread in between must
    look again under the lock, not call the chain broken (it did, with threads switching
    every microsecond)."""
    import sys
    import threading

    from store_workers import chain, next_event

    from tthc_flow.engine import apply, replay
    from tthc_flow.store import MemoryStore

    store = MemoryStore()
    events, _ = chain("A", 1)
    store.append(events, replay(events))
    errors: list[IntegrityError] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                store.load("A")
            except IntegrityError as exc:
                errors.append(exc)
                return

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        dossier = replay(events)
        for _ in range(3000):
            event = next_event(dossier)
            dossier = apply(dossier, event)
            store.append([event], dossier)
    finally:
        done.set()
        reader.join()
        sys.setswitchinterval(interval)
    assert errors == [] and store.verify().ok
