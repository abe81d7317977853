"""A command's named arguments, kept apart from the data stored with the dossier.

Until 0.5 a command took both in one ``**data``: ``fire(code, "reschedule", actor,
new_due_at=..., reason=..., parcel_area=120)`` consumed the first two and stored the third,
so a misspelt argument (``resaon=``) was silently stored as data and the command then failed
for a reason that named something else, and a data key called ``reason`` was taken for the
argument. Now the caller says which is which:

- keyword arguments are the command's own, each one named in :data:`ARGUMENTS` (an unknown
  keyword is an :class:`~tthc_flow.errors.InvalidCommand` naming it, before anything happens);
- ``data={...}`` is what the dossier keeps (guards read it; the slips and reports show it).
  A data key that is also an argument name is refused, since the engine would read it as one.

The two are merged into the one mapping the engine's deciding code has always read, so the
stored events, and their hashes, are exactly what the same command wrote before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tthc_flow.errors import InvalidCommand

ARGUMENTS: Mapping[str, str] = {
    # receipt (receive / submit)
    "case": "the procedure's case id (cases with their own limits and fees)",
    "reception_level": "level of the receiving centre, when it is not the deciding one (art. 20.1)",
    "on_the_spot": "handle an eligible procedure '4 tại chỗ'",
    "fee_paid": "the fees are paid with this command",
    "fees": "names of the fees paid (default: all unpaid)",
    "online": "the fees are paid online (art. 24.3)",
    "method": "how the applicant is told of a supplement request",
    # reasons, supplements, reschedules, corrections
    "reason": "why (written on the slip: refusal, withdrawal, apology, stop, reassignment)",
    "missing": "the documents a supplement request asks for (art. 19.5)",
    "new_due_at": "the new appointment moment of an apology (art. 19.6)",
    "body": "the consulted body, or the text of an answer",
    "within_working_days": "working days the consulted body has to answer",
    "due_at": "when the consulted body must answer",
    "notified": "the applicant was told of the early return (art. 22.5)",
    "obligations": "what the applicant owes before the result (portal status 6)",
    # payments (docs/payments.md)
    "lines": "the lines of a payment request: name, amount, kind, legal basis",
    "amount": "the amount paid, in đồng (refused unless it is what is owed)",
    "gateway": "the payment gateway of an online payment",
    "transaction_id": "the gateway's transaction id of an online payment",
    "receipt_number": "the number of the receipt of a payment at the desk",
    # ratings and petitions (art. 33.1; docs/payments.md)
    "scores": "a rating's score per criterion of art. 33.1",
    "comment": "the applicant's comment with a rating",
    "category": "the kind of a petition (766 indicator 5.1)",
    "content": "what a petition says",
    "follows": "the number of the petition this one continues",
    "answer": "the answer to a petition",
    "satisfied": "whether the applicant accepts the answer to a petition",
    # assignment of officials
    "lead": "the official who leads the step",
    "cooperating": "officials who cooperate on the step",
    "observers": "officials who follow the step",
    "unit": "the unit the step is assigned within",
    # results (art. 22)
    "result_type": "code of the result's type (art. 22.4)",
    "name": "name of the result document",
    "number": "number of the signed result document",
    "holder_id": "ID of the result's holder (art. 22.4)",
    "result_code": "the electronic result code (art. 22.4)",
    "file_uri": "where the vendor keeps the result file",
    "file_sha256": "SHA-256 of the result file",
    "via": "how the result reaches the applicant (portal, data_store, desk, postal)",
}
"""Every named argument a command accepts, with what it means; the engine reads these and
nothing else from the keywords (docs/engine.md, "Arguments and data")."""


def command_data(
    command: str, data: Mapping[str, Any] | None, arguments: Mapping[str, Any]
) -> dict[str, Any]:
    """The one mapping the engine decides on: ``data`` with the named ``arguments`` over it.

    Raises :class:`InvalidCommand` for an unknown argument or a data key that is an argument's
    name, naming it in ``field`` (``reasn``, ``data.reason``).
    """
    for name in arguments:
        if name not in ARGUMENTS:
            raise InvalidCommand(
                f"{command}: no argument {name!r}; the arguments are "
                f"{', '.join(sorted(ARGUMENTS))}; values the dossier keeps go in data={{...}}",
                field=name,
            )
    if data is None:
        return dict(arguments)
    if not isinstance(data, Mapping):
        raise InvalidCommand(
            f"{command}: data= must be a mapping of names to values, not {type(data).__name__}",
            field="data",
        )
    for key in data:
        if key in ARGUMENTS:
            raise InvalidCommand(
                f"{command}: {key!r} is an argument of the command, not data: pass {key}=...",
                field=f"data.{key}",
            )
    return {**data, **arguments}
