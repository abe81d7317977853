"""One exception hierarchy for the whole library, rooted at :class:`TthcError`.

Every error tthc_flow raises on purpose is one of these. A branch also inherits the
built-in it resembles, so code written against ``except ValueError`` / ``except KeyError``
keeps working. Each error keeps its context as keyword-only fields (a service answers
from the fields, never by parsing the message), and the fields survive pickling, so an
error raised in a simulation worker process arrives whole::

    TthcError
    ├── InputError (ValueError) ............ problems: list[Problem], summary
    │   ├── ProcedureDefinitionError         a procedure or catalog YAML file
    │   ├── CalendarOverrideError            a calendar override file
    │   ├── ScenarioDefinitionError          a simulation scenario file
    │   ├── ChainKeyError                    a chain key (or its file)
    │   ├── AuditFileError                   an anchor or chain export file
    │   └── NotificationTemplateError        a notification template (SMS, e-mail, Zalo)
    ├── ConfigurationError (ValueError) .... setting, value, allowed
    ├── WrongArgumentType (TypeError) ...... argument, expected, got
    ├── NaiveDatetimeError (ValueError)      a datetime without a time zone
    ├── CalendarError (ValueError)           a date outside the calendar's range
    ├── EventOutOfOrder (ValueError) ....... dossier_code, version, expected_version
    ├── NotFound (KeyError) ................ kind, name, known
    │   ├── UnknownProcedure ............... code, version
    │   └── DossierNotFound ................ dossier_code
    ├── InvalidCommand (ValueError) ........ field
    ├── CommandRefused ..................... dossier_code, trigger
    │   ├── TransitionNotAllowed ........... state, allowed, guard
    │   ├── PermissionDenied ............... actor, actor_agency, roles_allowed, agencies, rule
    │   └── PolicyViolation ................ policy, article
    └── StoreError
        ├── SchemaVersionError
        ├── ConcurrencyConflict ............ dossier_code, expected_version, stored_version
        └── IntegrityError ................. dossier_code, version

Errors about user input (YAML files, override files, scenario files) derive from
:class:`InputError` and carry a list of :class:`Problem` values, each naming the file,
line, column and field, so that a user can fix every mistake of a file in one pass.
What a service should answer with for each error (an HTTP status table) is in
docs/errors.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One mistake in user input, located as precisely as the input allows.

    >>> str(Problem("a.yaml", 3, 5, "time_limit.days", "must be > 0"))
    'a.yaml:3:5: time_limit.days: must be > 0'
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


def _restore(cls: type[TthcError], args: tuple[Any, ...], fields: dict[str, Any]) -> TthcError:
    """Rebuild a pickled error without calling its constructor (see TthcError.__reduce__)."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(fields)
    return error


class TthcError(Exception):
    """Root of every error raised on purpose by tthc_flow."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The default pickling calls cls(*args) with the message alone: it would fail on a
        # required field and lose nothing else only by luck. Rebuild from args and fields.
        return _restore, (type(self), self.args, dict(self.__dict__))


class InputError(TthcError, ValueError):
    """Bad user input; ``problems`` lists every mistake found, each with file:line:column."""

    def __init__(self, problems: list[Problem] | Problem, summary: str | None = None) -> None:
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else problems
        self.summary = summary
        head = summary or f"{len(self.problems)} problem(s) in input"
        super().__init__(head + "\n" + "\n".join(f"  {p}" for p in self.problems))

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds from args (the message text) and would garble the problems
        # when an error crosses a process boundary (parallel simulation workers).
        return type(self), (self.problems, self.summary)

    @property
    def first(self) -> Problem:
        """The first problem, convenient in tests and short messages."""
        return self.problems[0]


class ProcedureDefinitionError(InputError):
    """A procedure or catalog YAML file is invalid."""


class CalendarOverrideError(InputError):
    """A calendar override file (closures, extra working days, a whole year) is invalid."""


class ScenarioDefinitionError(InputError):
    """A simulation scenario file is invalid."""


class ChainKeyError(InputError):
    """A chain key (:class:`~tthc_flow.engine.ChainKey`) is too short or its file unreadable."""


class AuditFileError(InputError):
    """An anchor or chain export file is not one tthc_flow wrote (or was cut short)."""


class NotificationTemplateError(InputError):
    """A notification template (SMS, e-mail, Zalo) is invalid: an unknown kind, channel or
    placeholder, a bad ``$`` (docs/notifications.md)."""


class ConfigurationError(TthcError, ValueError):
    """A library argument or setting has a value it cannot take: a policy mode, a period
    text, a grouping, a replication count, a clock moved back.

    ``setting`` names it as a user writes it (``DueDatePolicy.mode``, ``Period.parse``,
    ``statistics.by``, ``simulate.replications``), ``value`` is what was given and
    ``allowed`` the values it may take when they are a short list (else empty)."""

    def __init__(
        self,
        message: str,
        *,
        setting: str | None = None,
        value: Any = None,
        allowed: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.setting = setting
        self.value = value
        self.allowed = allowed


class WrongArgumentType(TthcError, TypeError):
    """An argument is of the wrong kind (a store without the reads a report needs, no store).

    ``argument`` names the parameter, ``expected`` says what it must be and ``got`` is the
    name of the type that was given."""

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        expected: str | None = None,
        got: str | None = None,
    ) -> None:
        super().__init__(message)
        self.argument = argument
        self.expected = expected
        self.got = got


class NaiveDatetimeError(TthcError, ValueError):
    """A datetime without a time zone was given where an aware one is required."""


class CalendarError(TthcError, ValueError):
    """A calendar question cannot be answered (e.g. a year outside the calendar's range)."""


class NotFound(TthcError, KeyError):
    """A name looked up is not there: a scenario variant, a KPI, an indicator, an official,
    a procedure case (and, as subclasses, a procedure or a dossier).

    ``kind`` says what was looked up (``"variant"``, ``"kpi"``, ``"indicator"``,
    ``"official"``, ``"case"``, ...), ``name`` the name asked for and ``known`` the names
    that exist when they are few enough to list (else empty)."""

    def __init__(
        self,
        message: str,
        *,
        kind: str | None = None,
        name: str | None = None,
        known: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.name = name
        self.known = known

    def __str__(self) -> str:
        # KeyError's own __str__ shows repr(message), quotes and escapes included
        return str(self.args[0]) if self.args else ""


class UnknownProcedure(NotFound):
    """No procedure with that code (and version) is in the catalog (or none in force).

    ``code`` is the procedure code asked for, ``version`` the version (None: any)."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        version: int | None = None,
        known: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, kind="procedure", name=code, known=known)
        self.code = code
        self.version = version


class DossierNotFound(NotFound):
    """No dossier with that code exists in the store; ``dossier_code`` is the code."""

    def __init__(self, message: str, *, dossier_code: str | None = None) -> None:
        super().__init__(message, kind="dossier", name=dossier_code)
        self.dossier_code = dossier_code


class EventOutOfOrder(TthcError, ValueError):
    """An event handed to :func:`~tthc_flow.engine.apply` or
    :func:`~tthc_flow.engine.replay` does not follow the dossier (wrong version or previous
    hash, no events at all). A store reading its own rows turns it into an
    :class:`IntegrityError`.

    ``dossier_code`` and ``version`` name the event (None when there was none),
    ``expected_version`` the version that would have followed."""

    def __init__(
        self,
        message: str,
        *,
        dossier_code: str | None = None,
        version: int | None = None,
        expected_version: int | None = None,
    ) -> None:
        super().__init__(message)
        self.dossier_code = dossier_code
        self.version = version
        self.expected_version = expected_version


class InvalidCommand(TthcError, ValueError):
    """A command's arguments are wrong (unknown channel, bad data value, missing new date).

    ``field`` names the argument when one is to blame (``actor.id``, ``data.reason``)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CommandRefused(TthcError):
    """A well-formed command the engine refuses: the lifecycle, the actor's rights or a
    legal rule forbids it now. Nothing was stored.

    ``dossier_code`` and ``trigger`` say which command (None when not known, e.g. a
    receipt refused before its dossier has a code)."""

    def __init__(
        self, message: str, *, dossier_code: str | None = None, trigger: str | None = None
    ) -> None:
        super().__init__(message)
        self.dossier_code = dossier_code
        self.trigger = trigger


class TransitionNotAllowed(CommandRefused):
    """The trigger is not allowed in the dossier's current state, or a guard refused it.

    ``state`` is the dossier's state, ``allowed`` the triggers allowed there (by the
    lifecycle; when a guard refused, the ones this actor may fire now) and ``guard`` the
    condition that was not met (None when the trigger is not in the lifecycle there)."""

    def __init__(
        self,
        message: str,
        *,
        dossier_code: str | None = None,
        trigger: str | None = None,
        state: str | None = None,
        allowed: tuple[str, ...] = (),
        guard: str | None = None,
    ) -> None:
        super().__init__(message, dossier_code=dossier_code, trigger=trigger)
        self.state = state
        self.allowed = allowed
        self.guard = guard


class PermissionDenied(CommandRefused):
    """The actor may not fire this command: a role it lacks, another agency's dossier or
    step, or the deployment's own authorization check.

    The context is kept as fields for services to answer with (None or empty when
    unknown): ``actor`` (id), ``actor_agency``, ``dossier_code``, ``trigger``,
    ``roles_allowed`` (the roles that may fire it, when a role was missing), ``agencies``
    (the agencies that may act now) and ``rule`` (the policy that refused:
    ``Lifecycle.roles``, ``AgencyPolicy.require_same_agency``, ``AgencyPolicy.home_agency``,
    ``AgencyPolicy.authorize``, ``AssignmentPolicy``...)."""

    def __init__(
        self,
        message: str,
        *,
        actor: str | None = None,
        actor_agency: str | None = None,
        dossier_code: str | None = None,
        trigger: str | None = None,
        roles_allowed: tuple[str, ...] = (),
        agencies: tuple[str, ...] = (),
        rule: str | None = None,
    ) -> None:
        super().__init__(message, dossier_code=dossier_code, trigger=trigger)
        self.actor = actor
        self.actor_agency = actor_agency
        self.roles_allowed = roles_allowed
        self.agencies = agencies
        self.rule = rule


class PolicyViolation(CommandRefused):
    """A legal rule encoded as a policy forbids the command (e.g. a second reschedule).

    ``policy`` names the policy (and field) that refused, e.g.
    ``"ReschedulePolicy.max_times"``; ``article`` the legal source, e.g.
    ``"Decree 118/2025/ND-CP art. 19.6"`` (None when the rule is the library's own)."""

    def __init__(
        self,
        message: str,
        *,
        dossier_code: str | None = None,
        trigger: str | None = None,
        policy: str | None = None,
        article: str | None = None,
    ) -> None:
        super().__init__(message, dossier_code=dossier_code, trigger=trigger)
        self.policy = policy
        self.article = article


class StoreError(TthcError):
    """A storage problem: bad URL, missing or newer schema, broken hash chain."""


class SchemaVersionError(StoreError):
    """The database schema is missing or of another version than this code expects."""


class ConcurrencyConflict(StoreError):
    """Another writer appended to the same dossier first (or used the idempotency key);
    reload and retry.

    ``dossier_code`` is the dossier, ``expected_version`` the version the command was
    decided on and ``stored_version`` the one the store holds (None when unknown, e.g. a
    batch rolled back or a reused idempotency key)."""

    def __init__(
        self,
        message: str,
        *,
        dossier_code: str | None = None,
        expected_version: int | None = None,
        stored_version: int | None = None,
    ) -> None:
        super().__init__(message)
        self.dossier_code = dossier_code
        self.expected_version = expected_version
        self.stored_version = stored_version


class IntegrityError(StoreError):
    """The stored event chain does not verify (an event was altered or removed).

    ``dossier_code`` and ``version`` point at the first broken event (None when the
    error sums up a whole verification report)."""

    def __init__(
        self, message: str, *, dossier_code: str | None = None, version: int | None = None
    ) -> None:
        super().__init__(message)
        self.dossier_code = dossier_code
        self.version = version
