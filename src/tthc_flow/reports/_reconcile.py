"""Reconciliation: where the library's judgement of a dossier and the portal's differ, and why.

Input: the dossiers of the log and the portal's export of a period (:mod:`._portal_csv`).
For each dossier of either side, three on-time verdicts for indicator 2.1 are set side by
side:

* ``library``: the library's own figures (the engine's ``resolution_timeliness`` for a
  resolved dossier; an open one within its original due date at the judgement moment, as the
  statistics count it; refused and withdrawn dossiers are not judged);
* ``portal_rule``: the portal's rule (:mod:`._portal_rule`) applied to the library's data;
* ``portal``: the export's ``DungHan`` when given, else ``NgayKetThucXuLy`` (or the period end
  when empty) ≤ ``NgayHenTra`` from the export's own fields (no supplement wait: the export
  does not carry it).

A dossier is reported when a synchronised field differs or two verdicts disagree; the
reasons name the rule or the field behind each difference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tthc_flow.engine import Dossier
from tthc_flow.reports._indicator_counts import has_e_result, paid_online
from tthc_flow.reports._period import Period, judgement_moment
from tthc_flow.reports._portal_csv import PortalRow, read_portal_csv
from tthc_flow.reports._portal_rule import PortalJudgement, portal_judgement
from tthc_flow.reports._statistics import judged_moment


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One synchronised field whose values differ (texts as the report prints them)."""

    field: str
    library: str
    portal: str


@dataclass(frozen=True, slots=True)
class DossierDifference:
    """One dossier on which the two sides differ."""

    code: str
    line: int | None
    """Line of the export (None: the dossier is only in the library)."""
    library: bool | None
    portal_rule: bool | None
    portal: bool | None
    fields: tuple[FieldDifference, ...]
    reasons: tuple[str, ...]


def status_code(d: Dossier, at: datetime) -> int:
    """The DVCQG status (TrangThaiHoSo) the library's dossier has at ``at``."""
    if d.outcome == "withdrawn" and d.closed_at is not None and d.closed_at < at:
        return 7
    if d.outcome == "refused" and d.closed_at is not None and d.closed_at < at:
        return 8 if d.received_at is not None else 3
    if d.returned_at is not None and d.returned_at < at:
        return 10
    if d.resolved_at is not None and d.resolved_at < at:
        return 9
    if any(p.start < at and (p.end is None or p.end >= at) for p in d.pauses):
        return 5
    return 1 if d.received_at is None or d.received_at >= at else 4


def library_on_time(d: Dossier, at: datetime) -> bool | None:
    """The library's own verdict (its statistics): None for refused, withdrawn, unreceived."""
    if d.received_at is None or d.received_at >= at:
        return None
    if d.resolved_at is not None and d.resolved_at < at:
        return d.resolution_timeliness in ("early", "on_time")
    if d.outcome in ("refused", "withdrawn") and d.closed_at is not None and d.closed_at < at:
        return None
    due = d.original_due_at
    return due is None or judged_moment(d, at) <= due


def portal_verdict(row: PortalRow, at: datetime) -> bool | None:
    """The export's verdict: DungHan, else NgayKetThucXuLy (or ``at``) ≤ NgayHenTra."""
    if row.on_time is not None:
        return row.on_time
    if row.received_at is None:
        return None
    if row.due_at is None:
        return True
    return (row.end_at or at) <= row.due_at


def _text(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%d/%m/%Y %H:%M")


def _same(a: datetime | None, b: datetime | None) -> bool:
    # the export may round to the minute or give a day only; a day's end is 23:59:59.999999
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) < 60


def _fields(
    d: Dossier, row: PortalRow, j: PortalJudgement | None, at: datetime
) -> list[FieldDifference]:
    pairs = [
        ("TrangThaiHoSo", str(status_code(d, at)), str(row.status)),
        ("KenhThucHien", d.channel, row.channel),
        ("DuocThanhToanTrucTuyen", str(paid_online(d)), str(row.paid_online)),
        ("MaKetQua/DuongDanTepTinKetQua", str(has_e_result(d)), str(bool(row.result_file))),
    ]
    found = [FieldDifference(f, a, b) for f, a, b in pairs if a != b]
    moments = [
        ("NgayTiepNhan", d.received_at, row.received_at),
        ("NgayHenTra", d.due_at, row.due_at),
        ("NgayKetThucXuLy", j.end_at if j is not None and j.ended else None, row.end_at),
    ]
    found += [FieldDifference(f, _text(a), _text(b)) for f, a, b in moments if not _same(a, b)]
    return found


def _reasons(
    d: Dossier, j: PortalJudgement | None, lib: bool | None, rule: bool | None
) -> list[str]:
    reasons = []
    if j is not None:
        reasons.append(f"portal rule: {j.reason}")
    if d.outcome in ("withdrawn", "refused") and d.received_at is not None and lib is None:
        reasons.append(
            f"{d.outcome} after receipt: the library leaves it out of its on-time figures; "
            "the portal counts it as ended at that moment"
        )
    if d.reschedules and lib is False and rule:
        reasons.append(
            "apology with a new date: the library counts it late; the portal judges it "
            "against the new NgayHenTra"
        )
    if j is not None and j.supplement_wait and lib != rule:
        hours = round(j.supplement_wait.total_seconds() / 3600, 1)
        reasons.append(f"the portal subtracts the supplement wait ({hours} h) from the end time")
    if j is not None and j.supplement_requests > 1 and lib:
        reasons.append("more than one supplement request: the portal counts it late")
    if d.due_at != d.original_due_at and j is not None and not j.ended and lib != rule:
        reasons.append(
            "open with a new appointment: the library judges the original due date, the "
            "portal the synchronised NgayHenTra"
        )
    return reasons


def reconcile(
    dossiers: Iterable[Dossier],
    export: str | Path,
    period: Period,
    *,
    as_of: datetime | None = None,
) -> list[DossierDifference]:
    """Dossier by dossier, where the library and the portal export of ``period`` differ.

    Dossiers of the log are matched to export rows by code; log dossiers received in the
    period but missing from the export, and export rows unknown to the log, are reported too.
    """
    at = judgement_moment(period, as_of)
    rows = {row.code: row for row in read_portal_csv(export)}
    out: list[DossierDifference] = []
    seen: set[str] = set()
    for d in dossiers:
        row = rows.get(d.code)
        if row is None:
            if period.contains(d.received_at):
                out.append(_only_library(d, at))
            continue
        seen.add(d.code)
        j = portal_judgement(d, at)
        lib, portal = library_on_time(d, at), portal_verdict(row, at)
        rule = None if j is None else j.on_time
        fields = _fields(d, row, j, at)
        if fields or not lib == rule == portal:
            reasons = _reasons(d, j, lib, rule) + [
                f"{f.field} differs: library {f.library or '—'}, portal {f.portal or '—'}"
                for f in fields
            ]
            diff = DossierDifference(
                d.code, row.line, lib, rule, portal, tuple(fields), tuple(reasons)
            )
            out.append(diff)
    for code, row in rows.items():
        if code not in seen:
            verdict = portal_verdict(row, at)
            reason = "only in the portal export: the library has no such dossier"
            out.append(DossierDifference(code, row.line, None, None, verdict, (), (reason,)))
    return sorted(out, key=lambda diff: diff.code)


def _only_library(d: Dossier, at: datetime) -> DossierDifference:
    j = portal_judgement(d, at)
    reason = "only in the library: not in the portal export (not synchronised?)"
    rule = j.on_time if j else None
    return DossierDifference(d.code, None, library_on_time(d, at), rule, None, (), (reason,))
