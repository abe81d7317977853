"""Keyed event hashes: an HMAC-SHA256 key that the database never holds.

An unkeyed hash (:data:`~tthc_flow.engine._events.HASH_VERSION` 2) proves only that a row
was not edited carelessly: anyone who can write the database can recompute it with the
public :meth:`Event.create`. A keyed hash is the HMAC-SHA256 (RFC 2104) of the very same
text under a secret key kept outside the database (a file, a secrets manager), so only a
holder of the key can make one that verifies.

A keyed hash fills the same 64-character ``hash`` column (no schema change) and says how it
was made: ``k`` (never a hexadecimal digit, so it cannot be mistaken for a version 2 hash),
the key's 7-character identifier, then the first 56 hexadecimal digits (224 bits) of the
HMAC. Truncating an HMAC to 224 bits keeps 224 bits of forgery resistance (NIST SP 800-107
rev. 1, section 5.3.4); the identifier lets a verifier hold old and new keys (rotation).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from pathlib import Path

from tthc_flow.errors import ChainKeyError, Problem

KEYED_HASH_VERSION = 3
"""The keyed encoding: the version 2 text under HMAC-SHA256, marked ``k`` + key id."""

KEYED_PREFIX = "k"
"""First character of a keyed hash (an unkeyed hash is lowercase hexadecimal)."""

_ID_LENGTH = 7
_MAC_LENGTH = 64 - 1 - _ID_LENGTH  # the hash column holds 64 characters
_MIN_SECRET = 32  # bytes: the HMAC-SHA256 output size, RFC 2104 section 3's recommendation
_MAX_KEY_FILE = 4096


class ChainKey:
    """A secret key for keyed event hashes; give it to the engine and to ``verify``.

    >>> key = ChainKey(bytes(range(32)))
    >>> key                                    # the secret is never shown
    ChainKey(id='b2fe12c')
    >>> key.seal("text")[:8]
    'kb2fe12c'

    The secret must be at least 32 random bytes; :meth:`generate` makes one, :meth:`to_text`
    and :meth:`from_file` keep it as 64 hexadecimal digits in a file. Keeping the file away
    from the database, and from whoever administers it, is the operator's job
    (docs/security.md).
    """

    __slots__ = ("_secret", "id")

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes) or len(secret) < _MIN_SECRET:
            raise ChainKeyError(
                Problem("<key>", None, None, "secret", f"at least {_MIN_SECRET} random bytes"),
                "invalid chain key",
            )
        self._secret = secret
        self.id = hmac.new(secret, b"tthc_flow chain key id", hashlib.sha256).hexdigest()[
            :_ID_LENGTH
        ]
        """Seven hexadecimal digits naming the key (derived from it; reveals nothing of it)."""

    @classmethod
    def generate(cls) -> ChainKey:
        """A new random key (from :mod:`secrets`)."""
        return cls(secrets.token_bytes(_MIN_SECRET))

    @classmethod
    def from_text(cls, text: str, *, source: str = "<key>") -> ChainKey:
        """The key written as hexadecimal digits (surrounding white space ignored)."""
        digits = text.strip()
        try:
            secret = bytes.fromhex(digits)
        except ValueError:
            secret = b""
        if len(secret) < _MIN_SECRET:
            raise ChainKeyError(
                Problem(
                    source,
                    1,
                    None,
                    "key",
                    f"must be at least {2 * _MIN_SECRET} hexadecimal digits "
                    "(write one with ChainKey.generate().to_text())",
                ),
                "invalid chain key",
            )
        return cls(secret)

    @classmethod
    def from_file(cls, path: str | Path) -> ChainKey:
        """The key kept in a file as hexadecimal digits (:meth:`to_text`)."""
        file = Path(path)
        try:
            with file.open("rb") as handle:
                raw = handle.read(_MAX_KEY_FILE + 1)
        except OSError as exc:
            raise ChainKeyError(
                Problem(str(file), None, None, "", f"cannot read the key file: {exc.strerror}"),
                "invalid chain key",
            ) from None
        if len(raw) > _MAX_KEY_FILE:
            raise ChainKeyError(
                Problem(str(file), None, None, "", "not a key file (larger than 4 KiB)"),
                "invalid chain key",
            )
        return cls.from_text(raw.decode("ascii", errors="replace"), source=str(file))

    def to_text(self) -> str:
        """The secret as hexadecimal digits, for a key file."""
        return self._secret.hex()

    def seal(self, text: str) -> str:
        """The keyed hash of an event's hashed text (see the module notes)."""
        mac = hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()
        return KEYED_PREFIX + self.id + mac[:_MAC_LENGTH]

    def __repr__(self) -> str:
        return f"ChainKey(id={self.id!r})"


KeysLike = ChainKey | Iterable[ChainKey] | None
"""One key, several (old and new, after a rotation) or none."""


def key_ring(keys: KeysLike) -> dict[str, ChainKey]:
    """The keys by identifier."""
    if keys is None:
        return {}
    if isinstance(keys, ChainKey):
        return {keys.id: keys}
    return {key.id: key for key in keys}


def key_id_of(hash_: str) -> str | None:
    """The identifier of the key a hash was made with, or None for an unkeyed hash."""
    if hash_[:1] == KEYED_PREFIX:
        return hash_[1 : 1 + _ID_LENGTH]
    return None
