"""The one label table (tthc_flow._labels, issue 16): complete in both languages, every key the
code asks for exists, one wording per concept, and no label text left outside the table."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from tests.reports.logs import _procedure, build_mixed, new_builder, seed_catalog
from tthc_flow._labels import LABELS, LANGUAGES, duration, has_label, label, weekday
from tthc_flow.engine import DocumentForm
from tthc_flow.errors import InvalidCommand
from tthc_flow.procedure import Catalog, Channel, OnlineLevel, TimeUnit
from tthc_flow.procedure._lifecycle import STANDARD_LABELS
from tthc_flow.reports import Period, dossier_log, receipt_slip, statistics
from tthc_flow.reports._labels import by_label
from tthc_flow.reports._labels import label as column_label
from tthc_flow.reports._statistics import ROW_COLUMNS
from tthc_flow.simulation import kpi_label, role_label, table_label
from tthc_flow.simulation._labels import BUILT_IN_ROLES, KPI_KEYS, TABLE_WORDS

SRC = Path(__file__).resolve().parents[1] / "src" / "tthc_flow"
TABLE = SRC / "_labels.py"


def test_every_key_has_vietnamese_and_english() -> None:
    for key, entry in LABELS.items():
        assert re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", key), key
        assert entry.vi.strip() and entry.en.strip(), key
        # a text with {fields} in one language has fields in the other too
        fields = [re.findall(r"{(\w+)[:}]", text) for text in (entry.vi, entry.en)]
        assert bool(fields[0]) == bool(fields[1]), key


def test_form_wording_is_the_forms() -> None:
    # Form 06a (Circular 02/2017/TT-VPCP, docs/forms.md section 9): "Số hồ sơ đã giải quyết"
    # with the sub-columns "Trước hạn", "Đúng hạn", "Quá hạn"; "Số kỳ trước chuyển qua"
    assert column_label("resolved") == "Số hồ sơ đã giải quyết"
    assert [column_label(c) for c in ("resolved_early", "resolved_on_time", "resolved_late")] == [
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
    ]
    assert column_label("carried_over") == "Số kỳ trước chuyển qua"
    assert "Circular 02/2017/TT-VPCP" in LABELS["timeliness.early"].source
    # Mẫu 07 Sổ theo dõi hồ sơ (docs/forms.md section 8): the five moments' columns
    assert LABELS["log.transferred_at"].vi == "Chuyển hồ sơ đến cơ quan giải quyết"
    assert "Mẫu 07" in LABELS["log.transferred_at"].source


def test_label_fills_fields_and_refuses_unknown_keys_and_languages() -> None:
    assert label("report.title", "vi", period="Quý I năm 2026") == (
        "Tình hình, kết quả giải quyết thủ tục hành chính Quý I năm 2026"
    )
    with pytest.raises(InvalidCommand, match=r"key: no label 'report\.nope'"):
        label("report.nope")
    with pytest.raises(InvalidCommand, match=r"lang: unknown language 'fr'"):
        label("timeliness.early", "fr")
    assert has_label("timeliness.late") and not has_label("timeliness.never")


def test_period_titles() -> None:
    # as a report prints them: Roman quarters in Vietnamese, dd/mm/yyyy ranges
    assert Period.parse("2026-Q3").label("vi") == "Quý III năm 2026"
    assert Period.parse("2026-Q3").label("en") == "Q3 2026"
    assert Period.half(2026, 2).label("vi") == "6 tháng cuối năm 2026"
    assert Period(date(2026, 1, 5), date(2026, 2, 7)).label("vi") == (
        "Từ ngày 05/01/2026 đến ngày 07/02/2026"
    )
    assert Period.month(2026, 3).label_vi == "Tháng 03 năm 2026"


def test_weekdays_and_durations() -> None:
    # 7 Dec 2026 is a Monday; 12 Dec 2026 a Saturday
    assert weekday(date(2026, 12, 7), "en") == "Mon"
    assert weekday(date(2026, 12, 12)) == "Thứ Bảy"
    assert duration(15, "working_days") == "15 ngày làm việc"
    assert duration(2.5, "working_hours", "en") == "2.5 working hours"
    assert duration(1, "same_day") == "trong ngày"


def test_every_value_of_the_models_has_a_label() -> None:
    for lang in LANGUAGES:
        for unit in TimeUnit:
            assert label(f"time_unit.{unit.value}", lang)
        for channel in Channel:
            assert label(f"channel.{channel.value}", lang)
            assert label(f"form.channel.{channel.value}", lang)
        for level in OnlineLevel:
            assert label(f"online.{level.value}", lang)
        for form in DocumentForm:
            assert label(f"document_form.{form.value}", lang)
        for cls in ("early", "on_time", "late", "open"):
            assert label(f"timeliness.{cls}", lang)
        for i in range(7):
            assert label(f"weekday.{i}", lang)
        for state in STANDARD_LABELS:
            assert label(f"state.{state}", lang)
    assert DocumentForm.CERTIFIED_COPY.label == "Bản sao chứng thực"


def test_every_report_simulation_and_form_label_renders_in_both_languages() -> None:
    b = new_builder()
    build_mixed(b)
    q1 = Period.parse("2026-Q1")
    for lang in LANGUAGES:
        for by in (None, "agency", "field", "procedure", "channel", "online"):
            report = statistics(b.dossiers(), q1, by=by, catalog=seed_catalog())
            assert len(report.headers(lang)) == len(ROW_COLUMNS) + 1
            assert report.title(lang) and report.to_csv(lang)
            assert by_label(by, lang)
        for kpi in KPI_KEYS:
            assert kpi_label(kpi, lang) != kpi
        assert [role_label(role, lang) for role in BUILT_IN_ROLES] == [
            label(f"role.{role}", lang) for role in BUILT_IN_ROLES
        ]
        assert role_label("inspector", lang) == "inspector"  # a procedure's own role
        for word in TABLE_WORDS:
            assert table_label(word, lang)
    pairs = [(d, b.engine.store.load_events(d.code)) for d in b.dossiers()]
    notes = {x.note for x in dossier_log(pairs, q1, seed_catalog()).entries}
    assert "Rút hồ sơ" in notes  # Mẫu 07 note of a withdrawn dossier (the mixed log has one)


def test_one_concept_one_wording_across_report_and_simulation() -> None:
    # the simulation's KPI and the report's column for the same count read alike
    same = {
        "received": "received",
        "resolved": "resolved",
        "early": "resolved_early",
        "on_time": "resolved_on_time",
        "late": "resolved_late",
        "rejected": "rejected",
        "withdrawn": "withdrawn",
        "rescheduled": "rescheduled",
        "on_the_spot": "on_the_spot",
    }
    for lang in LANGUAGES:
        for kpi, column in same.items():
            assert kpi_label(kpi, lang) == column_label(column, lang), kpi
        # the rate: the report adds its unit to the same words
        assert column_label("on_time_pct", lang) == kpi_label("on_time_rate", lang) + " (%)"
    assert role_label("one_stop") == "Bộ phận Một cửa"  # as the forms print the unit


def test_a_same_day_limit_prints_on_the_receipt_slip() -> None:
    # a "trong ngày" limit had no label: the receipt slip raised KeyError
    definition = _procedure("1.000099", time_limit={"statutory": {"value": 1, "unit": "same_day"}})
    b = new_builder(catalog=Catalog([definition]))
    d = b.receive(date(2026, 1, 5), code="1.000099")
    slip = receipt_slip(d, b.engine.store.load_events(d.code), definition)
    assert slip.time_limit == "trong ngày"


# ---------------------------------------------------------------- the code asks for known keys


def _label_calls() -> list[tuple[str, ast.expr]]:
    """Every first argument of a call to ``label``/``_label`` in src/, by file."""
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"label", "_label"}
                and node.args
            ):
                found.append((path.name, node.args[0]))
    return found


def test_every_key_the_code_names_is_in_the_table() -> None:
    calls = _label_calls()
    assert len(calls) > 30  # the walker finds the calls
    for where, arg in calls:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            assert arg.value in LABELS, (where, arg.value)
        elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
            prefix = str(arg.values[0].value)
            assert any(k.startswith(prefix) for k in LABELS), (where, prefix)


# ---------------------------------------------------------------- no label text outside the table


def _string_constants(path: Path) -> list[str]:
    """String literals of a module, docstrings left out (they may quote a label)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for i, stmt in enumerate(body):  # a docstring, or an attribute's docstring
                is_text = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                if is_text and (i == 0 or isinstance(body[i - 1], ast.Assign | ast.AnnAssign)):
                    docstrings.add(id(stmt.value))
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


KNOWN_TEXTS = (
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Đã giải quyết",
    "đã giải quyết",
    "Đang giải quyết",
    "Tổng cộng",
    "Tỷ lệ trước hạn",
    "Rút hồ sơ",
    "Từ chối",
    "xin lỗi, hẹn lại",
    "Bộ phận Một cửa",
    "Phòng chuyên môn",
    "ngày làm việc",
    "Thứ Hai",
    "Mức bận",
    "Sổ theo dõi hồ sơ",
    "Ghi chú",
)
"""Label words that drifted into several modules before the table (issue 16)."""


def test_no_label_text_outside_the_table() -> None:
    assert _strays() == []


def _strays() -> list[tuple[str, str]]:
    vi_texts = {e.vi for e in LABELS.values() if len(e.vi) > 3 and "{" not in e.vi}
    return [
        (path.relative_to(SRC).as_posix(), text)
        for path in SRC.rglob("*.py")
        if path != TABLE
        for text in _string_constants(path)
        if (text in vi_texts or any(known in text for known in KNOWN_TEXTS))
        and not _quotes_the_law(text)
    ]


def _quotes_the_law(text: str) -> bool:
    """A decree's words quoted as the law wrote them (Mẫu 05 quotes art. 19.5): not a label,
    and not to be reworded from the table."""
    return text.startswith(("Khoản ", "Điều ")) and "Nghị định" in text and "“" in text


def test_the_scan_finds_a_stray_label(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Quá hạn in a docstring is fine."""\nX = {"late": "Quá hạn"}\n')
    assert _string_constants(module) == ["late", "Quá hạn"]


def test_the_report_table_names_the_groups_it_leaves_out() -> None:
    b = new_builder()
    build_mixed(b)
    report = statistics(
        b.dossiers(), Period.parse("2026-Q1"), by="procedure", catalog=seed_catalog()
    )
    groups = len(report.groups) - 1  # the total row is not a group
    assert groups >= 2
    # 48 columns: (48 - 30 - 4) // 14 = 1 column, the total's; every group is left out
    assert report.to_table("vi", width=48).caption == (
        f"Còn {groups} nhóm khác không hiển thị (tệp CSV / Excel có đủ)"
    )
    assert report.to_table("en", width=48).caption == (
        f"{groups} other groups not shown (CSV / Excel have every group)"
    )
