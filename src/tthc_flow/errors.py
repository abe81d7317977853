"""One exception hierarchy for the whole library, rooted at :class:`TthcError`.

Errors about user input (YAML files, override files, scenario files, command arguments)
derive from :class:`InputError` and carry a list of :class:`Problem` values, each naming the
file, line, column and field, so that a user can fix every mistake of a file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass


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


class TthcError(Exception):
    """Root of every error raised on purpose by tthc_flow."""


class InputError(TthcError, ValueError):
    """Bad user input; ``problems`` lists every mistake found, each with file:line:column."""

    def __init__(self, problems: list[Problem] | Problem, summary: str | None = None) -> None:
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else problems
        self.summary = summary
        head = summary or f"{len(self.problems)} problem(s) in input"
        super().__init__(head + "\n" + "\n".join(f"  {p}" for p in self.problems))

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem], str | None]]:
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


class NaiveDatetimeError(TthcError, ValueError):
    """A datetime without a time zone was given where an aware one is required."""


class CalendarError(TthcError, ValueError):
    """A calendar question cannot be answered (e.g. a year outside the calendar's range)."""


class UnknownProcedure(TthcError, KeyError):
    """No procedure with that code (and version) is in the catalog."""


class DossierNotFound(TthcError, KeyError):
    """No dossier with that code exists in the store."""


class TransitionNotAllowed(TthcError):
    """The trigger is not allowed in the dossier's current state, or a guard refused it."""


class PermissionDenied(TthcError):
    """The actor may not fire this command: a role it lacks, another agency's dossier or
    step, or the deployment's own authorization check.

    The context is kept as fields for services to answer with (all None when unknown):
    ``actor`` (id), ``actor_agency``, ``dossier_code``, ``trigger``, ``agencies`` (the
    agencies that may act now) and ``rule`` (the policy that refused:
    ``AgencyPolicy.require_same_agency``, ``AgencyPolicy.home_agency``,
    ``AgencyPolicy.authorize``, ``AssignmentPolicy``...)."""

    def __init__(
        self,
        message: str,
        *,
        actor: str | None = None,
        actor_agency: str | None = None,
        dossier_code: str | None = None,
        trigger: str | None = None,
        agencies: tuple[str, ...] = (),
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.actor = actor
        self.actor_agency = actor_agency
        self.dossier_code = dossier_code
        self.trigger = trigger
        self.agencies = agencies
        self.rule = rule


class InvalidCommand(TthcError, ValueError):
    """A command's arguments are wrong (unknown channel, bad data value, missing new date).

    ``field`` names the argument when one is to blame (``actor.id``, ``data.reason``)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PolicyViolation(TthcError):
    """A legal rule encoded as a policy forbids the command (e.g. a second reschedule)."""


class StoreError(TthcError):
    """A storage problem: bad URL, missing or newer schema, broken hash chain."""


class SchemaVersionError(StoreError):
    """The database schema is missing or of another version than this code expects."""


class ConcurrencyConflict(StoreError):
    """Another writer appended to the same dossier first; reload and retry."""


class IntegrityError(StoreError):
    """The stored event chain does not verify (an event was altered or removed)."""


class ChainKeyError(InputError):
    """A chain key (:class:`~tthc_flow.engine.ChainKey`) is too short or its file unreadable."""


class AuditFileError(InputError):
    """An anchor or chain export file is not one tthc_flow wrote (or was cut short)."""


class NotificationTemplateError(InputError):
    """A notification template (SMS, e-mail, Zalo) is invalid: an unknown kind, channel or
    placeholder, a bad ``$`` (docs/notifications.md)."""
