"""The result documents of a dossier: signed -> issued -> delivered, each an event.

Decree 118/2025/ND-CP art. 22.1: the result is signed digitally by the competent person and
issued under the rules on clerical work; 22.3: the electronic result is returned on the
national portal; 22.4: it carries a code made of "mã số định danh của cá nhân, tổ chức và mã
loại giấy tờ", the result-type code being that of the national procedure database.

The decree names the two parts of the code, not how they are joined: :data:`CODE_SEPARATOR`
joins them unless the command gives the code the vendor's registry issued (``result_code=``),
which must then start with the holder's ID and end with the result type.

:func:`decide` turns a command's data into the event payload (everything decided here, once);
:func:`fold` reads the payload back into the dossier's :class:`IssuedResult` tuple.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tthc_flow.errors import InvalidCommand, PolicyViolation

if TYPE_CHECKING:
    from tthc_flow.engine._documents import IssuedResult, ResultState
    from tthc_flow.engine._dossier import Dossier
    from tthc_flow.engine._events import Event

SIGN = "sign_result"
ISSUE = "issue_result"
DELIVER = "deliver_result"
EFFECTS = frozenset({SIGN, ISSUE, DELIVER})

CODE_SEPARATOR = "."
"""Joins the holder's ID and the result-type code (art. 22.4 gives the parts, not the join)."""

DELIVERY_CHANNELS = frozenset({"portal", "data_store", "desk", "postal"})
"""How a result reaches the applicant: their portal account (art. 22.3), their data store
(art. 22.4), at the desk or by post (art. 15)."""


def _text(data: dict[str, Any], key: str, effect: str, *, required: bool = True) -> str | None:
    value = data.pop(key, None)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{effect} needs {key}='...'", field=f"data.{key}")
    return value.strip()


def _file(data: dict[str, Any], effect: str) -> dict[str, Any] | None:
    from tthc_flow.engine._documents import FileRef

    uri = data.pop("file_uri", None)
    sha256 = data.pop("file_sha256", None)
    if uri is None and sha256 is None:
        return None
    try:
        return FileRef(uri=uri, sha256=sha256).model_dump(mode="json", exclude_none=True)
    except ValueError as error:
        raise InvalidCommand(
            f"{effect}: file_uri= and file_sha256= (64 lower-case hex digits) go together: {error}",
            field="data.file_sha256",
        ) from None


def _holder(dossier: Dossier, data: dict[str, Any]) -> str:
    given = data.pop("holder_id", None)
    if given is not None:
        if not isinstance(given, str) or not given.strip():
            raise InvalidCommand(
                "holder_id= must be the holder's ID number", field="data.holder_id"
            )
        return given.strip()
    record = dossier.applicant_record
    primary = record.primary_id if record is not None else None
    if primary is None:
        raise InvalidCommand(
            f"dossier {dossier.code} has no applicant ID number for the result code (art. 22.4): "
            "receive it with an Applicant that has ids, or pass holder_id=",
            field="data.holder_id",
        )
    return primary.number


def _pick(dossier: Dossier, data: dict[str, Any], effect: str, state: ResultState) -> IssuedResult:
    code = data.pop("result_code", None)
    candidates = [r for r in dossier.results if code is None or r.code == code]
    if code is None and len(candidates) > 1:
        raise InvalidCommand(
            f"{effect}: dossier {dossier.code} has several results; name one with result_code=",
            field="data.result_code",
        )
    if not candidates:
        known = ", ".join(r.code for r in dossier.results) or "none signed yet"
        raise InvalidCommand(
            f"{effect}: no result {code!r} on dossier {dossier.code} (results: {known})",
            field="data.result_code",
        )
    result = candidates[0]
    if result.state != state:
        raise PolicyViolation(
            f"{effect}: result {result.code} is {result.state.value}; it must be "
            f"{state.value} first (signed -> issued -> delivered)",
            dossier_code=dossier.code,
            article="Decree 118/2025/ND-CP art. 22.1",
        )
    return result


def decide(effect: str, dossier: Dossier, data: dict[str, Any]) -> dict[str, Any]:
    """The payload of a result event; pops the keys it reads from ``data``."""
    if dossier.outcome != "approved":
        raise PolicyViolation(
            f"{effect}: dossier {dossier.code} has no approved result (outcome: "
            f"{dossier.outcome or 'none'}); a reasoned rejection is a notice, not a result",
            dossier_code=dossier.code,
            article="Decree 118/2025/ND-CP art. 22.1",
        )
    if effect == SIGN:
        result_type = _text(data, "result_type", effect)
        assert result_type is not None
        name = _text(data, "name", effect)
        holder = _holder(dossier, data)
        code = data.pop("result_code", None)
        if code is None:
            code = f"{holder}{CODE_SEPARATOR}{result_type}"
        elif not (isinstance(code, str) and code.startswith(holder) and code.endswith(result_type)):
            raise InvalidCommand(
                f"result_code={code!r} must be the holder's ID {holder!r} followed by the "
                f"result type {result_type!r} (Decree 118/2025/ND-CP art. 22.4)",
                field="data.result_code",
            )
        if any(r.code == code for r in dossier.results):
            raise PolicyViolation(
                f"result {code} of dossier {dossier.code} is already signed",
                dossier_code=dossier.code,
                article="Decree 118/2025/ND-CP art. 22.4",
            )
        signed: dict[str, Any] = {
            "code": code,
            "holder_id": holder,
            "result_type": result_type,
            "name": name,
        }
        file = _file(data, effect)
        if file is not None:
            signed["file"] = file
        return {"result": signed}
    from tthc_flow.engine._documents import ResultState

    if effect == ISSUE:
        result = _pick(dossier, data, effect, ResultState.SIGNED)
        payload: dict[str, Any] = {"result_code": result.code}
        number = _text(data, "number", effect, required=False)
        if number is not None:
            payload["number"] = number
        return payload
    result = _pick(dossier, data, effect, ResultState.ISSUED)
    via = data.pop("via", "portal")
    if via not in DELIVERY_CHANNELS:
        raise InvalidCommand(
            f"via={via!r}: one of {', '.join(sorted(DELIVERY_CHANNELS))}", field="data.via"
        )
    return {"result_code": result.code, "via": via}


def fold(results: tuple[IssuedResult, ...], event: Event) -> tuple[IssuedResult, ...]:
    """``results`` after the result event ``event``; pure."""
    from tthc_flow.engine._documents import IssuedResult, ResultState

    p = event.payload
    if event.effect == SIGN:
        signed = IssuedResult.model_validate(
            {**p["result"], "state": "signed", "signed_at": event.at, "signed_by": event.actor}
        )
        return (*results, signed)
    code = p["result_code"]
    if event.effect == ISSUE:
        change: dict[str, Any] = {"state": ResultState.ISSUED, "issued_at": event.at}
        if "number" in p:
            change["number"] = p["number"]
    else:
        change = {
            "state": ResultState.DELIVERED,
            "delivered_at": event.at,
            "delivered_via": p["via"],
        }
    return tuple(r.model_copy(update=change) if r.code == code else r for r in results)
