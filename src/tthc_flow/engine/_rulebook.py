"""The legal rules by effective date: which :class:`Policies` judge a dossier.

Decree 118/2025/ND-CP took effect on 1 Jul 2025 and ended Decree 61/2018/ND-CP and Decree
107/2021/ND-CP (art. 40.1); it has itself been amended since. The decree has no transitional
rule for dossiers in progress: the engine judges a dossier by the rules in force on the day it
reached the agency (its first event: the receipt at the desk or the online submission), the
principle that a rule does not reach back (a project decision, docs/legal-rules.md). An agency
may give a procedure or a sector (lĩnh vực) its own schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from tthc_flow.engine._policies import Policies, SupplementPolicy
from tthc_flow.errors import ConfigurationError


@dataclass(frozen=True)
class RuleSet:
    """One version of the rules: the policies in force from ``effective_from``."""

    name: str
    effective_from: date
    policies: Policies
    source: str


DECREE_61_2018 = RuleSet(
    name="Nghị định 61/2018/NĐ-CP (sửa đổi bởi Nghị định 107/2021/NĐ-CP)",
    effective_from=date(2018, 6, 21),
    policies=Policies(supplement=SupplementPolicy(close_after_days=None)),
    source=(
        "Decree 61/2018/ND-CP of 23 Apr 2018, in force 21 Jun 2018 (recollection, text not read); "
        "the engine knows one difference from Decree 118: the 15-day closure of an "
        "unsupplemented dossier ('đóng hồ sơ') is a rule of Decree 118 art. 19.5, not applied "
        "to older dossiers. Every other rule is Decree 118's, for want of the 61/2018 text."
    ),
)
"""The rules before 1 Jul 2025, as far as the engine can tell them apart (see ``source``)."""

DECREE_118_2025 = RuleSet(
    name="Nghị định 118/2025/NĐ-CP",
    effective_from=date(2025, 7, 1),
    policies=Policies(),
    source="Decree 118/2025/ND-CP art. 40.1 (in force 1 Jul 2025; 61/2018 and 107/2021 end)",
)
"""The rules from 1 Jul 2025: the engine's defaults. Amendments (e.g. Decree 309/2026, text not
obtained) are added as later RuleSets."""

Schedule = tuple[RuleSet, ...]


def _checked(name: str, schedule: Schedule) -> Schedule:
    if not schedule:
        raise ConfigurationError(
            f"RuleBook.{name}: a schedule needs at least one RuleSet", setting=f"RuleBook.{name}"
        )
    days = [rules.effective_from for rules in schedule]
    if days != sorted(days) or len(set(days)) != len(days):
        raise ConfigurationError(
            f"RuleBook.{name}: RuleSets must be in order of distinct effective dates",
            setting=f"RuleBook.{name}",
            value=tuple(days),
        )
    return tuple(schedule)


@dataclass(frozen=True)
class RuleBook:
    """Which rules judge a dossier: by the day it reached the agency, per procedure or sector.

    ``schedule``: the national rules in order of effective date. ``by_procedure`` (procedure
    code -> schedule) and ``by_field`` (lĩnh vực -> schedule) override it, the procedure first.
    A day before every RuleSet of a schedule gets its first one.
    """

    schedule: Schedule = (DECREE_61_2018, DECREE_118_2025)
    by_procedure: Mapping[str, Schedule] = field(default_factory=dict)
    by_field: Mapping[str, Schedule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", _checked("schedule", self.schedule))
        for attr in ("by_procedure", "by_field"):
            checked = {k: _checked(f"{attr}[{k!r}]", v) for k, v in getattr(self, attr).items()}
            object.__setattr__(self, attr, MappingProxyType(checked))

    def rules_on(self, day: date, procedure_code: str = "", field: str = "") -> RuleSet:
        """The RuleSet in force on ``day`` for a procedure of ``field``."""
        schedule = self.by_procedure.get(procedure_code) or self.by_field.get(field)
        found = (schedule or self.schedule)[0]
        for rules in schedule or self.schedule:
            if rules.effective_from <= day:
                found = rules
        return found
