"""The SQL side of an erasure of personal data (engine/_personal.py, docs/personal-data.md)."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select, update

from tthc_flow.engine._events import canonical_json
from tthc_flow.engine._personal import replaced, scrub, secrets_in
from tthc_flow.store.schema import outbox, personal_data


def erase(conn: Connection, dossier_code: str, name: str) -> None:
    """Replace the kept-apart values of every event of ``dossier_code`` by ``name`` and
    placeholders, clear their nonces, and remove the erased texts from the dossier's outbox
    messages; inside the caller's transaction."""
    pd = personal_data.c
    kept = {
        int(version): json.loads(data)
        for version, data in conn.execute(
            select(pd.version, pd.data).where(pd.dossier_code == dossier_code)
        )
    }
    for version, values in kept.items():
        conn.execute(
            update(personal_data)
            .where(pd.dossier_code == dossier_code, pd.version == version)
            .values(nonce=None, data=canonical_json(replaced(values, name)))
        )
    texts = secrets_in({str(version): values for version, values in kept.items()})
    if not texts:
        return
    o = outbox.c
    for id_, payload in conn.execute(
        select(o.id, o.payload).where(o.dossier_code == dossier_code)
    ).all():
        cleaned = canonical_json(scrub(json.loads(payload), texts))
        if cleaned != payload:
            conn.execute(update(outbox).where(o.id == id_).values(payload=cleaned))
