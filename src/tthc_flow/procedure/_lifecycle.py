"""The standard one-stop lifecycle, expanded around a procedure's own middle steps.

A procedure names only its middle steps (appraise, approve, inter-agency hand-overs); this
module wraps them in the lifecycle of the one-stop mechanism (Decree 118/2025/ND-CP,
see docs/legal-rules.md): submission, receipt, supplement requests, refusal, hand-over,
resolution, return of the result, withdrawal and rescheduling with an apology.

The result, a :class:`Lifecycle`, is plain data: the engine compiles it into one
``transitions.Machine``; diagrams and validation read the same data. Each transition carries
an :class:`Effect` that tells the engine which bookkeeping to do (start the clock, pause it,
classify timeliness...), so the engine never depends on trigger names users may change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tthc_flow._labels import label
from tthc_flow.errors import NotFound
from tthc_flow.procedure._model import Guard, ProcedureDefinition, Step

SUBMITTED = "submitted"
RECEIVED = "received"
SUPPLEMENT_REQUESTED = "supplement_requested"
RESULT_READY = "result_ready"
RETURNED = "returned"
REFUSED = "refused"
WITHDRAWN = "withdrawn"
STOPPED = "stopped"
"""Processing stopped by the desk ("Dừng xử lý", the portal's status 8): the closure of a
dossier whose supplement never came (Decree 118/2025/ND-CP art. 19.5, "đóng hồ sơ")."""
HANDLED_AT_DESK = "handled_at_desk"
"""Where a dossier received "4 tại chỗ" waits for the desk's decision (eligible procedures)."""
AWAITING_PAYMENT = "awaiting_payment"
"""Waiting for the applicant's financial obligation before the result is signed (the national
portal's status 6, "Yêu cầu thực hiện nghĩa vụ tài chính")."""
RESOLVE_AT_DESK = "resolve_at_desk"
"""The trigger that approves a "4 tại chỗ" dossier at the desk."""

STANDARD_STATES = frozenset(
    {
        SUBMITTED,
        RECEIVED,
        SUPPLEMENT_REQUESTED,
        RESULT_READY,
        RETURNED,
        REFUSED,
        WITHDRAWN,
        STOPPED,
        HANDLED_AT_DESK,
        AWAITING_PAYMENT,
    }
)

PAUSED_FROM = "paused_from"
"""Internal guard key: the state a paused dossier returns to when the supplement arrives."""


class StateKind(StrEnum):
    """What a state means for the clock and for statistics."""

    PENDING = "pending"  # submitted, not yet received: the clock has not started
    ACTIVE = "active"  # received and being handled: the clock runs
    PAUSED = "paused"  # waiting for the applicant's supplement
    RESOLVED = "resolved"  # a result exists (approval or reasoned rejection), not yet returned
    FINAL = "final"  # nothing more happens


class Effect(StrEnum):
    """The domain bookkeeping a transition implies; the engine applies it."""

    ACCEPT = "accept"  # receipt of a complete dossier: the clock starts, the due date is set
    REQUEST_SUPPLEMENT = "request_supplement"  # pause (or, by policy, restart later)
    RESUME = "resume"  # the supplement arrived
    HANDOVER = "handover"  # desk hands the dossier to the first step
    ADVANCE = "advance"  # a step is finished, the next one starts (maybe another agency)
    APPROVE = "approve"  # last step finished: the result is ready
    REJECT = "reject"  # a reasoned rejection is the result
    RETURN = "return"  # result handed to the applicant
    REFUSE = "refuse"  # refused at reception: leaves the resolved counts
    WITHDRAW = "withdraw"  # applicant withdraws: leaves the resolved counts
    RESCHEDULE = "reschedule"  # apology and a new appointment date
    PAY_FEE = "pay_fee"  # fees paid (data online=True for online payment)
    REQUEST_PAYMENT = "request_payment"  # wait for the applicant's financial obligation
    PAYMENT_DONE = "payment_done"  # the obligation is met: back to the step, fees paid
    REPORT_ERROR = "report_error"  # a returned result is wrong: sent back to be corrected
    CORRECT = "correct"  # the corrected result is back at the desk
    STOP = "stop"  # processing stopped: the unsupplemented dossier is closed (art. 19.5)
    CONSULT = "consult"  # another body is asked for its opinion, with a deadline
    ANSWER = "answer"  # the consulted body answered
    SIGN_RESULT = "sign_result"  # the result document is signed (art. 22.1), its code set (22.4)
    ISSUE_RESULT = "issue_result"  # the signed result is issued (phát hành, art. 22.1)
    DELIVER_RESULT = "deliver_result"  # the applicant has the issued result (art. 22.3)
    RATE = "rate"  # the applicant rates the handling (art. 33.1 a-i), once, after the result
    PETITION = "petition"  # a petition (phản ánh, kiến nghị) about the dossier, with a deadline
    ANSWER_PETITION = "answer_petition"  # the petition is answered (late or not)
    PETITION_FEEDBACK = "petition_feedback"  # the applicant says whether the answer satisfied
    CUSTOM = "custom"  # a procedure's own transition; only hooks act


@dataclass(frozen=True)
class StateDef:
    """One state of the expanded lifecycle."""

    name: str
    label: str
    kind: StateKind
    role: str
    step: Step | None = None
    agency: str | None = None


@dataclass(frozen=True)
class TransitionDef:
    """One transition of the expanded lifecycle; ``dest`` None means internal (no state change)."""

    trigger: str
    source: str
    dest: str | None
    roles: frozenset[str]
    effect: Effect
    guard: Guard = field(default_factory=dict)
    hooks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lifecycle:
    """States and transitions of one procedure version, ready to compile or draw."""

    states: tuple[StateDef, ...]
    transitions: tuple[TransitionDef, ...]
    initial: str = SUBMITTED
    entries: tuple[str, ...] = (RECEIVED,)
    """States a dossier may also start in: ``receive`` creates it received (or, "4 tại chỗ",
    ``handled_at_desk``) without a transition from ``submitted``."""

    def state(self, name: str) -> StateDef:
        """The state called ``name`` (:class:`~tthc_flow.errors.NotFound`, a KeyError, if
        absent)."""
        for state in self.states:
            if state.name == name:
                return state
        raise NotFound(
            f"no state {name!r} in the lifecycle",
            kind="state",
            name=name,
            known=tuple(s.name for s in self.states),
        )

    @property
    def triggers(self) -> frozenset[str]:
        """Every trigger name."""
        return frozenset(t.trigger for t in self.transitions)

    def outgoing(self, source: str) -> list[TransitionDef]:
        """Transitions leaving ``source`` (internal ones included)."""
        return [t for t in self.transitions if t.source == source]


STANDARD_LABELS = {state: label(f"state.{state}") for state in sorted(STANDARD_STATES)}
"""The Vietnamese name of each standard state (``state.*`` in :mod:`tthc_flow._labels`)."""

EFFECT_DESTINATIONS: dict[Effect, frozenset[str] | None] = {
    Effect.ACCEPT: frozenset({RECEIVED}),
    Effect.REQUEST_SUPPLEMENT: frozenset({SUPPLEMENT_REQUESTED}),
    Effect.APPROVE: frozenset({RESULT_READY}),
    Effect.REJECT: frozenset({RESULT_READY}),
    Effect.RETURN: frozenset({RETURNED}),
    Effect.REFUSE: frozenset({REFUSED}),
    Effect.WITHDRAW: frozenset({WITHDRAWN}),
    Effect.STOP: frozenset({STOPPED}),
    Effect.REQUEST_PAYMENT: frozenset({AWAITING_PAYMENT}),
    Effect.PAYMENT_DONE: None,
    Effect.REPORT_ERROR: None,
    Effect.CORRECT: None,
    Effect.CONSULT: None,
    Effect.ANSWER: None,
    Effect.SIGN_RESULT: None,
    Effect.ISSUE_RESULT: None,
    Effect.DELIVER_RESULT: None,
    Effect.RATE: None,
    Effect.PETITION: None,
    Effect.ANSWER_PETITION: None,
    Effect.PETITION_FEEDBACK: None,
}
"""Standard states a transition may enter only with the effect that does their bookkeeping
(a custom transition into ``result_ready`` without ``approve``/``reject`` would leave the
outcome and the resolution time unset). ``None``: the effect is not allowed on a procedure's
own transition (``resume`` needs the engine's paused-from guard)."""

EFFECTS_FOR_EXTRA = frozenset(
    {
        Effect.CUSTOM,
        Effect.ACCEPT,
        Effect.APPROVE,
        Effect.REJECT,
        Effect.RETURN,
        Effect.REFUSE,
        Effect.WITHDRAW,
        Effect.ADVANCE,
        Effect.PAY_FEE,
        Effect.RESCHEDULE,
        Effect.REQUEST_SUPPLEMENT,
    }
)
"""Effects a procedure's own transition may declare (``effect:`` in YAML)."""


def build_lifecycle(definition: ProcedureDefinition, *, trim_on_the_spot: bool = True) -> Lifecycle:
    """Expand ``definition`` into the full one-stop lifecycle.

    "4 tại chỗ" (``trim_on_the_spot``, default): a ``base: on_the_spot`` workflow has no
    supplement request during handling and no apology (the dossier is decided in the visit);
    a standard procedure flagged ``on_the_spot`` gets the state ``handled_at_desk``, where a
    dossier received on the spot waits for the desk (``resolve_at_desk``, ``reject``,
    ``withdraw``). False gives the untrimmed lifecycle (the engine's
    ``OnTheSpotPolicy(trimmed=False)``).

    Assumes the definition passed :func:`tthc_flow.procedure.check_definition`; the loader
    guarantees that for definitions read from YAML.
    """
    steps = definition.workflow.steps
    on_the_spot_base = trim_on_the_spot and definition.workflow.base == "on_the_spot"
    desk = frozenset({"one_stop"})
    desk_or_applicant = frozenset({"one_stop", "applicant"})
    states: list[StateDef] = [
        StateDef(SUBMITTED, STANDARD_LABELS[SUBMITTED], StateKind.PENDING, "one_stop"),
        StateDef(RECEIVED, STANDARD_LABELS[RECEIVED], StateKind.ACTIVE, "one_stop"),
        *(StateDef(s.id, s.name, StateKind.ACTIVE, s.role, step=s, agency=s.agency) for s in steps),
        StateDef(
            SUPPLEMENT_REQUESTED,
            STANDARD_LABELS[SUPPLEMENT_REQUESTED],
            StateKind.PAUSED,
            "one_stop",
        ),
        StateDef(RESULT_READY, STANDARD_LABELS[RESULT_READY], StateKind.RESOLVED, "one_stop"),
        StateDef(RETURNED, STANDARD_LABELS[RETURNED], StateKind.FINAL, "one_stop"),
        StateDef(REFUSED, STANDARD_LABELS[REFUSED], StateKind.FINAL, "one_stop"),
        StateDef(WITHDRAWN, STANDARD_LABELS[WITHDRAWN], StateKind.FINAL, "one_stop"),
        StateDef(STOPPED, STANDARD_LABELS[STOPPED], StateKind.FINAL, "one_stop"),
    ]
    at_desk = (
        trim_on_the_spot and definition.on_the_spot and definition.workflow.base != "on_the_spot"
    )
    t: list[TransitionDef] = [
        TransitionDef("accept", SUBMITTED, RECEIVED, desk, Effect.ACCEPT),
        TransitionDef(
            "request_supplement", SUBMITTED, SUPPLEMENT_REQUESTED, desk, Effect.REQUEST_SUPPLEMENT
        ),
        TransitionDef("refuse", SUBMITTED, REFUSED, desk, Effect.REFUSE),
        TransitionDef("refuse", RECEIVED, REFUSED, desk, Effect.REFUSE),
        TransitionDef("refuse", SUPPLEMENT_REQUESTED, REFUSED, desk, Effect.REFUSE),
        # art. 19.5: closed ("đóng hồ sơ") when the supplement has not come by closes_at
        TransitionDef("stop", SUPPLEMENT_REQUESTED, STOPPED, desk | {"system"}, Effect.STOP),
        TransitionDef("handover", RECEIVED, steps[0].id, desk, Effect.HANDOVER),
        TransitionDef("return_result", RESULT_READY, RETURNED, desk, Effect.RETURN),
        # art. 23.1: a wrong result goes back for correction (recorded on the returned dossier)
        TransitionDef("report_error", RETURNED, None, desk_or_applicant, Effect.REPORT_ERROR),
        TransitionDef("correct_result", RETURNED, None, desk, Effect.CORRECT),
        # the result document: signed by whoever signs the last step, issued and delivered by
        # the desk (or the system, for delivery to the portal account); internal transitions
        TransitionDef(
            "sign_result", RESULT_READY, None, frozenset({steps[-1].role}), Effect.SIGN_RESULT
        ),
        TransitionDef("issue_result", RESULT_READY, None, desk, Effect.ISSUE_RESULT),
        TransitionDef("issue_result", RETURNED, None, desk, Effect.ISSUE_RESULT),
        TransitionDef(
            "deliver_result", RESULT_READY, None, desk | {"system"}, Effect.DELIVER_RESULT
        ),
        TransitionDef("deliver_result", RETURNED, None, desk | {"system"}, Effect.DELIVER_RESULT),
    ]
    resume_from = [SUBMITTED]
    for index, step in enumerate(steps):
        actors = frozenset({step.role})
        last = index == len(steps) - 1
        dest = RESULT_READY if last else steps[index + 1].id
        t.append(
            TransitionDef(
                step.trigger, step.id, dest, actors, Effect.APPROVE if last else Effect.ADVANCE
            )
        )
        t.append(TransitionDef("reject", step.id, RESULT_READY, actors, Effect.REJECT))
        if on_the_spot_base:
            continue  # "4 tại chỗ": decided in one visit, no consultation or supplement
        # art. 19.4: consulting other bodies during a step, each with its own deadline
        t.append(TransitionDef("consult", step.id, None, actors | desk, Effect.CONSULT))
        t.append(TransitionDef("record_answer", step.id, None, actors | desk, Effect.ANSWER))
        if on_the_spot_base:
            continue  # "4 tại chỗ": decided in one visit, no supplement during handling
        t.append(
            TransitionDef(
                "request_supplement",
                step.id,
                SUPPLEMENT_REQUESTED,
                actors | desk,
                Effect.REQUEST_SUPPLEMENT,
            )
        )
        resume_from.append(step.id)
    for origin in resume_from:
        t.append(
            TransitionDef(
                "submit_supplement",
                SUPPLEMENT_REQUESTED,
                origin,
                desk_or_applicant,
                Effect.RESUME,
                guard={PAUSED_FROM: origin},
            )
        )
    # the financial obligation is asked for before the result is signed: from the last step,
    # and back to it once met (one origin, so no guard is needed); "4 tại chỗ" pays in the visit
    signing = steps[-1]
    if not on_the_spot_base:
        # the clock runs while the applicant pays (Decree 118 has no rule stopping it)
        paying = StateDef(
            AWAITING_PAYMENT, STANDARD_LABELS[AWAITING_PAYMENT], StateKind.ACTIVE, "one_stop"
        )
        states.insert(states.index(next(s for s in states if s.name == RESULT_READY)), paying)
        t.append(
            TransitionDef(
                "request_payment",
                signing.id,
                AWAITING_PAYMENT,
                frozenset({signing.role}) | desk,
                Effect.REQUEST_PAYMENT,
            )
        )
        t.append(
            TransitionDef(
                "payment_done",
                AWAITING_PAYMENT,
                signing.id,
                desk_or_applicant | {"system"},
                Effect.PAYMENT_DONE,
            )
        )
    open_states = [SUBMITTED, RECEIVED, *(s.id for s in steps), SUPPLEMENT_REQUESTED]
    if not on_the_spot_base:
        open_states.append(AWAITING_PAYMENT)
    if at_desk:
        # "4 tại chỗ" dossiers of an eligible procedure: decided at the desk in one visit,
        # no hand-over, supplement or apology (OnTheSpotPolicy in the engine)
        states.insert(
            2,
            StateDef(
                HANDLED_AT_DESK, STANDARD_LABELS[HANDLED_AT_DESK], StateKind.ACTIVE, "one_stop"
            ),
        )
        signers = frozenset({"one_stop", "leader"})
        t.append(
            TransitionDef(RESOLVE_AT_DESK, HANDLED_AT_DESK, RESULT_READY, signers, Effect.APPROVE)
        )
        t.append(TransitionDef("reject", HANDLED_AT_DESK, RESULT_READY, signers, Effect.REJECT))
        open_states.append(HANDLED_AT_DESK)
    for source in open_states:
        # system: the engine closes dossiers whose supplement never came (SupplementPolicy)
        withdrawers = desk_or_applicant | {"system"}
        t.append(TransitionDef("withdraw", source, WITHDRAWN, withdrawers, Effect.WITHDRAW))
    # The apology is issued by the unit at fault (the one holding the dossier), the desk or a leader.
    holder = {
        RECEIVED: "one_stop",
        SUPPLEMENT_REQUESTED: "one_stop",
        AWAITING_PAYMENT: "one_stop",
    } | {s.id: s.role for s in steps}
    for source, role in holder.items():
        if on_the_spot_base:
            break  # decided in the visit: no apology
        roles = frozenset({"one_stop", "leader", role})
        t.append(TransitionDef("reschedule", source, None, roles, Effect.RESCHEDULE))
    for extra in definition.workflow.transitions:
        for source in extra.sources:
            t.append(
                TransitionDef(
                    extra.trigger,
                    source,
                    extra.dest,
                    frozenset(extra.roles),
                    Effect(extra.effect) if extra.effect else Effect.CUSTOM,
                    guard=dict(extra.guard),
                    hooks=tuple(extra.hooks),
                )
            )
    t.extend(_feedback_transitions(states))
    entries = (RECEIVED, HANDLED_AT_DESK) if at_desk else (RECEIVED,)
    return Lifecycle(tuple(states), tuple(t), entries=entries)


RATERS = frozenset({"applicant", "system"})
"""Who rates a dossier: the applicant, or the system relaying the portal's rating or the
desk's device (Decree 118/2025/ND-CP art. 31.1)."""
PETITION_OFFICERS = frozenset({"petitions", "leader"})
"""Who answers petitions: the officials handling them (role ``petitions``) or a leader."""


EVERY_STATE_TRIGGERS = frozenset({"record_petition", "answer_petition", "petition_feedback"})
"""Commands allowed in every state and never moving the dossier: the diagrams draw them once,
as a note, instead of three self-loops on every state."""


def _feedback_transitions(states: list[StateDef]) -> list[TransitionDef]:
    """Ratings after the result (art. 33.1) and petitions in any state (art. 31.1.đ), all
    internal: they never move the dossier (docs/payments.md)."""
    out = [
        TransitionDef("rate", source, None, RATERS, Effect.RATE)
        for source in (RESULT_READY, RETURNED)
    ]
    filers = RATERS | {"petitions"}
    for state in states:
        out.append(TransitionDef("record_petition", state.name, None, filers, Effect.PETITION))
        out.append(
            TransitionDef(
                "answer_petition", state.name, None, PETITION_OFFICERS, Effect.ANSWER_PETITION
            )
        )
        out.append(
            TransitionDef("petition_feedback", state.name, None, RATERS, Effect.PETITION_FEEDBACK)
        )
    return out
