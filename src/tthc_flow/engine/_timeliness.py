"""Early / on time / late (trước hạn / đúng hạn / quá hạn): the one rule and its policy.

The engine decides a class once, when a step is left or a dossier resolved, with
:func:`classify` / :func:`classify_resolution`, and writes it into the event; the fold, the
process control slip, the reports and the simulation read it (docs/concepts.md, "One home
for every decision").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tthc_flow._choices import set_choice
from tthc_flow._time import VN_TZ, to_vn


class TimelinessGranularity(StrEnum):
    """How finely early / on time / late is judged (:attr:`TimelinessPolicy.granularity`)."""

    DATE = "date"
    """By calendar day, never on time past the due moment (the slips' practice)."""
    EXACT = "exact"
    """On time iff at or before the appointment, no early class (DVCQG indicator 2.1)."""
    WHOLE_DAY = "whole_day"
    """The whole due date counts as on time (a local convention)."""


RESCHEDULED_LATE_SOURCE = (
    "practice, not law: the Bình Định DoIT 2023 seed report counts dossiers needing an apology "
    "among the late ones; OpenCPS keeps the original due date beside the extension"
)
"""Where ``TimelinessPolicy(rescheduled_counts_late=True)`` comes from (a province's option)."""


@dataclass(frozen=True)
class TimelinessPolicy:
    """Early / on time / late at resolution (trước hạn / đúng hạn / quá hạn).

    The decree does not define the classes (docs/legal-rules.md §1.10, §4). ``granularity``:

    * ``date`` (default): early if resolved on a calendar day before the due date; on time if
      resolved on the due date at or before the due moment; late after the due moment. The
      practice of the process control slip (Circular 01/2018 Form 05: Trước hạn / Đúng hạn /
      Quá hạn) and the Gia Lai portal; on time never extends past the due moment.
    * ``exact``: DVCQG indicator 2.1 of Decision 766/QD-TTg: on time iff resolved at or
      before the appointment, with no separate early class (early is reported as on time).
    * ``whole_day``: a local convention some desks use: the whole due date counts as on
      time, so 16:59 on a day due at 09:00 is on time.

    ``rescheduled_counts_late`` (default False, the law): a dossier is judged against its
    original appointment whether or not an apology was sent; "quá hạn" means resolved after
    the limit, and Decree 118/2025/ND-CP art. 19.6 is about dossiers *expected* to be late
    ("hồ sơ dự kiến quá hạn"), so an apology alone does not make a dossier resolved by its
    original date late. True: every rescheduled dossier counts as late, the reading of
    systems that flag a dossier late when the apology is issued (RESCHEDULED_LATE_SOURCE).
    """

    granularity: TimelinessGranularity = TimelinessGranularity.DATE
    """A :class:`TimelinessGranularity` or its text; anything else is a ConfigurationError."""
    rescheduled_counts_late: bool = False

    def __post_init__(self) -> None:
        set_choice(self, "granularity", TimelinessGranularity)


DEFAULT_TIMELINESS = TimelinessPolicy()
"""The default policy: what decided a step's class in events that do not record it."""


def classify_resolution(
    resolved_at: datetime, due_at: datetime, rescheduled: bool, policy: TimelinessPolicy
) -> str:
    """``early``, ``on_time`` or ``late`` for a dossier resolved at ``resolved_at``.

    Both times are compared in Vietnam time (a UTC time late in the evening is the next
    Vietnamese day).
    """
    if rescheduled and policy.rescheduled_counts_late:
        return "late"
    if policy.granularity == "date" and resolved_at.tzinfo is due_at.tzinfo is VN_TZ:
        # the engine's case, inlined (hot path): both already in Vietnam time
        if resolved_at > due_at:
            return "late"
        return "on_time" if resolved_at.date() == due_at.date() else "early"
    return classify(resolved_at, due_at, policy)


def classify(done_at: datetime, due_at: datetime, policy: TimelinessPolicy) -> str:
    """``early``, ``on_time`` or ``late`` of anything done at ``done_at`` against ``due_at``
    (a dossier, or one step of the process control slip)."""
    done_at, due_at = to_vn(done_at, "resolved_at"), to_vn(due_at, "due_at")
    if policy.granularity == "whole_day":
        done_day, due_day = done_at.date(), due_at.date()
        if done_day < due_day:
            return "early"
        return "on_time" if done_day == due_day else "late"
    if done_at > due_at:
        return "late"
    if policy.granularity == "exact":
        return "on_time"
    return "on_time" if done_at.date() == due_at.date() else "early"
