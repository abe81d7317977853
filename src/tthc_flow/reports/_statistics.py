"""Dossier statistics for a period (báo cáo tình hình, kết quả giải quyết TTHC).

Every dossier is placed once in the books of a period:

* it **enters** at ``received_at``; a dossier refused without ever being received enters at
  its refusal (so it is counted in "received" and in "refused" of the same period);
  dossiers never received and not refused (still at the desk, withdrawn before receipt) are
  not counted at all;
* it **leaves** at ``resolved_at`` (approved *or rejected*: a reasoned rejection is a result,
  so it counts as resolved, classified early / on time / late like an approval), or at
  ``closed_at`` when refused or withdrawn.

Hence, per group: ``carried_over + received = resolved + in_progress + withdrawn + refused``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tthc_flow.calendar import WorkCalendar
from tthc_flow.engine import Dossier
from tthc_flow.errors import ConfigurationError
from tthc_flow.procedure import Duration, ProcedureDefinition, TimeUnit
from tthc_flow.reports._period import Period
from tthc_flow.reports._rounding import percent, round_half_up
from tthc_flow.store._rows import processing_seconds

if TYPE_CHECKING:
    pass


class Grouping(StrEnum):
    """What a statistics report groups by (``statistics(by=...)``; None: one total row).
    The text of a member is accepted too."""

    AGENCY = "agency"
    FIELD = "field"
    """The procedure's field (lĩnh vực): needs the catalog."""
    PROCEDURE = "procedure"
    CHANNEL = "channel"
    ONLINE = "online"
    """The procedure's online service level: needs the catalog."""


GROUPINGS = (None, *Grouping)
"""Accepted values of ``by``; ``field`` and ``online`` need the catalog."""

TOTAL_KEY = "*"


class CatalogLookup:
    """Definitions by ``(code, version)``, cached; anything with ``get(code, version)``."""

    def __init__(self, catalog: Any) -> None:
        self._catalog = catalog
        self._cache: dict[tuple[str, int], ProcedureDefinition | None] = {}

    def __bool__(self) -> bool:
        return self._catalog is not None

    def get(self, code: str, version: int) -> ProcedureDefinition | None:
        """The definition, or None without a catalog or when unknown."""
        key = (code, version)
        if key not in self._cache:
            found = None
            if self._catalog is not None:
                try:
                    found = self._catalog.get(code, version)
                except Exception:
                    found = None
            self._cache[key] = found
        return self._cache[key]


def limit_days(limit: Duration | None, hours_per_day: float) -> float | None:
    """A time limit in working days (hours / hours a day); calendar-day limits give None."""
    if limit is None:
        return None
    if limit.unit in (TimeUnit.WORKING_DAYS, TimeUnit.SAME_DAY):  # trong ngày: 1 day at most
        return limit.value
    if limit.unit is TimeUnit.WORKING_HOURS:
        return limit.value / hours_per_day
    return None


def group_key(
    by: str | None,
    lookup: CatalogLookup,
    procedure_code: str,
    procedure_version: int,
    agency_code: str,
    channel: str,
) -> str:
    """The group a dossier belongs to under ``by``."""
    if by is None:
        return TOTAL_KEY
    if by == "agency":
        return agency_code
    if by == "procedure":
        return procedure_code
    if by == "channel":
        return channel
    definition = lookup.get(procedure_code, procedure_version)
    if definition is None:
        return "?"
    return definition.field if by == "field" else definition.online.value


def check_by(by: str | None, catalog: Any) -> None:
    """Raise :class:`~tthc_flow.errors.ConfigurationError` (a ValueError) for an unknown
    grouping or one that needs a missing catalog."""
    if by not in GROUPINGS:
        raise ConfigurationError(
            f"by={by!r}: use one of {', '.join(str(g) for g in GROUPINGS)}",
            setting="statistics.by",
            value=by,
            allowed=tuple(g.value for g in Grouping),
        )
    if by in ("field", "online") and catalog is None:
        raise ConfigurationError(
            f"by={by!r} needs the catalog (catalog=load_catalog(...))",
            setting="statistics.catalog",
            value=by,
        )


P90 = 0.9


def quantile_ranks(n: int, q: float = P90) -> tuple[int, int, float]:
    """Zero-based ranks ``(low, high)`` and the weight of ``high`` for the linear quantile.

    The SQL path fetches only these two order statistics (a window query).
    """
    position = (n - 1) * q
    low = int(position)
    return low, min(low + 1, n - 1), position - low


def interpolate(low_value: float, high_value: float, weight: float) -> float:
    """``low + (high - low) × weight`` (both paths call this, so results are identical)."""
    return low_value + (high_value - low_value) * weight


def quantile(values: Sequence[float], q: float = P90) -> float | None:
    """Linear-interpolated quantile (numpy's and pandas' default); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    low, high, weight = quantile_ranks(len(ordered), q)
    return interpolate(ordered[low], ordered[high], weight)


COUNT_FIELDS = (
    "carried_over",
    "received",
    "received_online",
    "received_online_partial",
    "received_online_full",
    "received_postal",
    "received_desk",
    "on_the_spot",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "rejected",
    "in_progress",
    "in_progress_within",
    "in_progress_overdue",
    "withdrawn",
    "closed",
    "refused",
    "supplement_requested",
    "rescheduled",
)
"""The integer fields of :class:`Tally`."""


_SUMS = (
    "processing_seconds",
    "processing_count",
    "statutory_days",
    "statutory_count",
    "shortened_days",
    "shortened_count",
)


@dataclass
class Tally:
    """Counts of one group while they are being added up (Python and SQL paths alike).

    Processing times are kept as sums of working seconds (and of limits in working days)
    with their counts; the Python path keeps the samples for the 90th percentile, the SQL
    path sets ``processing_p90`` (seconds) from a window query.
    """

    carried_over: int = 0
    received: int = 0
    received_online: int = 0
    received_online_partial: int = 0
    received_online_full: int = 0
    received_postal: int = 0
    received_desk: int = 0
    on_the_spot: int = 0
    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    rejected: int = 0
    in_progress: int = 0
    in_progress_within: int = 0
    in_progress_overdue: int = 0
    withdrawn: int = 0
    closed: int = 0
    refused: int = 0
    supplement_requested: int = 0
    rescheduled: int = 0
    processing_seconds: int = 0
    processing_count: int = 0
    processing_samples: list[int] = field(default_factory=list)
    processing_p90: float | None = None
    statutory_days: float = 0.0
    statutory_count: int = 0
    shortened_days: float = 0.0
    shortened_count: int = 0

    def add(self, other: Tally) -> None:
        """Add ``other``'s counts, sums and samples into this one (not ``processing_p90``)."""
        for name in (*COUNT_FIELDS, *_SUMS):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.processing_samples.extend(other.processing_samples)


@dataclass(frozen=True)
class GroupStats:
    """Figures of one group (or of the total) for one period.

    Counts follow the national reporting form (Số kỳ trước chuyển qua, Số mới tiếp nhận,
    Đã giải quyết trước hạn / đúng hạn / quá hạn, Đang giải quyết trong hạn / quá hạn) plus
    withdrawn, closed (đóng hồ sơ: no supplement within 15 days, Decree 118/2025/ND-CP art.
    19.5), refused, supplement requests, apologies, channels and "4 tại chỗ".
    Processing times are in working days from the clock start to the result.
    """

    key: str
    carried_over: int
    received: int
    received_online: int
    received_online_partial: int | None
    received_online_full: int | None
    received_postal: int
    received_desk: int
    on_the_spot: int
    resolved: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    rejected: int
    in_progress: int
    in_progress_within: int
    in_progress_overdue: int
    withdrawn: int
    closed: int
    refused: int
    supplement_requested: int
    rescheduled: int
    processing_days_avg: float | None
    processing_days_p90: float | None
    statutory_days_avg: float | None
    shortened_days_avg: float | None
    percent_places: int = 1
    """Decimals of the percentages (1 as the reports print them; 2 for dashboards)."""

    @property
    def is_total(self) -> bool:
        """True for the grand-total row."""
        return self.key == TOTAL_KEY

    @property
    def total_to_handle(self) -> int:
        """Carried over plus newly received (Tổng số hồ sơ nhận giải quyết)."""
        return self.carried_over + self.received

    @property
    def balanced(self) -> bool:
        """``received + carried = resolved + in progress + withdrawn + closed + refused``."""
        ends = self.resolved + self.in_progress + self.withdrawn + self.closed + self.refused
        return self.total_to_handle == ends

    @property
    def online_pct(self) -> float | None:
        """Received online ÷ received, per cent (half up, one decimal)."""
        return percent(self.received_online, self.received, self.percent_places)

    @property
    def postal_pct(self) -> float | None:
        """Received by post ÷ received, per cent."""
        return percent(self.received_postal, self.received, self.percent_places)

    @property
    def on_time_pct(self) -> float | None:
        """Resolved early or on time ÷ resolved, per cent."""
        return percent(
            self.resolved_early + self.resolved_on_time, self.resolved, self.percent_places
        )

    @property
    def late_pct(self) -> float | None:
        """Resolved late ÷ resolved, per cent."""
        return percent(self.resolved_late, self.resolved, self.percent_places)

    @property
    def saved_days_avg(self) -> float | None:
        """Average statutory limit minus average processing time (working days)."""
        if self.statutory_days_avg is None or self.processing_days_avg is None:
            return None
        return round_half_up(self.statutory_days_avg - self.processing_days_avg, 2)

    @property
    def saved_pct(self) -> float | None:
        """Time saved as a share of the statutory limit, per cent."""
        if self.saved_days_avg is None or not self.statutory_days_avg:
            return None
        return percent(self.saved_days_avg, self.statutory_days_avg, self.percent_places)

    def as_dict(self) -> dict[str, Any]:
        """Every column, English keys, in report order (see :data:`ROW_COLUMNS`)."""
        return {name: getattr(self, name) for name in ROW_COLUMNS}

    @classmethod
    def from_tally(
        cls,
        key: str,
        tally: Tally,
        *,
        with_catalog: bool,
        day_seconds: float,
        percent_places: int = 1,
    ) -> GroupStats:
        """Freeze a tally into figures (averages rounded half up to two decimals).

        ``day_seconds``: the length of a working day, to turn working seconds into days.
        """

        def avg(total: float, count: int, unit: float = 1.0) -> float | None:
            return round_half_up(total / count / unit, 2) if count else None

        p90 = tally.processing_p90
        if p90 is None:
            p90 = quantile(tally.processing_samples)
        counts = {name: getattr(tally, name) for name in COUNT_FIELDS}
        if not with_catalog:
            counts["received_online_partial"] = None
            counts["received_online_full"] = None
        return cls(
            key=key,
            **counts,
            processing_days_avg=avg(tally.processing_seconds, tally.processing_count, day_seconds),
            processing_days_p90=None if p90 is None else round_half_up(p90 / day_seconds, 2),
            statutory_days_avg=avg(tally.statutory_days, tally.statutory_count),
            shortened_days_avg=avg(tally.shortened_days, tally.shortened_count),
            percent_places=percent_places,
        )


ROW_COLUMNS = (
    "total_to_handle",
    "carried_over",
    "received",
    "received_online",
    "received_online_partial",
    "received_online_full",
    "received_postal",
    "received_desk",
    "online_pct",
    "postal_pct",
    "on_the_spot",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "rejected",
    "on_time_pct",
    "late_pct",
    "in_progress",
    "in_progress_within",
    "in_progress_overdue",
    "withdrawn",
    "closed",
    "refused",
    "supplement_requested",
    "rescheduled",
    "processing_days_avg",
    "processing_days_p90",
    "statutory_days_avg",
    "shortened_days_avg",
    "saved_days_avg",
    "saved_pct",
)
"""Columns of a statistics row, in the order reports print them."""


# ---------------------------------------------------------------- per-dossier placement


def entry_moment(d: Dossier) -> datetime | None:
    """When the dossier enters the books (see the module docstring); None: never counted."""
    if d.received_at is not None:
        return d.received_at
    if d.outcome == "refused":
        return d.closed_at
    return None


def exit_moment(d: Dossier) -> tuple[datetime | None, str | None]:
    """When and how the dossier leaves the in-progress books: resolved, refused or withdrawn."""
    if d.resolved_at is not None:
        return d.resolved_at, "resolved"
    if d.outcome in ("refused", "withdrawn", "closed"):
        return d.closed_at, d.outcome
    return None, None


def judged_moment(d: Dossier, end: datetime) -> datetime:
    """The moment an in-progress dossier is judged at period end: the end, or the start of a
    supplement wait that spans it (the clock is stopped while waiting; 766 formula 2.1)."""
    for pause in d.pauses:
        if pause.start <= end and (pause.end is None or pause.end > end):
            return pause.start
    return end


def in_period(moment: datetime, period: Period) -> bool:
    """``start <= moment < end``."""
    return period.start_at <= moment < period.end_at


def tally_dossier(
    d: Dossier,
    period: Period,
    lookup: CatalogLookup,
    calendar: WorkCalendar,
    judge_at: datetime | None = None,
) -> Tally | None:
    """The dossier's contribution to its group in ``period``; None when outside it.

    Open dossiers are judged at ``judge_at`` (default: the period end).
    """
    entered = entry_moment(d)
    start, end = period.start_at, period.end_at
    judged_at = end if judge_at is None else judge_at
    if entered is None or entered >= end:
        return None
    left, how = exit_moment(d)
    if left is not None and left < start:
        return None
    t = Tally()
    definition = lookup.get(d.procedure_code, d.procedure_version)
    if entered < start:
        t.carried_over = 1
    else:
        t.received = 1
        if d.channel == "online":
            t.received_online = 1
            if definition is not None:
                t.received_online_full = int(definition.online.value == "full")
                t.received_online_partial = int(definition.online.value != "full")
        elif d.channel == "postal":
            t.received_postal = 1
        else:
            t.received_desk = 1
        t.on_the_spot = int(d.on_the_spot)
    # requests and apologies made in this period (not those of earlier or later periods)
    t.supplement_requested = int(any(in_period(p.start, period) for p in d.pauses))
    t.rescheduled = int(any(in_period(r.at, period) for r in d.reschedules))
    if left is None or left >= end:
        t.in_progress = 1
        due = d.original_due_at
        if due is not None and judged_moment(d, judged_at) > due:
            t.in_progress_overdue = 1
        else:
            t.in_progress_within = 1
        return t
    if how == "resolved":
        t.resolved = 1
        timeliness = d.resolution_timeliness
        t.resolved_early = int(timeliness == "early")
        t.resolved_on_time = int(timeliness == "on_time")
        t.resolved_late = int(timeliness == "late")
        t.rejected = int(d.outcome == "rejected")
        seconds = processing_seconds(d, calendar)
        if seconds is not None:
            add_processing(t, seconds, definition, calendar)
    elif how == "refused":
        t.refused = 1
    elif how == "closed":
        t.closed = 1
    else:
        t.withdrawn = 1
    return t


def add_processing(
    t: Tally,
    seconds: int,
    definition: ProcedureDefinition | None,
    calendar: WorkCalendar,
) -> None:
    """Record one processing time (working seconds) and, with a definition, its limits."""
    t.processing_seconds += seconds
    t.processing_count += 1
    t.processing_samples.append(seconds)
    add_limits(t, definition, 1, calendar)


def add_limits(
    t: Tally, definition: ProcedureDefinition | None, count: int, calendar: WorkCalendar
) -> None:
    """Add the statutory and shortened limits (working days) of ``count`` resolved dossiers."""
    if definition is None or not count:
        return
    per_day = calendar.hours_per_day.total_seconds() / 3600
    statutory = limit_days(definition.time_limit.statutory, per_day)
    shortened = limit_days(definition.time_limit.effective, per_day)
    if statutory is not None:
        t.statutory_days += statutory * count
        t.statutory_count += count
    if shortened is not None:
        t.shortened_days += shortened * count
        t.shortened_count += count


def finish(
    tallies: dict[str, Tally],
    by: str | None,
    *,
    with_catalog: bool,
    calendar: WorkCalendar,
    total_p90: float | None = None,
    percent_places: int = 1,
) -> list[GroupStats]:
    """Groups sorted by key, then the total row (always present).

    ``total_p90``: the total's 90th percentile in seconds when the tallies hold no samples
    (the SQL path).
    """
    options = {
        "with_catalog": with_catalog,
        "day_seconds": calendar.hours_per_day.total_seconds(),
        "percent_places": percent_places,
    }
    total = Tally(processing_p90=total_p90)
    groups = []
    for key in sorted(tallies):
        total.add(tallies[key])
        if by is not None:
            groups.append(GroupStats.from_tally(key, tallies[key], **options))  # type: ignore[arg-type]
    groups.append(GroupStats.from_tally(TOTAL_KEY, total, **options))  # type: ignore[arg-type]
    return groups
