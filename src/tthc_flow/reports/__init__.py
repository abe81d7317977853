"""Reports: statistics per period, Decision 766 indicators, official forms and exports.

>>> from tthc_flow.reports import Period
>>> Period.parse("2026-Q3").label_vi
'Quý III năm 2026'
"""

from tthc_flow.reports._excel import write_log_xlsx, write_statistics_xlsx
from tthc_flow.reports._forms import (
    CIRCULAR,
    ApologyLetter,
    ComponentLine,
    ControlSlip,
    DossierLog,
    Form,
    FormApplicant,
    FormHeader,
    Handover,
    Letterhead,
    LogEntry,
    ReceiptSlip,
    RefusalSlip,
    SupplementRequest,
    apology_letters,
    control_slip,
    dossier_log,
    receipt_slip,
    refusal_slip,
    supplement_requests,
)
from tthc_flow.reports._html import MOTTO, to_html
from tthc_flow.reports._indicator_inputs import IndicatorInputs, Ratio, dossiers_with
from tthc_flow.reports._indicator_set import (
    INDICATOR_SETS,
    IndicatorGroup,
    IndicatorSet,
    IndicatorSpec,
    indicator_set,
)
from tthc_flow.reports._indicators import (
    GroupScore,
    Indicator,
    average_days_by_procedure,
    group_scores,
    indicators,
    indicators_sql,
    score,
)
from tthc_flow.reports._ocel import to_ocel, write_ocel
from tthc_flow.reports._period import Period
from tthc_flow.reports._portal_csv import PortalRow, read_portal_csv
from tthc_flow.reports._portal_rule import PortalJudgement, portal_judgement
from tthc_flow.reports._reconcile import DossierDifference, FieldDifference, reconcile
from tthc_flow.reports._report import Report, statistics
from tthc_flow.reports._rounding import percent, round_half_up
from tthc_flow.reports._settlement import (
    SettlementDifference,
    SettlementRow,
    read_settlement_csv,
    reconcile_payments,
)
from tthc_flow.reports._sql import statistics_sql
from tthc_flow.reports._statistics import GROUPINGS, ROW_COLUMNS, Grouping, GroupStats
from tthc_flow.reports._stop_notice import StopNotice, stop_notice
from tthc_flow.reports._tasks import Task, TaskStats, task_statistics
from tthc_flow.reports._xes import to_xes, write_xes

__all__ = [
    "CIRCULAR",
    "GROUPINGS",
    "INDICATOR_SETS",
    "MOTTO",
    "ROW_COLUMNS",
    "ApologyLetter",
    "ComponentLine",
    "ControlSlip",
    "DossierDifference",
    "DossierLog",
    "FieldDifference",
    "Form",
    "FormApplicant",
    "FormHeader",
    "GroupScore",
    "GroupStats",
    "Grouping",
    "Handover",
    "Indicator",
    "IndicatorGroup",
    "IndicatorInputs",
    "IndicatorSet",
    "IndicatorSpec",
    "Letterhead",
    "LogEntry",
    "Period",
    "PortalJudgement",
    "PortalRow",
    "Ratio",
    "ReceiptSlip",
    "RefusalSlip",
    "Report",
    "SettlementDifference",
    "SettlementRow",
    "StopNotice",
    "SupplementRequest",
    "Task",
    "TaskStats",
    "apology_letters",
    "average_days_by_procedure",
    "control_slip",
    "dossier_log",
    "dossiers_with",
    "group_scores",
    "indicator_set",
    "indicators",
    "indicators_sql",
    "percent",
    "portal_judgement",
    "read_portal_csv",
    "read_settlement_csv",
    "receipt_slip",
    "reconcile",
    "reconcile_payments",
    "refusal_slip",
    "round_half_up",
    "score",
    "statistics",
    "statistics_sql",
    "stop_notice",
    "supplement_requests",
    "task_statistics",
    "to_html",
    "to_ocel",
    "to_xes",
    "write_log_xlsx",
    "write_ocel",
    "write_statistics_xlsx",
    "write_xes",
]
