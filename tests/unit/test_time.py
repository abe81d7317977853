"""The library's own ISO text of a moment must be exactly ``datetime.isoformat``: event hashes
are computed over it, and any store in any language recomputes them from the standard form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from tthc_flow._time import VN_TZ, isoformat


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        timezones=st.sampled_from([VN_TZ, UTC, timezone(timedelta(hours=7)), None]),
    )
)
def test_isoformat_is_the_standard_text(moment: datetime) -> None:
    assert isoformat(moment) == moment.isoformat()


def test_isoformat_of_whole_seconds_and_of_a_subclass() -> None:
    class Moment(datetime):
        def isoformat(self, sep: str = "T", timespec: str = "auto") -> str:
            return "its own"

    whole = datetime(2026, 1, 5, 7, 30, tzinfo=VN_TZ)
    assert isoformat(whole) == "2026-01-05T07:30:00+07:00"
    assert isoformat(Moment(2026, 1, 5, tzinfo=VN_TZ)) == "its own"
