"""The engine: commands in, validated events out, dossiers as folds of their events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from tthc_flow._time import VN_TZ, to_vn
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine._actor import DESK, SYSTEM, Actor
from tthc_flow.engine._clock import Clock, SystemClock
from tthc_flow.engine._compiled import CompiledProcedure
from tthc_flow.engine._dossier import Dossier, Timeliness, apply, start
from tthc_flow.engine._events import GENESIS_HASH, Event
from tthc_flow.engine._policies import Policies, SupplementMode, classify_resolution
from tthc_flow.errors import (
    DossierNotFound,
    InvalidCommand,
    PermissionDenied,
    PolicyViolation,
    TransitionNotAllowed,
    TthcError,
)
from tthc_flow.procedure import (
    PAUSED_FROM,
    RECEIVED,
    SUBMITTED,
    SUPPLEMENT_REQUESTED,
    Channel,
    Duration,
    Effect,
    ProcedureDefinition,
    TimeUnit,
    TransitionDef,
    describe_guard,
    guard_holds,
)
from tthc_flow.store import DossierQuery, MemoryStore, Store

Hook = Callable[[Dossier, Event], None]
"""A named hook: called with the new dossier and its event after the event is stored."""


class CatalogLike(Protocol):
    """What the engine needs of a catalog (see :class:`tthc_flow.procedure.Catalog`)."""

    def get(self, code: str, version: int | None = None) -> ProcedureDefinition: ...

    def effective(self, code: str, on: date) -> ProcedureDefinition: ...


_JSON_SCALARS = (str, int, float, bool, type(None))


def _check_json(name: str, value: Any) -> None:
    if isinstance(value, _JSON_SCALARS):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_json(name, item)
        return
    raise InvalidCommand(
        f"data {name}={value!r}: only strings, numbers, booleans, None and lists of them are "
        "stored with an event"
    )


class Engine:
    """Runs dossiers through compiled procedures, with deadlines and an audit log.

    >>> from tthc_flow.procedure import load_catalog   # doctest: +SKIP
    >>> engine = Engine(load_catalog("examples/so-cong-thuong"))  # doctest: +SKIP
    >>> d = engine.receive("2.000131", applicant="Công ty A", channel="desk")  # doctest: +SKIP
    """

    def __init__(
        self,
        catalog: CatalogLike,
        calendar: WorkCalendar | None = None,
        store: Store | None = None,
        clock: Clock | None = None,
        policies: Policies | None = None,
        hooks: dict[str, Hook] | None = None,
    ) -> None:
        self.catalog = catalog
        self.calendar = calendar or WorkCalendar.vietnam()
        self.store: Store = store if store is not None else MemoryStore()
        self.clock: Clock = clock or SystemClock()
        self.policies = policies or Policies()
        self._hooks: dict[str, Hook] = dict(hooks or {})
        self._compiled: dict[tuple[str, int], CompiledProcedure] = {}
        self._open: dict[str, Dossier] = {}  # open dossiers this engine wrote: no reload needed

    # ----------------------------------------------------------------- set-up
    def register_hook(self, name: str, hook: Hook) -> None:
        """Make ``hook`` callable by the name used in procedure YAML (``hooks``, ``on_enter``)."""
        self._hooks[name] = hook

    def compiled(self, code: str, version: int) -> CompiledProcedure:
        """The compiled machine of one procedure version (compiled once, then shared)."""
        key = (code, version)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = CompiledProcedure.compile(self.catalog.get(code, version))
        return found

    # --------------------------------------------------------------- commands
    def submit(
        self,
        procedure_code: str,
        applicant: str,
        channel: str,
        at: datetime | None = None,
        *,
        actor: Actor | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> Dossier:
        """Record a dossier that arrived but is not yet checked (e.g. online): the clock has not
        started. Follow with ``accept``, ``request_supplement`` or ``refuse``."""
        return self._create(
            procedure_code, applicant, channel, at, actor, idempotency_key, data, False
        )

    def receive(
        self,
        procedure_code: str,
        applicant: str,
        channel: str,
        at: datetime | None = None,
        *,
        actor: Actor | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> Dossier:
        """Receive a complete dossier: issue its code and due date; the clock starts.

        ``at`` defaults to the clock's now; ``actor`` to the one-stop desk. ``data`` is kept
        with the dossier (guards read it); ``on_the_spot=True`` handles an eligible procedure
        "4 tại chỗ".
        """
        return self._create(
            procedure_code, applicant, channel, at, actor, idempotency_key, data, True
        )

    def fire(
        self,
        dossier_code: str,
        trigger: str,
        actor: Actor,
        at: datetime | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> Dossier:
        """Apply ``trigger`` to a dossier as ``actor``; returns the new state.

        Raises :class:`TransitionNotAllowed` (wrong state or guard), :class:`PermissionDenied`
        (role), :class:`PolicyViolation` (a legal rule), :class:`InvalidCommand` (arguments).
        In every such case nothing is stored. With an ``idempotency_key`` already used for
        this dossier, nothing happens and the current state is returned.
        """
        moment = self._moment(at)
        dossier = self._load(dossier_code)
        if idempotency_key is not None and self.store.find_idempotent(
            dossier_code, idempotency_key
        ):
            return replace(dossier, as_of=moment)
        if moment < dossier.updated_at:
            raise InvalidCommand(
                f"{trigger} at {moment.isoformat()} is earlier than the dossier's last event "
                f"({dossier.updated_at.isoformat()}); events are recorded in time order"
            )
        compiled = self.compiled(dossier.procedure_code, dossier.procedure_version)
        allowed = compiled.roles_for.get((dossier.state, trigger))
        if allowed is None:
            raise TransitionNotAllowed(
                f"{trigger!r} is not allowed for dossier {dossier_code} in state "
                f"{dossier.state!r}; allowed: {', '.join(compiled.triggers_from(dossier.state)) or 'none'}"
            )
        role = self._role(actor, allowed, trigger, dossier)
        guarded = (dossier.state, trigger) in compiled.guarded
        context = self._context(dossier, data) if guarded else {}
        transition = compiled.fire(dossier.state, trigger, context)
        if transition is None:
            guards = "; ".join(
                describe_guard(t.guard) for t in compiled.candidates[(dossier.state, trigger)]
            )
            raise TransitionNotAllowed(
                f"{trigger!r} on dossier {dossier_code}: condition not met ({guards})"
            )
        payload = self._decide(compiled.definition, compiled, dossier, transition, moment, data)
        event = Event.create(
            dossier_code=dossier_code,
            version=dossier.version + 1,
            trigger=trigger,
            effect=transition.effect.value,
            from_state=dossier.state,
            to_state=transition.dest or dossier.state,
            actor=actor.id,
            role=role,
            at=moment,
            payload=payload,
            prev_hash=dossier.last_hash,
            idempotency_key=idempotency_key,
        )
        hooks = self._hooks_for(compiled, transition)
        return self._commit(event, apply(dossier, event), hooks)

    # ---------------------------------------------------------------- queries
    def get(self, dossier_code: str) -> Dossier:
        """The dossier's current state, as of the clock's now."""
        return replace(self._load(dossier_code), as_of=self.clock.now())

    def history(self, dossier_code: str) -> list[Event]:
        """Every event of the dossier, oldest first."""
        events = self.store.load_events(dossier_code)
        if not events:
            raise DossierNotFound(f"no dossier {dossier_code!r}")
        return events

    def available_triggers(self, dossier_code: str, actor: Actor) -> list[str]:
        """Triggers ``actor`` may fire now: right state, a role allowed, a guard that holds."""
        dossier = self._load(dossier_code)
        compiled = self.compiled(dossier.procedure_code, dossier.procedure_version)
        context = self._context(dossier, {})
        result = []
        for trigger in compiled.triggers_from(dossier.state):
            options = compiled.candidates[(dossier.state, trigger)]
            if any(actor.roles & t.roles and guard_holds(t.guard, context) for t in options):
                result.append(trigger)
        return result

    def overdue(self, now: datetime | None = None) -> list[Dossier]:
        """Open, received dossiers past their current appointment at ``now`` (for reminders)."""
        moment = self._moment(now)
        codes = self.store.find(DossierQuery(open_only=True, due_before=moment))
        found = (replace(self._load(code), as_of=moment) for code in codes)
        return [d for d in found if d.timeliness_at(moment) is Timeliness.OVERDUE]

    def due_soon(self, now: datetime | None, within: timedelta) -> list[Dossier]:
        """Open dossiers whose appointment falls in [now, now + within), not paused."""
        moment = self._moment(now)
        codes = self.store.find(DossierQuery(open_only=True, due_before=moment + within))
        result = []
        for code in codes:
            dossier = replace(self._load(code), as_of=moment)
            due = dossier.due_at
            if due is not None and due >= moment and not dossier.paused and not dossier.is_resolved:
                result.append(dossier)
        return sorted(result, key=lambda d: (d.due_at, d.code))

    def close_unsupplemented(self, now: datetime | None = None) -> list[Dossier]:
        """Withdraw dossiers whose supplement did not arrive within the policy's days."""
        days = self.policies.supplement.close_after_days
        if days is None:
            return []
        moment = self._moment(now)
        closed = []
        for code in self.store.find(DossierQuery(states=frozenset({SUPPLEMENT_REQUESTED}))):
            dossier = self._load(code)
            if dossier.paused and dossier.pauses[-1].start + timedelta(days=days) <= moment:
                reason = f"không bổ sung hồ sơ trong {days} ngày"
                closed.append(self.fire(code, "withdraw", SYSTEM, moment, reason=reason))
        return closed

    # -------------------------------------------------------------- internals
    def _moment(self, at: datetime | None) -> datetime:
        return self.clock.now() if at is None else to_vn(at, "at")

    def _load(self, dossier_code: str) -> Dossier:
        dossier = self._open.get(dossier_code)
        if dossier is None:
            dossier = self.store.load(dossier_code)
            if dossier is None:
                raise DossierNotFound(f"no dossier {dossier_code!r}")
        return dossier

    @staticmethod
    def _role(actor: Actor, allowed: frozenset[str], trigger: str, dossier: Dossier) -> str:
        held = actor.roles & allowed
        if not held:
            raise PermissionDenied(
                f"{actor.id} (roles: {', '.join(sorted(actor.roles)) or 'none'}) may not "
                f"{trigger} dossier {dossier.code} in state {dossier.state!r}; "
                f"roles allowed: {', '.join(sorted(allowed))}"
            )
        return min(held)

    @staticmethod
    def _context(dossier: Dossier, data: dict[str, Any]) -> dict[str, Any]:
        context = dossier.data_dict
        context.update(data)
        context.update(
            channel=dossier.channel,
            on_the_spot=dossier.on_the_spot,
            state=dossier.state,
            procedure_code=dossier.procedure_code,
        )
        context[PAUSED_FROM] = dossier.paused_from
        context.setdefault("fee_paid", False)
        return context

    def _hooks_for(self, compiled: CompiledProcedure, transition: TransitionDef) -> list[Hook]:
        names = compiled.hook_names[id(transition)]
        if not names:
            return []
        missing = [n for n in names if n not in self._hooks]
        if missing:
            raise TthcError(
                f"hook(s) {', '.join(missing)} used by {compiled.definition.code} are not "
                "registered; call engine.register_hook(name, function)"
            )
        return [self._hooks[n] for n in names]

    def _commit(self, event: Event, dossier: Dossier, hooks: Iterable[Hook] = ()) -> Dossier:
        try:
            self.store.append([event], dossier)
        except Exception:
            self._open.pop(event.dossier_code, None)  # another writer won: reload next time
            raise
        if dossier.is_open:
            self._open[dossier.code] = dossier
        else:
            self._open.pop(dossier.code, None)
        for hook in hooks:
            hook(dossier, event)
        return dossier

    def _create(
        self,
        code: str,
        applicant: str,
        channel: str,
        at: datetime | None,
        actor: Actor | None,
        idempotency_key: str | None,
        data: dict[str, Any],
        accept: bool,
    ) -> Dossier:
        moment = self._moment(at)
        if idempotency_key is not None:
            existing = self.store.find_idempotent(None, idempotency_key)
            if existing is not None:
                return replace(self._load(existing.dossier_code), as_of=moment)
        definition = self.catalog.effective(code, moment.date())
        try:
            channel_value = Channel(channel)
        except ValueError:
            raise InvalidCommand(
                f"unknown channel {channel!r}; use one of: {', '.join(c.value for c in Channel)}"
            ) from None
        if channel_value not in definition.channels:
            offered = ", ".join(c.value for c in definition.channels)
            raise PolicyViolation(
                f"procedure {code} is not offered by {channel_value.value}; channels: {offered}"
            )
        on_the_spot = bool(data.pop("on_the_spot", False))
        if on_the_spot and not definition.on_the_spot:
            raise PolicyViolation(f"procedure {code} is not eligible for '4 tại chỗ'")
        actor = actor or DESK
        allowed = frozenset({"one_stop"}) if accept else frozenset({"one_stop", "applicant"})
        held = actor.roles & allowed
        if not held:
            raise PermissionDenied(
                f"{actor.id} may not {'receive' if accept else 'submit'} dossiers; "
                f"roles allowed: {', '.join(sorted(allowed))}"
            )
        for name, value in data.items():
            _check_json(name, value)
        compiled = self.compiled(definition.code, definition.version)
        payload: dict[str, Any] = {
            "procedure_code": definition.code,
            "procedure_version": definition.version,
            "agency_code": definition.agency_code,
            "applicant": applicant,
            "channel": channel_value.value,
            "on_the_spot": on_the_spot,
            "fees_due": sum(fee.amount for fee in definition.fees),
            "data": data,
        }
        if accept:
            payload.update(self._clock_payload(definition, self._clock_start(moment)))
        seq = self.store.next_sequence(definition.agency_code, moment.date())
        dossier_code = self.policies.dossier_code.render(definition.agency_code, moment.date(), seq)
        event = Event.create(
            dossier_code=dossier_code,
            version=1,
            trigger="receive" if accept else "submit",
            effect="accept" if accept else "submit",
            from_state="",
            to_state=RECEIVED if accept else SUBMITTED,
            actor=actor.id,
            role=min(held),
            at=moment,
            payload=payload,
            prev_hash=GENESIS_HASH,
            idempotency_key=idempotency_key,
        )
        del compiled  # compiled now so a broken definition fails before anything is stored
        return self._commit(event, start(event))

    # ------------------------------------------------------------- deadlines
    def _clock_start(self, moment: datetime) -> datetime:
        """ClockStartPolicy: the next working moment, or the next working day after the cutoff."""
        cal = self.calendar
        cutoff = self.policies.clock_start.cutoff
        if cutoff is not None and cal.is_working_day(moment.date()) and moment.time() > cutoff:
            next_day = datetime.combine(moment.date() + timedelta(days=1), time(0), VN_TZ)
            return cal.next_working_moment(next_day)
        return cal.next_working_moment(moment)

    def _due_after(self, start_at: datetime, limit: Duration) -> datetime:
        """DueDatePolicy: the appointment moment ``limit`` after a working moment."""
        cal = self.calendar
        if limit.unit is TimeUnit.WORKING_HOURS:
            return cal.add_working_time(start_at, timedelta(hours=limit.value))
        if limit.unit is TimeUnit.CALENDAR_DAYS:
            return cal.add_working_days_at(start_at + timedelta(days=limit.value), 0)
        whole = int(limit.value)
        due = cal.add_working_days_at(start_at, whole) if whole else start_at
        fraction = limit.value - whole
        if fraction:
            due = cal.add_working_time(due, cal.hours_per_day * fraction)
        if self.policies.due_date.mode == "end_of_day":
            periods = cal.working_periods(due.date())
            due = datetime.combine(due.date(), periods[-1][1], VN_TZ)
        return due

    def _clock_payload(self, definition: ProcedureDefinition, start_at: datetime) -> dict[str, Any]:
        limit = definition.time_limit.effective
        due = self._due_after(start_at, limit)
        step_due = []
        elapsed = 0.0
        for step in definition.workflow.steps:
            elapsed += step.share
            step_at = self._due_after(start_at, Duration(value=elapsed, unit=limit.unit))
            step_due.append([step.id, min(step_at, due).isoformat()])
        return {
            "clock_started_at": start_at.isoformat(),
            "due_at": due.isoformat(),
            "step_due": step_due,
        }

    # --------------------------------------------------------------- policies
    def _decide(
        self,
        definition: ProcedureDefinition,
        compiled: CompiledProcedure,
        dossier: Dossier,
        transition: TransitionDef,
        moment: datetime,
        data: dict[str, Any],
    ) -> dict[str, Any]:
        """The payload of the event: every decision made now, so replay needs no policy."""
        data = dict(data)
        payload: dict[str, Any] = {}
        effect = transition.effect
        if effect is Effect.ACCEPT:
            payload.update(self._clock_payload(definition, self._clock_start(moment)))
        elif effect is Effect.REQUEST_SUPPLEMENT:
            self._check_supplement(dossier, moment)
            missing = data.pop("missing", [])
            if isinstance(missing, str) or not isinstance(missing, list | tuple):
                raise InvalidCommand("missing= must be a list of the documents to supplement")
            payload["missing"] = [str(item) for item in missing]
        elif effect is Effect.RESUME:
            payload.update(self._resume_payload(definition, dossier, moment))
        elif effect in (Effect.HANDOVER, Effect.ADVANCE):
            assert transition.dest is not None
            state = compiled.states[transition.dest]
            payload["role"] = state.role
            if state.agency is not None:
                payload["agency"] = state.agency
        elif effect in (Effect.APPROVE, Effect.REJECT):
            assert dossier.original_due_at is not None
            payload["timeliness"] = classify_resolution(
                moment, dossier.original_due_at, bool(dossier.reschedules), self.policies.timeliness
            )
            if effect is Effect.REJECT:
                payload["reason"] = self._reason(data, "reject")
        elif effect is Effect.RETURN:
            payload["method"] = str(data.pop("method", dossier.channel))
        elif effect in (Effect.REFUSE, Effect.WITHDRAW):
            payload["reason"] = self._reason(data, effect.value)
        elif effect is Effect.RESCHEDULE:
            payload.update(self._reschedule_payload(dossier, moment, data))
        for name, value in data.items():
            _check_json(name, value)
        if data:
            payload["data"] = data
        return payload

    @staticmethod
    def _reason(data: dict[str, Any], action: str) -> str:
        reason = data.pop("reason", None)
        if not reason or not isinstance(reason, str):
            raise InvalidCommand(f"{action} needs reason='...' (it is written on the slip)")
        return reason

    def _check_supplement(self, dossier: Dossier, moment: datetime) -> None:
        policy = self.policies.supplement
        at_reception = dossier.state == SUBMITTED
        previous = sum(1 for p in dossier.pauses if (p.origin == SUBMITTED) == at_reception)
        limit = policy.max_at_reception if at_reception else policy.max_during_handling
        if limit is not None and previous >= limit:
            where = "at reception" if at_reception else "during handling"
            raise PolicyViolation(
                f"dossier {dossier.code} already had {previous} supplement request(s) {where}; "
                f"the limit is {limit} (Decree 118/2025/ND-CP art. 16.3, 17.2.a, 19.5; "
                "SupplementPolicy)"
            )

    def _resume_payload(
        self, definition: ProcedureDefinition, dossier: Dossier, moment: datetime
    ) -> dict[str, Any]:
        origin = dossier.paused_from
        if origin == SUBMITTED or dossier.due_at is None:
            return {}
        if self.policies.supplement.mode is SupplementMode.RESTART:
            return self._clock_payload(definition, self._clock_start(moment))
        cal = self.calendar
        paused_at = dossier.pauses[-1].start
        restart = cal.next_working_moment(moment)

        def shifted(due: datetime) -> datetime:
            remaining = cal.working_time_between(paused_at, due)
            if remaining <= timedelta(0):
                return due
            return cal.add_working_time(restart, remaining)

        return {
            "due_at": shifted(dossier.due_at).isoformat(),
            "step_due": [[step, shifted(due).isoformat()] for step, due in dossier.step_due],
        }

    def _reschedule_payload(
        self, dossier: Dossier, moment: datetime, data: dict[str, Any]
    ) -> dict[str, Any]:
        policy = self.policies.reschedule
        raw = data.pop("new_due_at", None)
        if isinstance(raw, str):
            try:
                raw = datetime.fromisoformat(raw)
            except ValueError:
                raise InvalidCommand(f"new_due_at={raw!r} is not an ISO datetime") from None
        if not isinstance(raw, datetime):
            raise InvalidCommand("reschedule needs new_due_at=<aware datetime>")
        new_due = to_vn(raw, "new_due_at")
        reason = self._reason(data, "reschedule")
        if dossier.due_at is None:
            raise PolicyViolation(f"dossier {dossier.code} has no appointment to move yet")
        if len(dossier.reschedules) >= policy.max_times:
            raise PolicyViolation(
                f"dossier {dossier.code} was already rescheduled {len(dossier.reschedules)} "
                f"time(s); the limit is {policy.max_times} (Decree 118/2025/ND-CP art. 19.6)"
            )
        if new_due <= dossier.due_at:
            raise InvalidCommand(
                f"the new appointment {new_due.isoformat()} must be after the current "
                f"{dossier.due_at.isoformat()}"
            )
        notice = self.calendar.working_days_between(moment.date(), dossier.due_at.date())
        if notice < policy.min_notice_days:
            raise PolicyViolation(
                f"the apology must be sent at least {policy.min_notice_days} working day(s) "
                f"before the due date {dossier.due_at.date()} (Decree 118/2025/ND-CP art. 19.6); "
                f"only {max(notice, 0)} left"
            )
        return {"new_due_at": new_due.isoformat(), "reason": reason}
