"""Agencies and authority: an actor of another agency is refused unless the current step is
its agency's (liên thông); a service centre serves every department; the deployment's own
check runs inside the command (issue 17 item 3)."""

from __future__ import annotations

import threading

import pytest

from tests.engine.conftest import at
from tthc_flow import PermissionDenied
from tthc_flow.engine import (
    Actor,
    AgencyPolicy,
    AuthorizationRequest,
    Engine,
    FixedClock,
    Policies,
)
from tthc_flow.procedure import Catalog
from tthc_flow.store import MemoryStore

SCT_DESK = Actor.of("lan.nt", "one_stop", agency="SCT", name="Nguyễn Thị Lan")
SCT_SPECIALIST = Actor.of("hung.tv", "specialist", agency="SCT")
STP_SPECIALIST = Actor.of("tu.phap.01", "specialist", agency="STP")
"""A specialist of the Department of Justice (Sở Tư pháp)."""
POLICE = Actor.of("cong.an", "specialist", agency="cong_an")
CENTRE_DESK = Actor.of("ttpvhcc.01", "one_stop", agency="TTPVHCC")


def engine_with(catalog: Catalog, **agency: object) -> Engine:
    policies = Policies(agency=AgencyPolicy(**agency))  # type: ignore[arg-type]
    engine = Engine(
        catalog, store=MemoryStore(), policies=policies, clock=FixedClock(at(2026, 4, 24, 16, 10))
    )
    engine.register_hook("notify_leader", lambda d, e: None)
    return engine


def test_a_justice_department_specialist_cannot_appraise_an_industry_dossier(
    catalog: Catalog,
) -> None:
    """Before issue 17 a Sở Tư pháp specialist could appraise a Sở Công Thương dossier: the
    agency was only checked on steps that name another agency."""
    engine = engine_with(catalog)
    code = engine.receive("2.000999", "Công ty A", "desk", actor=SCT_DESK).code
    engine.fire(code, "handover", SCT_DESK, at(2026, 4, 28, 8))
    assert "appraise" not in engine.available_triggers(code, STP_SPECIALIST)
    with pytest.raises(PermissionDenied, match="belongs to agency 'SCT'") as info:
        engine.fire(code, "appraise", STP_SPECIALIST, at(2026, 4, 28, 9))
    denied = info.value
    assert (denied.actor, denied.actor_agency, denied.dossier_code, denied.trigger) == (
        "tu.phap.01",
        "STP",
        code,
        "appraise",
    )
    assert (denied.agencies, denied.rule) == (("SCT",), "AgencyPolicy.home_agency")
    assert engine.get(code).version == 2  # nothing stored
    assert engine.fire(code, "appraise", SCT_SPECIALIST, at(2026, 4, 28, 9)).state == (
        "police_check"
    )


def test_the_agency_of_the_current_step_acts_on_another_agencys_dossier(
    catalog: Catalog,
) -> None:
    """Liên thông: the police act on the SCT dossier while its step is theirs, not after."""
    engine = engine_with(catalog)
    code = engine.receive("2.000999", "Công ty A", "desk", actor=SCT_DESK).code
    engine.fire(code, "handover", SCT_DESK, at(2026, 4, 28, 8))
    engine.fire(code, "appraise", SCT_SPECIALIST, at(2026, 4, 28, 9))
    assert engine.fire(code, "verify", POLICE, at(2026, 4, 28, 10)).state == "approval"
    police_leader = Actor.of("ca.lead", "leader", agency="cong_an")
    with pytest.raises(PermissionDenied, match="belongs to agency 'SCT'"):
        engine.fire(code, "approve", police_leader, at(2026, 4, 28, 11))


def test_receiving_for_another_agency_needs_a_centre_that_serves_it(catalog: Catalog) -> None:
    engine = engine_with(catalog)
    with pytest.raises(PermissionDenied, match="a dossier of agency 'SCT'") as info:
        engine.receive("2.000999", "Công ty A", "desk", actor=CENTRE_DESK)
    assert info.value.dossier_code is None and info.value.trigger == "receive"
    served = engine_with(catalog, serves={"TTPVHCC": frozenset({"*"})})
    d = served.receive("2.000999", "Công ty A", "desk", actor=CENTRE_DESK)
    assert served.fire(d.code, "handover", CENTRE_DESK, at(2026, 4, 28, 8)).state == "appraisal"
    only_stp = engine_with(catalog, serves={"TTPVHCC": frozenset({"STP"})})
    with pytest.raises(PermissionDenied):
        only_stp.receive("2.000999", "Công ty A", "desk", actor=CENTRE_DESK)


def test_actors_without_an_agency_are_refused_when_the_deployment_says_so(
    catalog: Catalog,
) -> None:
    engine = engine_with(catalog, actors_need_agency=True)
    with pytest.raises(PermissionDenied, match="has no agency") as info:
        engine.receive("2.000999", "Công ty A", "desk", actor=Actor.of("x", "one_stop"))
    assert info.value.rule == "AgencyPolicy.actors_need_agency"
    assert engine.receive("2.000999", "Công ty A", "desk", actor=SCT_DESK).version == 1
    # the applicant is not scoped: it acts on its own dossier
    applicant = Actor.of("cd.123", "applicant")
    assert engine.submit("2.000999", "Công ty B", "online", actor=applicant).state == "submitted"


def test_the_home_agency_rule_can_be_switched_off(catalog: Catalog) -> None:
    engine = engine_with(catalog, home_agency=False)
    code = engine.receive("2.000999", "Công ty A", "desk", actor=SCT_DESK).code
    engine.fire(code, "handover", SCT_DESK, at(2026, 4, 28, 8))
    assert engine.fire(code, "appraise", STP_SPECIALIST, at(2026, 4, 28, 9)).version == 3


def test_a_pluggable_check_runs_inside_the_command_on_the_committed_dossier(
    catalog: Catalog,
) -> None:
    """A deployment's rule: only the lead handler of a step may act on it."""
    seen: list[AuthorizationRequest] = []

    def only_the_lead(request: AuthorizationRequest) -> str | None:
        seen.append(request)
        d = request.dossier
        if d is None or d.assignment is None or request.trigger in ("assign", "take_over"):
            return None
        if d.assignment.lead.id != request.actor.id:
            return f"the step is assigned to {d.assignment.lead.name}"
        return None

    engine = engine_with(catalog, authorize=only_the_lead)
    code = engine.receive("2.000999", "Công ty A", "desk", actor=SCT_DESK).code
    assert seen[-1].dossier is None and seen[-1].procedure_code == "2.000999"
    engine.fire(code, "handover", SCT_DESK, at(2026, 4, 28, 8))
    other = Actor.of("mai.lt", "specialist", agency="SCT")
    engine.take_over(code, SCT_SPECIALIST, at=at(2026, 4, 28, 8, 30))
    assert "appraise" not in engine.available_triggers(code, other)
    with pytest.raises(PermissionDenied, match=r"assigned to hung\.tv") as info:
        engine.fire(code, "appraise", other, at(2026, 4, 28, 9))
    assert info.value.rule == "AgencyPolicy.authorize"
    request = seen[-1]
    assert (request.role, request.step_agency, request.agency_code) == (
        "specialist",
        "SCT",
        "SCT",
    )
    assert request.dossier is not None and request.dossier.version == 3  # as committed
    assert engine.fire(code, "appraise", SCT_SPECIALIST, at(2026, 4, 28, 9)).version == 4


def test_the_check_sees_the_committed_dossier_when_the_cache_is_stale(
    catalog: Catalog,
) -> None:
    """Two engines on one store: the second decides on its cached copy, which another
    engine moved on (a take-over by someone else). The check must refuse on the committed
    dossier, not pass on the stale copy."""

    def only_the_lead(request: AuthorizationRequest) -> str | None:
        d = request.dossier
        if d is None or d.assignment is None or request.trigger == "take_over":
            return None
        return None if d.assignment.lead.id == request.actor.id else "not the lead"

    store = MemoryStore()
    policies = Policies(agency=AgencyPolicy(authorize=only_the_lead))
    clock = FixedClock(at(2026, 4, 24, 16, 10))
    a = Engine(catalog, store=store, policies=policies, clock=clock)
    b = Engine(catalog, store=store, policies=policies, clock=clock)
    for e in (a, b):
        e.register_hook("notify_leader", lambda d, ev: None)
    code = a.receive("2.000999", "Công ty A", "desk", actor=SCT_DESK).code
    a.fire(code, "handover", SCT_DESK, at(2026, 4, 28, 8))
    b.take_over(code, SCT_SPECIALIST, at=at(2026, 4, 28, 8, 10))  # b caches it: Hùng leads
    mai = Actor.of("mai.lt", "specialist", agency="SCT")
    a.take_over(code, mai, reason="Hùng nghỉ ốm", at=at(2026, 4, 28, 8, 20))  # b's copy stale
    with pytest.raises(PermissionDenied, match="not the lead"):
        b.fire(code, "appraise", SCT_SPECIALIST, at(2026, 4, 28, 9))
    assert b.fire(code, "appraise", mai, at(2026, 4, 28, 9)).state == "police_check"


def test_an_idempotent_retry_is_answered_by_the_stored_event(catalog: Catalog) -> None:
    """The retry of a command that was authorised and stored returns the dossier; the check
    is not asked again about a command already decided."""
    calls = threading.local()
    calls.n = 0

    def counting(request: AuthorizationRequest) -> str | None:
        calls.n += 1
        return None

    engine = engine_with(catalog, authorize=counting)
    code = engine.receive("2.000999", "Công ty A", "desk", actor=SCT_DESK).code
    engine.fire(code, "handover", SCT_DESK, at(2026, 4, 28, 8), idempotency_key="h1")
    before = calls.n
    again = engine.fire(code, "handover", SCT_DESK, at(2026, 4, 28, 8), idempotency_key="h1")
    assert again.version == 2 and calls.n == before


def test_the_actor_name_is_recorded_on_its_events(catalog: Catalog) -> None:
    engine = engine_with(catalog)
    code = engine.receive("2.000999", "Công ty A", "desk", actor=SCT_DESK).code
    engine.fire(code, "handover", SCT_DESK, at(2026, 4, 28, 8))
    assert [e.payload.get("actor_name") for e in engine.history(code)] == [
        "Nguyễn Thị Lan",
        "Nguyễn Thị Lan",
    ]
    engine.fire(code, "appraise", SCT_SPECIALIST, at(2026, 4, 28, 9))
    assert "actor_name" not in engine.history(code)[-1].payload  # an actor without a name
