"""Notification templates as data: per kind of notice and channel, a subject and a body with
``$name`` / ``${name}`` placeholders (:class:`string.Template`: no expressions, no
attribute access, nothing evaluated).

A template may name only the placeholders of its kind (:data:`PLACEHOLDERS`); a template
naming another, or with a bad ``$``, is refused when loaded with a located
:class:`~tthc_flow.errors.NotificationTemplateError` (file, line, column, field), so an
agency's override file fails at start-up rather than at the first dossier.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tthc_flow._located import LocatedDocument
from tthc_flow.errors import NotificationTemplateError, Problem

SMS, EMAIL, ZALO = "sms", "email", "zalo"
CHANNELS = (SMS, EMAIL, ZALO)
"""The channels: SMS (body only), e-mail and Zalo message (subject and body)."""
SUBJECT_CHANNELS = frozenset({EMAIL, ZALO})

_COMMON = ("code", "applicant", "procedure", "procedure_code", "agency")
PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    # Decree 118/2025/ND-CP art. 17.3: the receipt slip with the appointment
    "receipt": frozenset({*_COMMON, "received", "due"}),
    # art. 19.5: a gap found during handling, notified once; closed if not completed
    "supplement": frozenset({*_COMMON, "missing", "requested", "closes"}),
    # art. 17.1.c, 17.2.a: the dossier is incomplete at reception (no closure set)
    "supplement_at_reception": frozenset({*_COMMON, "missing", "requested"}),
    # art. 19.6: the apology and the new appointment
    "apology": frozenset({*_COMMON, "previous_due", "new_due", "reason"}),
    # art. 22.1: the result is ready to be returned
    "result_ready": frozenset({*_COMMON, "resolved", "due", "outcome"}),
    # art. 22.5: a result returned before the appointment is notified beforehand
    "early_return": frozenset({*_COMMON, "resolved", "due", "outcome"}),
}
"""Each kind of notice and the placeholders its templates may name."""
KINDS = tuple(PLACEHOLDERS)


@dataclass(frozen=True)
class MessageTemplate:
    """One template: ``body`` and, for e-mail and Zalo, ``subject``."""

    kind: str
    channel: str
    body: string.Template
    subject: string.Template | None = None

    def render(self, values: Mapping[str, str]) -> tuple[str | None, str]:
        """``(subject, body)`` with ``values`` (every placeholder of the kind) filled in."""
        subject = None if self.subject is None else self.subject.substitute(values)
        return subject, self.body.substitute(values)


@dataclass(frozen=True)
class TemplateSet:
    """The templates of one deployment or agency: ``(kind, channel) -> MessageTemplate``."""

    templates: Mapping[tuple[str, str], MessageTemplate]

    def get(self, kind: str, channel: str) -> MessageTemplate | None:
        """The template of ``kind`` on ``channel``; None: that notice is not sent there."""
        return self.templates.get((kind, channel))

    def over(self, base: TemplateSet) -> TemplateSet:
        """These templates, and ``base``'s where this set has none (an agency's override)."""
        return TemplateSet({**base.templates, **self.templates})

    @classmethod
    def from_mapping(cls, data: Any, source: str = "<templates>") -> TemplateSet:
        """Templates from ``{kind: {channel: {"subject": ..., "body": ...}}}``; every mistake
        is reported at once in a :class:`NotificationTemplateError`."""
        return _build(LocatedDocument(data, source))

    @classmethod
    def from_yaml(cls, source: str | Path, text: str | None = None) -> TemplateSet:
        """Templates from a YAML file (or ``text`` named ``source``), located by line."""
        from tthc_flow._yaml import load_located  # PyYAML loads on first use

        doc, problems = load_located(source, text)
        if problems:
            raise NotificationTemplateError(problems, f"cannot read templates {source}")
        return _build(doc)


def _build(doc: LocatedDocument) -> TemplateSet:
    problems: list[Problem] = []
    found: dict[tuple[str, str], MessageTemplate] = {}
    if not isinstance(doc.data, Mapping):
        problems.append(doc.problem((), "templates must be a mapping of kinds"))
        raise NotificationTemplateError(problems, f"invalid templates in {doc.file}")
    for kind, channels in doc.data.items():
        if kind not in PLACEHOLDERS:
            problems.append(
                doc.problem((kind,), f"unknown kind {kind!r}", f"one of {', '.join(KINDS)}")
            )
            continue
        if not isinstance(channels, Mapping):
            problems.append(doc.problem((kind,), "must map channels to templates"))
            continue
        for channel, parts in channels.items():
            template = _template(doc, kind, channel, parts, problems)
            if template is not None:
                found[(kind, channel)] = template
    if problems:
        raise NotificationTemplateError(problems, f"invalid templates in {doc.file}")
    return TemplateSet(found)


def _template(
    doc: LocatedDocument, kind: str, channel: Any, parts: Any, problems: list[Problem]
) -> MessageTemplate | None:
    path: tuple[str, ...] = (kind, str(channel))
    if channel not in CHANNELS:
        problems.append(doc.problem(path, f"unknown channel {channel!r}", ", ".join(CHANNELS)))
        return None
    if not isinstance(parts, Mapping):
        problems.append(doc.problem(path, "must be a mapping with body (and subject)"))
        return None
    allowed = {"body", "subject"} if channel in SUBJECT_CHANNELS else {"body"}
    for key in parts:
        if key not in allowed:
            problems.append(
                doc.problem((*path, str(key)), f"{channel} takes {' and '.join(sorted(allowed))}")
            )
    texts: dict[str, string.Template] = {}
    for key in sorted(allowed):
        if key not in parts:
            problems.append(doc.problem(path, f"missing {key}"))
            continue
        parsed = _parsed(doc, (*path, key), parts[key], PLACEHOLDERS[kind], problems)
        if parsed is not None:
            texts[key] = parsed
    if len(texts) != len(allowed):
        return None
    return MessageTemplate(kind, channel, texts["body"], texts.get("subject"))


def _parsed(
    doc: LocatedDocument,
    path: tuple[str, ...],
    text: Any,
    allowed: frozenset[str],
    problems: list[Problem],
) -> string.Template | None:
    if not isinstance(text, str) or not text.strip():
        problems.append(doc.problem(path, "must be a non-empty text"))
        return None
    template = string.Template(text)
    if not template.is_valid():
        problems.append(
            doc.problem(path, "a '$' that starts no placeholder", "write $$ for a dollar sign")
        )
        return None
    unknown = sorted(set(template.get_identifiers()) - allowed)
    if unknown:
        problems.append(
            doc.problem(
                path,
                f"unknown placeholder(s) {', '.join('$' + u for u in unknown)}",
                f"{path[0]} templates may use {', '.join(sorted(allowed))}",
            )
        )
        return None
    return template
