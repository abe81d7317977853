"""Payment requests and payments: what the applicant owes, and how it was paid.

Decree 118/2025/ND-CP art. 24 has the applicant pay fees, charges and other financial
obligations at the desk or online; 24.3 has a charge paid online reach the budget within 8
working hours. The national portal's status 6 ("Yêu cầu thực hiện nghĩa vụ tài chính") is the
state ``awaiting_payment``; its dossier sync lists the fees as DanhSachLePhi.

The engine decides here, once, and writes into the event:

- a **payment request** (``request_payment``): its lines (name, amount in VND as an integer,
  kind, legal basis) and their **total**; by default the dossier's unpaid fees, their basis
  the ``note`` the procedure publishes for each (the YAML ``fees[].note``);
- a **payment** (``payment_done``, ``pay_fee``): the amount paid, which must be exactly what
  is owed (a partial or an over-payment is refused), the method (``online`` through a
  gateway with its transaction id, or at the ``desk`` with the receipt number) and the fees
  it settles.

:func:`fold_request` and :func:`fold_payment` read the payload back; nothing recomputes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from tthc_flow.errors import InvalidCommand, PolicyViolation

if TYPE_CHECKING:
    from tthc_flow.engine._dossier import Dossier
    from tthc_flow.procedure import ProcedureDefinition

LINE_KINDS: Final = frozenset({"fee", "charge", "other"})
"""Phí (fee), lệ phí (charge), and other financial obligations (taxes, land levies...)."""

ONLINE: Final = "online"
DESK: Final = "desk"
METHODS: Final = frozenset({ONLINE, DESK})


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One line of a payment request: what is owed, how much (VND) and by what right."""

    name: str
    amount: int
    kind: str
    legal_basis: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """A request to pay (the portal's status 6): its lines and the total the engine set."""

    number: int
    lines: tuple[PaymentLine, ...]
    total: int
    requested_at: datetime
    requested_by: str
    paid_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment recorded on the dossier: amount, method and its reference.

    ``online``: ``gateway`` and ``transaction_id`` (the gateway's id, what a settlement
    report lists); ``desk``: ``receipt_number`` (biên lai). Commands that name no method (the
    older ``pay_fee fee_paid=true`` form) are recorded without a reference."""

    amount: int
    method: str
    paid_at: datetime
    recorded_by: str
    fees: tuple[str, ...] = ()
    request: int | None = None
    gateway: str | None = None
    transaction_id: str | None = None
    receipt_number: str | None = None
    remit_due_at: datetime | None = None
    """Online: when the money must reach the budget (art. 24.3, ResultPolicy)."""


def _text(value: Any, field: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{field}= must be {what}", field=f"data.{field}")
    return value.strip()


def _amount(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidCommand(
            f"{field}={value!r}: an amount is a whole number of VND, 0 or more",
            field=f"data.{field}",
        )
    return value


def _basis_of(definition: ProcedureDefinition | None, name: str) -> str | None:
    if definition is None:
        return None
    fees = list(definition.fees)
    for case in definition.cases:
        fees.extend(case.fees or ())
    for fee in fees:
        if fee.name == name and fee.note:
            return fee.note
    return None


def _given_line(raw: Any, index: int, dossier: Dossier) -> dict[str, Any]:
    field = f"lines[{index}]"
    if not isinstance(raw, Mapping):
        raise InvalidCommand(
            f"{field}: a line is {{name, amount, kind, legal_basis}}", field=f"data.{field}"
        )
    unknown = set(raw) - {"name", "amount", "kind", "legal_basis"}
    if unknown:
        raise InvalidCommand(
            f"{field}: unknown key(s) {', '.join(sorted(unknown))}", field=f"data.{field}"
        )
    name = _text(raw.get("name"), f"{field}.name", "the name of what is owed")
    amount = _amount(raw.get("amount"), f"{field}.amount")
    kind = raw.get("kind", "other")
    if kind not in LINE_KINDS:
        raise InvalidCommand(
            f"{field}.kind={kind!r}: one of {', '.join(sorted(LINE_KINDS))}",
            field=f"data.{field}.kind",
        )
    basis = _text(raw.get("legal_basis"), f"{field}.legal_basis", "the legal basis of the line")
    for fee in dossier.fees:
        if fee.name == name and fee.amount != amount:
            raise PolicyViolation(
                f"{field}: {name!r} is a published fee of {fee.amount} VND on dossier "
                f"{dossier.code}, not {amount}"
            )
    return {"name": name, "amount": amount, "kind": kind, "legal_basis": basis}


def decide_request(
    dossier: Dossier, definition: ProcedureDefinition | None, data: dict[str, Any]
) -> dict[str, Any]:
    """The ``payment_request`` payload of ``request_payment``; pops ``lines`` from ``data``.

    ``lines=[{name, amount, kind, legal_basis}, ...]`` (kind fee, charge or other; amounts in
    VND): what is owed; without it, the dossier's unpaid fees."""
    raw = data.pop("lines", None)
    if raw is None:
        lines: list[dict[str, Any]] = [
            {
                "name": fee.name,
                "amount": fee.amount,
                "kind": fee.kind,
                "legal_basis": _basis_of(definition, fee.name),
            }
            for fee in dossier.fees
            if fee.paid_at is None
        ]
    elif isinstance(raw, list | tuple) and raw:
        lines = [_given_line(item, index, dossier) for index, item in enumerate(raw)]
    else:
        raise InvalidCommand(
            "lines= must be a non-empty list of {name, amount, kind, legal_basis}",
            field="data.lines",
        )
    names = [line["name"] for line in lines]
    if len(set(names)) != len(names):
        raise InvalidCommand("lines=: each line names a different obligation", field="data.lines")
    total = sum(line["amount"] for line in lines)
    if total == 0:
        raise PolicyViolation(
            f"dossier {dossier.code} owes nothing (its fees are paid or free); name what is "
            "owed with lines="
        )
    return {"number": len(dossier.payment_requests) + 1, "lines": lines, "total": total}


def _method(dossier: Dossier, data: dict[str, Any]) -> tuple[str, bool]:
    """The method and whether the command named it (then its reference is required)."""
    method = data.pop("method", None)
    online = data.pop("online", None)
    if online is not None and not isinstance(online, bool):
        raise InvalidCommand("online= must be true or false", field="data.online")
    if method is None:
        if online is None:
            online = dossier.channel == "online"
        return (ONLINE if online else DESK), False
    if method not in METHODS:
        raise InvalidCommand(
            f"method={method!r}: one of {', '.join(sorted(METHODS))}", field="data.method"
        )
    if online is not None and online != (method == ONLINE):
        raise InvalidCommand(f"online={online} contradicts method={method!r}", field="data.online")
    return method, True


def _reference(dossier: Dossier, data: dict[str, Any], method: str, named: bool) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in ("gateway", "transaction_id", "receipt_number"):
        value = data.pop(key, None)
        if value is not None:
            found[key] = _text(value, key, "text")
    wanted = ("gateway", "transaction_id") if method == ONLINE else ("receipt_number",)
    foreign = sorted(set(found) - set(wanted))
    if foreign:
        raise InvalidCommand(
            f"{', '.join(foreign)}= do not go with a payment {method!r} "
            "(online: gateway, transaction_id; desk: receipt_number)",
            field=f"data.{foreign[0]}",
        )
    missing = [key for key in wanted if key not in found]
    if named and missing:
        raise InvalidCommand(
            f"a payment {method!r} needs {', '.join(k + '=' for k in missing)} (what a "
            "settlement report or the receipt book shows)",
            field=f"data.{missing[0]}",
        )
    transaction = found.get("transaction_id")
    if transaction is not None:
        for earlier in dossier.payments:
            if earlier.transaction_id == transaction:
                raise PolicyViolation(
                    f"transaction {transaction} is already recorded on dossier {dossier.code} "
                    f"(paid {earlier.paid_at.isoformat()}): a payment is recorded once"
                )
    return found


def _fee_names(dossier: Dossier, data: dict[str, Any], explicit: bool) -> list[str]:
    names = data.pop("fees", None)
    unpaid = [fee.name for fee in dossier.fees if fee.paid_at is None]
    explicit = explicit or names is not None
    if names is None:
        names = unpaid
    if isinstance(names, str) or not isinstance(names, list | tuple):
        raise InvalidCommand("fees= must be a list of fee names", field="data.fees")
    unknown = [n for n in names if n not in unpaid]
    if unknown or (explicit and not names):
        raise InvalidCommand(
            f"fees {', '.join(map(repr, unknown)) or '(none)'} are not unpaid fees of "
            f"dossier {dossier.code}; unpaid: {', '.join(unpaid) or 'none'}",
            field="data.fees",
        )
    return list(names)


def decide_payment(dossier: Dossier, data: dict[str, Any], explicit: bool) -> dict[str, Any]:
    """The ``payment`` (and ``fees_paid``) payload of a payment; pops what it reads.

    With an unpaid request (``payment_done``) the amount owed is its total and the fees paid
    are those of its lines; else (``pay_fee``, ``fee_paid: true``) the fees named by
    ``fees=[...]`` (default every unpaid one) and their sum. ``amount=`` (optional) must be
    exactly that: a partial or an over-payment is refused. ``method=`` online (``gateway=``,
    ``transaction_id=``) or desk (``receipt_number=``); without it ``online=`` or the
    channel decides, and no reference is required (the older form). ``fee_paid: true`` stays
    in the data only once every fee is paid."""
    request = dossier.payment_request
    method, named = _method(dossier, data)
    if request is not None and request.paid_at is None and not explicit:
        on_lines = {line.name for line in request.lines}
        data.pop("fees", None)
        names = [f.name for f in dossier.fees if f.paid_at is None and f.name in on_lines]
        owed, number = request.total, request.number
    else:
        names = _fee_names(dossier, data, explicit)
        owed = sum(f.amount for f in dossier.fees if f.name in names and f.paid_at is None)
        number = None
    given = data.pop("amount", None)
    if given is not None and _amount(given, "amount") != owed:
        which = "a partial payment" if given < owed else "an over-payment"
        raise PolicyViolation(
            f"amount={given} VND is {which}: dossier {dossier.code} owes exactly {owed} VND; "
            "a payment settles what is owed in full"
        )
    reference = _reference(dossier, data, method, named)
    if set(f.name for f in dossier.fees if f.paid_at is None) - set(names):
        data.pop("fee_paid", None)  # some fee is still due
    elif dossier.fees or names:
        data["fee_paid"] = True
    if not names and number is None:
        return {}
    payment: dict[str, Any] = {"amount": owed, "method": method, **reference}
    if number is not None:
        payment["request"] = number
    if names:
        payment["fees"] = names
    out: dict[str, Any] = {"payment": payment}
    if names:
        out["fees_paid"] = {"names": names, "online": method == ONLINE}
    return out


def fold_request(payload: Mapping[str, Any], at: datetime, actor: str) -> PaymentRequest:
    """The request a ``request_payment`` event recorded."""
    raw = payload["payment_request"]
    lines = tuple(
        PaymentLine(line["name"], line["amount"], line["kind"], line.get("legal_basis"))
        for line in raw["lines"]
    )
    return PaymentRequest(raw["number"], lines, raw["total"], at, actor)


def fold_payment(payload: Mapping[str, Any], at: datetime, actor: str) -> Payment:
    """The payment an event recorded (its remittance deadline parsed by the caller)."""
    raw = payload["payment"]
    remit = raw.get("remit_due_at")
    return Payment(
        amount=raw["amount"],
        method=raw["method"],
        paid_at=at,
        recorded_by=actor,
        fees=tuple(raw.get("fees", ())),
        request=raw.get("request"),
        gateway=raw.get("gateway"),
        transaction_id=raw.get("transaction_id"),
        receipt_number=raw.get("receipt_number"),
        remit_due_at=datetime.fromisoformat(remit).astimezone(at.tzinfo) if remit else None,
    )
