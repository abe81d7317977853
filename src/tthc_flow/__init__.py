"""tthc_flow: Vietnamese administrative procedures (thủ tục hành chính) as state machines.

The names most users need are re-exported here; the subpackages (``calendar``,
``procedure``, ``engine``, ``store``, ``audit``, ``portal``, ``reports``, ``simulation``,
``forecast``, ``testing``) hold the rest.
Everything in modules whose name starts with an underscore is private.
"""

from typing import TYPE_CHECKING, Any

from tthc_flow._time import VN_TZ
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Actor, Dossier, Engine, Event, FixedClock, Policies, Timeliness
from tthc_flow.errors import (
    AuditFileError,
    CalendarError,
    CalendarOverrideError,
    ChainKeyError,
    CommandRefused,
    ConcurrencyConflict,
    ConfigurationError,
    DossierNotFound,
    EventOutOfOrder,
    InputError,
    IntegrityError,
    InvalidCommand,
    NaiveDatetimeError,
    NotFound,
    NotificationTemplateError,
    PermissionDenied,
    PolicyViolation,
    Problem,
    ProcedureDefinitionError,
    ScenarioDefinitionError,
    SchemaVersionError,
    StoreError,
    TransitionNotAllowed,
    TthcError,
    UnknownProcedure,
    WrongArgumentType,
)

__version__ = "0.1.0"

from tthc_flow.procedure import Catalog, ProcedureDefinition, load_catalog, load_procedure
from tthc_flow.store import MemoryStore

if TYPE_CHECKING:
    from tthc_flow.store import SqlStore


def __getattr__(name: str) -> Any:
    """``SqlStore`` on first use: it loads SQLAlchemy, which a memory-store user never needs."""
    if name == "SqlStore":
        from tthc_flow.store._sql import SqlStore

        return SqlStore
    raise AttributeError(f"module 'tthc_flow' has no attribute {name!r}")


__all__ = [
    "VN_TZ",
    "Actor",
    "AuditFileError",
    "CalendarError",
    "CalendarOverrideError",
    "Catalog",
    "ChainKeyError",
    "CommandRefused",
    "ConcurrencyConflict",
    "ConfigurationError",
    "Dossier",
    "DossierNotFound",
    "Engine",
    "Event",
    "EventOutOfOrder",
    "FixedClock",
    "InputError",
    "IntegrityError",
    "InvalidCommand",
    "MemoryStore",
    "NaiveDatetimeError",
    "NotFound",
    "NotificationTemplateError",
    "PermissionDenied",
    "Policies",
    "PolicyViolation",
    "Problem",
    "ProcedureDefinition",
    "ProcedureDefinitionError",
    "ScenarioDefinitionError",
    "SchemaVersionError",
    "SqlStore",
    "StoreError",
    "Timeliness",
    "TransitionNotAllowed",
    "TthcError",
    "UnknownProcedure",
    "WorkCalendar",
    "WrongArgumentType",
    "__version__",
    "load_catalog",
    "load_procedure",
]
