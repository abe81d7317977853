"""The legal rules by effective date: which :class:`Policies` judge a dossier.

Decree 118/2025/ND-CP took effect on 1 Jul 2025 and ended Decree 61/2018/ND-CP and Decree
107/2021/ND-CP (art. 40.1); it has itself been amended since. The decree has no transitional
rule for dossiers in progress: the engine judges a dossier by the rules in force on the day it
reached the agency (its first event: the receipt at the desk or the online submission), the
principle that a rule does not reach back (a project decision, docs/legal-rules.md). An agency
may give a procedure or a sector (lĩnh vực) its own schedule.

The text of Decree 61/2018 and 107/2021 could not be found (docs/legal-rules.md, "Decree
61/2018: searched, not found"): :data:`DECREE_61_2018` lists in ``unverified`` every setting
it takes on trust, and cites nothing it did not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from tthc_flow.engine._policies import Policies, SupplementPolicy
from tthc_flow.errors import ConfigurationError

UNVERIFIED_DATES = frozenset({"effective_from"})
"""Besides policy settings, a RuleSet may mark its own effective date as not read."""


def _setting_exists(policies: Policies, name: str) -> bool:
    """``name`` is ``effective_from`` or ``policy.field`` of :class:`Policies`."""
    if name in UNVERIFIED_DATES:
        return True
    policy, _, attribute = name.partition(".")
    return bool(attribute) and hasattr(getattr(policies, policy, None), attribute)


@dataclass(frozen=True)
class RuleSet:
    """One version of the rules: the policies in force from ``effective_from``.

    ``unverified`` names the settings (``"supplement.close_after_days"``, or
    ``"effective_from"``) that were not checked against the text of the rules this RuleSet
    stands for: they are carried over or recalled, and say so (docs/legal-rules.md). A name
    that is not a setting is refused, so the list cannot drift from the policies.
    """

    name: str
    effective_from: date
    policies: Policies
    source: str
    unverified: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [n for n in self.unverified if not _setting_exists(self.policies, n)]
        if unknown:
            raise ConfigurationError(
                f"RuleSet.unverified: {', '.join(unknown)} are not settings "
                "(use 'effective_from' or 'policy.field' of Policies)",
                setting="RuleSet.unverified",
                value=", ".join(unknown),
            )


DECREE_61_2018_SEARCHED = (
    "Decree 61/2018/ND-CP and Decree 107/2021/ND-CP: no full text found in the stored "
    "sources (code and pages corpora searched for the decree's title, its articles on "
    "receipt, transfer, handling and late dossiers, its exact phrases and Decree 107/2021; "
    "docs/legal-rules.md lists the searches). Read: Decree 118/2025 art. 40.1 (transcription) "
    "naming 'Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018' and 'Nghị định số "
    "107/2021/NĐ-CP ngày 06 tháng 12 năm 2021', which end on 1 Jul 2025."
)
"""What was looked for and what was read, for the 61/2018 RuleSet's source."""

DECREE_61_2018 = RuleSet(
    name="Nghị định 61/2018/NĐ-CP (sửa đổi bởi Nghị định 107/2021/NĐ-CP)",
    effective_from=date(2018, 6, 21),
    policies=Policies(supplement=SupplementPolicy(close_after_days=None)),
    source=(
        DECREE_61_2018_SEARCHED + " Not verified: the effective date 21 Jun 2018 and the one "
        "difference encoded, the absence of the 15-day closure ('đóng hồ sơ') of Decree 118 "
        "art. 19.5, are recollection; every other setting is Decree 118's, carried over for "
        "want of the 61/2018 text, and listed in ``unverified``."
    ),
    unverified=(
        "effective_from",
        "supplement.close_after_days",
        "supplement.max_at_reception",
        "supplement.max_during_handling",
        "supplement.within_working_days",
        "supplement.mode",
        "reschedule.max_times",
        "reschedule.min_notice_days",
        "online_receipt.alert_hours",
        "online_receipt.accept_working_hours",
        "transfer.paper_cutoff",
        "transfer.cross_level_working_days",
        "transfer.inter_agency_working_days",
        "refusal.after_receipt",
        "result.require_early_notice",
        "result.correction_working_days",
        "result.remit_working_hours",
        "timeliness.rescheduled_counts_late",
    ),
)
"""The rules before 1 Jul 2025, as far as the engine can tell them apart: nothing here was
checked against the text of Decree 61/2018 or 107/2021 (see ``source`` and ``unverified``)."""

DECREE_118_2025 = RuleSet(
    name="Nghị định 118/2025/NĐ-CP",
    effective_from=date(2025, 7, 1),
    policies=Policies(),
    source="Decree 118/2025/ND-CP art. 40.1 (in force 1 Jul 2025; 61/2018 and 107/2021 end)",
)
"""The rules from 1 Jul 2025: the engine's defaults, each sourced in its policy's docstring.
Amendments (e.g. Decree 309/2026, text not obtained) are added as later RuleSets."""

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
