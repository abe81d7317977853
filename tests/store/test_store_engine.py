"""End to end: the Engine with the example catalog on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tthc_flow._time import VN_TZ
from tthc_flow.engine import Actor, Engine, FixedClock, replay
from tthc_flow.errors import TransitionNotAllowed
from tthc_flow.procedure import load_catalog
from tthc_flow.store import DossierQuery, SqlStore

CATALOG = load_catalog(Path(__file__).parents[2] / "examples" / "so-cong-thuong")
EVERYONE = Actor.of("all", "one_stop", "specialist", "leader")


def _engine(url: str, clock: FixedClock) -> Engine:
    return Engine(CATALOG, store=SqlStore(url), clock=clock)


def test_a_dossier_runs_to_its_return_and_a_second_engine_sees_it(sql_url: str) -> None:
    clock = FixedClock(datetime(2026, 3, 2, 8, tzinfo=VN_TZ))
    first = _engine(sql_url, clock)
    dossier = first.receive("2.000234", applicant="Công ty A", channel="desk")
    for trigger in ("handover", "appraise", "inspect", "approve", "return_result"):
        clock.advance(timedelta(hours=1))
        dossier = first.fire(dossier.code, trigger, EVERYONE)
    assert dossier.state == "returned" and dossier.outcome == "approved"
    second = _engine(sql_url, clock)
    assert second.get(dossier.code) == first.get(dossier.code)
    assert [e.trigger for e in second.history(dossier.code)][-1] == "return_result"
    assert second.store.find(DossierQuery(states=frozenset({"returned"}))) == [dossier.code]
    assert second.store.verify().ok
    following = second.receive("2.000234", applicant="Công ty B", channel="desk")
    assert following.code.endswith("0002")  # the day's counter is shared through the database


def test_a_stale_engine_decides_on_the_stored_dossier_and_stores_nothing_it_refuses(
    sql_url: str,
) -> None:
    clock = FixedClock(datetime(2026, 3, 2, 8, tzinfo=VN_TZ))
    stale, fresh = _engine(sql_url, clock), _engine(sql_url, clock)
    code = stale.receive("2.000234", applicant="Công ty A", channel="desk").code
    clock.advance(timedelta(hours=1))
    fresh.fire(code, "handover", EVERYONE)
    before = fresh.history(code)
    clock.advance(timedelta(hours=1))
    # it still believes the dossier is received: the store's compare-and-swap refuses the
    # stale decision, and on the stored dossier ("appraise") a hand-over is not allowed
    with pytest.raises(TransitionNotAllowed, match="'appraise'") as info:
        stale.fire(code, "handover", EVERYONE)
    assert (info.value.state, info.value.trigger) == ("appraise", "handover")
    assert fresh.history(code) == before
    assert stale.fire(code, "appraise", EVERYONE).version == 3


def test_batched_engine_commands_commit_together(sql_url: str) -> None:
    clock = FixedClock(datetime(2026, 3, 2, 8, tzinfo=VN_TZ))
    engine = _engine(sql_url, clock)
    store = engine.store
    assert isinstance(store, SqlStore)
    with pytest.raises(RuntimeError), store.batch():
        engine.receive("2.000234", applicant="Công ty A", channel="desk")
        raise RuntimeError("abandon")
    with store.batch():
        for i in range(3):
            engine.receive("2.000234", applicant=f"Công ty {i}", channel="desk")
    assert len(store.find(DossierQuery())) == 3
    assert store.verify().ok


def test_data_given_as_tuples_is_stored_as_lists_so_replay_matches(store: Any) -> None:
    """Every store gives payload arrays back as lists (JSON); the engine stores them so, and
    the live snapshot then equals the replay of the stored events on every store."""
    clock = FixedClock(datetime(2026, 3, 2, 8, tzinfo=VN_TZ))
    engine = Engine(CATALOG, store=store, clock=clock)
    dossier = engine.receive("2.000234", "Công ty A", "desk", data={"items": ("a", ("b", 1))})
    clock.advance(timedelta(hours=1))
    dossier = engine.fire(dossier.code, "handover", EVERYONE, data={"checked": (True,)})
    assert dict(dossier.data) == {"items": ["a", ["b", 1]], "checked": [True]}
    assert replay(store.load_events(dossier.code)) == replace(dossier, as_of=None)
    assert store.verify().ok
