"""Reconciling online payments with a payment gateway's settlement report.

The gateway (the national portal's payment platform or a bank's) sends a settlement report of
the transactions it settled; the one-stop system holds the payments the engine recorded
(:attr:`Dossier.payments <tthc_flow.engine.Dossier.payments>`, method ``online``, with the
gateway's transaction id). :func:`reconcile_payments` sets the two side by side and lists
every difference, one :class:`SettlementDifference` each:

==================== =====================================================================
kind                 meaning
==================== =====================================================================
missing_in_log       the report settled a transaction no dossier recorded
missing_in_report    a dossier recorded an online payment the report does not list
amount_differs       both have the transaction, with different amounts
dossier_differs      both have the transaction, for different dossiers
paid_twice           a transaction listed twice (in the report, or on two dossiers), or a
                     settled transaction for a dossier whose payment is already recorded
no_reference         an online payment recorded without a transaction id (older commands)
==================== =====================================================================

It is a pure function of the dossiers (``store.dossiers()``) and the report's rows: the
amounts compared are those the engine recorded, never recomputed. Only the log's payments
in the report's window are expected in it: ``start`` to ``end``, by default the first to
the last day the report covers (whole days, Vietnam time).

:func:`read_settlement_csv` reads a report with the columns ``transaction_id``,
``dossier_code``, ``amount`` (whole VND) and ``paid_at`` (required) and ``gateway``
(optional); a bad value raises :class:`~tthc_flow.errors.InputError` with the line and column.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from tthc_flow._time import VN_TZ
from tthc_flow.engine import Dossier, Payment
from tthc_flow.errors import InputError, Problem
from tthc_flow.reports._portal_csv import _Row

COLUMNS = ("transaction_id", "dossier_code", "amount", "paid_at")
KINDS = (
    "missing_in_log",
    "missing_in_report",
    "amount_differs",
    "dossier_differs",
    "paid_twice",
    "no_reference",
)


@dataclass(frozen=True, slots=True)
class SettlementRow:
    """One transaction of a settlement report."""

    transaction_id: str
    dossier_code: str
    amount: int
    paid_at: datetime
    gateway: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class SettlementDifference:
    """One difference between the report and the log (``kind`` is one of :data:`KINDS`)."""

    kind: str
    transaction_id: str | None
    dossier_code: str
    log_amount: int | None
    report_amount: int | None
    line: int | None
    detail: str


def _window(rows: list[SettlementRow]) -> tuple[datetime, datetime] | None:
    if not rows:
        return None
    first = min(r.paid_at for r in rows).astimezone(VN_TZ).date()
    last = max(r.paid_at for r in rows).astimezone(VN_TZ).date()
    return datetime.combine(first, time(0), VN_TZ), datetime.combine(
        last + timedelta(days=1), time(0), VN_TZ
    )


def _settled(d: Dossier) -> bool:
    """Whether the dossier's recorded payments leave nothing owed."""
    if any(r.paid_at is None for r in d.payment_requests):
        return False
    return bool(d.payments) and all(f.paid_at is not None for f in d.fees)


def reconcile_payments(
    dossiers: Iterable[Dossier],
    rows: Iterable[SettlementRow],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    gateway: str | None = None,
) -> list[SettlementDifference]:
    """Every difference between the online payments of ``dossiers`` and the report's
    ``rows``, ordered by dossier code and transaction id. ``gateway``: compare only the
    log's payments through that gateway (a report covers one)."""
    report = list(rows)
    known = {d.code: d for d in dossiers}
    logged: dict[str, list[tuple[str, Payment]]] = {}
    out: list[SettlementDifference] = []
    window = (start, end) if start is not None and end is not None else _window(report)
    for d in known.values():
        for p in d.payments:
            if p.method != "online" or (gateway is not None and p.gateway != gateway):
                continue
            inside = window is None or window[0] <= p.paid_at < window[1]
            if p.transaction_id is None:
                if inside:
                    out.append(
                        SettlementDifference(
                            "no_reference",
                            None,
                            d.code,
                            p.amount,
                            None,
                            None,
                            f"paid online {p.paid_at.isoformat()} without a transaction id",
                        )
                    )
                continue
            logged.setdefault(p.transaction_id, []).append((d.code, p))
    listed = Counter(r.transaction_id for r in report)
    for row in report:
        entries = logged.get(row.transaction_id, [])
        if listed[row.transaction_id] > 1:
            out.append(
                SettlementDifference(
                    "paid_twice",
                    row.transaction_id,
                    row.dossier_code,
                    entries[0][1].amount if entries else None,
                    row.amount,
                    row.line,
                    f"the report lists transaction {row.transaction_id} "
                    f"{listed[row.transaction_id]} times",
                )
            )
            continue
        if not entries:
            dossier = known.get(row.dossier_code)
            twice = dossier is not None and _settled(dossier)
            out.append(
                SettlementDifference(
                    "paid_twice" if twice else "missing_in_log",
                    row.transaction_id,
                    row.dossier_code,
                    None,
                    row.amount,
                    row.line,
                    f"dossier {row.dossier_code} is already paid; this settlement is a second "
                    "payment"
                    if twice
                    else "no dossier recorded this transaction",
                )
            )
            continue
        code, payment = entries[0]
        if code != row.dossier_code:
            out.append(
                SettlementDifference(
                    "dossier_differs",
                    row.transaction_id,
                    code,
                    payment.amount,
                    row.amount,
                    row.line,
                    f"recorded on {code}, settled for {row.dossier_code}",
                )
            )
        if payment.amount != row.amount:
            out.append(
                SettlementDifference(
                    "amount_differs",
                    row.transaction_id,
                    code,
                    payment.amount,
                    row.amount,
                    row.line,
                    f"recorded {payment.amount} VND, settled {row.amount} VND",
                )
            )
    for transaction, entries in logged.items():
        if len(entries) > 1:
            codes = ", ".join(code for code, _ in entries)
            for code, payment in entries:
                out.append(
                    SettlementDifference(
                        "paid_twice",
                        transaction,
                        code,
                        payment.amount,
                        None,
                        None,
                        f"transaction {transaction} is recorded on dossiers {codes}",
                    )
                )
        if transaction in listed:
            continue
        for code, payment in entries:
            if window is None or window[0] <= payment.paid_at < window[1]:
                out.append(
                    SettlementDifference(
                        "missing_in_report",
                        transaction,
                        code,
                        payment.amount,
                        None,
                        None,
                        f"paid online {payment.paid_at.isoformat()}, not in the report",
                    )
                )
    out.sort(key=lambda x: (x.dossier_code, x.transaction_id or "", KINDS.index(x.kind)))
    return out


def read_settlement_csv(path: str | Path) -> list[SettlementRow]:
    """The rows of a settlement report (CSV with a header row; other columns ignored)."""
    file = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise InputError(
                    Problem(file, 1, None, ", ".join(missing), "required column missing"),
                    f"cannot read settlement report {file}",
                )
            return [_parse(_Row(file, reader.line_num, raw, header)) for raw in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(Problem(file, None, None, "", f"cannot read: {exc}")) from exc


def _parse(row: _Row) -> SettlementRow:
    for column in ("transaction_id", "dossier_code", "paid_at"):
        if not row.text(column):
            raise row.problem(column, "empty")
    amount = row.text("amount")
    if not amount.isdigit():
        raise row.problem("amount", f"{amount!r} is not a whole number of VND")
    paid_at = row.moment("paid_at")
    assert paid_at is not None
    return SettlementRow(
        transaction_id=row.text("transaction_id"),
        dossier_code=row.text("dossier_code"),
        amount=int(amount),
        paid_at=paid_at,
        gateway=row.text("gateway") or None if "gateway" in row.header else None,
        line=row.line,
    )
