"""Worklists ("Hồ sơ cần xử lý"): the open dossiers an official, a role within a unit or an
agency must act on, filtered, sorted and paged with a keyset cursor.

Who holds a dossier now is decided once, from the dossier the engine folded, by
:func:`worklist_values`: the SQL store keeps its result in indexed summary columns (schema
version 4) and answers a page with one query; :class:`~tthc_flow.store.MemoryStore` applies
the same function to its dossiers. ``tests/store/test_worklist.py`` runs one contract on
both and on PostgreSQL (docs/worklists.md).
"""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, runtime_checkable

from tthc_flow._time import to_vn
from tthc_flow.engine._personal import ERASED
from tthc_flow.errors import InvalidCommand

if TYPE_CHECKING:
    from tthc_flow.engine._dossier import Dossier

DESK_ROLE = "one_stop"
"""Who holds an open dossier outside the steps of its procedure: the one-stop desk receives
it and returns its result (Decree 118/2025/ND-CP art. 18.1, 22.1)."""

APPLICANT_ID_KEY = "applicant_id_number"
"""The dossier data key holding the applicant's ID number (citizen ID, tax code...) that
worklists search (SoGiayToChuHoSo of the national portal) for a dossier created with a name;
a dossier with an applicant record is searched by the record's ``primary_id``."""

WORKLIST_COLUMNS = (
    "holder_agency",
    "holder_role",
    "holder_unit",
    "assignee",
    "work_due_at",
    "applicant_key",
    "applicant_id_number",
)
"""The summary columns of schema version 4, in :func:`worklist_values` order."""

Sort = Literal["due", "submitted", "updated", "code"]
_SORT_COLUMN = {
    "due": "work_due_at",
    "submitted": "submitted_at",
    "updated": "updated_at",
    "code": "code",
}
MAX_PAGE = 500


@lru_cache(maxsize=8192)
def normalise_name(name: str) -> str:
    """A name as worklists search it: lower case, without Vietnamese diacritics (đ -> d),
    single spaces: ``"Công ty TNHH Gas Hải Phòng"`` -> ``"cong ty tnhh gas hai phong"``.

    Remembered per name: every append of a dossier rewrites its summary row with the same
    applicant (the decomposition cost half of that row before)."""
    text = name.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )
    return " ".join(stripped.casefold().split())


def applicant_id_of(d: Dossier) -> str | None:
    """The ID number worklists search: the applicant record's primary ID (the portal's
    SoGiayToChuHoSo, engine/_applicant.py), else the data key :data:`APPLICANT_ID_KEY`; None
    once erased (docs/personal-data.md)."""
    record = d.applicant_record
    primary = record.primary_id if record is not None else None
    if primary is not None:
        return primary.number
    for key, value in d.data:  # the data pairs as kept: no dict copy on every append
        if key == APPLICANT_ID_KEY:
            return value if isinstance(value, str) and value and value != ERASED else None
    return None


def worklist_values(d: Dossier) -> tuple[Any, ...]:
    """Who holds ``d`` now and by when they must act, in :data:`WORKLIST_COLUMNS` order.

    An open dossier is held by its open step of the process control slip (that step's role
    and agency, else the dossier's agency), or by the one-stop desk when no step is open
    (received, result ready, "4 tại chỗ"); by the unit and lead handler of its current
    assignment. ``work_due_at`` is the open step's deadline, else the appointment, else the
    online receipt deadline (art. 17.2.c), else the submission moment. A closed dossier
    (returned, refused, withdrawn, stopped) is on no worklist: its holder columns are NULL.
    """
    searched = (normalise_name(d.applicant), applicant_id_of(d))
    if not d.is_open:
        return (None, None, None, None, None, *searched)
    rows = d.step_rows
    if rows and rows[-1][5] is None:  # the open row: step, role, agency, entered, due, left
        row = rows[-1]
        role, agency, due = row[1], row[2] or d.agency_code, row[4]
    else:
        role, agency, due = DESK_ROLE, d.agency_code, None
    work_due = due or d.due_at or d.accept_due_at or d.submitted_at
    assignment = d.assignment
    unit = assignment.unit if assignment is not None else None
    lead = assignment.lead.id if assignment is not None else None
    return (agency, role, unit, lead, work_due, *searched)


COOPERATING = "cooperating"
OBSERVER = "observer"
MEMBER_KINDS = (COOPERATING, OBSERVER)
"""The kinds of ``assignment_members`` rows: cooperating officials (phối hợp) and observers
(theo dõi) of a step (docs/officials.md)."""


def member_rows(d: Dossier) -> tuple[tuple[str, str], ...]:
    """``(kind, official id)`` of the cooperating officials and observers of ``d``'s current
    assignment (the step in progress); none once the dossier left that step or closed.

    Decided from the dossier the engine folded, like :func:`worklist_values`: the SQL store
    keeps these rows in ``assignment_members``, the memory store applies this function."""
    assignment = d.assignment if d.is_open else None
    if assignment is None:
        return ()
    return tuple((COOPERATING, m.id) for m in assignment.cooperating) + tuple(
        (OBSERVER, m.id) for m in assignment.observers
    )


def member_values(d: Dossier) -> list[tuple[Any, ...]]:
    """The ``assignment_members`` rows of ``d``: ``(official, kind, code, holder agency,
    holder's deadline)`` per :func:`member_rows`, the last two as :func:`worklist_values`
    decides them (a member's page is read in deadline order from its own index)."""
    members = member_rows(d)
    if not members:
        return []
    values = worklist_values(d)
    return [(official, kind, d.code, values[0], values[4]) for kind, official in members]


@dataclass(frozen=True)
class WorklistQuery:
    """One page of a worklist: the open dossiers held by ``agency`` (the tenant: every
    worklist is scoped to one agency) that match every filter given.

    Who: ``assignee`` (the lead handler's official id), ``role`` and ``unit`` (the holding
    step's role, the assignment's unit), ``unassigned`` (nobody leads the step yet: the pool
    an official takes over from), ``cooperating`` / ``observer`` (an official id: the
    dossiers whose current assignment names them as cooperating official or observer). What: ``states``, ``procedure_codes`` (a field: see
    :func:`procedures_in_field`), ``channels``, ``owner_agency`` (the dossier's own agency,
    for liên thông dossiers held by another). When: ``received_from``/``received_until``
    (the receipt, [from, until)), ``due_from``/``due_before`` (``work_due_at``, the holder's
    deadline, [from, before)). Search: ``applicant`` (a prefix of the name, without
    diacritics or case), ``applicant_id`` (the whole ID number), ``code`` (a prefix of the
    dossier code). Order: ``sort`` (``due``: the holder's deadline; ``submitted``,
    ``updated``, ``code``), ``descending``, then the dossier code; ``limit`` rows (at most
    500) after the cursor ``after`` (``WorklistPage.next_cursor``).
    """

    agency: str
    assignee: str | None = None
    role: str | None = None
    unit: str | None = None
    unassigned: bool = False
    cooperating: str | None = None
    observer: str | None = None
    states: frozenset[str] | None = None
    procedure_codes: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    owner_agency: str | None = None
    received_from: datetime | None = None
    received_until: datetime | None = None
    due_from: datetime | None = None
    due_before: datetime | None = None
    applicant: str | None = None
    applicant_id: str | None = None
    code: str | None = None
    sort: Sort = "due"
    descending: bool = False
    limit: int = 50
    after: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.agency, str) or not self.agency:
            raise InvalidCommand("a worklist is scoped to one agency: agency='...'", field="agency")
        if self.sort not in _SORT_COLUMN:
            raise InvalidCommand(
                f"sort={self.sort!r}: one of {', '.join(_SORT_COLUMN)}", field="sort"
            )
        if isinstance(self.limit, bool) or not isinstance(self.limit, int):
            raise InvalidCommand("limit must be a whole number", field="limit")
        if not 1 <= self.limit <= MAX_PAGE:
            raise InvalidCommand(f"limit must be 1..{MAX_PAGE}", field="limit")
        if self.unassigned and self.assignee is not None:
            raise InvalidCommand("unassigned and assignee exclude each other", field="assignee")
        for name in MEMBER_KINDS:
            member = getattr(self, name)
            if member is not None and (not isinstance(member, str) or not member):
                raise InvalidCommand(f"{name} must be an official id", field=name)
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                object.__setattr__(self, f.name, to_vn(value, f.name))
            elif f.name in ("states", "procedure_codes", "channels") and value is not None:
                if isinstance(value, str) or not isinstance(value, Iterable):
                    raise InvalidCommand(f"{f.name} must be a set of texts", field=f.name)
                object.__setattr__(self, f.name, frozenset(value))
        if self.applicant is not None:
            object.__setattr__(self, "applicant", normalise_name(self.applicant))
        if self.after is not None:
            decode_cursor(self.after, self.sort, self.descending)  # refused here, not later

    @property
    def sort_column(self) -> str:
        """The summary column the page is ordered by (then ``code``)."""
        return _SORT_COLUMN[self.sort]


class WorkItem(NamedTuple):
    """One line of a worklist (a named tuple: a page is read at every screen refresh)."""

    code: str
    procedure_code: str
    agency_code: str
    applicant: str
    channel: str
    state: str
    version: int
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    updated_at: datetime
    holder_agency: str
    holder_role: str
    holder_unit: str | None
    assignee: str | None
    work_due_at: datetime


ITEM_FIELDS = WorkItem._fields
"""The summary columns a :class:`WorkItem` carries, in its field order."""


@dataclass(frozen=True)
class WorklistPage:
    """A page of a worklist and the cursor of the next page (None: this is the last)."""

    items: list[WorkItem]
    next_cursor: str | None


@runtime_checkable
class WorklistStore(Protocol):
    """A store that answers worklists (:class:`MemoryStore`, :class:`SqlStore`)."""

    def worklist(self, query: WorklistQuery) -> WorklistPage:
        """One page of ``query``."""
        ...


def sort_key(item: WorkItem, query: WorklistQuery) -> Any:
    """The value ``item`` is ordered by in ``query`` (before the code)."""
    return getattr(item, query.sort_column)


def encode_cursor(item: WorkItem, query: WorklistQuery) -> str:
    """The opaque cursor after ``item``: its sort value and code, with the order it was
    made for (a cursor of one order is refused by another)."""
    key = sort_key(item, query)
    value = key.isoformat() if isinstance(key, datetime) else key
    text = json.dumps([query.sort, query.descending, value, item.code], ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, descending: bool) -> tuple[Any, str]:
    """The ``(sort value, code)`` a cursor stands after; InvalidCommand for a cursor that
    this order did not hand out."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        made_for, desc, value, code = json.loads(base64.urlsafe_b64decode(padded).decode())
        if made_for != sort or desc is not descending or not isinstance(code, str):
            # caught below and raised as InvalidCommand (field "after"): never reaches a user
            raise ValueError("another order")
        if sort == "code":
            if value != code:
                raise ValueError("bad code")
            return code, code
        return to_vn(datetime.fromisoformat(value), "after"), code
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCommand(
            f"after={cursor[:40]!r} is not a cursor of this worklist's order ({exc})",
            field="after",
        ) from None


def item_of(d: Dossier) -> tuple[WorkItem | None, tuple[Any, ...]]:
    """``d`` as a worklist line (None when closed) and its :func:`worklist_values`."""
    values = worklist_values(d)
    if values[0] is None:
        return None, values
    item = WorkItem(
        d.code,
        d.procedure_code,
        d.agency_code,
        d.applicant,
        d.channel,
        d.state,
        d.version,
        d.submitted_at,
        d.received_at,
        d.due_at,
        d.updated_at,
        values[0],
        values[1],
        values[2],
        values[3],
        values[4],
    )
    return item, values


def matches(item: WorkItem, values: tuple[Any, ...], q: WorklistQuery) -> bool:
    """Whether a worklist line satisfies every filter of ``q`` (the in-memory twin of the
    SQL WHERE of :mod:`tthc_flow.store._worklist_sql`)."""
    if item.holder_agency != q.agency:
        return False
    if q.assignee is not None and item.assignee != q.assignee:
        return False
    if q.unassigned and item.assignee is not None:
        return False
    if q.role is not None and item.holder_role != q.role:
        return False
    if q.unit is not None and item.holder_unit != q.unit:
        return False
    if q.states is not None and item.state not in q.states:
        return False
    if q.procedure_codes is not None and item.procedure_code not in q.procedure_codes:
        return False
    if q.channels is not None and item.channel not in q.channels:
        return False
    if q.owner_agency is not None and item.agency_code != q.owner_agency:
        return False
    received = item.received_at
    if q.received_from is not None and (received is None or received < q.received_from):
        return False
    if q.received_until is not None and (received is None or received >= q.received_until):
        return False
    if q.due_from is not None and item.work_due_at < q.due_from:
        return False
    if q.due_before is not None and item.work_due_at >= q.due_before:
        return False
    if q.applicant is not None and not values[5].startswith(q.applicant):
        return False
    if q.applicant_id is not None and values[6] != q.applicant_id:
        return False
    return q.code is None or item.code.startswith(q.code)


def memory_worklist(dossiers: Iterable[Dossier], q: WorklistQuery) -> WorklistPage:
    """A worklist page from dossiers in memory (:class:`MemoryStore`): the same filters,
    order and cursor as the SQL store's."""
    found = []
    wanted = [(kind, getattr(q, kind)) for kind in MEMBER_KINDS if getattr(q, kind) is not None]
    for d in dossiers:
        item, values = item_of(d)
        if item is None or not matches(item, values, q):
            continue
        if wanted and not set(wanted) <= set(member_rows(d)):
            continue
        found.append(item)
    column = q.sort_column
    found.sort(key=lambda i: (getattr(i, column), i.code), reverse=q.descending)
    if q.after is not None:
        value, code = decode_cursor(q.after, q.sort, q.descending)
        if q.descending:
            found = [i for i in found if (getattr(i, column), i.code) < (value, code)]
        else:
            found = [i for i in found if (getattr(i, column), i.code) > (value, code)]
    page = found[: q.limit]
    more = len(found) > q.limit
    return WorklistPage(page, encode_cursor(page[-1], q) if more else None)


def procedures_in_field(catalog: Iterable[Any], field: str) -> frozenset[str]:
    """The codes of the procedures of a field (lĩnh vực) in ``catalog``, for
    ``WorklistQuery(procedure_codes=...)``: the field is the procedure's, not the dossier's,
    so a worklist filters on the indexed procedure code."""
    return frozenset(d.code for d in catalog if d.field == field)
