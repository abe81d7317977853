"""An immutable set of procedure definitions, every version of every code.

A catalog answers "which definition applies": the latest version (for editing and
listing), or the version in force on a date (for a dossier received that day: Decree
118/2025 and its amendments change procedures over time, and a dossier keeps the rules of
the day it was received).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from types import MappingProxyType

from tthc_flow.errors import Problem, ProcedureDefinitionError, UnknownProcedure
from tthc_flow.procedure._model import ProcedureDefinition


class Catalog:
    """Every version of every procedure, keyed by ``(code, version)``. Immutable.

    >>> len(Catalog([]))
    0
    """

    __slots__ = ("_by_code", "_by_key", "_sources")

    def __init__(
        self,
        definitions: Iterable[ProcedureDefinition],
        sources: Mapping[tuple[str, int], str] | None = None,
    ) -> None:
        """Build a catalog; a repeated ``(code, version)`` raises ProcedureDefinitionError.

        ``sources`` optionally maps keys to the file each definition was read from.
        """
        by_key: dict[tuple[str, int], ProcedureDefinition] = {}
        problems = []
        for definition in definitions:
            if definition.key in by_key:
                problems.append(
                    Problem(
                        (sources or {}).get(definition.key, "<catalog>"),
                        None,
                        None,
                        "code",
                        f"procedure {definition.code} version {definition.version} is given twice",
                    )
                )
            by_key[definition.key] = definition
        if problems:
            raise ProcedureDefinitionError(problems)
        by_code: dict[str, tuple[ProcedureDefinition, ...]] = {}
        for key in sorted(by_key):
            by_code[key[0]] = (*by_code.get(key[0], ()), by_key[key])
        self._by_key = MappingProxyType(dict(sorted(by_key.items())))
        self._by_code = MappingProxyType(by_code)
        self._sources = MappingProxyType(
            {key: file for key, file in (sources or {}).items() if key in by_key}
        )

    def __setattr__(self, name: str, value: object) -> None:
        # Immutable after __init__: simulation variants go through replace(), never mutation.
        if hasattr(self, "_sources"):
            raise AttributeError("Catalog is immutable; use replace() to make a variant")
        object.__setattr__(self, name, value)

    def _unknown(self, code: str) -> UnknownProcedure:
        message = f"no procedure {code!r} in the catalog"
        close = difflib.get_close_matches(code, list(self._by_code), n=3, cutoff=0.6)
        if not close:
            needle = code.casefold()
            close = [d.code for d in self.latest() if needle and needle in d.name.casefold()][:3]
        if close:
            names = ", ".join(f"{c} ({self._by_code[c][-1].name})" for c in close)
            message += f"; did you mean {names}?"
        return UnknownProcedure(message, code=code, known=tuple(close))

    def get(self, code: str, version: int | None = None) -> ProcedureDefinition:
        """The definition of ``code``: the given ``version``, or the highest one when None."""
        versions = self._by_code.get(code)
        if versions is None:
            raise self._unknown(code)
        if version is None:
            return versions[-1]
        definition = self._by_key.get((code, version))
        if definition is None:
            known = ", ".join(str(d.version) for d in versions)
            raise UnknownProcedure(
                f"procedure {code} has no version {version} (versions: {known})",
                code=code,
                version=version,
                known=tuple(str(d.version) for d in versions),
            )
        return definition

    def effective(self, code: str, on: date) -> ProcedureDefinition:
        """The version of ``code`` in force on ``on``: its [effective_from, effective_to]
        (both inclusive, an open end means "until further notice") contains ``on``.

        When periods overlap (an old version left open-ended), the one that took effect last
        wins: a newer decision supersedes the older one.
        """
        versions = self._by_code.get(code)
        if versions is None:
            raise self._unknown(code)
        if len(versions) == 1:  # most codes (asked at every receipt): no list, no max()
            only = versions[0]
            if only.effective_from <= on and (only.effective_to is None or on <= only.effective_to):
                return only
        in_force = [
            d
            for d in versions
            if d.effective_from <= on and (d.effective_to is None or on <= d.effective_to)
        ]
        if not in_force:
            periods = "; ".join(
                f"v{d.version}: {d.effective_from} to {d.effective_to or 'open'}" for d in versions
            )
            raise UnknownProcedure(
                f"no version of procedure {code} is in force on {on} ({periods})",
                code=code,
                known=tuple(str(d.version) for d in versions),
            )
        return max(in_force, key=lambda d: (d.effective_from, d.version))

    def versions(self, code: str) -> list[ProcedureDefinition]:
        """Every version of ``code``, oldest version number first."""
        if code not in self._by_code:
            raise self._unknown(code)
        return list(self._by_code[code])

    def codes(self) -> list[str]:
        """Every procedure code, sorted."""
        return list(self._by_code)

    def latest(self) -> list[ProcedureDefinition]:
        """The highest version of every code, sorted by code."""
        return [versions[-1] for versions in self._by_code.values()]

    def fields(self) -> list[str]:
        """The distinct fields (lĩnh vực) of the latest versions, sorted."""
        return sorted({d.field for d in self.latest()})

    def source(self, code: str, version: int) -> str | None:
        """The file ``(code, version)`` was loaded from, if the loader recorded it."""
        return self._sources.get((code, version))

    def replace(self, *definitions: ProcedureDefinition) -> Catalog:
        """A new catalog with these definitions added, or replacing the same (code, version).

        Used for what-if variants (e.g. :func:`to_on_the_spot`) in simulations; self is unchanged.
        """
        merged = dict(self._by_key)
        sources = dict(self._sources)
        for definition in definitions:
            merged[definition.key] = definition
            sources.pop(definition.key, None)  # a variant no longer is what the file says
        return Catalog(merged.values(), sources=sources)

    def __iter__(self) -> Iterator[ProcedureDefinition]:
        """Every definition, every version, sorted by (code, version)."""
        return iter(self._by_key.values())

    def __len__(self) -> int:
        """Number of definitions (all versions counted)."""
        return len(self._by_key)

    def __contains__(self, item: object) -> bool:
        """``code in catalog`` or ``(code, version) in catalog``."""
        if isinstance(item, str):
            return item in self._by_code
        return isinstance(item, tuple) and item in self._by_key

    def __repr__(self) -> str:
        return f"Catalog({len(self._by_code)} procedures, {len(self)} versions)"
