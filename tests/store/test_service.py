"""What a deployed service relies on, on every store: the outbox, durable timers, the change
feed, rolled-back batches and the compare-and-swap on the last hash."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.store.conftest import StoreFactory
from tthc_flow._time import VN_TZ
from tthc_flow.engine import Actor, Engine, Event, FixedClock
from tthc_flow.errors import ConcurrencyConflict, IntegrityError, TransitionNotAllowed
from tthc_flow.procedure import load_catalog
from tthc_flow.store import Delivery, RetryPolicy, deliver

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")
MONDAY = datetime(2026, 3, 2, 8, tzinfo=VN_TZ)


def _engine(store: object, clock: FixedClock, **kwargs: object) -> Engine:
    return Engine(CATALOG, store=store, clock=clock, **kwargs)  # type: ignore[arg-type]


def _drain(store: object, now: datetime, consumer: str = "c") -> list[Delivery]:
    found: list[Delivery] = []
    while True:
        batch = store.claim(consumer, now=now, limit=100)  # type: ignore[attr-defined]
        if not batch:
            return found
        for item in batch:
            store.ack(item, now=now)  # type: ignore[attr-defined]
        found += batch


def test_each_event_writes_its_messages_in_its_own_transaction(open_store: StoreFactory) -> None:
    """The receipt slip's SMS and the portal's status change exist exactly when the events
    do (Decree 118/2025/ND-CP art. 27.2.d: status synchronised with the national portal)."""
    store = open_store()
    clock = FixedClock(MONDAY)
    engine = _engine(store, clock)
    code = engine.receive("2.000234", applicant="Công ty A", channel="desk").code
    engine.fire(code, "handover", EVERYONE, MONDAY + timedelta(hours=1))
    delivered = _drain(store, MONDAY + timedelta(hours=2))
    topics = [(d.topic, d.payload.get("portal_status")) for d in delivered]
    # receipt: status 2 (Được tiếp nhận) and the appointment; hand-over: status 4 (Đang xử lý)
    assert sorted(topics) == [("notify.receipt", 2), ("portal.status", 2), ("portal.status", 4)]
    receipt = next(d for d in delivered if d.topic == "notify.receipt")
    assert receipt.key == f"{code}/1/notify.receipt"
    assert receipt.payload["applicant"] == "Công ty A" and receipt.payload["due_at"]
    assert _drain(store, MONDAY + timedelta(hours=3)) == []  # acknowledged: never again


def test_a_rolled_back_batch_leaves_nothing_behind(open_store: StoreFactory) -> None:
    """No event, message, timer, day number or hook of a rolled-back batch survives, and the
    engine forgets the dossiers it touched (issue: a stale cache after a rollback)."""
    store = open_store()
    clock = FixedClock(MONDAY)
    called: list[str] = []
    engine = _engine(store, clock)
    engine.register_hook("record", lambda d, e: called.append(e.trigger))
    with pytest.raises(RuntimeError), store.batch():
        engine.receive("2.000234", applicant="Công ty A", channel="desk")
        raise RuntimeError("abandon")
    assert list(store.events()) == [] and _drain(store, MONDAY) == []
    assert store.due_timers(MONDAY + timedelta(days=400)) == []
    again = engine.receive("2.000234", applicant="Công ty B", channel="desk")
    assert again.code.endswith("-0001")  # the number was given back
    assert engine.get(again.code).applicant == "Công ty B"
    assert store.verify().ok


def test_an_event_on_a_reissued_version_is_refused_by_its_hash(open_store: StoreFactory) -> None:
    """The store checks the previous hash, not only the version number: an event built on a
    version that another writer stored differently is refused and nothing is stored."""
    store = open_store()
    clock = FixedClock(MONDAY)
    a, b = _engine(store, clock), _engine(store, clock)
    code = a.receive("2.000234", applicant="Công ty A", channel="desk").code
    dossier = a.get(code)
    b.fire(code, "withdraw", EVERYONE, MONDAY + timedelta(hours=1), reason="rút")
    forged = Event.create(
        dossier_code=code,
        version=2,
        trigger="handover",
        effect="handover",
        from_state="received",
        to_state="appraise",
        actor="x",
        role="one_stop",
        at=MONDAY + timedelta(hours=2),
        payload={},
        prev_hash=dossier.last_hash,
    )
    # version 2 exists already: a plain version conflict
    with pytest.raises(ConcurrencyConflict):
        store.append([forged], dossier)
    third = Event.create(
        dossier_code=code,
        version=3,
        trigger="appraise",
        effect="advance",
        from_state="appraise",
        to_state="inspect",
        actor="x",
        role="specialist",
        at=MONDAY + timedelta(hours=3),
        payload={},
        prev_hash=forged.hash,  # version 2 as the forger believes it, not as stored
    )
    with pytest.raises(ConcurrencyConflict, match="not the one") as conflict:
        store.append([third], dossier)
    assert conflict.value.dossier_code == code
    assert (conflict.value.expected_version, conflict.value.stored_version) == (2, 2)
    assert [e.trigger for e in store.load_events(code)] == ["receive", "withdraw"]
    with pytest.raises(TransitionNotAllowed):  # the withdrawn dossier takes no appraisal
        a.fire(code, "appraise", EVERYONE, MONDAY + timedelta(hours=4))


def test_timers_fire_once_and_move_with_the_dossier(open_store: StoreFactory) -> None:
    """Received Mon 2 Mar 2026 08:00, limit 10 working days for 2.000234 (examples): due
    Mon 16 Mar 08:00 (2 and 9-13 Mar are working days, no holiday); due_soon two working
    days before: Thu 12 Mar 08:00 (ReminderPolicy.due_soon_working_days)."""
    store = open_store()
    clock = FixedClock(MONDAY)
    engine = _engine(store, clock)
    dossier = engine.receive("2.000234", applicant="Công ty A", channel="desk")
    code = dossier.code
    assert dossier.due_at == datetime(2026, 3, 16, 8, tzinfo=VN_TZ)
    pending = store.timers(code)
    assert pending["overdue"] == dossier.due_at
    assert pending["due_soon"] == datetime(2026, 3, 12, 8, tzinfo=VN_TZ)
    # art. 19.5: a gap may be sent back within 3 working days of receipt, the receipt day
    # not counted: Tue 3, Wed 4, Thu 5 March; the reminder opens that last day (07:30)
    assert pending["supplement_window"] == datetime(2026, 3, 5, 7, 30, tzinfo=VN_TZ)
    first = engine.run_due(datetime(2026, 3, 5, 8, tzinfo=VN_TZ))
    assert [t.kind for t in first] == ["supplement_window"]
    assert engine.run_due(datetime(2026, 3, 12, 7, 59, tzinfo=VN_TZ)) == []
    fired = engine.run_due(datetime(2026, 3, 12, 9, tzinfo=VN_TZ))
    assert [t.kind for t in fired] == ["due_soon"]
    assert engine.run_due(datetime(2026, 3, 12, 9, tzinfo=VN_TZ)) == []  # once
    # moving to a step keeps the fired reminder fired (its moment did not change)
    engine.fire(code, "handover", EVERYONE, datetime(2026, 3, 12, 10, tzinfo=VN_TZ))
    assert "due_soon" not in store.timers(code)
    late = engine.run_due(datetime(2026, 3, 17, 8, tzinfo=VN_TZ))
    assert sorted(t.kind for t in late) == ["overdue", "step_overdue"]
    messages = [d.topic for d in _drain(store, datetime(2026, 3, 17, 9, tzinfo=VN_TZ))]
    assert messages.count("timer.overdue") == 1 and messages.count("timer.due_soon") == 1
    assert messages.count("timer.supplement_window") == 1
    # resolved: no reminder is pending any more
    for trigger in ("appraise", "inspect", "approve"):
        engine.fire(code, trigger, EVERYONE, datetime(2026, 3, 17, 10, tzinfo=VN_TZ))
    assert store.timers(code) == {}


def test_an_unsupplemented_dossier_is_closed_by_the_scheduler_once(
    open_store: StoreFactory,
) -> None:
    store = open_store()
    clock = FixedClock(MONDAY)
    engine, other = _engine(store, clock), _engine(store, clock)
    code = engine.receive("2.000234", applicant="Công ty A", channel="desk").code
    engine.fire(code, "handover", EVERYONE, MONDAY + timedelta(hours=1))
    asked = MONDAY + timedelta(hours=2)
    engine.fire(code, "request_supplement", EVERYONE, asked, missing=["Bản vẽ"])
    closes = store.timers(code)["close_unsupplemented"]
    # asked Mon 2/3/2026 10:00; the notice day is not counted: 15 days end Tue 17/3 at 24:00
    # (a working day), so the timer is Wed 18/3 00:00 (Civil Code art. 147, 148.1, 148.6)
    assert closes == datetime(2026, 3, 18, 0, 0, tzinfo=VN_TZ)
    assert set(store.timers(code)) == {"close_unsupplemented"}
    assert engine.run_due(closes - timedelta(minutes=1)) == []
    first = engine.run_due(closes + timedelta(minutes=1))
    second = other.run_due(closes + timedelta(minutes=2))
    assert [t.kind for t in first] == ["close_unsupplemented"] and second == []
    # closed ("đóng hồ sơ", art. 19.5), not withdrawn by the applicant
    assert engine.get(code).state == "stopped" and store.timers(code) == {}
    assert [e.trigger for e in store.load_events(code)].count("stop") == 1


def test_reminder_queries_read_the_summary(open_store: StoreFactory) -> None:
    store = open_store()
    clock = FixedClock(MONDAY)
    engine = _engine(store, clock)
    late = engine.receive("2.000234", applicant="A", channel="desk")
    paused = engine.receive("2.000234", applicant="B", channel="desk", at=MONDAY)
    engine.fire(paused.code, "handover", EVERYONE, MONDAY + timedelta(hours=1))
    engine.fire(paused.code, "request_supplement", EVERYONE, MONDAY + timedelta(hours=2))
    soon = engine.receive("2.000234", applicant="C", channel="desk", at=MONDAY + timedelta(days=1))
    now = datetime(2026, 3, 16, 12, tzinfo=VN_TZ)  # after A's due 16/3 08:00, before C's 17/3
    assert [d.code for d in engine.overdue(now)] == [late.code]
    assert [d.code for d in engine.due_soon(now, timedelta(days=2))] == [soon.code]
    assert engine.overdue(now)[0].applicant == "A"


def _feed(store: object, position: str, expected: int) -> tuple[list[tuple[str, int]], str]:
    """Read the feed from ``position`` until ``expected`` events came (120 s at most): on
    PostgreSQL it hands out nothing newer than the oldest transaction still running in the
    database, which another test (or another project's tests on a shared server) may hold for
    a while (it lags, it never skips; seen lagging over 10 s on an overloaded host)."""
    import time

    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + 120
    while len(seen) < expected and time.monotonic() < deadline:
        page = store.changes(position, limit=3)  # type: ignore[attr-defined]
        seen += [(e.dossier_code, e.version) for e in page.events]
        position = page.position
        if not page.events:
            time.sleep(0.02)
    return seen, position


def test_the_change_feed_hands_out_every_event_once_in_order(open_store: StoreFactory) -> None:
    store = open_store()
    clock = FixedClock(MONDAY)
    engine = _engine(store, clock)
    codes = [engine.receive("2.000234", applicant=f"C{i}", channel="desk").code for i in range(7)]
    for code in codes[:4]:
        engine.fire(code, "handover", EVERYONE, MONDAY + timedelta(hours=1))
    seen, position = _feed(store, "", 11)
    assert seen == [(e.dossier_code, e.version) for e in store.events()]
    assert len(seen) == 11 and store.changes(position).events == []
    engine.fire(codes[5], "handover", EVERYONE, MONDAY + timedelta(hours=2))
    assert _feed(store, position, 1)[0] == [(codes[5], 2)]


def test_failed_deliveries_come_back_after_their_backoff_in_order(
    open_store: StoreFactory,
) -> None:
    """A message is given back on failure and the dossier's later messages of its topic wait
    for it (per-dossier order); a lease that runs out makes it deliverable again."""
    store = open_store()
    clock = FixedClock(MONDAY)
    engine = _engine(store, clock)
    code = engine.receive("2.000234", applicant="A", channel="desk").code
    engine.fire(code, "handover", EVERYONE, MONDAY + timedelta(hours=1))
    sent: list[str] = []

    def fail_once(item: Delivery) -> None:
        if item.version == 1 and item.attempts == 1:
            raise OSError("portal unreachable")
        sent.append(item.key)

    portal = frozenset({"portal.status"})
    now = MONDAY + timedelta(hours=2)
    report = deliver(store, fail_once, consumer="w1", now=now, topics=portal)
    assert (report.delivered, report.failed) == (0, 1) and sent == []  # the second waits
    policy = RetryPolicy()
    assert deliver(store, fail_once, consumer="w1", now=now, topics=portal).delivered == 0
    later = now + policy.delay(1) + timedelta(seconds=1)
    deliver(store, fail_once, consumer="w1", now=later, topics=portal)
    deliver(store, fail_once, consumer="w1", now=later + timedelta(minutes=5), topics=portal)
    assert sent == [f"{code}/1/portal.status", f"{code}/2/portal.status"]
    # a consumer that dies holding a lease: the message comes back when the lease runs out
    held = store.claim("dead", now=later, lease=timedelta(seconds=30))
    assert [d.topic for d in held] == ["notify.receipt"]
    assert store.claim("w2", now=later + timedelta(seconds=29)) == []
    again = store.claim("w2", now=later + timedelta(seconds=31))
    assert [d.key for d in again] == [held[0].key] and again[0].attempts == 2


def test_a_broken_chain_is_an_integrity_error_naming_the_dossier(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from tthc_flow.store import SqlStore

    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = _engine(SqlStore(url), FixedClock(MONDAY))
    code = engine.receive("2.000234", applicant="A", channel="desk").code
    engine.fire(code, "handover", EVERYONE, MONDAY + timedelta(hours=1))
    raw = sa.create_engine(url)
    with raw.begin() as conn:
        conn.exec_driver_sql("UPDATE events SET prev_hash = 'x' WHERE version = 2")
    raw.dispose()
    with pytest.raises(IntegrityError, match=f"dossier {code} event 2") as broken:
        SqlStore(url).load(code)
    assert (broken.value.dossier_code, broken.value.version) == (code, 2)


def test_an_idempotent_replay_answers_the_dossier_as_stored_now(open_store: StoreFactory) -> None:
    """A client retries a command another process already applied, after a third change:
    the retry stores nothing and answers the current dossier, not the one it remembers."""
    store = open_store()
    clock = FixedClock(MONDAY)
    a, b = _engine(store, clock), _engine(store, clock)
    code = a.receive("2.000234", applicant="A", channel="desk").code
    a.fire(code, "handover", EVERYONE, MONDAY + timedelta(hours=1), idempotency_key="k1")
    b.fire(code, "appraise", EVERYONE, MONDAY + timedelta(hours=2))
    again = a.fire(code, "handover", EVERYONE, MONDAY + timedelta(hours=1), idempotency_key="k1")
    assert (again.state, again.version) == ("inspect", 3)
    assert len(store.load_events(code)) == 3


def test_one_engine_shared_by_threads(open_store: StoreFactory) -> None:
    """Eight threads fire on the same dossiers through one engine: every command is applied
    once or loses with a real reason; the store verifies."""
    import threading

    store = open_store()
    clock = FixedClock(MONDAY)
    engine = _engine(store, clock)
    codes = [engine.receive("2.000234", applicant=f"A{i}", channel="desk").code for i in range(20)]
    outcomes: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        for code in codes:
            for trigger in ("handover", "appraise", "inspect", "approve", "return_result"):
                try:
                    engine.fire(code, trigger, EVERYONE)
                    result = "applied"
                except (TransitionNotAllowed, ConcurrencyConflict) as exc:
                    result = type(exc).__name__
                with lock:
                    outcomes.append(result)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("applied") == 20 * 5
    assert all(engine.get(code).state == "returned" for code in codes)
    assert store.verify().ok


@pytest.mark.parametrize("pre_ping", [False, True])
def test_postgresql_going_away_fails_one_command_cleanly(pg_url: str, pre_ping: bool) -> None:
    """Every connection of the store is killed by the server (a restart, a failover): the
    next command fails with a StoreError and writes nothing, and the one after works; with
    ``pool_pre_ping`` not even that one fails."""
    import uuid

    import sqlalchemy as sa

    from tthc_flow.errors import StoreError
    from tthc_flow.store import SqlStore

    name = f"tthc-goes-away-{uuid.uuid4().hex[:8]}"  # only this store's connections are cut
    store = SqlStore(f"{pg_url}&application_name={name}", pool_size=2, pool_pre_ping=pre_ping)
    engine = _engine(store, FixedClock(MONDAY))
    code = engine.receive("2.000234", applicant="A", channel="desk").code
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": name},
        ).scalar_one()
    admin.dispose()
    assert killed >= 1
    if not pre_ping:
        with pytest.raises(StoreError, match="database"):
            engine.fire(code, "handover", EVERYONE, MONDAY + timedelta(hours=1))
        assert len(store.load_events(code)) == 1  # nothing half-written; the pool was renewed
    engine.fire(code, "handover", EVERYONE, MONDAY + timedelta(hours=1))
    assert [e.trigger for e in store.load_events(code)] == ["receive", "handover"]
    store.close()


def test_an_online_submission_has_the_desks_timers(open_store: StoreFactory) -> None:
    """Decree 118/2025/ND-CP art. 17.2: submitted online Fri 24/4/2026 16:00, staff alerted
    within 2 hours (Fri 18:00) and the dossier received or sent back within 8 working hours:
    Fri 16:00-17:00 (1 h), 25-27/4 off (weekend, the 2026 swap for 30/4), Tue 28/4
    07:30-11:30 (5 h) and 13:00-16:00 (8 h): Tue 28/4 16:00 (hand count as in
    tests/engine/test_legal_clock.py)."""
    store = open_store()
    engine = _engine(store, FixedClock(MONDAY))
    friday = datetime(2026, 4, 24, 16, tzinfo=VN_TZ)
    code = engine.submit("2.000234", "Công ty A", "online", at=friday).code
    assert store.timers(code) == {
        "online_alert": datetime(2026, 4, 24, 18, tzinfo=VN_TZ),
        "online_accept": datetime(2026, 4, 28, 16, tzinfo=VN_TZ),
    }
    fired = engine.run_due(datetime(2026, 4, 28, 16, 1, tzinfo=VN_TZ))
    assert sorted(t.kind for t in fired) == ["online_accept", "online_alert"]
    engine.fire(code, "accept", EVERYONE, datetime(2026, 4, 28, 16, 30, tzinfo=VN_TZ))
    assert "online_accept" not in store.timers(code) and "overdue" in store.timers(code)
