"""The canonical JSON text of a payload: what the event hash and the personal-data
commitment are computed over (sorted keys, no spaces, non-ASCII kept, HASH_VERSION 2)."""

from __future__ import annotations

import json
from typing import Any

# one encoder for every event: json.dumps with options would build a new one per call
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
)


def canonical_json(payload: Any) -> str:
    """The payload's canonical JSON text (sorted keys, no spaces), as hashed and stored."""
    return _CANONICAL.encode(payload)
