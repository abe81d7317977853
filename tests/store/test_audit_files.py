"""The day numbers, anchor files and chain exports: what is reported, and bad files refused."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.store.store_workers import chain
from tthc_flow._time import VN_TZ
from tthc_flow.audit import (
    Anchor,
    NumberedDossier,
    NumberProblem,
    audit_export,
    check_day_numbers,
    read_export,
    save_export,
    take_anchor,
)
from tthc_flow.engine import DossierCodeFormat, replay
from tthc_flow.errors import AuditFileError
from tthc_flow.store import MemoryStore

DAY = date(2026, 3, 2)


def test_every_issued_number_must_belong_to_exactly_one_dossier() -> None:
    """Decree 118/2025/ND-CP art. 28: authority, receipt date, number of the day; the store
    issued 1..4 on 2 March 2026 for SCT."""
    present = [
        NumberedDossier(code, "SCT", DAY)
        for code in ("SCT-260302-0001", "SCT-260302-0003", "SCT-260302-003", "SCT-260302-0006")
    ]
    present.append(NumberedDossier("SCT-260303-0002", "SCT", DAY))  # another day in its code
    report = check_day_numbers({("SCT", DAY): 4}, present)
    assert not report.ok
    assert report.problems == (
        NumberProblem("SCT", DAY, 0, "not in the code format", ("SCT-260303-0002",)),
        NumberProblem("SCT", DAY, 2, "missing", ()),
        NumberProblem("SCT", DAY, 3, "duplicate", ("SCT-260302-0003", "SCT-260302-003")),
        NumberProblem("SCT", DAY, 4, "missing", ()),
        NumberProblem("SCT", DAY, 6, "not issued", ("SCT-260302-0006",)),
    )
    assert (
        "SCT 2026-03-02 number 3: duplicate (SCT-260302-0003, SCT-260302-003)" in report.describe()
    )


def test_the_number_is_read_where_the_agencys_format_puts_it() -> None:
    fmt = DossierCodeFormat("{date:%Y%m%d}/{seq:03d}/{agency}")
    present = [NumberedDossier("20260302/001/UBND.HP", "UBND.HP", DAY)]
    assert check_day_numbers({("UBND.HP", DAY): 1}, present, fmt).ok
    assert not check_day_numbers({("UBND.HP", DAY): 2}, present, fmt).ok


def test_an_anchor_reads_back_and_bad_anchor_files_name_the_field(tmp_path: Path) -> None:
    anchor = Anchor(3, "ab" * 32, "3", datetime(2026, 3, 2, 17, tzinfo=VN_TZ))
    path = anchor.save(tmp_path / "anchor.json")
    assert Anchor.load(path) == anchor
    good = json.loads(anchor.to_json())
    for change, field in [
        ({"format": "x"}, "format"),
        ({"version": 2}, "version"),
        ({"events": -1}, "events"),
        ({"events": True}, "events"),
        ({"root": "z" * 64}, "root"),
        ({"taken_at": "2026-03-02T17:00:00"}, "taken_at"),
    ]:
        path.write_text(json.dumps({**good, **change}))
        with pytest.raises(AuditFileError) as bad:
            Anchor.load(path)
        assert (bad.value.first.file, bad.value.first.field) == (str(path), field)
    path.write_bytes(b"\xff{")
    with pytest.raises(AuditFileError, match="not JSON"):
        Anchor.load(path)


def _export(tmp_path: Path) -> Path:
    store = MemoryStore()
    for code in ("A", "B"):
        events, _ = chain(code, 3)
        store.append(events, replay(events))
    path = tmp_path / "chain.jsonl"
    assert save_export(store, path) == take_anchor(store, now=read_anchor_time(path))
    return path


def read_anchor_time(path: Path) -> datetime:
    return read_export(path).anchor.taken_at


def test_an_export_is_read_back_event_for_event(tmp_path: Path) -> None:
    path = _export(tmp_path)
    export = read_export(path)
    assert [(e.dossier_code, e.version) for e in export.events] == [
        ("A", 1),
        ("A", 2),
        ("A", 3),
        ("B", 1),
        ("B", 2),
        ("B", 3),
    ]
    assert all(e.verify() for e in export.events)
    report = audit_export(path)
    assert report.chains.ok and report.export_problem is None


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (lambda lines: lines[:-1], None, "cut short"),
        (lambda lines: ['{"format":"other"}', *lines[1:]], 1, "not a chain export"),
        (lambda lines: [*lines[:2], "{not json", *lines[2:]], 3, "not JSON"),
        (lambda lines: [*lines[:2], '{"e":[1,2]}', *lines[2:]], 3, "14 fields"),
        (lambda lines: [*lines[:2], '{"x":1}', *lines[2:]], 3, 'expected "e"'),
        (lambda lines: [*lines, '{"e":[]}'], len, "after the export's last line"),
        (lambda lines: [*lines[:1], lines[1].replace("+07:00", ""), *lines[2:]], 2, "UTC offset"),
    ],
)
def test_a_bad_export_is_refused_at_its_line(
    tmp_path: Path, edit: object, line: object, message: str
) -> None:
    path = _export(tmp_path)
    lines = path.read_text().splitlines()
    changed = edit(lines)  # type: ignore[operator]
    path.write_text("\n".join(changed) + "\n")
    with pytest.raises(AuditFileError, match=message) as bad:
        read_export(path)
    expected = len(changed) if line is len else line
    assert bad.value.first.line == expected and bad.value.first.file == str(path)


def test_an_edited_export_does_not_match_its_own_last_line(tmp_path: Path) -> None:
    """Someone edits an event in the file and recomputes its hash: the export's last line
    (and any anchor saved before) no longer matches."""
    path = _export(tmp_path)
    lines = path.read_text().splitlines()
    removed = [line for i, line in enumerate(lines) if i != 3]  # ("A", 3), the last of A
    path.write_text("\n".join(removed) + "\n")
    report = audit_export(path)
    assert report.chains.ok  # a truncated chain is still a chain
    assert report.export_problem is not None and not report.ok
