"""OCEL 2.0 JSON export: objects of types ``dossier`` and ``procedure``, one event type per trigger."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tthc_flow._safe_text import utf8_text
from tthc_flow.engine import Dossier, Event


def to_ocel(dossiers: Iterable[Dossier], events: Iterable[Event]) -> dict[str, Any]:
    """OCEL 2.0 as plain data (``objectTypes``, ``eventTypes``, ``objects``, ``events``).

    Each event relates to its dossier (qualifier ``dossier``) and the dossier's procedure
    version (qualifier ``procedure``); each dossier relates to its procedure (``follows``).
    """
    all_dossiers = {d.code: d for d in dossiers}
    all_events = sorted(events, key=lambda e: (e.at, e.dossier_code, e.version))
    objects: list[dict[str, Any]] = []
    procedures: set[str] = set()
    for d in sorted(all_dossiers.values(), key=lambda d: d.code):
        procedure_id = f"{d.procedure_code}@{d.procedure_version}"
        procedures.add(procedure_id)
        objects.append(
            {
                "id": d.code,
                "type": "dossier",
                "attributes": [
                    {"name": "channel", "time": d.submitted_at.isoformat(), "value": d.channel},
                    {"name": "applicant", "time": d.submitted_at.isoformat(), "value": d.applicant},
                    {"name": "state", "time": d.updated_at.isoformat(), "value": d.state},
                ],
                "relationships": [{"objectId": procedure_id, "qualifier": "follows"}],
            }
        )
    for procedure_id in sorted(procedures):
        code, version = procedure_id.split("@")
        objects.append(
            {
                "id": procedure_id,
                "type": "procedure",
                "attributes": [
                    {"name": "code", "time": "1970-01-01T00:00:00Z", "value": code},
                    {"name": "version", "time": "1970-01-01T00:00:00Z", "value": version},
                ],
            }
        )
    events_out = []
    for e in all_events:
        relations = [{"objectId": e.dossier_code, "qualifier": "dossier"}]
        owner = all_dossiers.get(e.dossier_code)
        if owner is not None:
            procedure_id = f"{owner.procedure_code}@{owner.procedure_version}"
            relations.append({"objectId": procedure_id, "qualifier": "procedure"})
        events_out.append(
            {
                "id": f"{e.dossier_code}#{e.version}",
                "type": e.trigger,
                "time": e.at.isoformat(),
                "attributes": [
                    {"name": "actor", "value": e.actor},
                    {"name": "role", "value": e.role},
                    {"name": "state", "value": e.to_state},
                ],
                "relationships": relations,
            }
        )
    event_attrs = [{"name": n, "type": "string"} for n in ("actor", "role", "state")]
    ocel = {
        "objectTypes": [
            {
                "name": "dossier",
                "attributes": [
                    {"name": n, "type": "string"} for n in ("channel", "applicant", "state")
                ],
            },
            {
                "name": "procedure",
                "attributes": [
                    {"name": "code", "type": "string"},
                    {"name": "version", "type": "string"},
                ],
            },
        ],
        "eventTypes": [
            {"name": trigger, "attributes": event_attrs}
            for trigger in sorted({e.trigger for e in all_events})
        ],
        "objects": objects,
        "events": events_out,
    }
    encodable: dict[str, Any] = _encodable(ocel)
    return encodable


def _encodable(value: Any) -> Any:
    """``value`` with lone surrogates in its text replaced: the JSON is written as UTF-8."""
    if isinstance(value, str):
        return utf8_text(value)
    if isinstance(value, dict):
        return {utf8_text(k): _encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    return value


def write_ocel(dossiers: Iterable[Dossier], events: Iterable[Event], path: str | Path) -> Path:
    """Write :func:`to_ocel` as JSON (UTF-8) to ``path``."""
    target = Path(path)
    target.write_text(
        json.dumps(to_ocel(dossiers, events), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return target
