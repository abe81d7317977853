"""The engine: commands in, validated events out, dossiers as folds of their events."""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from tthc_flow._time import VN_TZ, to_vn
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine._actor import DESK, SYSTEM, Actor
from tthc_flow.engine._clock import Clock, SystemClock
from tthc_flow.engine._compiled import CompiledProcedure
from tthc_flow.engine._dossier import (
    OPEN_STATES_EXCLUDED,
    ROW_AGENCY,
    ROW_DUE_AT,
    ROW_LEFT_AT,
    Dossier,
    Timeliness,
    apply,
    iso,
    start,
)
from tthc_flow.engine._events import GENESIS_HASH, Event, canonical_json
from tthc_flow.engine._inputs import check_create, check_fire
from tthc_flow.engine._policies import Policies, SupplementMode, classify, classify_resolution
from tthc_flow.errors import (
    ConcurrencyConflict,
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
from tthc_flow.procedure._lifecycle import HANDLED_AT_DESK
from tthc_flow.store import DossierQuery, MemoryStore, Store

Hook = Callable[[Dossier, Event], None]
"""A named hook: called with the new dossier and its event after the event is stored.
An exception in a hook is logged (logger ``tthc_flow.engine``) and does not undo the command."""

logger = logging.getLogger("tthc_flow.engine")

_PAPER_CHANNELS = frozenset({"desk", "postal"})


class CatalogLike(Protocol):
    """What the engine needs of a catalog (see :class:`tthc_flow.procedure.Catalog`)."""

    def get(self, code: str, version: int | None = None) -> ProcedureDefinition: ...

    def effective(self, code: str, on: date) -> ProcedureDefinition: ...


_JSON_SCALARS = (str, int, float, bool, type(None))


def _as_json(name: str, value: Any) -> Any:
    """``value`` as an event payload stores it: a JSON scalar, or a list (tuples become lists,
    as every store gives them back, so a live snapshot equals its replay); else InvalidCommand."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidCommand(f"data {name}={value!r}: numbers must be finite (no NaN or infinity)")
    if isinstance(value, _JSON_SCALARS):
        return value
    if isinstance(value, list | tuple):
        return [_as_json(name, item) for item in value]
    raise InvalidCommand(
        f"data {name}={value!r}: only strings, numbers, booleans, None and lists of them are "
        "stored with an event"
    )


def _digest(*parts: Any) -> str:
    """A short digest of a command, stored with its event to recognise a reused key."""
    text = canonical_json({"c": [str(p) if isinstance(p, datetime) else p for p in parts]})
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _data_for_digest(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


_RECEIVERS = frozenset({"one_stop"})  # roles that may receive a dossier at the desk
_SUBMITTERS = frozenset({"one_stop", "applicant"})  # ... or submit one (online, by post)


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
        self._hook_lists: dict[int, list[Hook]] = {}  # by id(transition), see _hooks_for
        self._compiled: dict[tuple[str, int], CompiledProcedure] = {}
        self._open: dict[str, Dossier] = {}  # open dossiers this engine wrote: no reload needed
        self._paper_due: dict[tuple[date, bool], str] = {}  # TransferPolicy, art. 18.2
        self._date_granularity = self.policies.timeliness.granularity == "date"
        # a store that discards events (the simulator's lean store, keep_events=False) leaves
        # no chain to verify: its events are not hashed (Store docs, docs/engine.md)
        self._hashed = getattr(self.store, "keep_events", True) is not False

    # ----------------------------------------------------------------- set-up
    def register_hook(self, name: str, hook: Hook) -> None:
        """Make ``hook`` callable by the name used in procedure YAML (``hooks``, ``on_enter``)."""
        self._hooks[name] = hook
        self._hook_lists.clear()

    def compiled(self, code: str, version: int) -> CompiledProcedure:
        """The compiled machine of one procedure version (compiled once, then shared)."""
        key = (code, version)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = CompiledProcedure.compile(
                self.catalog.get(code, version), trim_on_the_spot=self.policies.on_the_spot.trimmed
            )
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
        check_fire(dossier_code, trigger, actor, at, idempotency_key, data)  # before anything
        # the look-ups below are inlined (_moment, _load, _role, _hooks_for): the hot path
        moment = at if at is not None and at.tzinfo is VN_TZ else self._moment(at)
        dossier = self._open.get(dossier_code) or self._load(dossier_code)
        digest = None
        if idempotency_key is not None:
            digest = _digest(trigger, actor.id, sorted(actor.roles), _data_for_digest(data))
            existing = self.store.find_idempotent(dossier_code, idempotency_key)
            if existing is not None:
                _same_command(existing, digest, idempotency_key)
                return replace(dossier, as_of=moment)
        if moment < dossier.updated_at:
            raise InvalidCommand(
                f"{trigger} at {moment.isoformat()} is earlier than the dossier's last event "
                f"({dossier.updated_at.isoformat()}); events are recorded in time order"
            )
        compiled = self._compiled.get((dossier.procedure_code, dossier.procedure_version))
        if compiled is None:
            compiled = self.compiled(dossier.procedure_code, dossier.procedure_version)
        key = (dossier.state, trigger)
        allowed = compiled.roles_for.get(key)
        if allowed is None:
            raise TransitionNotAllowed(
                f"{trigger!r} is not allowed for dossier {dossier_code} in state "
                f"{dossier.state!r}; allowed: {', '.join(compiled.triggers_from(dossier.state)) or 'none'}"
            )
        held = actor.roles & allowed
        role = min(held) if held else self._role(actor, allowed, trigger, dossier)
        owner = compiled.agency_of.get(dossier.state)
        if (
            owner is not None
            and role == owner[1]
            and actor.agency != owner[0]
            and self.policies.agency.require_same_agency
        ):
            raise PermissionDenied(
                f"{actor.id} (agency: {actor.agency or 'none'}) may not {trigger} dossier "
                f"{dossier_code}: step {dossier.state!r} belongs to agency {owner[0]!r} "
                "(AgencyPolicy.require_same_agency)"
            )
        if key in compiled.guarded:
            transition = compiled.pick(key, self._context(dossier, data))
        else:
            transition = compiled.candidates[key][0]  # one unguarded option: the machine's pick
        if transition is None:
            guards = "; ".join(
                describe_guard(t.guard) for t in compiled.candidates[(dossier.state, trigger)]
            )
            allowed_now = self._allowed(compiled, dossier, actor, moment)
            raise TransitionNotAllowed(
                f"{trigger!r} on dossier {dossier_code} in state {dossier.state!r}: condition "
                f"not met ({guards}); allowed now: {', '.join(allowed_now) or 'none'}"
            )
        payload = self._decide(compiled.definition, compiled, dossier, transition, moment, data)
        if digest is not None:
            payload["command_digest"] = digest
        event = Event.create(
            dossier_code=dossier_code,
            version=dossier.version + 1,
            trigger=trigger,
            effect=transition.effect._value_,  # .value is a descriptor call: the hot path
            from_state=dossier.state,
            to_state=transition.dest or dossier.state,
            actor=actor.id,
            role=role,
            at=moment,
            payload=payload,
            prev_hash=dossier.last_hash,
            idempotency_key=idempotency_key,
            hashed=self._hashed,
        )
        hooks = self._hook_lists.get(id(transition))
        if hooks is None:
            hooks = self._hooks_for(compiled, transition)
        return self._commit(event, apply(dossier, event), hooks)

    # ---------------------------------------------------------------- queries
    def get(self, dossier_code: str) -> Dossier:
        """The dossier's current state, as of the clock's now.

        Always read from the store, so a change written by another engine is seen (commands
        use this engine's cache of the open dossiers it wrote; a stale entry makes the store
        refuse the command with ConcurrencyConflict and is dropped, so a retry succeeds).
        """
        dossier = self.store.load(dossier_code)
        if dossier is None:
            raise DossierNotFound(f"no dossier {dossier_code!r}")
        if dossier_code in self._open:
            self._open[dossier_code] = dossier
        return replace(dossier, as_of=self._moment(None))

    def history(self, dossier_code: str) -> list[Event]:
        """Every event of the dossier, oldest first."""
        events = self.store.load_events(dossier_code)
        if not events:
            raise DossierNotFound(f"no dossier {dossier_code!r}")
        return events

    def available_triggers(
        self, dossier_code: str, actor: Actor, at: datetime | None = None
    ) -> list[str]:
        """Triggers ``actor`` may fire at ``at`` (default now): right state, a role allowed
        (and the step's agency, AgencyPolicy), a guard that holds, and no policy that refuses
        it (a second apology, a supplement request after its window)."""
        dossier = self._load(dossier_code)
        compiled = self.compiled(dossier.procedure_code, dossier.procedure_version)
        return self._allowed(compiled, dossier, actor, self._moment(at))

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
        if at is None:
            return to_vn(self.clock.now(), "clock.now()")
        return to_vn(at, "at")

    def _allowed(
        self, compiled: CompiledProcedure, dossier: Dossier, actor: Actor, moment: datetime
    ) -> list[str]:
        context = self._context(dossier, {})
        owner = compiled.agency_of.get(dossier.state)
        result = []
        for trigger in compiled.triggers_from(dossier.state):
            for t in compiled.candidates[(dossier.state, trigger)]:
                held = actor.roles & t.roles
                if not held or not guard_holds(t.guard, context):
                    continue
                if (
                    owner is not None
                    and min(held) == owner[1]
                    and actor.agency != owner[0]
                    and self.policies.agency.require_same_agency
                ):
                    continue
                if self._refusal(dossier, t.effect, moment) is None:
                    result.append(trigger)
                    break
        return result

    def _refusal(self, dossier: Dossier, effect: Effect, moment: datetime) -> str | None:
        """Why a policy refuses ``effect`` on ``dossier`` at ``moment`` (None: it does not)."""
        if effect is Effect.REQUEST_SUPPLEMENT:
            return self._supplement_refusal(dossier, moment)
        if effect is Effect.RESCHEDULE:
            policy = self.policies.reschedule
            if dossier.due_at is None:
                return f"dossier {dossier.code} has no appointment to move yet"
            if len(dossier.reschedules) >= policy.max_times:
                return (
                    f"dossier {dossier.code} was already rescheduled {len(dossier.reschedules)} "
                    f"time(s); the limit is {policy.max_times} (ReschedulePolicy.max_times, "
                    "Decree 118/2025/ND-CP art. 19.6)"
                )
            notice = self.calendar.working_days_between(moment.date(), dossier.due_at.date())
            if notice < policy.min_notice_days:
                return (
                    f"the apology must be sent at least {policy.min_notice_days} working day(s) "
                    f"before the due date {dossier.due_at.date()} (ReschedulePolicy."
                    f"min_notice_days, Decree 118/2025/ND-CP art. 19.6); only {max(notice, 0)} left"
                )
        return None

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
        context.setdefault("fee_paid", dossier.fee_paid)
        return context

    def _hooks_for(self, compiled: CompiledProcedure, transition: TransitionDef) -> list[Hook]:
        """The hooks ``transition`` runs, looked up once (a missing one raises every time)."""
        names = compiled.hook_names[id(transition)]
        missing = [n for n in names if n not in self._hooks]
        if missing:
            raise TthcError(
                f"hook(s) {', '.join(missing)} used by {compiled.definition.code} are not "
                "registered; call engine.register_hook(name, function)"
            )
        # by id(): the compiled procedure, cached for the engine's life, keeps it alive
        found = self._hook_lists[id(transition)] = [self._hooks[n] for n in names]
        return found

    def _commit(self, event: Event, dossier: Dossier, hooks: Iterable[Hook] = ()) -> Dossier:
        try:
            self.store.append([event], dossier)
        except Exception:
            self._open.pop(event.dossier_code, None)  # another writer won: reload next time
            raise
        if dossier.state not in OPEN_STATES_EXCLUDED:  # dossier.is_open, inlined: hot path
            self._open[dossier.code] = dossier
        else:
            self._open.pop(dossier.code, None)
        for hook in hooks:
            try:
                hook(dossier, event)
            except Exception:
                # the event is stored: the command succeeded; a hook cannot undo it
                logger.exception(
                    "hook %s failed after %s on dossier %s (the event is stored)",
                    getattr(hook, "__name__", hook),
                    event.trigger,
                    event.dossier_code,
                )
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
        # before anything: a refused command draws no dossier number and stores nothing
        check_create(code, applicant, channel, actor, at, idempotency_key, data)
        moment = self._moment(at)
        if not isinstance(applicant, str) or not applicant.strip():
            raise InvalidCommand(f"applicant={applicant!r}: give the applicant's name")
        actor = actor or DESK
        digest = None
        if idempotency_key is not None:
            digest = _digest(
                "receive" if accept else "submit",
                code,
                applicant,
                channel,
                actor.id,
                _data_for_digest(data),
            )
            existing = self.store.find_idempotent(None, idempotency_key)
            if existing is not None:
                _same_command(existing, digest, idempotency_key)
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
        data = dict(data)
        on_the_spot = bool(data.pop("on_the_spot", False))
        if on_the_spot and not definition.on_the_spot:
            raise PolicyViolation(f"procedure {code} is not eligible for '4 tại chỗ'")
        allowed = _RECEIVERS if accept else _SUBMITTERS
        held = actor.roles & allowed
        if not held:
            raise PermissionDenied(
                f"{actor.id} may not {'receive' if accept else 'submit'} dossiers; "
                f"roles allowed: {', '.join(sorted(allowed))}"
            )
        for name, value in data.items():
            data[name] = _as_json(name, value)
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
        if definition.fees:
            payload["fees"] = [[fee.name, fee.amount, fee.kind] for fee in definition.fees]
        at_desk = (
            on_the_spot
            and definition.workflow.base != "on_the_spot"
            and self.policies.on_the_spot.trimmed
        )
        if accept:
            limit = self.policies.on_the_spot.limit if at_desk else None
            payload.update(self._clock_payload(definition, self._clock_start(moment), limit))
        if digest is not None:
            payload["command_digest"] = digest
        seq = self.store.next_sequence(definition.agency_code, moment.date())
        dossier_code = self.policies.dossier_code.render(definition.agency_code, moment.date(), seq)
        event = Event.create(
            dossier_code=dossier_code,
            version=1,
            trigger="receive" if accept else "submit",
            effect="accept" if accept else "submit",
            from_state="",
            to_state=(HANDLED_AT_DESK if at_desk else RECEIVED) if accept else SUBMITTED,
            actor=actor.id,
            role=min(held),
            at=moment,
            payload=payload,
            prev_hash=GENESIS_HASH,
            idempotency_key=idempotency_key,
            hashed=self._hashed,
        )
        del compiled  # compiled now so a broken definition fails before anything is stored
        try:
            return self._commit(event, start(event))
        except ConcurrencyConflict:
            if idempotency_key is not None:
                raced = self.store.find_idempotent(None, idempotency_key)
                if raced is not None:  # the same command won a race: it is done
                    _same_command(raced, digest, idempotency_key)
                    return replace(self._load(raced.dossier_code), as_of=moment)
            if self.store.load(dossier_code) is None:
                raise
            raise PolicyViolation(
                f"dossier code {dossier_code} is already used by another dossier: the store's "
                f"sequence for {definition.agency_code} on {moment.date()} and "
                f"DossierCodeFormat {self.policies.dossier_code.pattern!r} must give each "
                "dossier of the day its own code (Decree 118/2025/ND-CP art. 28)"
            ) from None

    # ------------------------------------------------------------- deadlines
    def _clock_start(self, moment: datetime) -> datetime:
        """ClockStartPolicy: the next working moment, or the next working day after the cutoff."""
        cal = self.calendar
        cutoff = self.policies.clock_start.cutoff
        if cutoff is not None and cal.is_working_day(moment.date()) and moment.time() > cutoff:
            next_day = datetime.combine(moment.date() + timedelta(days=1), time(0), VN_TZ)
            return cal.next_working_moment(next_day)
        return cal.next_working_moment(moment)

    def _due_after(self, start_at: datetime, value: float, unit: TimeUnit) -> datetime:
        """DueDatePolicy: the appointment moment ``value`` ``unit`` after a working moment."""
        cal = self.calendar
        if unit is TimeUnit.WORKING_HOURS:
            return cal.add_working_time(start_at, timedelta(hours=value))
        if unit is TimeUnit.CALENDAR_DAYS:
            return cal.add_working_days_at(start_at + timedelta(days=value), 0)
        whole = int(value)
        due = cal.add_working_days_at(start_at, whole) if whole else start_at
        fraction = value - whole
        if fraction:
            due = cal.add_working_time(due, cal.hours_per_day * fraction)
        if self.policies.due_date.mode == "end_of_day":
            periods = cal.working_periods(due.date())
            due = datetime.combine(due.date(), periods[-1][1], VN_TZ)
        return due

    def _clock_payload(
        self, definition: ProcedureDefinition, start_at: datetime, limit: Duration | None = None
    ) -> dict[str, Any]:
        at_desk = limit is not None
        limit = limit or definition.time_limit.effective
        steps = () if at_desk else definition.workflow.steps
        shares = []
        elapsed = 0.0
        for step in steps:
            elapsed += step.share
            shares.append(elapsed)
        if limit.unit is TimeUnit.WORKING_DAYS and self.policies.due_date.mode == "same_clock_time":
            # the due date and every step deadline in one pass over the calendar (the same
            # rule as _due_after: start_at is a working moment, from _clock_start)
            due, *step_ats = self.calendar.deadlines_at(start_at, [limit.value, *shares])
        else:
            due = self._due_after(start_at, limit.value, limit.unit)
            step_ats = [self._due_after(start_at, v, limit.unit) for v in shares]
        step_due = [
            [step.id, iso(min(step_at, due))] for step, step_at in zip(steps, step_ats, strict=True)
        ]
        return {
            "clock_started_at": iso(start_at),
            "due_at": iso(due),
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
        dest = transition.dest
        if not self._date_granularity and dest is not None and dest != dossier.state:
            # the step left now gets its class on the process control slip; with the default
            # ``date`` granularity apply() derives it (see _dossier._close_step), which keeps
            # the payload, and so the hashed text, short on the hot path
            current = dossier.step_rows[-1] if dossier.step_rows else None
            if current is not None and current[ROW_LEFT_AT] is None:
                step_due = current[ROW_DUE_AT]
                if step_due is not None:
                    payload["step_timeliness"] = classify(
                        moment, step_due, self.policies.timeliness
                    )
        if effect is Effect.ACCEPT:
            payload.update(self._clock_payload(definition, self._clock_start(moment)))
        elif effect is Effect.REQUEST_SUPPLEMENT:
            refusal = self._supplement_refusal(dossier, moment)
            if refusal is not None:
                raise PolicyViolation(refusal)
            missing = data.pop("missing", [])
            if isinstance(missing, str) or not isinstance(missing, list | tuple):
                raise InvalidCommand("missing= must be a list of the documents to supplement")
            payload["missing"] = [str(item) for item in missing]
        elif effect is Effect.RESUME:
            payload.update(self._resume_payload(definition, dossier, moment))
        elif effect in (Effect.HANDOVER, Effect.ADVANCE) or (
            effect is Effect.CUSTOM and dest is not None and compiled.states[dest].step is not None
        ):
            assert dest is not None
            state = compiled.states[dest]
            payload["role"] = state.role
            if state.agency is not None:
                payload["agency"] = state.agency
            rows = dossier.step_rows
            if effect is Effect.HANDOVER or (rows and rows[-1][ROW_AGENCY] != state.agency):
                transfer = self._transfer_due(dossier, effect, state.agency)
                if transfer is not None:
                    payload["transfer_due_at"] = transfer
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
        if effect is Effect.PAY_FEE or (data and data.get("fee_paid") is True):
            payload.update(self._payment(dossier, data, effect is Effect.PAY_FEE))
        for name, value in data.items():
            data[name] = _as_json(name, value)
        if data:
            payload["data"] = data
        return payload

    @staticmethod
    def _reason(data: dict[str, Any], action: str) -> str:
        reason = data.pop("reason", None)
        if not reason or not isinstance(reason, str):
            raise InvalidCommand(f"{action} needs reason='...' (it is written on the slip)")
        return reason

    def _supplement_refusal(self, dossier: Dossier, moment: datetime) -> str | None:
        policy = self.policies.supplement
        at_reception = dossier.state == SUBMITTED
        previous = sum(1 for p in dossier.pauses if (p.origin == SUBMITTED) == at_reception)
        limit = policy.max_at_reception if at_reception else policy.max_during_handling
        if limit is not None and previous >= limit:
            where = "at reception" if at_reception else "during handling"
            field_name = "max_at_reception" if at_reception else "max_during_handling"
            article = "art. 16.3, 17.2.a" if at_reception else "art. 19.5"
            return (
                f"dossier {dossier.code} already had {previous} supplement request(s) {where}; "
                f"the limit is {limit} (SupplementPolicy.{field_name}, Decree 118/2025/ND-CP "
                f"{article})"
            )
        window = policy.within_working_days
        received = dossier.clock_started_at
        if not at_reception and window is not None and received is not None:
            last_day = self.calendar.add_working_days(received.date(), window)
            if moment.date() > last_day:
                return (
                    f"a supplement for dossier {dossier.code} must be requested within {window} "
                    f"working day(s) of receipt (by {last_day}; SupplementPolicy."
                    "within_working_days, Decree 118/2025/ND-CP art. 19.5); reschedule with an "
                    "apology instead"
                )
        return None

    def _payment(self, dossier: Dossier, data: dict[str, Any], explicit: bool) -> dict[str, Any]:
        """Fees paid now: ``fees=[names]`` (default every unpaid one), ``online=`` (default:
        the dossier came online). ``fee_paid: true`` stays in the data only once all are paid."""
        names = data.pop("fees", None)
        online = data.pop("online", dossier.channel == "online")
        unpaid = [fee.name for fee in dossier.fees if fee.paid_at is None]
        explicit = explicit or names is not None
        if names is None:
            names = unpaid
        if isinstance(names, str) or not isinstance(names, list | tuple):
            raise InvalidCommand("fees= must be a list of fee names")
        if not isinstance(online, bool):
            raise InvalidCommand("online= must be true or false")
        unknown = [n for n in names if n not in unpaid]
        if unknown or (explicit and not names):
            raise InvalidCommand(
                f"fees {', '.join(map(repr, unknown)) or '(none)'} are not unpaid fees of "
                f"dossier {dossier.code}; unpaid: {', '.join(unpaid) or 'none'}"
            )
        if set(unpaid) - set(names):
            data.pop("fee_paid", None)  # some fee is still due
        else:
            data["fee_paid"] = True
        if not names:
            return {}
        return {"fees_paid": {"names": list(names), "online": online}}

    def _transfer_due(self, dossier: Dossier, effect: Effect, agency: str | None) -> str | None:
        """TransferPolicy: the hand-over deadline of the step being entered, if a rule sets one
        (ISO text, as the payload keeps it).

        From the desk (art. 18.2): paper dossiers reach the deciding unit the same working day,
        or at the start of the next one if received after the cut-off; online ones move at once
        through the system (no deadline). Into another agency's step (art. 20.1): within the
        policy's working days after the previous step's deadline.
        """
        policy = self.policies.transfer
        cal = self.calendar
        if effect is Effect.HANDOVER:
            received = dossier.received_at
            if received is None or dossier.channel not in _PAPER_CHANNELS:
                return None
            key = (received.date(), received.time() > policy.paper_cutoff)
            found = self._paper_due.get(key)
            if found is None:  # one calendar look-up (and ISO text) per day and cut-off side
                day = key[0]
                if not cal.is_working_day(day) or key[1]:
                    due = cal.next_working_moment(
                        datetime.combine(day + timedelta(days=1), time(0), VN_TZ)
                    )
                else:
                    due = datetime.combine(day, cal.working_periods(day)[-1][1], VN_TZ)
                found = self._paper_due[key] = iso(due)
            return found
        previous = dossier.step_rows[-1] if dossier.step_rows else None
        if previous is None or previous[ROW_AGENCY] == agency or previous[ROW_DUE_AT] is None:
            return None
        return iso(cal.add_working_days_at(previous[ROW_DUE_AT], policy.inter_agency_working_days))

    def _resume_payload(
        self, definition: ProcedureDefinition, dossier: Dossier, moment: datetime
    ) -> dict[str, Any]:
        origin = dossier.paused_from
        if origin == SUBMITTED or dossier.due_at is None:
            return {}
        if self.policies.supplement.mode is SupplementMode.RESTART:
            # a new appointment from the complete dossier; an earlier apology's date is
            # superseded, its record (and its "late" mark) stays: docs/engine.md
            limit = self.policies.on_the_spot.limit if dossier.state == HANDLED_AT_DESK else None
            return self._clock_payload(definition, self._clock_start(moment), limit)
        cal = self.calendar
        paused_at = dossier.pauses[-1].start
        restart = cal.next_working_moment(moment)

        def shifted(due: datetime) -> datetime:
            remaining = cal.working_time_between(paused_at, due)
            if remaining <= timedelta(0):
                return due
            return cal.add_working_time(restart, remaining)

        original = dossier.original_due_at or dossier.due_at
        return {
            "due_at": iso(shifted(dossier.due_at)),
            "original_due_at": iso(shifted(original)),
            "step_due": [[step, iso(shifted(due))] for step, due in dossier.step_due],
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
        refusal = self._refusal(dossier, Effect.RESCHEDULE, moment)
        if refusal is not None:
            raise PolicyViolation(refusal)
        assert dossier.due_at is not None
        if not self.calendar.is_working_day(new_due.date()):
            if policy.non_working_day == "reject":
                raise InvalidCommand(
                    f"the new appointment {new_due.isoformat()} falls on a non-working day "
                    f"({self.calendar.non_working_reason(new_due.date())}); choose a working day "
                    "(ReschedulePolicy.non_working_day)"
                )
            next_day = self.calendar.add_working_days(new_due.date(), 1)
            new_due = datetime.combine(next_day, new_due.timetz())
        if new_due <= dossier.due_at:
            raise InvalidCommand(
                f"the new appointment {new_due.isoformat()} must be after the current "
                f"{dossier.due_at.isoformat()}"
            )
        return {"new_due_at": iso(new_due), "reason": reason}


def _same_command(existing: Event, digest: str | None, key: str) -> None:
    """An idempotency key may only be reused for the very same command."""
    stored = existing.payload.get("command_digest")
    if stored is not None and stored != digest:
        raise InvalidCommand(
            f"idempotency key {key!r} was already used for a different command "
            f"({existing.trigger} on dossier {existing.dossier_code}, event {existing.version}); "
            "use a new key for a new command"
        )
