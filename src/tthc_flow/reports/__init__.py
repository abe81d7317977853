"""Reports: statistics per period, Decision 766 indicators, official forms and exports."""

from tthc_flow.reports._period import Period
from tthc_flow.reports._report import Report
from tthc_flow.reports._rounding import percent, round_half_up
from tthc_flow.reports._sql import SUMMARY_COLUMNS, statistics_sql, summary_row, summary_table
from tthc_flow.reports._statistics import GROUPINGS, ROW_COLUMNS, GroupStats, statistics
from tthc_flow.reports._tasks import Task, TaskStats, task_statistics

__all__ = [
    "GROUPINGS",
    "ROW_COLUMNS",
    "SUMMARY_COLUMNS",
    "GroupStats",
    "Period",
    "Report",
    "Task",
    "TaskStats",
    "percent",
    "round_half_up",
    "statistics",
    "statistics_sql",
    "summary_row",
    "summary_table",
    "task_statistics",
]
