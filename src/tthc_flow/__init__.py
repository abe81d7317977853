"""tthc_flow: Vietnamese administrative procedures (thủ tục hành chính) as state machines.

The public API is re-exported here; everything in modules whose name starts with an
underscore is private.
"""

from tthc_flow.calendar import WorkCalendar as WorkCalendar
from tthc_flow.errors import (
    CalendarError,
    CalendarOverrideError,
    ConcurrencyConflict,
    DossierNotFound,
    InputError,
    InvalidCommand,
    NaiveDatetimeError,
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
)

__version__ = "0.1.0"

__all__ = [
    "CalendarError",
    "CalendarOverrideError",
    "ConcurrencyConflict",
    "DossierNotFound",
    "InputError",
    "InvalidCommand",
    "NaiveDatetimeError",
    "PermissionDenied",
    "PolicyViolation",
    "Problem",
    "ProcedureDefinitionError",
    "ScenarioDefinitionError",
    "SchemaVersionError",
    "StoreError",
    "TransitionNotAllowed",
    "TthcError",
    "UnknownProcedure",
    "__version__",
]
