"""The statistics report: rows, a text table, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tthc_flow._labels import label as _label
from tthc_flow._numbers import number
from tthc_flow._safe_text import csv_text
from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Dossier
from tthc_flow.errors import NotFound
from tthc_flow.reports._labels import by_label, label, task_label, total_label
from tthc_flow.reports._period import Period, judgement_moment
from tthc_flow.reports._statistics import (
    ROW_COLUMNS,
    CatalogLookup,
    GroupStats,
    Tally,
    check_by,
    finish,
    group_key,
    tally_dossier,
)
from tthc_flow.reports._tasks import Task, TaskStats, task_statistics

if TYPE_CHECKING:
    from rich.table import Table


def _fmt(value: Any, lang: str = "vi") -> str:
    """A figure as printed: ``1.053`` and ``99,5`` in Vietnamese, ``1,053`` and ``99.5`` in English.

    Rates keep one decimal, or two where the second one is not zero (0,17 %).
    """
    if value is None:
        return "-"
    if isinstance(value, float):
        return number(value, lang, 2 if round(value, 2) != round(value, 1) else 1)
    if isinstance(value, int):
        return number(value, lang)
    return str(value)


LABEL_WIDTH = 30
"""Width of the figure-name column of the rich table (longer names wrap)."""
VALUE_WIDTH = 11
"""Width of each group column of the rich table (longer group names wrap)."""


@dataclass(frozen=True)
class Report:
    """Statistics of one period: one :class:`GroupStats` per group, then the total."""

    period: Period
    by: str | None
    groups: tuple[GroupStats, ...]
    tasks: TaskStats | None = None

    @property
    def total(self) -> GroupStats:
        """The grand-total row."""
        return self.groups[-1]

    def group(self, key: str) -> GroupStats:
        """The row of group ``key`` (:class:`~tthc_flow.errors.NotFound`, a KeyError, if
        absent)."""
        for g in self.groups:
            if g.key == key and not g.is_total:
                return g
        raise NotFound(
            f"no group {key!r} in the report",
            kind="group",
            name=key,
            known=tuple(g.key for g in self.groups if not g.is_total),
        )

    def group_name(self, g: GroupStats, lang: str = "vi") -> str:
        """``g``'s key, or "Tổng cộng" / "Total" for the total row."""
        return total_label(lang) if g.is_total else g.key

    def rows(self) -> list[dict[str, Any]]:
        """One dict per group (English keys, ``group`` first), the total last."""
        return [{"group": self.group_name(g, "en"), **g.as_dict()} for g in self.groups]

    def headers(self, lang: str = "vi") -> list[str]:
        """Column headers of :meth:`rows` in ``lang``."""
        first = by_label(self.by, lang)
        return [first, *(label(c, lang) for c in ROW_COLUMNS)]

    def title(self, lang: str = "vi") -> str:
        """Report title with the period."""
        return _label("report.title", lang, period=self.period.label(lang))

    def _lines(self, groups: list[GroupStats], lang: str) -> list[list[str]]:
        lines = [
            [label(c, lang), *(_fmt(g.as_dict()[c], lang) for g in groups)] for c in ROW_COLUMNS
        ]
        if self.tasks is not None:
            for key, value in self.tasks.as_dict().items():
                lines.append([task_label(key, lang), _fmt(value, lang), *[""] * (len(groups) - 1)])
        return lines

    def to_table(self, lang: str = "vi", width: int = 80) -> Table:
        """A ``rich`` table that fits ``width`` columns: one line per figure, the total first,
        then as many of the largest groups as fit; the caption counts the groups left out
        (:meth:`to_csv` and the Excel file have them all).
        """
        from rich.table import Table

        fitting = max(1, (width - LABEL_WIDTH - 4) // (VALUE_WIDTH + 3))
        largest = sorted(
            (g for g in self.groups if not g.is_total), key=lambda g: -g.total_to_handle
        )
        shown = [self.total, *largest[: fitting - 1]]
        table = Table(title=self.title(lang), title_justify="left")
        table.add_column(by_label(self.by, lang), max_width=LABEL_WIDTH)
        for g in shown:
            table.add_column(self.group_name(g, lang), justify="right", max_width=VALUE_WIDTH)
        for line in self._lines(shown, lang):
            table.add_row(*line)
        left_out = len(largest) - (len(shown) - 1)
        if left_out:
            table.caption = _label("report.left_out", lang, count=left_out)
        return table

    def to_text(self, lang: str = "vi", *, rich: bool = False, width: int = 80) -> str:
        """The table as text: one line per figure, one column per group.

        ``rich=True`` renders :meth:`to_table` (box drawing, the total and the largest groups
        that fit ``width``); plain text otherwise (every group, as wide as it needs).
        """
        if rich:
            from rich.console import Console

            # group names come from catalog files: text as written, never rich markup
            console = Console(
                record=True, width=width, file=io.StringIO(), markup=False, emoji=False
            )
            console.print(self.to_table(lang, width))
            return console.export_text()
        names = [self.group_name(g, lang) for g in self.groups]
        lines = self._lines(list(self.groups), lang)
        header = [by_label(self.by, lang), *names]
        widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
        out = [self.title(lang), ""]
        for row in [header, ["-" * w for w in widths], *lines]:
            cells = [
                row[0].ljust(widths[0]),
                *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
            ]
            out.append("  ".join(cells).rstrip())
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def task_lines(self, lang: str = "vi") -> list[tuple[str, Any]]:
        """``(label, value)`` of each task figure (empty without tasks)."""
        if self.tasks is None:
            return []
        return [(task_label(k, lang), v) for k, v in self.tasks.as_dict().items()]

    def to_csv(self, lang: str = "vi") -> str:
        """CSV text, headers in ``lang``, one line per group then the total; with tasks, an
        empty line and one ``label,value`` line per task figure."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        rows: list[list[Any]] = [self.headers(lang)]
        for g in self.groups:
            values = g.as_dict()
            rows.append(
                [
                    self.group_name(g, lang),
                    *("" if values[c] is None else values[c] for c in ROW_COLUMNS),
                ]
            )
        lines = self.task_lines(lang)
        if lines:
            rows.append([])
            rows += ([name, "" if value is None else value] for name, value in lines)
        # group names come from catalog files: never a live formula in a spreadsheet
        writer.writerows([csv_text(cell) for cell in row] for row in rows)
        return buffer.getvalue()

    def to_dict(self) -> dict[str, Any]:
        """Plain data: period, grouping, rows and task figures."""
        return {
            "period": {
                "first": self.period.first.isoformat(),
                "last": self.period.last.isoformat(),
                "label": self.period.label_vi,
            },
            "by": self.by,
            "rows": self.rows(),
            "tasks": None if self.tasks is None else self.tasks.as_dict(),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON (UTF-8 text, Vietnamese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def statistics(
    dossiers: Iterable[Dossier],
    period: Period,
    *,
    by: str | None = None,
    catalog: Any = None,
    tasks: Iterable[Task] | None = None,
    calendar: WorkCalendar | None = None,
    as_of: datetime | None = None,
    percent_places: int = 1,
) -> Report:
    """Statistics of ``dossiers`` for ``period``, per group ``by`` plus a total row.

    ``by``: None, ``agency``, ``field``, ``procedure``, ``channel`` or ``online`` (the last
    two of those need ``catalog``, which also gives the online mode split and the statutory
    and shortened limits). ``tasks`` adds the assigned-task figures. ``calendar`` (default:
    the national one) measures processing times in working days. Open dossiers are judged
    overdue or not at the period end, or at ``as_of`` (default: now) when that is earlier.
    ``percent_places``: decimals of the percentages (1, as the reports print them).
    """
    check_by(by, catalog)
    lookup = CatalogLookup(catalog)
    cal = calendar or WorkCalendar.vietnam()
    tallies: dict[str, Tally] = {}
    keyer: Callable[[Dossier], str] = lambda d: group_key(  # noqa: E731
        by, lookup, d.procedure_code, d.procedure_version, d.agency_code, d.channel
    )
    judge_at = judgement_moment(period, as_of)
    for d in dossiers:
        t = tally_dossier(d, period, lookup, cal, judge_at)
        if t is not None:
            tallies.setdefault(keyer(d), Tally()).add(t)
    task_stats = None if tasks is None else task_statistics(tasks, period, as_of=judge_at)
    groups = finish(
        tallies, by, with_catalog=bool(lookup), calendar=cal, percent_places=percent_places
    )
    return Report(period=period, by=by, groups=tuple(groups), tasks=task_stats)
