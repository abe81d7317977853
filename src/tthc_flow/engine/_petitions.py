"""Petitions (phản ánh, kiến nghị) about a dossier: recorded, answered, and the answer judged.

Decree 118/2025/ND-CP art. 31.1.đ counts the applicants' petitions among the information the
quality of handling is assessed by, and art. 33.1.g has them rate "thời gian và chất lượng
ý kiến giải trình ... đối với các ý kiến phản ánh, kiến nghị". Decision 766's group 5 counts
them (5.1 classified, 5.2 handled on time, 5.3 satisfied, 5.4 dossiers with a petition).

No handling deadline was read in a legal text for this library. The national portal's
description of indicator 766 5.2 judges a petition handled on time within 15 working days
(docs/indicators.md, 5.2: "handled ≤ 15 working days"): :data:`DEFAULT_WORKING_DAYS`, counted
from the day after it was received like every limit in days. A petition may state its own
(``within_working_days=`` or ``due_at=``) where the agency's rules set one; the engine records
the deadline and judges the answer against it (``late``). The classification is 766 5.1's:
:data:`CATEGORIES`.

Triggers (internal, in every state): ``record_petition`` (the applicant, the ``system``
relaying the portal, or an official with the role ``petitions``), ``answer_petition`` (role
``petitions`` or ``leader``), ``petition_feedback`` (the applicant or the ``system``: whether
the answer satisfied). A new petition with ``follows=n`` continues petition ``n`` (766 5.3:
"tiếp tục có phản ánh, kiến nghị về kết quả giải quyết").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from tthc_flow.errors import InvalidCommand, PolicyViolation

if TYPE_CHECKING:
    from tthc_flow.engine._dossier import Dossier

RECORD: Final = "petition"
ANSWER: Final = "answer_petition"
FEEDBACK: Final = "petition_feedback"
EFFECTS: Final = frozenset({RECORD, ANSWER, FEEDBACK})

DEFAULT_WORKING_DAYS: Final = 15
"""The portal's 5.2 rule: a petition is handled within 15 working days (docs/indicators.md)."""

CATEGORIES: Final = {
    "rules": "Quy định, chính sách, thủ tục",
    "conduct": "Hành vi của cán bộ, công chức",
}
"""Decision 766 indicator 5.1's classification of petitions."""


@dataclass(frozen=True, slots=True)
class Petition:
    """A petition about the dossier and its handling."""

    number: int
    content: str
    received_at: datetime
    received_by: str
    due_at: datetime
    category: str | None = None
    follows: int | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    late: bool | None = None
    satisfied: bool | None = None

    @property
    def open(self) -> bool:
        """Not yet answered."""
        return self.answered_at is None


def _text(data: dict[str, Any], key: str, action: str) -> str:
    value = data.pop(key, None)
    if not isinstance(value, str) or not value.strip():
        raise InvalidCommand(f"{action} needs {key}='...'", field=f"data.{key}")
    return value.strip()


def _category(data: dict[str, Any]) -> str | None:
    value = data.pop("category", None)
    if value is not None and value not in CATEGORIES:
        raise InvalidCommand(
            f"category={value!r}: one of {', '.join(CATEGORIES)} (766 indicator 5.1)",
            field="data.category",
        )
    return None if value is None else str(value)


def _pick(dossier: Dossier, data: dict[str, Any], action: str, wanted: str) -> Petition:
    number = data.pop("number", None)
    found = [p for p in dossier.petitions if number is None or p.number == number]
    if wanted == "open":
        found = [p for p in found if p.open]
    else:
        found = [p for p in found if not p.open and p.satisfied is None]
    if number is None and len(found) > 1:
        raise InvalidCommand(
            f"{action}: dossier {dossier.code} has several; name one with number=",
            field="data.number",
        )
    if not found:
        listed = ", ".join(str(p.number) for p in dossier.petitions) or "none"
        raise PolicyViolation(
            f"{action}: dossier {dossier.code} has no {wanted} petition "
            f"{'' if number is None else number} (petitions: {listed})"
        )
    return found[0]


def decide(
    effect: str,
    dossier: Dossier,
    data: dict[str, Any],
    moment: datetime,
    due_after_days: Callable[[int], datetime],
) -> dict[str, Any]:
    """The payload of a petition event; pops the keys it reads from ``data``.
    ``due_after_days(n)``: the engine's deadline n working days after ``moment``."""
    if effect == RECORD:
        content = _text(data, "content", "record_petition")
        days = data.pop("within_working_days", None)
        raw_due = data.pop("due_at", None)
        if days is not None and raw_due is not None:
            raise InvalidCommand(
                "record_petition takes within_working_days=n or due_at=..., not both",
                field="data.within_working_days",
            )
        if raw_due is None:
            days = DEFAULT_WORKING_DAYS if days is None else days
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                raise InvalidCommand(
                    "within_working_days= must be a whole number >= 1",
                    field="data.within_working_days",
                )
            due = due_after_days(days)
        else:
            if not isinstance(raw_due, datetime) or raw_due.tzinfo is None:
                raise InvalidCommand("due_at= must be an aware datetime", field="data.due_at")
            due = raw_due.astimezone(moment.tzinfo)
            if due <= moment:
                raise InvalidCommand("due_at= must be after the petition", field="data.due_at")
        petition: dict[str, Any] = {
            "number": len(dossier.petitions) + 1,
            "content": content,
            "due_at": due.isoformat(),
        }
        category = _category(data)
        if category is not None:
            petition["category"] = category
        follows = data.pop("follows", None)
        if follows is not None:
            earlier = [p for p in dossier.petitions if p.number == follows and not p.open]
            if not earlier:
                raise PolicyViolation(
                    f"follows={follows!r}: dossier {dossier.code} has no answered petition "
                    f"{follows}"
                )
            petition["follows"] = follows
        return {"petition": petition}
    if effect == ANSWER:
        chosen = _pick(dossier, data, "answer_petition", "open")
        payload: dict[str, Any] = {
            "number": chosen.number,
            "answer": _text(data, "answer", "answer_petition"),
            "late": moment > chosen.due_at,
        }
        category = _category(data)
        if category is not None:
            payload["category"] = category
        return payload
    chosen = _pick(dossier, data, "petition_feedback", "answered")
    satisfied = data.pop("satisfied", None)
    if not isinstance(satisfied, bool):
        raise InvalidCommand(
            "petition_feedback needs satisfied=true or false", field="data.satisfied"
        )
    return {"number": chosen.number, "satisfied": satisfied}


def fold(
    petitions: tuple[Petition, ...],
    effect: str,
    payload: Mapping[str, Any],
    at: datetime,
    actor: str,
) -> tuple[Petition, ...]:
    """``petitions`` after a petition event; pure."""
    if effect == RECORD:
        raw = payload["petition"]
        new = Petition(
            number=raw["number"],
            content=raw["content"],
            received_at=at,
            received_by=actor,
            due_at=datetime.fromisoformat(raw["due_at"]).astimezone(at.tzinfo),
            category=raw.get("category"),
            follows=raw.get("follows"),
        )
        return (*petitions, new)
    number = payload["number"]
    if effect == ANSWER:
        change: dict[str, Any] = {
            "answer": payload["answer"],
            "answered_at": at,
            "answered_by": actor,
            "late": payload["late"],
        }
        if "category" in payload:
            change["category"] = payload["category"]
    else:
        change = {"satisfied": payload["satisfied"]}
    return tuple(replace(p, **change) if p.number == number else p for p in petitions)
