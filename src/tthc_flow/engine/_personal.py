"""Personal data kept beside the hash chain, not inside it (hash version 4).

Law 91/2025/QH15 on personal data protection (in force 1 Jan 2026) gives the data subject
the right to have their data deleted (art. 9.1, art. 14.1 as read in secondary sources; see
docs/personal-data.md), but a hash-chained event can never change. So an event written with
:attr:`PersonalDataPolicy.keep_apart` (the default) hashes a *commitment* instead of the
values: the payload's personal fields (:data:`PERSONAL_KEYS`, the personal data keys
:data:`PERSONAL_DATA_KEYS`) are taken out of the hashed text, which carries in their place

    "personal_data": {"commitment": HMAC-SHA256(nonce, text), "hash_version": 4}

with ``text`` = ``"tthc_flow personal data"``, the dossier code, the event version and the
values' canonical JSON joined by U+001F, and ``nonce`` 32 random bytes drawn for that event.
The store keeps the values and the nonce in a table of their own and joins them back on read,
so every reader sees the payload as before. Erasing deletes both: the chain still verifies
(its text never held the values), and the commitment, keyed by a nonce nobody holds any
more, can no longer be tested against a guess (a plain SHA-256 of a 12-digit citizen ID is
found by trying every number; an HMAC under a destroyed random key is not).

Hash version 3 is the keyed encoding (engine/_keys.py); version 4 is independent of it: a
version 4 event is keyed or not like any other. The hashed text's layout is version 2's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tthc_flow.engine._canonical import canonical_json

if TYPE_CHECKING:
    from tthc_flow.engine._dossier import Dossier
    from tthc_flow.engine._events import Event

PERSONAL_HASH_VERSION = 4
"""Events whose personal data sit beside the chain, bound to it by a commitment."""

MARKER = "personal_data"
"""The payload key of the commitment (present only in version 4 events)."""

PERSONAL_KEYS = ("applicant", "applicant_record", "command_digest")
"""Payload keys kept apart: the applicant's name, the applicant record (names, ID numbers,
representative, phone, e-mail, address) and the idempotency digest, which is a plain
SHA-256 over the command (name and data included) and so could confirm a guessed value."""

PERSONAL_DATA_KEYS = frozenset(
    {"applicant_id_number", "applicant_address", "applicant_phone", "applicant_email"}
)
"""Dossier data keys holding the applicant's contacts and ID for name-only dossiers (the
forms and worklists read them): kept apart like the record."""

ERASED = "[đã xoá]"
"""What reads show in place of erased personal data."""

ERASE_EFFECT = "erase_personal_data"
"""The effect (and trigger) of the event that records an erasure."""

_DOMAIN = "tthc_flow personal data"


def has_personal(payload: dict[str, Any]) -> bool:
    """Whether ``payload`` holds a value that is kept apart."""
    if any(key in payload for key in PERSONAL_KEYS):
        return True
    data = payload.get("data")
    return isinstance(data, dict) and not PERSONAL_DATA_KEYS.isdisjoint(data)


def values_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The values kept apart from a (joined) payload: the personal keys, and under
    ``data`` the personal data keys."""
    values = {key: payload[key] for key in PERSONAL_KEYS if key in payload}
    data = payload.get("data")
    if isinstance(data, dict):
        personal = {key: data[key] for key in sorted(PERSONAL_DATA_KEYS) if key in data}
        if personal:
            values["data"] = personal
    return values


def redact(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` without the values kept apart: what a version 4 event hashes."""
    kept = {key: value for key, value in payload.items() if key not in PERSONAL_KEYS}
    data = payload.get("data")
    if isinstance(data, dict) and not PERSONAL_DATA_KEYS.isdisjoint(data):
        kept["data"] = {k: v for k, v in data.items() if k not in PERSONAL_DATA_KEYS}
    return kept


def join(payload: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A stored (redacted) payload with its values put back: the payload as written."""
    joined = dict(payload)
    for key, value in values.items():
        if key == "data":
            joined["data"] = {**joined.get("data", {}), **value}
        else:
            joined[key] = value
    return joined


def commitment(nonce: str, dossier_code: str, version: int, values: dict[str, Any]) -> str:
    """HMAC-SHA256 (RFC 2104) of the values under the event's nonce (64 hex digits)."""
    text = "\x1f".join((_DOMAIN, dossier_code, str(version), canonical_json(values)))
    return hmac.new(bytes.fromhex(nonce), text.encode(), hashlib.sha256).hexdigest()


def seal(payload: dict[str, Any], dossier_code: str, version: int) -> tuple[dict[str, Any], str]:
    """``payload`` with the commitment to its personal values, and the new nonce (hex)."""
    nonce = secrets.token_bytes(32).hex()
    marker = {
        "commitment": commitment(nonce, dossier_code, version, values_of(payload)),
        "hash_version": PERSONAL_HASH_VERSION,
    }
    return {**payload, MARKER: marker}, nonce


def is_sealed(payload: dict[str, Any]) -> bool:
    """Whether an event's payload is a version 4 one (its personal data kept apart)."""
    return MARKER in payload


def replaced(values: dict[str, Any], name: str) -> dict[str, Any]:
    """``values`` erased: the name (and the record's name) become ``name``, every other value
    :data:`ERASED`; the record keeps only the applicant's type (not personal: the portal's
    LoaiDoiTuong and the statistics count by it)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "applicant":
            out[key] = name
        elif key == "applicant_record" and isinstance(value, dict):
            out[key] = {"type": value.get("type", "citizen"), "name": name}
        elif key == "data" and isinstance(value, dict):
            out[key] = {k: ERASED for k in value}
        else:
            out[key] = ERASED
    return out


def erased_fields(d: Dossier, event: Event) -> dict[str, Any]:
    """The dossier fields an erasure event changes (the fold of :data:`ERASE_EFFECT`)."""
    from dataclasses import replace as copy

    from tthc_flow.engine._applicant import Applicant

    name = str(event.payload.get("pseudonym") or ERASED)
    changed: dict[str, Any] = {"applicant": name}
    if d.data and not PERSONAL_DATA_KEYS.isdisjoint(dict(d.data)):
        changed["data"] = tuple((k, ERASED if k in PERSONAL_DATA_KEYS else v) for k, v in d.data)
    record = d.applicant_record
    if record is not None:
        kept = Applicant(type=record.type, name=name)
        changed["papers"] = copy(d.papers, applicant_record=kept)
    return changed


def personal_problem(events: list[Event]) -> tuple[int, str] | None:
    """``(version, reason)`` of the first version 4 event whose kept-apart values do not
    match its commitment, else None.

    An event's values are checked while its nonce is kept; once erased (no nonce) the
    chain must hold an erasure event after it, else the values were removed or replaced
    outside tthc_flow."""
    erased_from = next((e.version for e in events if e.effect == ERASE_EFFECT), None)
    for event in events:
        payload = event.payload
        marker = payload.get(MARKER)
        if not isinstance(marker, dict):
            continue
        nonce = event.personal_nonce
        if not nonce:
            if erased_from is None or erased_from < event.version:
                return (
                    event.version,
                    "personal data missing or erased without an erasure event (altered)",
                )
            continue
        try:
            expected = commitment(nonce, event.dossier_code, event.version, values_of(payload))
        except ValueError:
            return (event.version, "personal data nonce does not parse (altered)")
        if not hmac.compare_digest(expected, str(marker.get("commitment", ""))):
            return (event.version, "personal data do not match their commitment (altered)")
    return None


@dataclass(frozen=True)
class PersonalDataPolicy:
    """How the engine keeps personal data and when it may erase them (docs/personal-data.md).

    ``keep_apart``: write new events with their personal data beside the chain (hash version
    4; False writes them inside, as version 2 did). Erasure is refused while the dossier is
    open unless ``erase_open`` (the data are needed to perform the procedure: Decree
    118/2025/ND-CP has the authority process and return it; Law 91/2025/QH15 lets a
    controller refuse a deletion the law requires it to keep), and for ``retain_closed_for``
    after it closed (the agency's archive retention period for the dossier, set by the
    operator: the library does not know the sector's retention list). ``roles``: who may
    erase.
    """

    keep_apart: bool = True
    erase_open: bool = False
    retain_closed_for: timedelta = timedelta(0)
    roles: frozenset[str] = frozenset({"data_protection", "leader"})
    """Who may erase: the agency's data protection staff or its leader (Law 91/2025/QH15
    makes the controller, the agency, answer the request)."""

    def refusal(self, dossier: Dossier, at: datetime) -> str | None:
        """Why ``dossier``'s personal data may not be erased at ``at``, else None."""
        if dossier.is_open and not self.erase_open:
            return (
                f"dossier {dossier.code} is still being processed (state {dossier.state!r}): "
                "its personal data are needed to resolve it (PersonalDataPolicy.erase_open, "
                "Decree 118/2025/ND-CP; Law 91/2025/QH15 art. 14)"
            )
        closed = dossier.closed_at
        if closed is not None and at < closed + self.retain_closed_for:
            return (
                f"dossier {dossier.code} closed {closed.date().isoformat()} is kept until "
                f"{(closed + self.retain_closed_for).date().isoformat()} "
                "(PersonalDataPolicy.retain_closed_for: the archive retention period)"
            )
        return None


_NOT_SECRET = frozenset({"type", "kind", "issued_on"})  # an enum value, a date: not personal


def secrets_in(values: dict[str, Any]) -> list[str]:
    """The texts of ``values`` an erasure must remove wherever they were copied (an outbox
    message, a notification's text), longest first so a name is replaced before a part of
    it; the applicant's type and the kind of an ID number are not among them."""
    found: set[str] = set()

    def visit(value: Any, key: str = "") -> None:
        if key in _NOT_SECRET:
            return
        if isinstance(value, dict):
            for k, v in value.items():
                visit(v, k)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item, key)
        elif isinstance(value, str) and len(value.strip()) >= 3 and value != ERASED:
            found.add(value)

    visit(values)
    return sorted(found, key=lambda text: (-len(text), text))


def scrub(value: Any, texts: list[str]) -> Any:
    """``value`` (JSON-able) with every occurrence of ``texts`` replaced by :data:`ERASED`."""
    if isinstance(value, str):
        for text in texts:
            if text in value:
                value = value.replace(text, ERASED)
        return value
    if isinstance(value, dict):
        return {k: scrub(v, texts) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item, texts) for item in value]
    return value
