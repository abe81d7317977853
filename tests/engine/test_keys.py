"""Keyed event hashes: the bytes, by hand from the encoding's definition, and the key's files."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from pathlib import Path

import pytest

from tthc_flow._time import VN_TZ
from tthc_flow.engine import GENESIS_HASH, ChainKey, Event, first_broken_link
from tthc_flow.errors import ChainKeyError

SECRET = bytes(range(32))
AT = datetime(2026, 4, 24, 16, 10, tzinfo=VN_TZ)
# HASH_VERSION 2 (docs/engine.md): these twelve fields joined by U+001F, in this order
TEXT = "\x1f".join(
    [
        "SCT-260424-0001",  # dossier code
        "1",  # version
        "receive",  # trigger
        "accept",  # effect
        "portal-7",  # idempotency key
        "",  # from state
        "received",  # to state
        "desk-01",  # actor
        "one_stop",  # role
        "2026-04-24T16:10:00+07:00",  # moment, ISO with its offset
        '{"applicant":"Công ty A","n":1}',  # payload, canonical JSON
        GENESIS_HASH,  # prev_hash
    ]
)


def _event(key: ChainKey | None = None) -> Event:
    return Event.create(
        dossier_code="SCT-260424-0001",
        version=1,
        trigger="receive",
        effect="accept",
        from_state="",
        to_state="received",
        actor="desk-01",
        role="one_stop",
        at=AT,
        payload={"n": 1, "applicant": "Công ty A"},
        prev_hash=GENESIS_HASH,
        idempotency_key="portal-7",
        key=key,
    )


def test_unkeyed_hashes_keep_the_version_2_bytes() -> None:
    """Existing chains must still verify: the unkeyed hash is SHA-256 of the text above."""
    assert _event().hash == hashlib.sha256(TEXT.encode()).hexdigest()


def test_a_keyed_hash_is_the_hmac_of_the_same_text_marked_with_the_key_id() -> None:
    """RFC 2104 HMAC-SHA256 of the version 2 text; ``k`` + 7-digit key id + 56 digits."""
    key = ChainKey(SECRET)
    key_id = hmac.new(SECRET, b"tthc_flow chain key id", hashlib.sha256).hexdigest()[:7]
    mac = hmac.new(SECRET, TEXT.encode(), hashlib.sha256).hexdigest()
    event = _event(key)
    assert key.id == key_id
    assert event.hash == "k" + key_id + mac[:56] and len(event.hash) == 64
    assert event.verify(key) and not event.verify() and not event.verify(ChainKey.generate())


def test_without_the_key_a_forger_cannot_make_a_keyed_event_verify() -> None:
    key = ChainKey(SECRET)
    genuine = _event(key)
    unkeyed = _event()
    own = _event(ChainKey(bytes(range(1, 33))))
    assert first_broken_link([genuine], key) is None
    assert first_broken_link([unkeyed], key) == (
        1,
        "not keyed: written without the chain key, or forged with the public Event.create",
    )
    assert first_broken_link([own], key) == (
        1,
        f"keyed with key {own.hash[1:8]}, which was not given: a forgery with another key",
    )
    assert first_broken_link([genuine]) == (
        1,
        f"keyed with key {key.id}, which was not given: cannot be checked",
    )
    assert first_broken_link([genuine], links_only_when_keyed=True) is None


def test_the_secret_is_never_shown_and_must_be_long_enough(tmp_path: Path) -> None:
    key = ChainKey(SECRET)
    assert SECRET.hex() not in repr(key) and key.to_text() == SECRET.hex()
    path = tmp_path / "chain.key"
    path.write_text(key.to_text() + "\n")
    assert ChainKey.from_file(path).id == key.id
    with pytest.raises(ChainKeyError, match="32 random bytes"):
        ChainKey(b"short")
    path.write_text("abc")
    with pytest.raises(ChainKeyError) as short:
        ChainKey.from_file(path)
    assert short.value.first.file == str(path) and "64 hexadecimal digits" in str(short.value)
    with pytest.raises(ChainKeyError, match="cannot read"):
        ChainKey.from_file(tmp_path / "missing.key")
    path.write_bytes(b"0" * 5000)
    with pytest.raises(ChainKeyError, match="larger than 4 KiB"):
        ChainKey.from_file(path)
