"""The engine: commands in, validated events out, dossiers as folds of their events."""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from tthc_flow._time import VN_TZ, to_vn
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine._actor import DESK, SYSTEM, Actor
from tthc_flow.engine._arguments import command_data
from tthc_flow.engine._assignment import ASSIGNMENT_TRIGGERS, OpenStep
from tthc_flow.engine._assignment import decide as decide_assignment
from tthc_flow.engine._authority import (
    AuthorizationRequest,
    authorizer_refusal,
    home_agency_refusal,
)
from tthc_flow.engine._bulk import BulkCommands
from tthc_flow.engine._clock import Clock, SystemClock
from tthc_flow.engine._compiled import CompiledProcedure
from tthc_flow.engine._dossier import (
    ROW_AGENCY,
    ROW_DUE_AT,
    ROW_LEFT_AT,
    ROW_STEP,
    Dossier,
    apply,
    iso,
    start,
)
from tthc_flow.engine._events import GENESIS_HASH, Event, canonical_json
from tthc_flow.engine._inputs import check_create, check_fire
from tthc_flow.engine._keys import ChainKey
from tthc_flow.engine._messages import OutboxMessage
from tthc_flow.engine._payments import decide_payment, decide_request
from tthc_flow.engine._petitions import EFFECTS as PETITION_EFFECTS
from tthc_flow.engine._petitions import decide as decide_petition
from tthc_flow.engine._policies import Policies, SupplementMode
from tthc_flow.engine._ratings import decide as decide_rating
from tthc_flow.engine._results import EFFECTS as RESULT_EFFECTS
from tthc_flow.engine._results import decide as decide_result

if TYPE_CHECKING:  # imported where used: their pydantic models cost import time
    from tthc_flow.engine._applicant import Applicant
    from tthc_flow.engine._documents import SubmittedDocument
from tthc_flow.engine._rulebook import RuleBook
from tthc_flow.engine._store_port import DossierQuery, DossierSummary, DueTimer, FullStore, Store
from tthc_flow.engine._timeliness import DEFAULT_TIMELINESS, classify, classify_resolution
from tthc_flow.engine._timers import (
    CLOSE_UNSUPPLEMENTED,
    MESSAGE_TIMERS,
    NO_CHANGE,
    TimerChange,
    due_soon_at,
    timer_change,
    timers_of,
)
from tthc_flow.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    DossierNotFound,
    InvalidCommand,
    PermissionDenied,
    PolicyViolation,
    TransitionNotAllowed,
    WrongArgumentType,
)
from tthc_flow.procedure import (
    PAUSED_FROM,
    RECEIVED,
    SUBMITTED,
    SUPPLEMENT_REQUESTED,
    Channel,
    Duration,
    Effect,
    Level,
    ProcedureDefinition,
    TimeUnit,
    TransitionDef,
    describe_guard,
    guard_holds,
)
from tthc_flow.procedure._lifecycle import EVERY_STATE_TRIGGERS, HANDLED_AT_DESK

Hook = Callable[[Dossier, Event], None]
"""A named hook: called with the new dossier and its event after the event is committed
(inside a ``store.batch()``, after the batch commits; never if it rolls back). An exception
in a hook is logged (logger ``tthc_flow.engine``) and does not undo the command. Hooks are for
cheap in-process work; anything that leaves the process goes through the outbox."""

_REFUSALS = (TransitionNotAllowed, PermissionDenied, PolicyViolation, InvalidCommand)
"""Errors that refuse a command because of the dossier's state: checked against the store
before they are raised when the command was decided on a cached copy."""

logger = logging.getLogger("tthc_flow.engine")

_PAPER_CHANNELS = frozenset({"desk", "postal"})

_AFTERCARE = frozenset(
    {
        Effect.REQUEST_PAYMENT,
        Effect.PAYMENT_DONE,
        Effect.PAY_FEE,
        Effect.RATE,
        Effect.PETITION,
        Effect.ANSWER_PETITION,
        Effect.PETITION_FEEDBACK,
    }
)
"""Effects decided by :meth:`Engine._aftercare` (payments, the rating, petitions)."""


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


class Engine(BulkCommands):
    """Runs dossiers through compiled procedures, with deadlines and an audit log.

    >>> from tthc_flow.procedure import load_catalog   # doctest: +SKIP
    >>> from tthc_flow.store import MemoryStore   # doctest: +SKIP
    >>> engine = Engine(load_catalog("examples/so-cong-thuong"), store=MemoryStore())  # doctest: +SKIP
    >>> d = engine.receive("2.000132", applicant="Công ty A", channel="desk")  # doctest: +SKIP

    ``key`` (a :class:`~tthc_flow.engine.ChainKey`, kept outside the database) makes every
    event's hash keyed, so that nobody without the key can forge one (docs/security.md).
    """

    def __init__(
        self,
        catalog: CatalogLike,
        *,
        store: Store,
        calendar: WorkCalendar | None = None,
        clock: Clock | None = None,
        policies: Policies | None = None,
        hooks: dict[str, Hook] | None = None,
        rules: RuleBook | None = None,
        key: ChainKey | None = None,
    ) -> None:
        if store is None:  # the engine imports no store of its own: the caller picks one
            raise WrongArgumentType(
                "Engine needs store=: tthc_flow.MemoryStore() in tests, "
                "tthc_flow.SqlStore.sqlite(path) or SqlStore(url) to keep dossiers",
                argument="store",
                expected="a Store",
                got="NoneType",
            )
        self.catalog = catalog
        self.calendar = calendar or WorkCalendar.vietnam()
        self.store: Store = store
        self.clock: Clock = clock or SystemClock()
        self.policies = policies or Policies()
        # RuleBook: the legal rules by effective date, per procedure or sector; without one,
        # ``policies`` judge every dossier (docs/engine.md, "Rules by effective date")
        self.rules = rules
        self._hooks: dict[str, Hook] = dict(hooks or {})
        self._hook_lists: dict[int, list[Hook]] = {}  # by id(transition), see _hooks_for
        self._compiled: dict[tuple[str, int], CompiledProcedure] = {}
        # open dossiers this engine wrote: a cache, never a source of truth. A command
        # decided on a cached copy is stored only if the store still holds exactly that
        # version and hash (append's compare-and-swap); a refusal is confirmed against the
        # store's head first (see fire)
        self._open: dict[str, Dossier] = {}
        self._paper_due: dict[tuple[date, bool], str] = {}  # TransferPolicy, art. 18.2
        # steps classed as the default policy classes them need no ``step_timeliness`` in the
        # payload: the fold applies that policy to events without one (_dossier._close_step)
        self._steps_as_default = (
            self.policies.timeliness.granularity == DEFAULT_TIMELINESS.granularity
        )
        # a store that discards events (the simulator's lean store, keep_events=False) leaves
        # no chain to verify: its events are not hashed, and no timers or outbox messages
        # are written (Store docs, docs/engine.md)
        self._hashed = self.store.keep_events is not False
        # a key the database never holds: events' hashes become keyed (engine._keys), so that
        # a forger with the public Event.create cannot make one that verifies
        self._key = key
        self._durable = self._hashed
        self._lock = threading.Lock()  # guards the cache's check-then-set across threads
        self._due_soon_memo: dict[datetime, datetime | None] = {}
        self._window_memo: dict[tuple[date, int], datetime | None] = {}

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
        applicant: str | Applicant,
        channel: str,
        at: datetime | None = None,
        *,
        actor: Actor | None = None,
        idempotency_key: str | None = None,
        documents: Sequence[SubmittedDocument] = (),
        reception_centre: str | None = None,
        data: Mapping[str, Any] | None = None,
        **arguments: Any,
    ) -> Dossier:
        """Record a dossier that arrived but is not yet checked (e.g. online): the clock has not
        started. Follow with ``accept``, ``request_supplement`` or ``refuse``. Arguments and
        ``data`` as for :meth:`receive`."""
        merged = command_data("submit", data, arguments)
        extras = _Intake(applicant, documents, reception_centre)
        return self._create(
            procedure_code, extras, channel, at, actor, idempotency_key, merged, False
        )

    def receive(
        self,
        procedure_code: str,
        applicant: str | Applicant,
        channel: str,
        at: datetime | None = None,
        *,
        actor: Actor | None = None,
        idempotency_key: str | None = None,
        documents: Sequence[SubmittedDocument] = (),
        reception_centre: str | None = None,
        data: Mapping[str, Any] | None = None,
        **arguments: Any,
    ) -> Dossier:
        """Receive a complete dossier: issue its code and due date; the clock starts.

        ``at`` defaults to the clock's now; ``actor`` to the one-stop desk. ``data`` is kept
        with the dossier (guards read it). Keyword ``arguments`` are the command's own, each
        named in :data:`~tthc_flow.engine.ARGUMENTS` (``case=``, ``on_the_spot=True`` for an
        eligible procedure "4 tại chỗ", ``fee_paid=True``...). ``applicant`` is the name or an
        :class:`Applicant` record; ``documents`` the components submitted (docs/documents.md);
        ``reception_centre`` the centre that received a dossier the procedure's agency decides
        (art. 14.2, 20.1).
        """
        merged = command_data("receive", data, arguments)
        extras = _Intake(applicant, documents, reception_centre)
        return self._create(
            procedure_code, extras, channel, at, actor, idempotency_key, merged, True
        )

    def fire(
        self,
        dossier_code: str,
        trigger: str,
        actor: Actor,
        at: datetime | None = None,
        idempotency_key: str | None = None,
        *,
        documents: Sequence[SubmittedDocument] = (),
        data: Mapping[str, Any] | None = None,
        **arguments: Any,
    ) -> Dossier:
        """Apply ``trigger`` to a dossier as ``actor``; returns the new state.

        Keyword ``arguments`` are the command's own (``reason=``, ``missing=``,
        ``new_due_at=``...: :data:`~tthc_flow.engine.ARGUMENTS`); ``data`` is what the dossier
        keeps (guards read it).

        Raises :class:`TransitionNotAllowed` (wrong state or guard), :class:`PermissionDenied`
        (role), :class:`PolicyViolation` (a legal rule), :class:`InvalidCommand` (arguments).
        In every such case nothing is stored. With an ``idempotency_key`` already used for
        this dossier, nothing happens and the current state is returned. ``documents``: the
        components handed in with a supplement (``submit_supplement``, docs/documents.md).
        """
        merged = command_data(trigger, data, arguments)
        check_fire(dossier_code, trigger, actor, at, idempotency_key, merged)  # before anything
        if documents:
            from tthc_flow.engine._intake import documents_as_data

            merged = {**merged, _DOCUMENTS: documents_as_data(documents)}
        cached = self._open.get(dossier_code)
        dossier = cached if cached is not None else self._fresh(dossier_code)
        try:
            return self._fire(dossier, trigger, actor, at, idempotency_key, merged)
        except _REFUSALS:
            # decided on the cache: a refusal must hold on the committed dossier
            if cached is None or self.store.head(dossier_code) == (
                cached.version,
                cached.last_hash,
            ):
                raise
        except ConcurrencyConflict:
            if cached is None:
                raise  # decided on what the store held a moment ago: a real race, retry
        # the cache was stale (another process moved the dossier on): decide once more on
        # the dossier as the store holds it now
        return self._fire(self._fresh(dossier_code), trigger, actor, at, idempotency_key, merged)

    def _fire(
        self,
        dossier: Dossier,
        trigger: str,
        actor: Actor,
        at: datetime | None,
        idempotency_key: str | None,
        data: dict[str, Any],
    ) -> Dossier:
        """Decide ``trigger`` on ``dossier`` and commit it (see :meth:`fire`)."""
        dossier_code = dossier.code
        digest = None
        if idempotency_key is not None:
            digest = _digest(trigger, actor.id, sorted(actor.roles), _data_for_digest(data))
            existing = self.store.find_idempotent(dossier_code, idempotency_key)
            if existing is not None:
                _same_command(existing, digest, idempotency_key)
                return replace(self._fresh(dossier_code), as_of=self._moment(at))
        # the clock is read after the dossier: a command without ``at`` is never earlier
        # than the event it follows (clocks of several servers differ by milliseconds)
        if at is None:
            moment = self._moment(None)
            if moment < dossier.updated_at:
                moment = dossier.updated_at
        else:
            moment = at if at.tzinfo is VN_TZ else self._moment(at)
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
            if trigger in ASSIGNMENT_TRIGGERS:  # the engine's own, in any state with a step
                return self._assign(dossier, trigger, actor, moment, idempotency_key, digest, data)
            # the state's own moves; the petition commands, allowed in every state, would
            # only drown them (EVERY_STATE_TRIGGERS, docs/errors.md)
            in_state = tuple(
                t for t in compiled.triggers_from(dossier.state) if t not in EVERY_STATE_TRIGGERS
            )
            raise TransitionNotAllowed(
                f"{trigger!r} is not allowed for dossier {dossier_code} in state "
                f"{dossier.state!r}; allowed: {', '.join(in_state) or 'none'}",
                dossier_code=dossier_code,
                trigger=trigger,
                state=dossier.state,
                allowed=in_state,
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
                "(AgencyPolicy.require_same_agency)",
                actor=actor.id,
                actor_agency=actor.agency,
                dossier_code=dossier_code,
                trigger=trigger,
                agencies=(owner[0],),
                rule="AgencyPolicy.require_same_agency",
            )
        step_agency = owner[0] if owner is not None else dossier.agency_code
        refusal = self._authority(actor, role, trigger, dossier, step_agency, moment, data)
        if refusal is not None:
            raise refusal
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
                f"not met ({guards}); allowed now: {', '.join(allowed_now) or 'none'}",
                dossier_code=dossier_code,
                trigger=trigger,
                state=dossier.state,
                allowed=tuple(allowed_now),
                guard=guards,
            )
        payload = self._decide(compiled.definition, compiled, dossier, transition, moment, data)
        if digest is not None:
            payload["command_digest"] = digest
        if actor.name is not None:
            payload["actor_name"] = actor.name  # the slips print the name of who acted
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
            hashed=self._hashed,
            key=self._key,
            personal_apart=self.policies.personal_data.keep_apart,
        )
        hooks = self._hook_lists.get(id(transition))
        if hooks is None:
            hooks = self._hooks_for(compiled, transition)
        return self._commit(event, dossier, apply(dossier, event), hooks)

    def _authority(
        self,
        actor: Actor,
        role: str,
        trigger: str,
        dossier: Dossier | None,
        step_agency: str,
        moment: datetime,
        data: dict[str, Any],
        *,
        procedure_code: str | None = None,
    ) -> PermissionDenied | None:
        """AgencyPolicy's home-agency rule and the deployment's ``authorize`` check
        (docs/agencies.md), on ``dossier`` as committed (None: a receipt, of ``step_agency``)."""
        policy = self.policies.agency
        if actor.agency is None and not policy.actors_need_agency and policy.authorize is None:
            return None  # an unscoped actor and no check: the hot path of most deployments
        code = dossier.code if dossier is not None else None
        agency = dossier.agency_code if dossier is not None else step_agency
        if policy.home_agency:
            refusal = home_agency_refusal(
                actor,
                role,
                trigger,
                code,
                agency,
                step_agency,
                serves=policy.serves,
                actors_need_agency=policy.actors_need_agency,
            )
            if refusal is not None:
                return refusal
        if policy.authorize is None:
            return None
        request = AuthorizationRequest(
            actor=actor,
            trigger=trigger,
            role=role,
            procedure_code=dossier.procedure_code if dossier is not None else procedure_code or "",
            agency_code=agency,
            step_agency=step_agency,
            at=moment,
            dossier=dossier,
            data=dict(data),
        )
        return authorizer_refusal(policy.authorize, request, code)

    def _assign(
        self,
        dossier: Dossier,
        trigger: str,
        actor: Actor,
        moment: datetime,
        idempotency_key: str | None,
        digest: str | None,
        data: dict[str, Any],
    ) -> Dossier:
        """An ``assign``, ``reassign`` or ``take_over`` of the step in progress
        (AssignmentPolicy, docs/officials.md): an event from and to the same state."""
        rows = dossier.step_rows
        step = None
        if rows and rows[-1][ROW_LEFT_AT] is None:
            row = rows[-1]
            step = OpenStep(row[ROW_STEP], row[1], row[ROW_AGENCY] or dossier.agency_code, row[3])
        role, payload = decide_assignment(
            trigger,
            actor,
            step,
            dossier.assignment,
            data,
            self.policies.assignment,
            dossier_code=dossier.code,
            check_agency=self.policies.agency.require_same_agency,
        )
        assert step is not None  # decide refuses a dossier without a step in progress
        refusal = self._authority(actor, role, trigger, dossier, step.agency, moment, data)
        if refusal is not None:
            raise refusal
        if digest is not None:
            payload["command_digest"] = digest
        if actor.name is not None:
            payload["actor_name"] = actor.name
        event = Event.create(
            dossier_code=dossier.code,
            version=dossier.version + 1,
            trigger=trigger,
            effect=trigger,
            from_state=dossier.state,
            to_state=dossier.state,
            actor=actor.id,
            role=role,
            at=moment,
            payload=payload,
            prev_hash=dossier.last_hash,
            idempotency_key=idempotency_key,
            hashed=self._hashed,
        )
        return self._commit(event, dossier, apply(dossier, event))

    # ---------------------------------------------------------------- queries
    def get(self, dossier_code: str) -> Dossier:
        """The dossier's current state as the store holds it, as of the clock's now (a
        change written by another engine or process is seen)."""
        return replace(self._fresh(dossier_code), as_of=self._moment(None))

    def erase_personal_data(
        self,
        dossier_code: str,
        *,
        reason: str,
        legal_basis: str,
        actor: Actor,
        at: datetime | None = None,
        pseudonymise: bool = False,
    ) -> Dossier:
        """Erase (or pseudonymise) the dossier's personal data on request (Law 91/2025/QH15;
        docs/personal-data.md); returns the dossier as it now reads.

        Recorded as an event of the chain (who, when, ``reason``, ``legal_basis``, without
        the values); the values kept beside the chain become ``[đã xoá]`` (or a random
        pseudonym), their nonces are dropped, summaries and outbox copies cleared, and
        ``verify()`` still proves the chain. Refused (:class:`PolicyViolation`) by
        ``Policies.personal_data`` (an open dossier, the retention period), for events
        written with the data inside their hashed text (hash version 2), or twice."""
        from tthc_flow.engine._erasure import erase

        return erase(
            self,
            dossier_code,
            reason=reason,
            legal_basis=legal_basis,
            actor=actor,
            at=at,
            pseudonymise=pseudonymise,
        )

    def history(self, dossier_code: str) -> list[Event]:
        """Every event of the dossier, oldest first."""
        events = self.store.load_events(dossier_code)
        if not events:
            raise DossierNotFound(f"no dossier {dossier_code!r}", dossier_code=dossier_code)
        return events

    def available_triggers(
        self, dossier_code: str, actor: Actor, at: datetime | None = None
    ) -> list[str]:
        """Triggers ``actor`` may fire at ``at`` (default now) on the dossier as the store
        holds it: right state, a role allowed (and the step's agency, AgencyPolicy), a
        guard that holds, and no policy that refuses it (a second apology, a supplement
        request after its window)."""
        dossier = self._fresh(dossier_code)
        compiled = self.compiled(dossier.procedure_code, dossier.procedure_version)
        return self._allowed(compiled, dossier, actor, self._moment(at))

    def overdue(
        self, now: datetime | None = None, *, agency: str | None = None
    ) -> list[DossierSummary]:
        """Open, received, unresolved dossiers past their appointment at ``now``, not waiting
        for a supplement (their clock is stopped), earliest appointment first: one query on
        the store's indexed ``pending_due_at`` (for reminders and worklists); ``agency``:
        one agency's dossiers only."""
        moment = self._moment(now)
        query = DossierQuery(pending_due_before=moment, agency_code=agency)
        return self.store.summaries(query, by_due=True)

    def due_soon(
        self, now: datetime | None, within: timedelta, *, agency: str | None = None
    ) -> list[DossierSummary]:
        """Open, unresolved dossiers whose appointment falls in [now, now + within), not
        paused, earliest first (one indexed query); ``agency``: one agency's only."""
        moment = self._moment(now)
        query = DossierQuery(
            pending_due_from=moment, pending_due_before=moment + within, agency_code=agency
        )
        return self.store.summaries(query, by_due=True)

    def close_unsupplemented(self, now: datetime | None = None) -> list[Dossier]:
        """Close ("đóng hồ sơ") dossiers whose supplement did not arrive by their ``closes_at``
        (SupplementPolicy, Decree 118/2025/ND-CP art. 19.5); outcome ``closed``."""
        if self.rules is None and self.policies.supplement.close_after_days is None:
            return []
        moment = self._moment(now)
        closed = []
        for code in self.store.find(DossierQuery(states=frozenset({SUPPLEMENT_REQUESTED}))):
            done = self._close_unsupplemented(code, moment)
            if done is not None:
                closed.append(done)
        return closed

    def run_due(self, now: datetime | None = None, *, limit: int = 500) -> list[DueTimer]:
        """Fire every timer due at ``now`` (default the clock's), each exactly once even with
        several schedulers running at once; returns the timers this call fired.

        A reminder (``due_soon``, ``overdue``, ``step_overdue``) becomes an outbox message
        ``timer.<kind>``, written in the transaction that marks the timer fired. The closure
        of an unsupplemented dossier (``close_unsupplemented``) is a command: the store's
        compare-and-swap lets one scheduler win and the others find the dossier closed.
        Timers are read with one indexed query, at most ``limit`` per call.
        """
        store = self.store
        if not isinstance(store, FullStore):
            raise WrongArgumentType(
                f"{type(store).__name__} keeps no timers; use MemoryStore or SqlStore",
                argument="store",
                expected="a store with timers (MemoryStore, SqlStore)",
                got=type(store).__name__,
            )
        moment = self._moment(now)
        fired = []
        for timer in store.due_timers(moment, limit=limit):
            if timer.kind in MESSAGE_TIMERS:
                payload = {
                    "dossier_code": timer.dossier_code,
                    "kind": timer.kind,
                    "due_at": iso(timer.due_at),
                    "fired_at": iso(moment),
                }
                message = OutboxMessage(f"timer.{timer.kind}", payload)
                if store.fire_timer(timer, now=moment, message=message):
                    fired.append(timer)
            elif timer.kind == CLOSE_UNSUPPLEMENTED:
                if self._close_unsupplemented(timer.dossier_code, moment) is not None:
                    fired.append(timer)
            else:  # a kind this code does not know (written by newer code): leave it pending
                logger.warning("timer %s of %s: unknown kind", timer.kind, timer.dossier_code)
        return fired

    def _close_unsupplemented(self, code: str, moment: datetime) -> Dossier | None:
        """Close one dossier whose supplement did not arrive by its ``closes_at`` (None: it
        is not due, or another scheduler or process closed it first)."""
        try:
            dossier = self._fresh(code)
        except DossierNotFound:
            return None
        closes_at = dossier.closes_at if dossier.paused else None
        if closes_at is None or closes_at > moment:
            return None
        days = self._policies_of(dossier).supplement.close_after_days
        reason = f"không hoàn thiện hồ sơ trong {days} ngày kể từ khi thông báo"
        try:
            return self.fire(code, "stop", SYSTEM, moment, reason=reason)
        except (ConcurrencyConflict, TransitionNotAllowed):
            return None  # another scheduler's command won the race

    def _closure_moment(self, dossier: Dossier, notice: datetime) -> datetime | None:
        """SupplementPolicy: when a supplement requested at ``notice`` lapses (art. 19.5),
        or None when the closure does not apply.

        Civil Code 2015: the day of the notice is not counted (art. 147.3), the period ends
        at 24:00 of its last day (148.1, 148.6), moved to the next working day when the last
        day is a weekend or holiday (148.5). Written as ``closes_at`` on the request event.
        """
        policy = self._policies_of(dossier).supplement
        days = policy.close_after_days
        if days is None or (dossier.state == SUBMITTED and not policy.close_at_reception):
            return None
        last = notice.date() + timedelta(days=days)
        if not self.calendar.is_working_day(last):
            last = self.calendar.add_working_days(last, 1)
        return datetime.combine(last + timedelta(days=1), time(0), VN_TZ)  # 24:00 of ``last``

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
                step_agency = owner[0] if owner is not None else dossier.agency_code
                if self._authority(actor, min(held), trigger, dossier, step_agency, moment, {}):
                    continue
                if self._refusal(dossier, t.effect, moment) is None:
                    result.append(trigger)
                    break
        return result

    def _refusal(
        self, dossier: Dossier, effect: Effect, moment: datetime, trigger: str | None = None
    ) -> PolicyViolation | None:
        """Why a policy refuses ``effect`` on ``dossier`` at ``moment`` (None: it does not)."""
        if effect is Effect.REQUEST_SUPPLEMENT:
            return self._supplement_refusal(dossier, moment, trigger)

        def refused(message: str, policy: str | None, article: str | None) -> PolicyViolation:
            return PolicyViolation(
                message,
                dossier_code=dossier.code,
                trigger=trigger,
                policy=policy,
                article=article,
            )

        if effect in (Effect.REPORT_ERROR, Effect.CORRECT):
            pending = dossier.correction_due_at is not None and dossier.corrected_at is None
            art_23 = "Decree 118/2025/ND-CP art. 23.1"
            if effect is Effect.REPORT_ERROR and pending:
                return refused(
                    f"dossier {dossier.code} is already being corrected (art. 23.1)",
                    None,
                    art_23,
                )
            if effect is Effect.CORRECT and not pending:
                return refused(
                    f"dossier {dossier.code} has no reported error to correct (art. 23.1)",
                    None,
                    art_23,
                )
        if (
            effect is Effect.REFUSE
            and dossier.received_at is not None
            and self._policies_of(dossier).refusal.after_receipt == "forbid"
        ):
            return refused(
                f"dossier {dossier.code} was received (receipt slip issued): it cannot be "
                "refused any more; reject it with reasons instead (RefusalPolicy.after_receipt, "
                "Decree 118/2025/ND-CP art. 17.1.c, 19.3)",
                "RefusalPolicy.after_receipt",
                "Decree 118/2025/ND-CP art. 17.1.c, 19.3",
            )
        if effect is Effect.RESCHEDULE:
            policy = self._policies_of(dossier).reschedule
            art_19_6 = "Decree 118/2025/ND-CP art. 19.6"
            if dossier.due_at is None:
                return refused(
                    f"dossier {dossier.code} has no appointment to move yet",
                    "ReschedulePolicy",
                    art_19_6,
                )
            if len(dossier.reschedules) >= policy.max_times:
                return refused(
                    f"dossier {dossier.code} was already rescheduled {len(dossier.reschedules)} "
                    f"time(s); the limit is {policy.max_times} (ReschedulePolicy.max_times, "
                    "Decree 118/2025/ND-CP art. 19.6)",
                    "ReschedulePolicy.max_times",
                    art_19_6,
                )
            notice = self.calendar.working_days_between(moment.date(), dossier.due_at.date())
            if notice < policy.min_notice_days:
                return refused(
                    f"the apology must be sent at least {policy.min_notice_days} working day(s) "
                    f"before the due date {dossier.due_at.date()} (ReschedulePolicy."
                    f"min_notice_days, Decree 118/2025/ND-CP art. 19.6); only {max(notice, 0)} left",
                    "ReschedulePolicy.min_notice_days",
                    art_19_6,
                )
        return None

    def _fresh(self, dossier_code: str) -> Dossier:
        """The dossier as the store holds it now; refreshes this engine's cache."""
        dossier = self.store.load(dossier_code)
        if dossier is None:
            self._open.pop(dossier_code, None)
            raise DossierNotFound(f"no dossier {dossier_code!r}", dossier_code=dossier_code)
        self._remember(dossier)
        return dossier

    def _remember(self, dossier: Dossier) -> None:
        """Cache an open dossier unless a newer copy is cached (threads race here)."""
        code = dossier.code
        with self._lock:
            if not dossier.is_open:
                self._open.pop(code, None)
                return
            known = self._open.get(code)
            if known is None or known.version < dossier.version:
                self._open[code] = dossier

    def _forget(self, code: str) -> None:
        self._open.pop(code, None)

    @staticmethod
    def _role(actor: Actor, allowed: frozenset[str], trigger: str, dossier: Dossier) -> str:
        held = actor.roles & allowed
        if not held:
            raise PermissionDenied(
                f"{actor.id} (roles: {', '.join(sorted(actor.roles)) or 'none'}) may not "
                f"{trigger} dossier {dossier.code} in state {dossier.state!r}; "
                f"roles allowed: {', '.join(sorted(allowed))}",
                actor=actor.id,
                actor_agency=actor.agency,
                dossier_code=dossier.code,
                trigger=trigger,
                roles_allowed=tuple(sorted(allowed)),
                rule="Lifecycle.roles",
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
            raise ConfigurationError(
                f"hook(s) {', '.join(missing)} used by {compiled.definition.code} are not "
                "registered; call engine.register_hook(name, function)",
                setting="Engine.hooks",
                value=tuple(missing),
                allowed=tuple(sorted(self._hooks)),
            )
        # by id(): the compiled procedure, cached for the engine's life, keeps it alive
        found = self._hook_lists[id(transition)] = [self._hooks[n] for n in names]
        return found

    def _commit(
        self,
        event: Event,
        before: Dossier | None,
        dossier: Dossier,
        hooks: Iterable[Hook] = (),
    ) -> Dossier:
        """Store ``event`` (turning ``before`` into ``dossier``) with the dossier's timer
        change and outbox messages; then cache the dossier and run ``hooks``, after the
        commit (inside a batch: after the batch commits, or never)."""
        timers: TimerChange = NO_CHANGE
        messages: list[OutboxMessage] = []
        if self._durable:
            timers = timer_change(
                self._timers_of(before) if before is not None else {}, self._timers_of(dossier)
            )
            messages = self.policies.outbox.messages(before, dossier, event)
        code = dossier.code
        try:
            self.store.append([event], dossier, timers=timers, messages=messages)
        except Exception:
            self._open.pop(code, None)  # another writer won: reload next time
            raise
        self._remember(dossier)
        if self.store.in_batch():
            # inside a batch: the hooks wait for its commit, and a rollback must not leave
            # this engine's cache ahead of the store
            hooks = list(hooks)
            self.store.defer(
                lambda: self._run_hooks(hooks, dossier, event), lambda: self._forget(code)
            )
        elif hooks:
            self._run_hooks(hooks, dossier, event)
        return dossier

    def _timers_of(self, dossier: Dossier) -> dict[str, datetime]:
        return timers_of(
            dossier, self._due_soon, self.policies.reminders, self._supplement_window_timer
        )

    def _due_soon(self, due: datetime) -> datetime | None:
        """ReminderPolicy's due_soon moment, one calendar look-up per appointment."""
        memo = self._due_soon_memo
        if due in memo:
            return memo[due]
        if len(memo) >= 4096:  # appointments move on with time: keep the memo small
            memo.clear()
        found = memo[due] = due_soon_at(due, self.calendar, self.policies.reminders)
        return found

    @staticmethod
    def _run_hooks(hooks: Iterable[Hook], dossier: Dossier, event: Event) -> None:
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

    def _create(
        self,
        code: str,
        intake: _Intake,
        channel: str,
        at: datetime | None,
        actor: Actor | None,
        idempotency_key: str | None,
        data: dict[str, Any],
        accept: bool,
    ) -> Dossier:
        # before anything: a refused command draws no dossier number and stores nothing
        plain = type(intake.applicant) is str and not intake.documents
        if plain and intake.reception_centre is None:
            applicant: object = intake.applicant
            record: dict[str, Any] | None = None
            centre = None
            check_create(code, applicant, channel, actor, at, idempotency_key, data)
        else:
            from tthc_flow.engine._intake import applicant_parts, check_centre

            applicant, record = applicant_parts(intake.applicant)
            check_create(code, applicant, channel, actor, at, idempotency_key, data)
            centre = check_centre(intake.reception_centre)
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
                *intake.digest_parts(record),
            )
            existing = self.store.find_idempotent(None, idempotency_key)
            if existing is not None:
                _same_command(existing, digest, idempotency_key)
                return replace(self._fresh(existing.dossier_code), as_of=moment)
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
                f"procedure {code} is not offered by {channel_value.value}; channels: {offered}",
                trigger="receive" if accept else "submit",
                policy="ProcedureDefinition.channels",
            )
        data = dict(data)
        case_id = data.get("case")
        try:
            case = definition.case(case_id if case_id is None else str(case_id))
        except KeyError:
            raise InvalidCommand(
                f"procedure {code} has no case {case_id!r}; cases: "
                f"{', '.join(c.id for c in definition.cases) or 'none'}"
            ) from None
        fees = case.fees if case is not None and case.fees is not None else definition.fees
        reception_level = data.get("reception_level")
        if reception_level is not None and reception_level not in {lv.value for lv in Level}:
            raise InvalidCommand(
                f"reception_level={reception_level!r}: the level of the receiving centre, one "
                f"of {', '.join(lv.value for lv in Level)} (TransferPolicy, art. 20.1)"
            )
        on_the_spot = bool(data.pop("on_the_spot", False))
        if on_the_spot and not definition.on_the_spot:
            raise PolicyViolation(
                f"procedure {code} is not eligible for '4 tại chỗ'",
                trigger="receive" if accept else "submit",
                policy="ProcedureDefinition.on_the_spot",
            )
        allowed = _RECEIVERS if accept else _SUBMITTERS
        held = actor.roles & allowed
        if not held:
            raise PermissionDenied(
                f"{actor.id} may not {'receive' if accept else 'submit'} dossiers; "
                f"roles allowed: {', '.join(sorted(allowed))}",
                actor=actor.id,
                actor_agency=actor.agency,
                trigger="receive" if accept else "submit",
                roles_allowed=tuple(sorted(allowed)),
                rule="Engine.receive" if accept else "Engine.submit",
            )
        refusal = self._authority(
            actor,
            min(held),
            "receive" if accept else "submit",
            None,
            definition.agency_code,
            moment,
            data,
            procedure_code=definition.code,
        )
        if refusal is not None:
            raise refusal
        for name, value in data.items():
            data[name] = _as_json(name, value)
        documents = (
            _intake_documents(definition, intake.documents, channel_value.value)
            if intake.documents
            else None
        )
        compiled = self.compiled(definition.code, definition.version)
        payload: dict[str, Any] = {
            "procedure_code": definition.code,
            "procedure_version": definition.version,
            "agency_code": definition.agency_code,
            "applicant": applicant,
            "channel": channel_value.value,
            "on_the_spot": on_the_spot,
            "fees_due": sum(fee.amount for fee in fees),
            "data": data,
        }
        if record is not None:
            payload["applicant_record"] = record
        if documents:
            payload["documents"] = documents
        if centre is not None:
            payload["reception_centre"] = centre
        if case is not None:
            payload["case"] = case.id  # the case whose limit and fees apply (TimeLimit, Case)
        if fees:
            payload["fees"] = [[fee.name, fee.amount, fee.kind] for fee in fees]
        at_desk = (
            on_the_spot
            and definition.workflow.base != "on_the_spot"
            and self.policies.on_the_spot.trimmed
        )
        rules = self._policies_on(moment.date(), definition)
        if accept:
            if at_desk:
                limit = self.policies.on_the_spot.limit
            else:
                limit = definition.limit_for(channel_value, None if case is None else case.id)
            payload.update(self._clock_payload(definition, moment, limit, at_desk, rules))
        elif channel_value is Channel.ONLINE:
            payload.update(self._online_receipt_payload(moment, rules))
        if digest is not None:
            payload["command_digest"] = digest
        if actor.name is not None:
            payload["actor_name"] = actor.name
        del compiled  # compiled above so a broken definition fails before anything is stored
        to_state = (HANDLED_AT_DESK if at_desk else RECEIVED) if accept else SUBMITTED
        day = moment.date()
        dossier_code = ""
        try:
            # the day's number is drawn last, in the transaction of the append: a refused or
            # failed receipt gives it back, and a receipt is one commit
            with self.store.batch():
                seq = self.store.next_sequence(definition.agency_code, day)
                dossier_code = self.policies.dossier_code.render(definition.agency_code, day, seq)
                event = Event.create(
                    dossier_code=dossier_code,
                    version=1,
                    trigger="receive" if accept else "submit",
                    effect="accept" if accept else "submit",
                    from_state="",
                    to_state=to_state,
                    actor=actor.id,
                    role=min(held),
                    at=moment,
                    payload=payload,
                    prev_hash=GENESIS_HASH,
                    idempotency_key=idempotency_key,
                    hashed=self._hashed,
                    key=self._key,
                    personal_apart=self.policies.personal_data.keep_apart,
                )
                return self._commit(event, None, start(event))
        except ConcurrencyConflict:
            if idempotency_key is not None:
                raced = self.store.find_idempotent(None, idempotency_key)
                if raced is not None:  # the same command won a race: it is done
                    _same_command(raced, digest, idempotency_key)
                    return replace(self._fresh(raced.dossier_code), as_of=moment)
            if not dossier_code or self.store.head(dossier_code) is None:
                raise
            raise PolicyViolation(
                f"dossier code {dossier_code} is already used by another dossier: the store's "
                f"sequence for {definition.agency_code} on {day} and "
                f"DossierCodeFormat {self.policies.dossier_code.pattern!r} must give each "
                "dossier of the day its own code (Decree 118/2025/ND-CP art. 28)",
                dossier_code=dossier_code,
                trigger="receive" if accept else "submit",
                policy="DossierCodeFormat.pattern",
                article="Decree 118/2025/ND-CP art. 28",
            ) from None

    # ------------------------------------------------------------- deadlines
    def _policies_on(self, day: date, definition: ProcedureDefinition) -> Policies:
        """RuleBook: the policies in force on ``day`` for ``definition`` (the engine's own
        ``policies`` when it has no RuleBook)."""
        if self.rules is None:
            return self.policies
        return self.rules.rules_on(day, definition.code, definition.field).policies

    def _policies_of(self, dossier: Dossier) -> Policies:
        """The policies that judge ``dossier``: those in force on the day it reached the agency
        (its first event), for its procedure and sector (RuleBook)."""
        if self.rules is None:
            return self.policies
        definition = self.compiled(dossier.procedure_code, dossier.procedure_version).definition
        return self._policies_on(dossier.submitted_at.date(), definition)

    def _resolution(self, dossier: Dossier, moment: datetime) -> dict[str, Any]:
        """The decisions made when a dossier gets its result, written into the event: its
        class against the original appointment (TimelinessPolicy) and its processing time in
        working seconds from the clock start (else the receipt), on the engine's calendar.
        Reports, the store's summary row and the simulation's KPIs read both; none measures
        them again (issue 16: the store measured on a calendar of its own)."""
        assert dossier.original_due_at is not None
        timeliness = classify_resolution(
            moment,
            dossier.original_due_at,
            bool(dossier.reschedules),
            self._policies_of(dossier).timeliness,
        )
        started = dossier.clock_started_at or dossier.received_at
        assert started is not None
        worked = self.calendar.working_time_between(started, moment)
        return {"timeliness": timeliness, "processing_seconds": round(worked.total_seconds())}

    def _clock_start(
        self, moment: datetime, unit: TimeUnit, policies: Policies | None = None
    ) -> datetime:
        """ClockStartPolicy: the moment a limit in ``unit`` starts from a receipt at ``moment``.

        A working-hour limit runs in working time from the receipt (Civil Code 2015 art.
        147.1), so it starts at the next working moment. A limit in days keeps the receipt
        moment itself: its days are counted from the day after the receipt date (art. 147.2,
        147.3), which :meth:`_due_after` does, however late in the day or on whatever day the
        dossier arrived. The optional ``cutoff`` (a local rule) moves a receipt after it to
        the start of the next working day, for every unit.
        """
        cal = self.calendar
        policy = (policies or self.policies).clock_start
        cutoff = policy.cutoff
        if cutoff is not None and cal.is_working_day(moment.date()) and moment.time() > cutoff:
            next_day = datetime.combine(moment.date() + timedelta(days=1), time(0), VN_TZ)
            return cal.next_working_moment(next_day)
        if unit is TimeUnit.WORKING_HOURS or policy.day_limits_from == "next_working_moment":
            return cal.next_working_moment(moment)
        return moment

    def _online_receipt_payload(self, submitted: datetime, policies: Policies) -> dict[str, Any]:
        """OnlineReceiptPolicy (art. 17.2): when staff must be alerted of an online submission
        and when the desk must receive it or ask for a supplement, from the submission."""
        policy = policies.online_receipt
        cal = self.calendar
        payload: dict[str, Any] = {}
        if policy.alert_hours is not None:
            alert = timedelta(hours=policy.alert_hours)
            if policy.alert_unit == "working_hours":
                payload["alert_due_at"] = iso(cal.add_working_time(submitted, alert))
            else:
                payload["alert_due_at"] = iso(submitted + alert)
        if policy.accept_working_hours is not None:
            hours = timedelta(hours=policy.accept_working_hours)
            payload["accept_due_at"] = iso(cal.add_working_time(submitted, hours))
        return payload

    def _same_day_due(self, received: datetime, limit: Duration) -> datetime:
        """A "trong ngày" limit (TimeUnit.SAME_DAY): the end of the day of receipt when it is
        a working day and the dossier came by the cut-off, else the end of the next working
        day after the receipt date (as procedures publish it: "trong ngày ... hoặc trong ngày
        làm việc tiếp theo nếu tiếp nhận sau 15 giờ"; Decree 118/2025/ND-CP art. 8.1.c)."""
        cal = self.calendar
        day = received.date()
        if cal.is_working_day(day) and received.time() <= limit.cutoff_time:
            periods = cal.working_periods(day)
            if received.time() < periods[-1][1]:  # the desk is still open that day
                return self._day_end(day)
        return self._day_end(cal.add_working_days(day, 1))

    def _day_end(self, day: date, policies: Policies | None = None) -> datetime:
        """The end of a working day (DueDatePolicy.day_ends): the close of its last working
        period, or its last instant ("midnight", Civil Code 2015 art. 148.6)."""
        if (policies or self.policies).due_date.day_ends == "midnight":
            return datetime.combine(day, time.max, VN_TZ)
        return datetime.combine(day, self.calendar.working_periods(day)[-1][1], VN_TZ)

    def _due_after(
        self, start_at: datetime, value: float, unit: TimeUnit, policies: Policies | None = None
    ) -> datetime:
        """DueDatePolicy: the appointment moment ``value`` ``unit`` after ``start_at``.

        ``start_at`` comes from :meth:`_clock_start`: a working moment for working hours, the
        receipt moment itself for days. Days: the receipt date is not counted (Civil Code 2015
        art. 147.2); a receipt inside working hours keeps its clock time on the last day
        (``same_clock_time``), any other ends at the end of the last day (art. 148.1); a
        calendar-day limit ending on a day off ends at the end of the next working day (148.5).
        """
        cal = self.calendar
        if unit is TimeUnit.WORKING_HOURS:
            return cal.add_working_time(start_at, timedelta(hours=value))
        end_of_day = (policies or self.policies).due_date.mode == "end_of_day"
        in_hours = cal.next_working_moment(start_at) == start_at
        if unit is TimeUnit.CALENDAR_DAYS:
            candidate = start_at + timedelta(days=value)
            last = candidate.date()
            if not cal.is_working_day(last):
                return self._day_end(cal.add_working_days(last, 1), policies)  # art. 148.5
            if end_of_day or not in_hours or cal.next_working_moment(candidate) != candidate:
                return self._day_end(last, policies)  # art. 148.1
            return candidate
        whole = int(value)
        if in_hours:
            due = cal.add_working_days_at(start_at, whole) if whole else start_at
        elif whole:
            due = self._day_end(cal.add_working_days(start_at.date(), whole), policies)
        else:  # less than a day from outside working hours: working time from the next opening
            due = cal.next_working_moment(start_at)
        fraction = value - whole
        if fraction:
            due = cal.add_working_time(due, cal.hours_per_day * fraction)
        if end_of_day:
            due = self._day_end(due.date(), policies)
        return due

    @staticmethod
    def _limit_of(definition: ProcedureDefinition, dossier: Dossier) -> Duration:
        """The limit of a dossier: its case's, its channel's, else the procedure's effective
        one (ProcedureDefinition.limit_for)."""
        case_id = dossier.data_dict.get("case")
        return definition.limit_for(dossier.channel, None if case_id is None else str(case_id))

    def _clock_payload(
        self,
        definition: ProcedureDefinition,
        received: datetime,
        limit: Duration,
        at_desk: bool = False,
        policies: Policies | None = None,
    ) -> dict[str, Any]:
        """The clock start, the appointment and the step deadlines of a receipt at ``received``
        (a first receipt, or the complete dossier after a supplement: art. 19.5) under
        ``limit``; ``at_desk``: "4 tại chỗ", no steps."""
        policies = policies or self.policies
        start_at = self._clock_start(received, limit.unit, policies)
        steps = () if at_desk else definition.workflow.steps
        shares = []
        elapsed = 0.0
        effective = definition.time_limit.effective
        # shares are written in the effective limit; a channel's or case's limit scales them
        scale = None if limit == effective else limit.value / effective.value
        for step in steps:
            elapsed += step.share
            shares.append(elapsed if scale is None else elapsed * scale)
        if limit.unit is TimeUnit.SAME_DAY:
            due = self._same_day_due(start_at, limit)
            # the steps share the working time from the first working moment to the end
            opens = self.calendar.next_working_moment(start_at)
            span = self.calendar.working_time_between(opens, due)
            step_ats = [
                self.calendar.add_working_time(opens, span * (share / limit.value))
                for share in shares
            ]
        elif (
            limit.unit is TimeUnit.WORKING_DAYS
            and policies.due_date.mode == "same_clock_time"
            and self.calendar.next_working_moment(start_at) == start_at
        ):
            # the due date and every step deadline in one pass over the calendar (the same
            # rule as _due_after for a receipt inside working hours)
            due, *step_ats = self.calendar.deadlines_at(start_at, [limit.value, *shares])
        else:
            due = self._due_after(start_at, limit.value, limit.unit, policies)
            step_ats = [self._due_after(start_at, v, limit.unit, policies) for v in shares]
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
        handed_in = data.pop(_DOCUMENTS, None)
        if handed_in is not None:
            if effect is not Effect.RESUME:
                raise InvalidCommand(
                    f"documents= go with a supplement (submit_supplement), not {transition.trigger}",
                    field="documents",
                )
            from tthc_flow.engine._intake import documents_from_data

            payload["documents"] = _intake_documents(
                definition, documents_from_data(handed_in), dossier.channel
            )
        if not self._steps_as_default and dest is not None and dest != dossier.state:
            # the step left now gets its class on the process control slip; with the default
            # policy apply() derives it by that policy (see _dossier._close_step), which keeps
            # the payload, and so the hashed text, short on the hot path
            current = dossier.step_rows[-1] if dossier.step_rows else None
            if current is not None and current[ROW_LEFT_AT] is None:
                step_due = current[ROW_DUE_AT]
                if step_due is not None:
                    payload["step_timeliness"] = classify(
                        moment, step_due, self.policies.timeliness
                    )
        if (
            dossier.state == SUBMITTED
            and dossier.accept_due_at is not None
            and effect in (Effect.ACCEPT, Effect.REQUEST_SUPPLEMENT, Effect.REFUSE)
        ):
            # art. 17.2.c: receipt or supplement request within 8 working hours
            payload["accept_late"] = moment > dossier.accept_due_at
        if effect is Effect.ACCEPT:
            limit = self._limit_of(definition, dossier)
            rules = self._policies_of(dossier)
            payload.update(self._clock_payload(definition, moment, limit, False, rules))
        elif effect is Effect.REQUEST_SUPPLEMENT:
            refusal = self._supplement_refusal(dossier, moment, transition.trigger)
            if refusal is not None:
                raise refusal
            missing = data.pop("missing", [])
            if isinstance(missing, str) or not isinstance(missing, list | tuple):
                raise InvalidCommand("missing= must be a list of the documents to supplement")
            payload["missing"] = [str(item) for item in missing]
            reused = _reused(dossier) & set(payload["missing"])
            if reused:
                raise PolicyViolation(
                    f"dossier {dossier.code}: {'; '.join(sorted(reused))} came from data the "
                    "state holds and is not asked of the applicant again "
                    "(Decree 118/2025/ND-CP art. 17.1.b)",
                    dossier_code=dossier.code,
                    trigger=transition.trigger,
                    policy=None,  # the library's own rule, not a setting
                    article="Decree 118/2025/ND-CP art. 17.1.b",
                )
            closes_at = self._closure_moment(dossier, moment)
            if closes_at is not None:
                payload["closes_at"] = iso(closes_at)
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
            payload.update(self._resolution(dossier, moment))
            if effect is Effect.REJECT:
                payload["reason"] = self._reason(data, "reject")
        elif effect is Effect.RETURN:
            payload["method"] = str(data.pop("method", dossier.channel))
            payload.update(self._early_return(dossier, moment, data, transition.trigger))
        elif effect in (Effect.REFUSE, Effect.WITHDRAW, Effect.STOP):
            payload["reason"] = self._reason(data, effect.value)
            if effect is Effect.STOP:
                if not dossier.paused or dossier.closes_at is None:
                    raise InvalidCommand(
                        f"dossier {dossier.code} is not waiting for a supplement that the "
                        "15-day closure applies to (Decree 118/2025/ND-CP art. 19.5)"
                    )
                if moment < dossier.closes_at:
                    raise PolicyViolation(
                        f"dossier {dossier.code} may be closed from {dossier.closes_at.isoformat()}"
                        " (15 days after the notice, Decree 118/2025/ND-CP art. 19.5; "
                        "SupplementPolicy.close_after_days)",
                        dossier_code=dossier.code,
                        trigger=transition.trigger,
                        policy="SupplementPolicy.close_after_days",
                        article="Decree 118/2025/ND-CP art. 19.5",
                    )

            if effect is Effect.REFUSE and dossier.received_at is not None:
                refusal = self._refusal(dossier, effect, moment, transition.trigger)
                if refusal is not None:
                    raise refusal
                # after the slip a refusal is the authority's reasoned result (art. 19.3):
                # resolved, judged like a rejection (RefusalPolicy.after_receipt)
                payload.update(self._resolution(dossier, moment))
        elif effect is Effect.RESCHEDULE:
            payload.update(self._reschedule_payload(dossier, moment, data, transition.trigger))
        elif effect is Effect.REPORT_ERROR:
            refusal = self._refusal(dossier, effect, moment, transition.trigger)
            if refusal is not None:
                raise refusal
            payload["reason"] = self._reason(data, "report_error")
            rules = self._policies_of(dossier)
            days = rules.result.correction_working_days
            start_at = self._clock_start(moment, TimeUnit.WORKING_DAYS, rules)
            due = self._due_after(start_at, days, TimeUnit.WORKING_DAYS, rules)
            payload["correction_due_at"] = iso(due)  # art. 23.1
        elif effect is Effect.CONSULT:
            payload.update(self._consultation(dossier, moment, data))
        elif effect is Effect.ANSWER:
            body = data.pop("body", None)
            asked = [c for c in dossier.consultations if c.body == body and c.answered_at is None]
            if not asked:
                pending = [c.body for c in dossier.consultations if c.answered_at is None]
                raise InvalidCommand(
                    f"body={body!r} was not consulted on dossier {dossier.code} or has answered; "
                    f"waiting for: {', '.join(pending) or 'none'}"
                )
            payload["body"] = asked[0].body
            payload["answer_late"] = moment > asked[0].due_at  # art. 19.4.c
        elif effect._value_ in RESULT_EFFECTS:
            payload.update(decide_result(effect._value_, dossier, data))
        elif effect is Effect.CORRECT:
            refusal = self._refusal(dossier, effect, moment, transition.trigger)
            if refusal is not None:
                raise refusal
            assert dossier.correction_due_at is not None  # _refusal: an error is pending
            payload["correction_late"] = moment > dossier.correction_due_at
        if effect in _AFTERCARE or (data and data.get("fee_paid") is True):
            payload.update(self._aftercare(definition, dossier, effect, moment, data))
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

    def _supplement_last_day(self, dossier: Dossier) -> date | None:
        """The last day a supplement may be requested during handling (None: no window).

        "không quá 03 ngày làm việc kể từ ngày tiếp nhận hồ sơ" (art. 19.5): from the receipt
        date, that day not counted (Civil Code 2015 art. 147.2), not from the clock start."""
        window = self._policies_of(dossier).supplement.within_working_days
        received = dossier.received_at
        if window is None or received is None:
            return None
        return self.calendar.add_working_days(received.date(), window)

    def _supplement_window_timer(self, dossier: Dossier) -> datetime | None:
        """``supplement_window``: the start of that last day, while the window is still
        unused (the specialist's last chance to ask instead of apologising later);
        remembered per receipt day and policy (asked twice per command)."""
        received = dossier.received_at
        if received is None or any(p.origin != SUBMITTED for p in dossier.pauses):
            return None
        # by identity: the policy objects live as long as the engine (hashing a frozen
        # dataclass walks its fields, as dear as the look-up it saves)
        key = (received.date(), id(self._policies_of(dossier).supplement))
        memo = self._window_memo
        if key in memo:
            return memo[key]
        if len(memo) >= 4096:
            memo.clear()
        last_day = self._supplement_last_day(dossier)
        periods = self.calendar.working_periods(last_day) if last_day is not None else ()
        found = memo[key] = (
            datetime.combine(last_day, periods[0][0], VN_TZ) if last_day and periods else None
        )
        return found

    def _supplement_refusal(
        self, dossier: Dossier, moment: datetime, trigger: str | None = None
    ) -> PolicyViolation | None:
        policy = self._policies_of(dossier).supplement
        at_reception = dossier.state == SUBMITTED
        previous = sum(1 for p in dossier.pauses if (p.origin == SUBMITTED) == at_reception)
        limit = policy.max_at_reception if at_reception else policy.max_during_handling
        if limit is not None and previous >= limit:
            where = "at reception" if at_reception else "during handling"
            field_name = "max_at_reception" if at_reception else "max_during_handling"
            article = "art. 16.3, 17.2.a" if at_reception else "art. 19.5"
            return PolicyViolation(
                f"dossier {dossier.code} already had {previous} supplement request(s) {where}; "
                f"the limit is {limit} (SupplementPolicy.{field_name}, Decree 118/2025/ND-CP "
                f"{article})",
                dossier_code=dossier.code,
                trigger=trigger,
                policy=f"SupplementPolicy.{field_name}",
                article=f"Decree 118/2025/ND-CP {article}",
            )
        window = policy.within_working_days
        last_day = None if at_reception else self._supplement_last_day(dossier)
        if last_day is not None and moment.date() > last_day:
            return PolicyViolation(
                f"a supplement for dossier {dossier.code} must be requested within {window} "
                f"working day(s) of receipt (by {last_day}; SupplementPolicy."
                "within_working_days, Decree 118/2025/ND-CP art. 19.5); reschedule with an "
                "apology instead",
                dossier_code=dossier.code,
                trigger=trigger,
                policy="SupplementPolicy.within_working_days",
                article="Decree 118/2025/ND-CP art. 19.5",
            )
        return None

    def _aftercare(
        self,
        definition: ProcedureDefinition,
        dossier: Dossier,
        effect: Effect,
        moment: datetime,
        data: dict[str, Any],
    ) -> dict[str, Any]:
        """Payments (engine/_payments.py), the rating (_ratings.py) and petitions
        (_petitions.py): their part of the payload, decided once here."""
        payload: dict[str, Any] = {}
        if effect is Effect.REQUEST_PAYMENT:
            # the national portal's "Yêu cầu thực hiện nghĩa vụ tài chính": what is owed
            owed = data.pop("obligations", [])
            if isinstance(owed, str) or not isinstance(owed, list | tuple):
                raise InvalidCommand("obligations= must be a list of what the applicant owes")
            payload["obligations"] = [str(item) for item in owed]
            payload["payment_request"] = decide_request(dossier, definition, data)
        elif effect is Effect.RATE:
            return decide_rating(dossier, data)
        elif effect._value_ in PETITION_EFFECTS:
            rules = self._policies_of(dossier)

            def due_after_days(days: int) -> datetime:
                start_at = self._clock_start(moment, TimeUnit.WORKING_DAYS, rules)
                return self._due_after(start_at, days, TimeUnit.WORKING_DAYS, rules)

            return decide_petition(effect._value_, dossier, data, moment, due_after_days)
        request = dossier.payment_request
        pending = request is not None and request.paid_at is None
        unpaid = effect is Effect.PAYMENT_DONE and (
            pending or any(f.paid_at is None for f in dossier.fees)
        )
        if effect is Effect.PAY_FEE or unpaid or (data and data.get("fee_paid") is True):
            payload.update(decide_payment(dossier, data, effect is Effect.PAY_FEE))
            paid = payload.get("payment")
            hours = self._policies_of(dossier).result.remit_working_hours
            if paid is not None and paid["method"] == "online" and hours is not None:
                # art. 24.3: a charge paid online reaches the budget within 8 working hours
                remit = iso(self.calendar.add_working_time(moment, timedelta(hours=hours)))
                paid["remit_due_at"] = remit
                if "fees_paid" in payload:
                    payload["fees_paid"]["remit_due_at"] = remit
        return payload

    def _consultation(
        self, dossier: Dossier, moment: datetime, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Decree 118/2025/ND-CP art. 19.4.b: a consultation states its deadline
        (``within_working_days=n``, counted from the day after the request like every limit
        in days, or ``due_at=``); the consulted ``body`` answers by then (19.4.c)."""
        body = data.pop("body", None)
        if not isinstance(body, str) or not body.strip():
            raise InvalidCommand("consult needs body='...' (the agency or unit consulted)")
        days = data.pop("within_working_days", None)
        raw = data.pop("due_at", None)
        if (days is None) == (raw is None):
            raise InvalidCommand("consult needs one of within_working_days=n or due_at=...")
        if days is not None:
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                raise InvalidCommand("within_working_days= must be a whole number >= 1")
            rules = self._policies_of(dossier)
            start_at = self._clock_start(moment, TimeUnit.WORKING_DAYS, rules)
            due = self._due_after(start_at, days, TimeUnit.WORKING_DAYS, rules)
        else:
            due = _moment_argument(raw, "due_at", "due_at= must be an aware datetime")
            if due <= moment:
                raise InvalidCommand("a consultation's due_at must be after the request")
        return {"body": body.strip(), "answer_due_at": iso(due)}

    def _early_return(
        self, dossier: Dossier, moment: datetime, data: dict[str, Any], trigger: str | None = None
    ) -> dict[str, Any]:
        """ResultPolicy (art. 22.5): a result returned before the appointment needs the
        applicant told beforehand (``notified=True``)."""
        notified = data.pop("notified", False)
        if not isinstance(notified, bool):
            raise InvalidCommand("notified= must be true or false")
        if dossier.due_at is None or moment >= dossier.due_at:
            return {}
        if not notified and self._policies_of(dossier).result.require_early_notice:
            raise PolicyViolation(
                f"dossier {dossier.code} is returned before its appointment "
                f"{dossier.due_at.isoformat()}: tell the applicant first and pass notified=True "
                "(ResultPolicy.require_early_notice, Decree 118/2025/ND-CP art. 22.5)",
                dossier_code=dossier.code,
                trigger=trigger,
                policy="ResultPolicy.require_early_notice",
                article="Decree 118/2025/ND-CP art. 22.5",
            )

        return {"early_return": True, "early_notice": notified}

    def _transfer_due(self, dossier: Dossier, effect: Effect, agency: str | None) -> str | None:
        """TransferPolicy: the hand-over deadline of the step being entered, if a rule sets one
        (ISO text, as the payload keeps it).

        From the desk (art. 18.2): paper dossiers reach the deciding unit the same working day,
        or at the start of the next one if received after the cut-off; online ones move at once
        through the system (no deadline). Received by a centre of another level (art. 20.1.a):
        the paper within ``cross_level_working_days`` of the receipt date. Into another
        agency's step (art. 20.2.a): by the previous step's deadline plus the policy's days.
        """
        policy = self._policies_of(dossier).transfer
        cal = self.calendar
        if effect is Effect.HANDOVER:
            received = dossier.received_at
            if received is None or dossier.channel not in _PAPER_CHANNELS:
                return None
            reception_level = dossier.data_dict.get("reception_level")
            if reception_level is not None:
                level = self.compiled(dossier.procedure_code, dossier.procedure_version)
                if reception_level != level.definition.level.value:
                    day = cal.add_working_days(received.date(), policy.cross_level_working_days)
                    return iso(self._day_end(day))
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
        days = policy.inter_agency_working_days
        if not days:  # art. 20.2.a: passed on when the sending agency's part is due
            return iso(previous[ROW_DUE_AT])
        return iso(cal.add_working_days_at(previous[ROW_DUE_AT], days))

    def _resume_payload(
        self, definition: ProcedureDefinition, dossier: Dossier, moment: datetime
    ) -> dict[str, Any]:
        origin = dossier.paused_from
        if origin == SUBMITTED or dossier.due_at is None:
            return {}
        rules = self._policies_of(dossier)
        if rules.supplement.mode is SupplementMode.RESTART:
            # a new appointment from the complete dossier; an earlier apology's date is
            # superseded, its record (and its "late" mark) stays: docs/engine.md
            if dossier.state == HANDLED_AT_DESK:
                return self._clock_payload(
                    definition, moment, self.policies.on_the_spot.limit, True, rules
                )
            limit = self._limit_of(definition, dossier)
            return self._clock_payload(definition, moment, limit, False, rules)
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
        self, dossier: Dossier, moment: datetime, data: dict[str, Any], trigger: str | None = None
    ) -> dict[str, Any]:
        policy = self._policies_of(dossier).reschedule
        new_due = _moment_argument(
            data.pop("new_due_at", None),
            "new_due_at",
            "reschedule needs new_due_at=<aware datetime>",
        )
        reason = self._reason(data, "reschedule")
        refusal = self._refusal(dossier, Effect.RESCHEDULE, moment, trigger)
        if refusal is not None:
            raise refusal
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


def _intake_documents(
    definition: ProcedureDefinition, documents: Sequence[object], channel: str
) -> list[dict[str, Any]]:
    from tthc_flow.engine._intake import document_payload

    return document_payload(definition, documents, channel)


def _reused(dossier: Dossier) -> frozenset[str]:
    """Components recorded as reused (art. 17.1.b); none without documents."""
    if not dossier.documents:
        return frozenset()
    from tthc_flow.engine._intake import reused_components

    return reused_components(dossier.documents)


_DOCUMENTS = "documents"
"""The key under which ``fire`` hands the supplement's documents to ``_decide`` (as JSON, so
the idempotency digest covers them); never stored as data."""


class _Intake:
    """What ``submit``/``receive`` bring besides data (see tthc_flow.engine._intake)."""

    __slots__ = ("applicant", "documents", "reception_centre")

    def __init__(self, applicant: object, documents: Sequence[object], centre: object) -> None:
        self.applicant = applicant
        self.documents = documents
        self.reception_centre = centre

    def digest_parts(self, record: dict[str, Any] | None) -> list[Any]:
        """What a reused idempotency key must also agree on (nothing for the plain form, so
        digests of commands stored before records existed stay the same)."""
        parts: list[Any] = []
        if record is not None:
            parts.append(record)
        if self.documents:
            parts.append([repr(d) for d in self.documents])
        if self.reception_centre is not None:
            parts.append(self.reception_centre)
        return parts


def _moment_argument(raw: Any, name: str, missing: str) -> datetime:
    """A moment given with a command (an aware datetime or its ISO text), in Vietnam time;
    InvalidCommand naming ``name`` otherwise (``missing``: the message for no datetime)."""
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidCommand(f"{name}={raw!r} is not an ISO datetime") from None
    if not isinstance(raw, datetime):
        raise InvalidCommand(missing)
    return to_vn(raw, name)


def _same_command(existing: Event, digest: str | None, key: str) -> None:
    """An idempotency key may only be reused for the very same command."""
    stored = existing.payload.get("command_digest")
    if stored is not None and stored != digest:
        raise InvalidCommand(
            f"idempotency key {key!r} was already used for a different command "
            f"({existing.trigger} on dossier {existing.dossier_code}, event {existing.version}); "
            "use a new key for a new command"
        )
