"""What a new dossier brings with it besides its data: the applicant, its documents, the
receiving centre; checked and turned into the receipt event's payload before anything is
drawn or stored (a refused command changes nothing).

* The applicant: a name (the older form) or an :class:`Applicant` record, stored as its JSON
  under ``applicant_record``; ``applicant`` stays the name, which summaries and forms read.
* The documents: each :class:`SubmittedDocument` is matched to a component of the procedure
  (by name, or by its national code); its form and copies default to the component's
  definition, and the values used are what the event keeps (decided once, read after).
* The receiving centre (art. 14.2, 20.1): kept apart from the deciding authority.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tthc_flow.engine._applicant import Applicant
from tthc_flow.engine._documents import DocumentForm, DocumentSource, SubmittedDocument
from tthc_flow.engine._inputs import MAX_ID, MAX_NAME, MAX_TEXT, check_text
from tthc_flow.errors import InvalidCommand
from tthc_flow.procedure import Channel, Component, ProcedureDefinition


def applicant_parts(applicant: object) -> tuple[object, dict[str, Any] | None]:
    """The applicant's name and, for a record, its JSON; the name is checked by the caller."""
    if isinstance(applicant, Applicant):
        record = applicant.model_dump(mode="json", exclude_none=True)
        _check_texts("applicant", record)
        return applicant.name, record
    return applicant, None


def _check_texts(field: str, value: Any) -> None:
    # every text a store and an export must hold (NUL, controls: tthc_flow.engine._inputs)
    if isinstance(value, str):
        check_text(field, value, MAX_TEXT)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_texts(f"{field}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_texts(f"{field}[{index}]", item)


def check_centre(centre: object) -> str | None:
    """The receiving centre's code, or None (the deciding authority's own desk)."""
    if centre is None:
        return None
    check_text("reception_centre", centre, MAX_ID)
    assert isinstance(centre, str)
    if not centre.strip():
        raise InvalidCommand("reception_centre= must name the centre", field="reception_centre")
    return centre.strip()


def component_form(component: Component, channel: str) -> DocumentForm:
    """The form a component is submitted in when the desk says nothing else: the definition's
    ``form``; without one, a copy when its name says so ("bản sao" anywhere in it), else the
    original (an electronic one when submitted online)."""
    if component.form is not None:
        return DocumentForm(component.form)
    if "bản sao" in component.name.lower():
        return DocumentForm.COPY
    return DocumentForm.ELECTRONIC if channel == Channel.ONLINE.value else DocumentForm.ORIGINAL


def _component(definition: ProcedureDefinition, key: str, field: str) -> Component:
    for component in definition.components:
        if component.name == key or (component.code is not None and component.code == key):
            return component
    names = "; ".join(c.name for c in definition.components) or "none"
    raise InvalidCommand(
        f"{field}: procedure {definition.code} has no component {key!r}; components: {names}",
        field=field,
    )


def document_payload(
    definition: ProcedureDefinition, documents: Iterable[object], channel: str
) -> list[dict[str, Any]]:
    """The documents as the event keeps them, each resolved against the definition."""
    if isinstance(documents, str | bytes) or not isinstance(documents, Sequence | tuple | list):
        raise InvalidCommand("documents= must be a list of SubmittedDocument", field="documents")
    resolved: list[dict[str, Any]] = []
    for index, document in enumerate(documents):
        field = f"documents[{index}]"
        if not isinstance(document, SubmittedDocument):
            raise InvalidCommand(
                f"{field}: a SubmittedDocument, not {type(document).__name__}", field=field
            )
        check_text(f"{field}.component", document.component, MAX_NAME)
        component = _component(definition, document.component, f"{field}.component")
        if document.reused and document.reuse_ref is None:
            raise InvalidCommand(
                f"{field}: a component taken from {document.source.value} names the record it "
                "came from (reuse_ref=...), Decree 118/2025/ND-CP art. 17.1.b",
                field=f"{field}.reuse_ref",
            )
        entry = document.model_copy(
            update={
                "component": component.name,
                "component_code": component.code,
                "form": document.form or component_form(component, channel),
                "copies": document.copies or component.copies,
            }
        ).model_dump(mode="json", exclude_none=True)
        _check_texts(field, entry)
        resolved.append(entry)
    return resolved


def documents_as_data(documents: Iterable[object]) -> list[dict[str, Any]]:
    """Documents given to ``fire`` as JSON (checked to be :class:`SubmittedDocument`)."""
    if isinstance(documents, str | bytes) or not isinstance(documents, Sequence | tuple | list):
        raise InvalidCommand("documents= must be a list of SubmittedDocument", field="documents")
    out = []
    for index, document in enumerate(documents):
        if not isinstance(document, SubmittedDocument):
            raise InvalidCommand(
                f"documents[{index}]: a SubmittedDocument, not {type(document).__name__}",
                field=f"documents[{index}]",
            )
        out.append(document.model_dump(mode="json", exclude_none=True))
    return out


def documents_from_data(raw: list[dict[str, Any]]) -> list[SubmittedDocument]:
    """The inverse of :func:`documents_as_data`."""
    return [SubmittedDocument.model_validate(item) for item in raw]


def reused_components(documents: Iterable[SubmittedDocument]) -> frozenset[str]:
    """Components the state already holds (art. 17.1.b): never asked for again."""
    return frozenset(d.component for d in documents if d.source is not DocumentSource.APPLICANT)
