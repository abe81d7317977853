"""A dossier as JSON for APIs: :class:`DossierModel`, the schema of ``Dossier.to_dict()``.

One model is the schema, the serialiser and the parser: ``Dossier.to_dict()`` is
``DossierModel.of(d).model_dump(mode="json")`` and ``Dossier.from_dict(data)`` validates it
back (``tthc_flow.engine._dossier`` builds the dossier from the model: this module reads
dossiers but never imports their module), so ``Dossier.from_dict(d.to_dict()) == d`` (tests/engine/test_dossier_json.py). The
JSON Schema for API documentation is ``DossierModel.model_json_schema()``.

Stability: ``schema_version`` is 1; fields are only ever added (with defaults) within a
version. Moments are ISO 8601 with the +07:00 offset; ``steps`` is the process control slip
(one object per step entered), ``step_due`` the deadline of each step, in order.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tthc_flow.engine._applicant import Applicant
from tthc_flow.engine._assignment import Assignment
from tthc_flow.engine._documents import IssuedResult, SubmittedDocument
from tthc_flow.engine._payments import Payment, PaymentRequest
from tthc_flow.engine._petitions import Petition
from tthc_flow.engine._ratings import Rating

if TYPE_CHECKING:
    from tthc_flow.engine._dossier import Dossier

SCHEMA_VERSION: Literal[1] = 1


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeeJson(_Part):
    """A fee or charge and its payment (FeeRecord)."""

    name: str
    amount: int
    kind: str
    paid_at: datetime | None = None
    paid_online: bool = False
    remit_due_at: datetime | None = None


class StepJson(_Part):
    """One row of the process control slip (StepRecord)."""

    step: str
    role: str
    agency: str | None
    entered_at: datetime
    due_at: datetime | None
    left_at: datetime | None = None
    actor: str | None = None
    timeliness: str | None = None
    transfer_due_at: datetime | None = None


class StepDueJson(_Part):
    """The deadline of one step."""

    step: str
    due_at: datetime


class PauseJson(_Part):
    """A wait for a supplement (Pause)."""

    start: datetime
    origin: str
    end: datetime | None = None
    missing: tuple[str, ...] = ()
    closes_at: datetime | None = None
    requested_by: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    documents: tuple[SubmittedDocument, ...] = ()


class RescheduleJson(_Part):
    """An apology with a new appointment (Reschedule)."""

    at: datetime
    previous_due_at: datetime
    new_due_at: datetime
    reason: str
    actor: str


class ConsultationJson(_Part):
    """An opinion asked of another body (Consultation)."""

    body: str
    asked_at: datetime
    due_at: datetime
    answered_at: datetime | None = None
    late: bool | None = None


class DossierModel(_Part):
    """The JSON form of a :class:`~tthc_flow.engine.Dossier` (docs/dossier-json.md)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    code: str = Field(description="Mã số hồ sơ (art. 28).")
    procedure_code: str
    procedure_version: int
    agency_code: str = Field(description="The deciding authority.")
    reception_centre: str | None = Field(
        default=None, description="The receiving centre when not the authority's desk."
    )
    applicant: str = Field(description="The applicant's name.")
    applicant_record: Applicant | None = None
    channel: str
    state: str
    version: int
    last_hash: str
    submitted_at: datetime
    updated_at: datetime
    received_at: datetime | None = None
    clock_started_at: datetime | None = None
    due_at: datetime | None = None
    original_due_at: datetime | None = None
    resolved_at: datetime | None = None
    returned_at: datetime | None = None
    closed_at: datetime | None = None
    correction_due_at: datetime | None = None
    corrected_at: datetime | None = None
    correction_late: bool | None = None
    awaiting_payment_since: datetime | None = None
    early_return: bool | None = None
    early_notice: bool | None = None
    alert_due_at: datetime | None = None
    accept_due_at: datetime | None = None
    accept_late: bool | None = None
    outcome: str | None = None
    resolution_timeliness: str | None = None
    processing_seconds: int | None = Field(
        default=None, description="Working seconds from the clock start to the result."
    )
    on_the_spot: bool = False
    fees_due: int = 0
    fees: tuple[FeeJson, ...] = ()
    step_due: tuple[StepDueJson, ...] = ()
    steps: tuple[StepJson, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    """Who handles each step (lead, cooperating officials, observers): docs/officials.md."""
    pauses: tuple[PauseJson, ...] = ()
    reschedules: tuple[RescheduleJson, ...] = ()
    consultations: tuple[ConsultationJson, ...] = ()
    documents: tuple[SubmittedDocument, ...] = ()
    results: tuple[IssuedResult, ...] = ()
    payment_requests: tuple[PaymentRequest, ...] = ()
    """Payment requests with their lines and total (docs/payments.md)."""
    payments: tuple[Payment, ...] = ()
    rating: Rating | None = None
    petitions: tuple[Petition, ...] = ()
    data: dict[str, Any] = Field(default_factory=dict, description="Command data, latest value.")
    as_of: datetime | None = None

    @classmethod
    def of(cls, d: Dossier) -> DossierModel:
        """The model of dossier ``d``."""

        fields = dict(d.__dict__)
        del fields["papers"]
        papers = d.papers
        fields["applicant_record"] = papers.applicant_record
        fields["reception_centre"] = papers.reception_centre
        fields["documents"] = papers.documents
        fields["results"] = papers.results
        fields["payment_requests"] = papers.payment_requests
        fields["payments"] = papers.payments
        fields["rating"] = papers.rating
        fields["petitions"] = papers.petitions
        fields["fees"] = [asdict(f) for f in d.fees]
        fields["step_due"] = [{"step": s, "due_at": at} for s, at in d.step_due]
        fields["steps"] = [asdict(s) for s in d.steps]
        del fields["step_rows"]
        fields["pauses"] = [{**asdict(p), "documents": p.documents} for p in d.pauses]
        fields["reschedules"] = [asdict(r) for r in d.reschedules]
        fields["consultations"] = [asdict(c) for c in d.consultations]
        fields["data"] = dict(d.data)
        return cls.model_validate(fields)
