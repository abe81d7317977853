"""The documents of a dossier: the components actually submitted, and the results issued.

File contents stay in the vendor's storage; the library keeps a reference (``uri``) and the
SHA-256 of the bytes, so a file can be proved to be the one received or issued.

* Submitted components (thành phần hồ sơ): which component of the procedure, original or copy
  (from the procedure's component definition unless the desk says otherwise), digitised
  (số hóa), reused from a national or sector database or from the applicant's data store
  ("tổ chức, cá nhân không phải khai lại thông tin hoặc nộp lại hồ sơ, giấy tờ, tài liệu",
  Decree 118/2025/ND-CP art. 17.1.b), and whether the scan carries the receiving officer's
  digital signature (art. 17.1.c: "dùng chữ ký số cá nhân được cấp để ký trên bản sao chụp
  điện tử").
* Results (kết quả giải quyết): signed, issued, delivered, each an event; an electronic result
  carries its code, "mã số định danh của cá nhân, tổ chức và mã loại giấy tờ" (art. 22.4).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from tthc_flow._labels import label


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DocumentForm(StrEnum):
    """The form a document is submitted in."""

    ORIGINAL = "original"  # bản chính
    COPY = "copy"  # bản sao
    CERTIFIED_COPY = "certified_copy"  # bản sao có chứng thực
    ELECTRONIC = "electronic"  # bản điện tử (submitted online)

    @property
    def label(self) -> str:
        """The Vietnamese label printed on the receipt slip (``document_form.*`` in
        :mod:`tthc_flow._labels`)."""
        return label(f"document_form.{self.value}")


class DocumentSource(StrEnum):
    """Where a component came from."""

    APPLICANT = "applicant"
    """Submitted by the applicant (paper, post or upload)."""
    NATIONAL_DATABASE = "national_database"
    """Taken from a national or sector database or the portal (art. 17.1.b)."""
    DATA_STORE = "data_store"
    """Reused from the applicant's electronic data store (Kho quản lý dữ liệu điện tử của tổ
    chức, cá nhân, art. 22.4), e.g. a result issued to them earlier."""


Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256, lower-case hex.")]


class FileRef(_Record):
    """Where the vendor keeps a file, and the hash of its bytes."""

    uri: Annotated[str, Field(min_length=1, max_length=2000)]
    sha256: Sha256
    size: Annotated[int, Field(ge=0)] | None = None
    media_type: Annotated[str, Field(max_length=200)] | None = None


class SubmittedDocument(_Record):
    """One component as submitted (or reused), given to ``Engine.receive``/``submit``.

    ``component`` names a component of the procedure (its ``name``, or its national ``code``
    when the definition has one). ``form`` and ``copies`` default to the component's
    definition; the engine writes the values it used into the receipt event.
    """

    component: Annotated[str, Field(min_length=1, max_length=1000)]
    form: DocumentForm | None = None
    copies: Annotated[int, Field(ge=1, le=1000)] | None = None
    digitised: bool = False
    source: DocumentSource = DocumentSource.APPLICANT
    reuse_ref: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None,
        description="The record or result code it was taken from; required when reused.",
    )
    file: FileRef | None = None
    signed: bool = Field(
        default=False, description="The scan is signed with the receiving officer's signature."
    )
    component_code: str | None = Field(
        default=None, description="Mã thành phần hồ sơ, filled in from the definition."
    )

    @property
    def reused(self) -> bool:
        """Taken from data the state already holds: not asked of the applicant again."""
        return self.source is not DocumentSource.APPLICANT


class ResultState(StrEnum):
    """Where an issued result stands; each step is an event."""

    SIGNED = "signed"  # ký số by the competent person (art. 22.1)
    ISSUED = "issued"  # phát hành: numbered and released under the rules on clerical work
    DELIVERED = "delivered"  # the applicant has it (portal, data store, desk or post)


class IssuedResult(_Record):
    """A result document (giấy tờ kết quả) and its electronic result code (art. 22.4)."""

    code: str
    """Mã số giấy tờ: the holder's ID number and the result-type code (art. 22.4)."""
    holder_id: str
    result_type: str
    """Mã loại kết quả, as on the national procedure database (art. 22.4)."""
    name: str
    state: ResultState
    signed_at: datetime
    signed_by: str
    file: FileRef | None = None
    number: str | None = None
    """The document's number (số văn bản), given when it is issued."""
    issued_at: datetime | None = None
    delivered_at: datetime | None = None
    delivered_via: str | None = None
