"""The rules by effective date (issue 15, point 10): Decree 61/2018 (and 107/2021) before
1 Jul 2025, Decree 118/2025 after (its art. 40.1, transcription in neornotl/rightly-beta); a
dossier is judged by the rules of the day it reached the agency; a procedure or a sector may
have its own schedule. docs/legal-rules.md, docs/engine.md ("Rules by effective date")."""

from __future__ import annotations

from datetime import date

import pytest

from tests.engine.conftest import DESK, LEADER, POLICE, SPECIALIST, at
from tthc_flow import ConfigurationError
from tthc_flow.engine import (
    DECREE_61_2018,
    DECREE_118_2025,
    Engine,
    Policies,
    RuleBook,
    RuleSet,
    Timeliness,
    TimelinessPolicy,
)
from tthc_flow.procedure import Catalog
from tthc_flow.store import MemoryStore


def _engine(catalog: Catalog, rules: RuleBook) -> Engine:
    engine = Engine(catalog, store=MemoryStore(), rules=rules)
    engine.register_hook("notify_leader", lambda d, e: None)
    return engine


def test_the_schedule_picks_the_rules_in_force_on_a_day() -> None:
    """Decree 118 art. 40.1: in force 1 Jul 2025, Decrees 61/2018 and 107/2021 end then."""
    book = RuleBook()
    assert book.rules_on(date(2025, 6, 30)) is DECREE_61_2018
    assert book.rules_on(date(2025, 7, 1)) is DECREE_118_2025
    assert book.rules_on(date(2016, 1, 1)) is DECREE_61_2018  # before all: the first one
    with pytest.raises(ValueError, match="order") as bad:
        RuleBook(schedule=(DECREE_118_2025, DECREE_61_2018))
    assert isinstance(bad.value, ConfigurationError)
    assert bad.value.setting == "RuleBook.schedule"
    with pytest.raises(ValueError, match="at least one"):
        RuleBook(by_field={"Xăng dầu": ()})


def test_a_dossier_is_judged_by_the_rules_of_the_day_it_arrived(catalog: Catalog) -> None:
    """One dossier on each side of 1 Jul 2025, both sent back for a supplement after it.

    Received Mon 30/6/2025 10:00, under Decree 61/2018: the 15-day closure ("đóng hồ sơ") is
    Decree 118 art. 19.5's rule, so its request of Tue 1/7 sets no closure. Received Tue
    1/7/2025 10:00, under Decree 118: notice Wed 2/7 09:00, day 1 Thu 3/7 ... day 15 Thu 17/7
    (a working day), the period ends at 24:00: closes_at Fri 18/7/2025 00:00. Both due dates
    follow the same counting: 30/6 10:00 + 3 working days (1/7, 2/7, 3/7) -> Thu 3/7 10:00.
    """
    engine = _engine(catalog, RuleBook())
    old = engine.receive("2.000999", "A", "desk", at=at(2025, 6, 30, 10)).code
    new = engine.receive("2.000999", "B", "desk", at=at(2025, 7, 1, 10)).code
    assert engine.get(old).due_at == at(2025, 7, 3, 10)
    engine.fire(old, "handover", DESK, at(2025, 7, 1, 8))
    engine.fire(new, "handover", DESK, at(2025, 7, 1, 11))
    assert engine.fire(old, "request_supplement", SPECIALIST, at(2025, 7, 1, 9)).closes_at is None
    paused = engine.fire(new, "request_supplement", SPECIALIST, at(2025, 7, 2, 9))
    assert paused.closes_at == at(2025, 7, 18, 0, 0)
    closed = engine.close_unsupplemented(at(2025, 8, 1, 9))
    assert [d.code for d in closed] == [new]
    assert engine.get(old).state == "supplement_requested"


def test_a_procedure_or_a_sector_may_have_its_own_rules(catalog: Catalog) -> None:
    """A province's own reading for one procedure (here: an apology counts as late,
    TimelinessPolicy(rescheduled_counts_late=True)), over a sector schedule, over the
    national one. Received Wed 2/7/2025 09:00, 3 working days: 3/7, 4/7, 7/7 -> due Mon 7/7
    09:00; apology Thu 3/7 with a new date Fri 11/7; resolved Fri 4/7 (before the original
    date): late under the procedure's rule, early under the national default."""
    province = RuleSet(
        name="Quy định của tỉnh (ví dụ)",
        effective_from=date(2025, 7, 1),
        policies=Policies(timeliness=TimelinessPolicy(rescheduled_counts_late=True)),
        source="an example province decision (illustrative)",
    )
    sector = RuleSet("Lĩnh vực (ví dụ)", date(2025, 7, 1), Policies(), "illustrative")
    book = RuleBook(by_procedure={"2.000999": (province,)}, by_field={"Công nghiệp": (sector,)})
    assert book.rules_on(date(2025, 7, 2), "2.000999", "Công nghiệp") is province
    assert book.rules_on(date(2025, 7, 2), "2.000131", "Công nghiệp") is sector
    assert book.rules_on(date(2025, 7, 2), "2.000131", "Xăng dầu") is DECREE_118_2025

    for rules, expected in ((book, Timeliness.LATE), (RuleBook(), Timeliness.EARLY)):
        engine = _engine(catalog, rules)
        code = engine.receive("2.000999", "A", "desk", at=at(2025, 7, 2, 9)).code
        assert engine.get(code).due_at == at(2025, 7, 7, 9)
        engine.fire(code, "handover", DESK, at(2025, 7, 2, 10))
        engine.fire(
            code,
            "reschedule",
            SPECIALIST,
            at(2025, 7, 3, 9),
            new_due_at=at(2025, 7, 11, 9),
            reason="chờ ý kiến",
        )
        engine.fire(code, "appraise", SPECIALIST, at(2025, 7, 4, 8))
        engine.fire(code, "verify", POLICE, at(2025, 7, 4, 9))
        assert engine.fire(code, "approve", LEADER, at(2025, 7, 4, 10)).timeliness is expected


def _setting(rules: RuleSet, name: str) -> object:
    policy, _, attribute = name.partition(".")
    return getattr(getattr(rules.policies, policy), attribute)


def test_the_61_2018_rules_say_what_was_not_verified() -> None:
    """The text of Decree 61/2018 and 107/2021 was not found (searches in docs/legal-rules.md,
    "Decree 61/2018: searched, not found"): the RuleSet names every setting it could not check.

    Only the closure differs from Decree 118 (its art. 19.5 "đóng hồ sơ", recollection that
    61/2018 had none); every other setting it names is carried over from Decree 118 unchanged,
    not invented. Decree 118's own RuleSet was read (transcription) and names none."""
    old = DECREE_61_2018
    assert {"effective_from", "supplement.close_after_days"} <= set(old.unverified)
    assert _setting(old, "supplement.close_after_days") is None
    assert _setting(DECREE_118_2025, "supplement.close_after_days") == 15
    carried = [
        n for n in old.unverified if n not in {"effective_from", "supplement.close_after_days"}
    ]
    assert len(carried) == 16
    for name in carried:
        assert _setting(old, name) == _setting(DECREE_118_2025, name), name
    assert DECREE_118_2025.unverified == ()
    assert "no full text found" in old.source


def test_an_unverified_name_must_be_a_setting() -> None:
    """A typo in ``unverified`` would hide an unchecked rule: it is refused, naming it."""
    with pytest.raises(ValueError, match=r"supplement\.close_after_dayz"):
        RuleSet("x", date(2025, 7, 1), Policies(), "s", unverified=("supplement.close_after_dayz",))
    with pytest.raises(ValueError, match="nothing"):
        RuleSet("x", date(2025, 7, 1), Policies(), "s", unverified=("nothing",))
    assert RuleSet("x", date(2025, 7, 1), Policies(), "s", unverified=("effective_from",))
