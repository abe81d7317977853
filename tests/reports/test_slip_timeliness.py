"""The process control slip (Mẫu 06) prints the class the engine recorded, under every
``TimelinessPolicy`` granularity (issue 16: with ``granularity="exact"`` the engine recorded
a step ``on_time`` and the slip, which classed steps itself, printed "Trước hạn").

Expected marks are read off the policy's definition (TimelinessPolicy docstring, Circular
01/2018 Form 05 wording), not from the code: ``date`` has early / on time / late by calendar
day and due moment; ``exact`` (Decision 766 indicator 2.1) has no early class; ``whole_day``
counts the whole due date as on time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.engine.conftest import DESK, SPECIALIST, at
from tests.engine.conftest import PROCEDURE as TEST_PROCEDURE
from tthc_flow.engine import Engine, FixedClock, Policies, TimelinessPolicy
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.reports import control_slip
from tthc_flow.store import MemoryStore

DEFINITION = parse_procedure(TEST_PROCEDURE, "test.yaml")

MARKS = {
    # granularity: (a working day before the due date, on the due date just before the due
    # moment, on the due date after the due moment)
    "date": ("Trước hạn", "Đúng hạn", "Quá hạn"),
    "exact": ("Đúng hạn", "Đúng hạn", "Quá hạn"),
    "whole_day": ("Trước hạn", "Đúng hạn", "Đúng hạn"),
}


def _appraised(granularity: str, when: str) -> tuple[str, str, str]:
    """(the engine's recorded class, the slip's mark for that step, its hand-over time)."""
    engine = Engine(
        Catalog([DEFINITION]),
        store=MemoryStore(),
        clock=FixedClock(at(2026, 4, 24, 16, 10)),
        policies=Policies(timeliness=TimelinessPolicy(granularity=granularity)),
    )
    engine.register_hook("notify_leader", lambda d, e: None)
    code = engine.receive("2.000999", "Công ty A", "desk").code
    dossier = engine.fire(code, "handover", DESK, at(2026, 4, 27, 8))
    due = dossier.steps[-1].due_at
    assert due is not None and due.hour >= 9  # room for "an hour before" on the due date
    moment = {
        "before_day": datetime.combine(due.date() - timedelta(days=1), due.time(), due.tzinfo),
        "before_moment": due - timedelta(minutes=1),
        "after_moment": due + timedelta(minutes=1),
    }[when]
    if when == "before_day":
        while moment.weekday() >= 5:  # the working day before (the due day may be a Monday)
            moment -= timedelta(days=1)
    assert moment >= at(2026, 4, 27, 8)
    dossier = engine.fire(code, "appraise", SPECIALIST, moment)
    recorded = dossier.steps[0].timeliness
    slip = control_slip(dossier, engine.history(code), DEFINITION)
    row = next(r for r in slip.handovers if r.handed_at == dossier.steps[0].entered_at)
    return str(recorded), row.timeliness, moment.isoformat()


@pytest.mark.parametrize("granularity", sorted(MARKS))
@pytest.mark.parametrize("position", [0, 1, 2])
def test_the_slip_prints_the_class_the_engine_recorded(granularity: str, position: int) -> None:
    when = ("before_day", "before_moment", "after_moment")[position]
    recorded, mark, moment = _appraised(granularity, when)
    words = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
    assert mark == words[recorded], f"{granularity} at {moment}"
    assert mark == MARKS[granularity][position], f"{granularity} at {moment}"
