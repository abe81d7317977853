"""The statistics report's words, read from the package's one label table
(:mod:`tthc_flow._labels`; Form 06a wording where the form has the column)."""

from __future__ import annotations

from tthc_flow._labels import label as _label

COLUMN_KEYS: dict[str, str] = {
    "group": "report.group",
    "resolved_early": "timeliness.early",
    "resolved_on_time": "timeliness.on_time",
    "resolved_late": "timeliness.late",
    "refused": "state.refused",
}
"""Columns whose label is not ``report.<column>``: one concept, one entry (the engine's
timeliness classes are the form's "Trước hạn / Đúng hạn / Quá hạn"; a refused dossier reads
as its state)."""

PERCENT_OF: dict[str, str] = {"on_time_pct": "report.on_time_rate"}
"""Columns printed as ``<rate> (%)``: the simulation prints the same rate with its own ``%``."""


def label(name: str, lang: str = "vi") -> str:
    """The header of column ``name`` in ``lang`` (``vi`` or ``en``)."""
    if name in PERCENT_OF:
        return f"{_label(PERCENT_OF[name], lang)} (%)"
    return _label(COLUMN_KEYS.get(name, f"report.{name}"), lang)


def total_label(lang: str = "vi") -> str:
    """The name of the grand-total row: ``Tổng cộng`` / ``Total``."""
    return _label("report.total", lang)


def by_label(by: str | None, lang: str = "vi") -> str:
    """The head of the group column when grouped ``by`` (None: the whole agency)."""
    return _label(f"group.{by or 'whole'}", lang)


def task_label(key: str, lang: str = "vi") -> str:
    """The name of a task figure (``assigned``, ``done_on_time``, ...)."""
    return _label(f"task.{key}", lang)
