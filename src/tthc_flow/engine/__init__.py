"""The engine: dossiers through compiled state machines, with deadlines and an audit log."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tthc_flow.engine._actor import DESK, SYSTEM, Actor
from tthc_flow.engine._agencies import AgencyShare, agency_summary
from tthc_flow.engine._arguments import ARGUMENTS
from tthc_flow.engine._assignment import Assignment, AssignmentPolicy, Member, TakeOver
from tthc_flow.engine._authority import AuthorizationRequest, Authorizer
from tthc_flow.engine._bulk import BulkResult
from tthc_flow.engine._clock import Clock, FixedClock, SystemClock
from tthc_flow.engine._compiled import CompiledProcedure
from tthc_flow.engine._dossier import (
    Consultation,
    Dossier,
    FeeRecord,
    Pause,
    Reschedule,
    StepRecord,
    Timeliness,
    apply,
    replay,
)
from tthc_flow.engine._engine import Engine, Hook
from tthc_flow.engine._events import GENESIS_HASH, Event, first_broken_link
from tthc_flow.engine._keys import ChainKey
from tthc_flow.engine._messages import OutboxMessage, OutboxPolicy, portal_status
from tthc_flow.engine._officials import Official, OfficialDirectory
from tthc_flow.engine._payments import Payment, PaymentLine, PaymentRequest
from tthc_flow.engine._personal import PersonalDataPolicy
from tthc_flow.engine._petitions import CATEGORIES as PETITION_CATEGORIES
from tthc_flow.engine._petitions import Petition
from tthc_flow.engine._policies import (
    AgencyPolicy,
    AlertUnit,
    ClockStartPolicy,
    DayEnd,
    DayLimitStart,
    DossierCodeFormat,
    DueDateMode,
    DueDatePolicy,
    NonWorkingDayRule,
    OnlineReceiptPolicy,
    OnTheSpotPolicy,
    Policies,
    RefusalAfterReceipt,
    RefusalPolicy,
    ReschedulePolicy,
    ResultPolicy,
    SupplementMode,
    SupplementPolicy,
    TransferPolicy,
)
from tthc_flow.engine._ratings import CRITERIA as RATING_CRITERIA
from tthc_flow.engine._ratings import SCALE as RATING_SCALE
from tthc_flow.engine._ratings import Criterion, Rating
from tthc_flow.engine._rulebook import DECREE_61_2018, DECREE_118_2025, RuleBook, RuleSet
from tthc_flow.engine._timeliness import (
    TimelinessGranularity,
    TimelinessPolicy,
    classify,
    classify_resolution,
)
from tthc_flow.engine._timers import ReminderPolicy, Timer, TimerChange

if TYPE_CHECKING:
    from tthc_flow.engine._applicant import (
        Applicant,
        ApplicantType,
        IdKind,
        IdNumber,
        Representative,
    )
    from tthc_flow.engine._documents import (
        DocumentForm,
        DocumentSource,
        FileRef,
        IssuedResult,
        ResultState,
        SubmittedDocument,
    )
    from tthc_flow.engine._dossier_json import DossierModel
    from tthc_flow.engine._intake import component_form

_LAZY = {
    **dict.fromkeys(
        ("Applicant", "ApplicantType", "IdKind", "IdNumber", "Representative"),
        "tthc_flow.engine._applicant",
    ),
    **dict.fromkeys(
        (
            "DocumentForm",
            "DocumentSource",
            "FileRef",
            "IssuedResult",
            "ResultState",
            "SubmittedDocument",
        ),
        "tthc_flow.engine._documents",
    ),
    "DossierModel": "tthc_flow.engine._dossier_json",
    "component_form": "tthc_flow.engine._intake",
}
"""Names whose modules build pydantic models, imported when first asked for: building the
models costs tens of milliseconds that ``import tthc_flow`` need not pay (issue 16)."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tthc_flow.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # asked once
    return value


__all__ = [
    "ARGUMENTS",
    "DECREE_61_2018",
    "DECREE_118_2025",
    "DESK",
    "GENESIS_HASH",
    "PETITION_CATEGORIES",
    "RATING_CRITERIA",
    "RATING_SCALE",
    "SYSTEM",
    "Actor",
    "AgencyPolicy",
    "AgencyShare",
    "AlertUnit",
    "Applicant",
    "ApplicantType",
    "Assignment",
    "AssignmentPolicy",
    "AuthorizationRequest",
    "Authorizer",
    "BulkResult",
    "ChainKey",
    "Clock",
    "ClockStartPolicy",
    "CompiledProcedure",
    "Consultation",
    "Criterion",
    "DayEnd",
    "DayLimitStart",
    "DocumentForm",
    "DocumentSource",
    "Dossier",
    "DossierCodeFormat",
    "DossierModel",
    "DueDateMode",
    "DueDatePolicy",
    "Engine",
    "Event",
    "FeeRecord",
    "FileRef",
    "FixedClock",
    "Hook",
    "IdKind",
    "IdNumber",
    "IssuedResult",
    "Member",
    "NonWorkingDayRule",
    "Official",
    "OfficialDirectory",
    "OnTheSpotPolicy",
    "OnlineReceiptPolicy",
    "OutboxMessage",
    "OutboxPolicy",
    "Pause",
    "Payment",
    "PaymentLine",
    "PaymentRequest",
    "PersonalDataPolicy",
    "Petition",
    "Policies",
    "Rating",
    "RefusalAfterReceipt",
    "RefusalPolicy",
    "ReminderPolicy",
    "Representative",
    "Reschedule",
    "ReschedulePolicy",
    "ResultPolicy",
    "ResultState",
    "RuleBook",
    "RuleSet",
    "StepRecord",
    "SubmittedDocument",
    "SupplementMode",
    "SupplementPolicy",
    "SystemClock",
    "TakeOver",
    "Timeliness",
    "TimelinessGranularity",
    "TimelinessPolicy",
    "Timer",
    "TimerChange",
    "TransferPolicy",
    "agency_summary",
    "apply",
    "classify",
    "classify_resolution",
    "component_form",
    "first_broken_link",
    "portal_status",
    "replay",
]
