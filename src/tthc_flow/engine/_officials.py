"""Officials (cán bộ, công chức): who works a dossier, by role, agency and unit.

The library keeps no accounts: the vendor's account system is the authority on who an
official is. An :class:`OfficialDirectory` is the view of it the engine's callers use to
pick a lead handler, to list the candidates of a step (candidate groups by role and unit, as
OpenCPS assigns them) and, for forms, to print a name where an event holds only an id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tthc_flow.engine._actor import Actor
from tthc_flow.engine._inputs import MAX_ID, MAX_NAME, check_text
from tthc_flow.errors import InvalidCommand, NotFound


@dataclass(frozen=True, slots=True)
class Official:
    """One official: ``id`` (the account id written on events), full ``name`` as printed on
    slips, the ``roles`` held (``one_stop``, ``specialist``, ``leader``...), the ``agency``
    (agency code, e.g. ``SCT``) and ``unit`` (the phòng within it, e.g. ``QLTM``), and a
    ``title`` (chức vụ) for signatures."""

    id: str
    name: str
    roles: frozenset[str]
    agency: str
    unit: str | None = None
    title: str = ""

    def __post_init__(self) -> None:
        check_text("official.id", self.id, MAX_NAME)
        check_text("official.name", self.name, MAX_NAME)
        if not self.name.strip():
            raise InvalidCommand(f"official {self.id!r}: name is empty", field="official.name")
        if not isinstance(self.roles, frozenset) or not self.roles:
            raise InvalidCommand(
                f"official {self.id!r}: roles must be a non-empty frozenset",
                field="official.roles",
            )
        for role in self.roles:
            check_text("official.roles", role, MAX_ID)
        check_text("official.agency", self.agency, MAX_ID)
        if self.unit is not None:
            check_text("official.unit", self.unit, MAX_ID)
        check_text("official.title", self.title, MAX_NAME)

    @property
    def actor(self) -> Actor:
        """The official as the engine's :class:`Actor` (name, agency and unit included)."""
        return Actor(self.id, self.roles, self.agency, self.unit, self.name)


class OfficialDirectory:
    """Officials by id, with candidate groups by role, agency and unit.

    >>> d = OfficialDirectory([Official("cv1", "Trần Văn B", frozenset({"specialist"}), "SCT")])
    >>> d.candidates("specialist", agency="SCT")[0].name
    'Trần Văn B'
    """

    def __init__(self, officials: Iterable[Official] = ()) -> None:
        self._by_id: dict[str, Official] = {}
        for official in officials:
            self.add(official)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> OfficialDirectory:
        """A directory from plain records (``id``, ``name``, ``roles``, ``agency``,
        optional ``unit`` and ``title``), e.g. rows of the vendor's account table;
        :class:`InvalidCommand` naming the record and field otherwise."""
        directory = cls()
        for index, record in enumerate(records):
            try:
                roles = record["roles"]
                if isinstance(roles, str) or not isinstance(roles, Iterable):
                    raise InvalidCommand("roles must be a list of role names", field="roles")
                directory.add(
                    Official(
                        id=record["id"],
                        name=record["name"],
                        roles=frozenset(roles),
                        agency=record["agency"],
                        unit=record.get("unit"),
                        title=record.get("title", ""),
                    )
                )
            except KeyError as missing:
                raise InvalidCommand(
                    f"official record {index}: {missing.args[0]!r} is missing",
                    field=f"officials[{index}].{missing.args[0]}",
                ) from None
            except InvalidCommand as exc:
                raise InvalidCommand(
                    f"official record {index}: {exc}", field=f"officials[{index}].{exc.field}"
                ) from None
        return directory

    def add(self, official: Official) -> None:
        """Add or replace an official (an account renamed or moved to another unit)."""
        self._by_id[official.id] = official

    def get(self, official_id: str) -> Official | None:
        """The official with this id, or None."""
        return self._by_id.get(official_id)

    def __getitem__(self, official_id: str) -> Official:
        found = self._by_id.get(official_id)
        if found is None:
            raise NotFound(
                f"no official {official_id!r} in the directory",
                kind="official",
                name=official_id,
            )
        return found

    def __iter__(self) -> Iterator[Official]:
        return iter(sorted(self._by_id.values(), key=lambda o: o.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def name_of(self, official_id: str) -> str:
        """The official's name, or the id itself when the directory does not know it."""
        found = self._by_id.get(official_id)
        return found.name if found is not None else official_id

    def candidates(
        self, role: str, *, agency: str | None = None, unit: str | None = None
    ) -> list[Official]:
        """The candidate group of a step: officials holding ``role``, of ``agency`` and
        ``unit`` when given, in id order (who may be made the step's lead handler)."""
        return [
            o
            for o in self
            if role in o.roles
            and (agency is None or o.agency == agency)
            and (unit is None or o.unit == unit)
        ]
