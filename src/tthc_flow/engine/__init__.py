"""The engine: dossiers through compiled state machines, with deadlines and an audit log."""

from tthc_flow.engine._actor import DESK, SYSTEM, Actor
from tthc_flow.engine._agencies import AgencyShare, agency_summary
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
from tthc_flow.engine._policies import (
    AgencyPolicy,
    ClockStartPolicy,
    DossierCodeFormat,
    DueDatePolicy,
    OnlineReceiptPolicy,
    OnTheSpotPolicy,
    Policies,
    RefusalPolicy,
    ReschedulePolicy,
    ResultPolicy,
    SupplementMode,
    SupplementPolicy,
    TransferPolicy,
)
from tthc_flow.engine._rulebook import DECREE_61_2018, DECREE_118_2025, RuleBook, RuleSet
from tthc_flow.engine._timeliness import TimelinessPolicy, classify, classify_resolution
from tthc_flow.engine._timers import ReminderPolicy, Timer, TimerChange

__all__ = [
    "DECREE_61_2018",
    "DECREE_118_2025",
    "DESK",
    "GENESIS_HASH",
    "SYSTEM",
    "Actor",
    "AgencyPolicy",
    "AgencyShare",
    "ChainKey",
    "Clock",
    "ClockStartPolicy",
    "CompiledProcedure",
    "Consultation",
    "Dossier",
    "DossierCodeFormat",
    "DueDatePolicy",
    "Engine",
    "Event",
    "FeeRecord",
    "FixedClock",
    "Hook",
    "OnTheSpotPolicy",
    "OnlineReceiptPolicy",
    "OutboxMessage",
    "OutboxPolicy",
    "Pause",
    "Policies",
    "RefusalPolicy",
    "ReminderPolicy",
    "Reschedule",
    "ReschedulePolicy",
    "ResultPolicy",
    "RuleBook",
    "RuleSet",
    "StepRecord",
    "SupplementMode",
    "SupplementPolicy",
    "SystemClock",
    "Timeliness",
    "TimelinessPolicy",
    "Timer",
    "TimerChange",
    "TransferPolicy",
    "agency_summary",
    "apply",
    "classify",
    "classify_resolution",
    "first_broken_link",
    "portal_status",
    "replay",
]
