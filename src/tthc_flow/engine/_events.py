"""Events: the append-only, hash-chained record of every change to a dossier."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tthc_flow.engine._canonical import canonical_json as canonical_json  # re-exported
from tthc_flow.engine._fast import build_frozen
from tthc_flow.engine._keys import ChainKey, KeysLike, key_id_of, key_ring
from tthc_flow.engine._personal import MARKER, has_personal, redact, seal

GENESIS_HASH = "0" * 64
"""``prev_hash`` of a dossier's first event."""

HASH_VERSION = 2
"""Version of the hashed encoding. 2 added ``effect`` and ``idempotency_key`` (version 1
left them out, so an altered effect went unnoticed). Chains written with version 1 do not
verify under version 2; the project had no production data when it changed (docs/engine.md)."""


def event_hash(
    dossier_code: str,
    version: int,
    trigger: str,
    from_state: str,
    to_state: str,
    actor: str,
    role: str,
    at: datetime,
    payload: dict[str, Any],
    prev_hash: str,
    effect: str = "",
    idempotency_key: str | None = None,
) -> str:
    """SHA-256 over the event's content and its predecessor's hash (the chain link).

    The encoding (:data:`HASH_VERSION` 2) is fixed: the fields below separated by U+001F,
    the effect and the idempotency key (empty when None) right after the trigger, the time in
    ISO form and the payload as canonical JSON, so any store, in any language, can verify the
    chain.
    """
    return _hash_with_text(
        dossier_code,
        version,
        trigger,
        from_state,
        to_state,
        actor,
        role,
        at,
        canonical_json(payload),
        prev_hash,
        effect,
        idempotency_key,
    )


def _hash_with_text(
    dossier_code: str,
    version: int,
    trigger: str,
    from_state: str,
    to_state: str,
    actor: str,
    role: str,
    at: datetime,
    payload_json: str,
    prev_hash: str,
    effect: str,
    idempotency_key: str | None,
    key: ChainKey | None = None,
) -> str:
    # event_hash with the payload's canonical JSON already written (Event.create keeps it);
    # with a key, the same text under HMAC (engine._keys, keyed hash version 3)
    text = "\x1f".join(
        (
            dossier_code,
            str(version),
            trigger,
            effect,
            idempotency_key or "",
            from_state,
            to_state,
            actor,
            role,
            at.isoformat(),
            payload_json,
            prev_hash,
        )
    )
    if key is not None:
        return key.seal(text)
    return hashlib.sha256(text.encode()).hexdigest()


hash_with_payload_text = _hash_with_text
""":func:`event_hash` of a payload already written as its canonical JSON (a stored row's)."""


@dataclass(frozen=True)
class Event:
    """One change of one dossier. Never updated, never deleted.

    ``version`` counts the dossier's events from 1 (used for optimistic concurrency);
    ``seq`` is the store-wide sequence number assigned when stored (0 before).
    ``effect`` names the domain meaning (see :class:`tthc_flow.procedure.Effect`) plus
    ``submit``/``receive`` for the event that creates a dossier.

    Fields live in an instance ``__dict__``, not slots: :meth:`create` fills it in one
    ``dict.update``, half the cost of fourteen frozen slot writes (events are built for
    every command and rarely kept as objects: stores keep rows).
    """

    dossier_code: str
    version: int
    trigger: str
    effect: str
    from_state: str
    to_state: str
    actor: str
    role: str
    at: datetime
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    idempotency_key: str | None = None
    seq: int = field(default=0, compare=False)
    payload_json: str = field(default="", init=False, compare=False, repr=False)
    """The payload's canonical JSON as hashed, set by :meth:`create` only ("" otherwise, and
    after ``dataclasses.replace``, so an edited payload is never paired with a stale text):
    stores write it instead of encoding the payload again. Read :meth:`canonical_payload`."""
    personal_nonce: str = field(default="", init=False, compare=False, repr=False)
    """A version 4 event (engine/_personal.py): the random key of its personal data's
    commitment, kept beside the values by the store, never in the hashed text ("" when the
    event has none, once erased, and after ``dataclasses.replace``)."""

    @classmethod
    def create(
        cls,
        *,
        dossier_code: str,
        version: int,
        trigger: str,
        effect: str,
        from_state: str,
        to_state: str,
        actor: str,
        role: str,
        at: datetime,
        payload: dict[str, Any],
        prev_hash: str,
        idempotency_key: str | None = None,
        hashed: bool = True,
        key: ChainKey | None = None,
        personal_apart: bool = False,
    ) -> Event:
        """Build an event and compute its hash (:func:`event_hash`).

        ``personal_apart`` (hash version 4, engine/_personal.py): when the payload holds
        personal data, the hashed text holds a commitment to them instead (``payload``
        keeps the values, as every reader sees them; the store keeps them apart). A payload
        that already carries a commitment (a version 4 event read back) is hashed so too.

        ``hashed=False`` leaves ``hash`` empty: for events no store keeps (the simulator's
        lean store), where a chain would have nobody to verify it. With a ``key`` the hash
        is keyed (:class:`~tthc_flow.engine.ChainKey`): only a holder of the key can make
        one that verifies.
        """
        nonce = ""
        if personal_apart and hashed and MARKER not in payload and has_personal(payload):
            payload, nonce = seal(payload, dossier_code, version)
        if not hashed:
            payload_json = ""
        elif MARKER in payload:  # a version 4 payload is hashed without its personal values
            payload_json = canonical_json(redact(payload))
        else:
            payload_json = canonical_json(payload)
        digest = (
            _hash_with_text(
                dossier_code,
                version,
                trigger,
                from_state,
                to_state,
                actor,
                role,
                at,
                payload_json,
                prev_hash,
                effect,
                idempotency_key,
                key,
            )
            if hashed
            else ""
        )
        # the frozen __init__ costs as much as hashing the event (engine/_fast.py)
        return build_frozen(
            cls,
            dict(
                dossier_code=dossier_code,
                version=version,
                trigger=trigger,
                effect=effect,
                from_state=from_state,
                to_state=to_state,
                actor=actor,
                role=role,
                at=at,
                payload=payload,
                prev_hash=prev_hash,
                hash=digest,
                idempotency_key=idempotency_key,
                seq=0,
                payload_json=payload_json,
                personal_nonce=nonce,
            ),
        )

    def canonical_payload(self) -> str:
        """The payload's canonical JSON (:func:`canonical_json`), as hashed and stored: for
        a version 4 event without the values kept apart."""
        if self.payload_json:
            return self.payload_json
        payload = self.payload
        return canonical_json(redact(payload) if MARKER in payload else payload)

    def verify(self, key: KeysLike = None) -> bool:
        """True when the stored hash matches the content.

        A keyed hash verifies only with its key among ``key`` (one key or several); without
        it this is False (:func:`first_broken_link` tells the two cases apart)."""
        key_id = key_id_of(self.hash)
        found = None
        if key_id is not None:
            found = key_ring(key).get(key_id)
            if found is None:
                return False
        return self.hash == _hash_with_text(
            self.dossier_code,
            self.version,
            self.trigger,
            self.from_state,
            self.to_state,
            self.actor,
            self.role,
            self.at,
            self.canonical_payload(),
            self.prev_hash,
            self.effect,
            self.idempotency_key,
            found,
        )


def first_broken_link(
    events: list[Event],
    key: KeysLike = None,
    *,
    unkeyed_through: int | None = None,
    links_only_when_keyed: bool = False,
) -> tuple[int, str] | None:
    """Check one dossier's chain; ``(version, reason)`` of the first bad event, else None.

    With ``key`` (one :class:`~tthc_flow.engine.ChainKey` or several) every event must carry
    a keyed hash made with one of them, except events whose ``seq`` is at most
    ``unkeyed_through`` (written before the key was adopted): an unkeyed hash is then what
    anyone could forge with the public :meth:`Event.create`. Without the key a keyed event
    cannot be checked and is reported so, unless ``links_only_when_keyed`` (a store loading a
    dossier: it never holds the key), which checks its versions and links only.
    """
    ring = key_ring(key)
    prev = GENESIS_HASH
    for expected_version, event in enumerate(events, start=1):
        if event.version != expected_version:
            return (event.version, f"expected version {expected_version}: an event is missing")
        if event.prev_hash != prev:
            return (event.version, "prev_hash does not match the previous event's hash")
        key_id = key_id_of(event.hash)
        if key_id is None:
            if ring and (unkeyed_through is None or event.seq > unkeyed_through):
                return (
                    event.version,
                    "not keyed: written without the chain key, or forged with the public "
                    "Event.create",
                )
        elif key_id not in ring:
            if not links_only_when_keyed:
                return (
                    event.version,
                    f"keyed with key {key_id}, which was not given: "
                    + ("a forgery with another key" if ring else "cannot be checked"),
                )
            prev = event.hash
            continue
        if not event.verify(ring.values()):
            return (event.version, "content does not match its hash (altered)")
        prev = event.hash
    return None
