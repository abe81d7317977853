"""What the Decision 766 indicators need that tthc_flow does not record: explicit inputs.

Every field defaults to None, which means "not given": the indicators that need it are
reported as not computed (input missing), never as 0 or as full points. Counts are for the
reporting period the indicators are computed for; sets of dossier codes name dossiers of
the log (codes not in the period's books are ignored).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from tthc_flow.engine import Dossier
from tthc_flow.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class Ratio:
    """A numerator and a denominator counted outside tthc_flow (e.g. from the portal)."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if self.numerator < 0 or self.denominator < 0:
            raise ConfigurationError(
                f"a ratio counts things: {self.numerator}/{self.denominator}",
                setting="Ratio",
                value=(self.numerator, self.denominator),
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorInputs:
    """Inputs of the indicators whose data the library does not hold (all optional)."""

    publication_on_time: Ratio | None = None
    """1.1: procedures announced on time / procedures announced in the period (CSDL QG TTHC)."""
    publication_updated: Ratio | None = None
    """1.2: procedures published on the national database on time / procedures to publish."""
    publication_complete: Ratio | None = None
    """1.3: published procedures with every component (Decree 63/2010 art. 8.2) / published."""
    synced_dossiers: int | None = None
    """1.4 numerator: dossiers synchronised to DVCQG with NgayTiepNhan in the period."""
    portal_received: int | None = None
    """1.4: dossiers received in the period as DVCQG counts them; the denominator is the larger
    of this and the library's own count (the national reporting system's figure)."""
    document_result: frozenset[str] | None = None
    """3.3, 4.1, 4.2: codes of the procedures that return a paper/document result. None: every
    procedure (each catalog entry names a document ``result``)."""
    reused_data: frozenset[str] | None = None
    """4.3: codes of dossiers with at least one component reusing digitised data."""
    portal_store: frozenset[str] | None = None
    """4.4: codes of dossiers with a component taken from the applicant's DVCQG data store, or
    whose electronic result link was pushed to it."""
    population_data: frozenset[str] | None = None
    """4.5a, 4.5b: codes of dossiers with a VNeID-authenticated account or data from the
    national population database."""
    citizen_procedures: frozenset[str] | None = None
    """4.5a denominator: codes of the procedures whose applicants include citizens."""
    certified_copy_communes: Ratio | None = None
    """4.6: communes offering electronic certified copies from originals / communes."""
    petitions_classified: Ratio | None = None
    """5.1: petitions classified (rules and procedures, or officials' conduct) / petitions."""
    petitions_on_time: Ratio | None = None
    """5.2: petitions handled early, on time or in progress within time / petitions."""
    petitions_satisfied: Ratio | None = None
    """5.3: petitions − (dissatisfied, re-petitioned or late) / petitions."""
    complained: frozenset[str] | None = None
    """5.4: codes of dossiers with a petition or a "dislike" rating."""

    def missing(self, names: Iterable[str]) -> list[str]:
        """Those of ``names`` not given (``document_result`` has a default meaning)."""
        return [n for n in names if n != "document_result" and getattr(self, n) is None]


INPUT_FIELDS = tuple(f.name for f in fields(IndicatorInputs))


def dossiers_with(dossiers: Iterable[Dossier], key: str) -> frozenset[str]:
    """Codes of the dossiers whose data holds a true ``key`` (to build a code-set input from
    data the vendor records with its commands, e.g. ``dossiers_with(ds, "complained")``)."""
    return frozenset(d.code for d in dossiers if d.data_dict.get(key))
