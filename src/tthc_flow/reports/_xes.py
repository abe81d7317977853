"""XES (IEEE 1849-2016) export of the event log: one trace per dossier.

Trace ``concept:name`` = dossier code; each event has ``concept:name`` = trigger,
``time:timestamp`` (ISO 8601 with offset), ``org:resource`` = actor, ``org:role`` = role and
``lifecycle:transition`` = complete, plus ``tthc:state`` (the state entered). The log uses no
XML namespace, as the standard's XSD declares none. Characters XML 1.0 cannot hold are
written as U+FFFD (:func:`tthc_flow._safe_text.xml_text`).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from pathlib import Path
from xml.etree import ElementTree as etree

from tthc_flow._safe_text import xml_text
from tthc_flow.engine import Event

EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)


def _attr(parent: etree.Element, kind: str, key: str, value: str) -> None:
    # stored text may hold characters XML cannot (a control character in an actor id):
    # replaced, so that one bad value never makes the export of the whole log fail
    etree.SubElement(parent, kind, key=key, value=xml_text(value))


def to_xes(events: Iterable[Event], name: str = "tthc_flow") -> bytes:
    """The events (any order) as an XES document, traces sorted by dossier code."""
    log = etree.Element("log", {"xes.version": "1.0", "xes.features": "nested-attributes"})
    for ext_name, prefix, uri in EXTENSIONS:
        etree.SubElement(log, "extension", name=ext_name, prefix=prefix, uri=uri)
    trace_globals = etree.SubElement(log, "global", scope="trace")
    _attr(trace_globals, "string", "concept:name", "__INVALID__")
    event_globals = etree.SubElement(log, "global", scope="event")
    _attr(event_globals, "string", "concept:name", "__INVALID__")
    _attr(event_globals, "date", "time:timestamp", "1970-01-01T00:00:00+00:00")
    _attr(event_globals, "string", "lifecycle:transition", "complete")
    etree.SubElement(log, "classifier", name="Activity", keys="concept:name")
    _attr(log, "string", "concept:name", name)
    ordered = sorted(events, key=lambda e: (e.dossier_code, e.version))
    for code, dossier_events in groupby(ordered, key=lambda e: e.dossier_code):
        trace = etree.SubElement(log, "trace")
        _attr(trace, "string", "concept:name", code)
        for e in dossier_events:
            node = etree.SubElement(trace, "event")
            _attr(node, "string", "concept:name", e.trigger)
            _attr(node, "date", "time:timestamp", e.at.isoformat(timespec="milliseconds"))
            _attr(node, "string", "org:resource", e.actor)
            _attr(node, "string", "org:role", e.role)
            _attr(node, "string", "lifecycle:transition", "complete")
            _attr(node, "string", "tthc:state", e.to_state)
    etree.indent(log)
    body = etree.tostring(log, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def write_xes(events: Iterable[Event], path: str | Path, name: str = "tthc_flow") -> Path:
    """Write :func:`to_xes` to ``path``."""
    target = Path(path)
    target.write_bytes(to_xes(events, name))
    return target
