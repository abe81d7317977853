"""Who a dossier is for: the applicant (chủ hồ sơ) as a record, not a string.

Decree 118/2025/ND-CP art. 17.1.a has the desk check the applicant's electronic identity
"thông qua số định danh cá nhân của công dân Việt Nam hoặc số định danh (hoặc số hộ chiếu ...)
của người nước ngoài và số định danh của tổ chức"; when the procedure is done by an
authorised person, the identity checked is the principal's ("tài khoản định danh điện tử của tổ
chức, cá nhân ủy quyền"). So the record keeps the applicant's own ID numbers apart from the
representative's. The national portal's dossier sync types the applicant (LoaiDoiTuong 1-4,
docs/portal.md) and carries one ID number (SoGiayToChuHoSo): :attr:`Applicant.primary_id`.

The models are frozen pydantic models: the engine stores ``model_dump(mode="json")`` in the
receipt event and the dossier fold validates it back, so a live dossier equals its replay.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ApplicantType(StrEnum):
    """Loại đối tượng: the four kinds of applicant of the portal's sync (LoaiDoiTuong)."""

    CITIZEN = "citizen"  # công dân
    ENTERPRISE = "enterprise"  # doanh nghiệp
    STATE_AGENCY = "state_agency"  # cơ quan nhà nước
    ORGANISATION = "organisation"  # tổ chức khác

    @property
    def portal_code(self) -> int:
        """LoaiDoiTuong on the national portal: 1 citizen, 2 enterprise, 3 state agency,
        4 other organisation (docs/portal.md)."""
        return _PORTAL_CODES[self]

    @property
    def is_organisation(self) -> bool:
        """Everything but a citizen: its own numbers are organisation numbers."""
        return self is not ApplicantType.CITIZEN


_PORTAL_CODES = {
    ApplicantType.CITIZEN: 1,
    ApplicantType.ENTERPRISE: 2,
    ApplicantType.STATE_AGENCY: 3,
    ApplicantType.ORGANISATION: 4,
}


class IdKind(StrEnum):
    """The kind of an ID number."""

    CITIZEN_ID = "citizen_id"
    """Số định danh cá nhân (printed on the căn cước card): 12 digits."""
    PASSPORT = "passport"
    """Số hộ chiếu, or a number of another international travel document (art. 17.1.a)."""
    TAX_CODE = "tax_code"
    """Mã số thuế / mã số doanh nghiệp: 10 digits, 10-3 for a dependent unit, or an
    individual's 12-digit personal number."""
    ORGANISATION_ID = "organisation_id"
    """Số định danh của tổ chức (art. 17.1.a) or another register number of the body."""
    OTHER = "other"
    """Any other number (e.g. a budget-unit code), kept as given."""


_PERSONAL_KINDS = frozenset({IdKind.CITIZEN_ID, IdKind.PASSPORT})

_CHECKS: dict[IdKind, tuple[re.Pattern[str], str]] = {
    IdKind.CITIZEN_ID: (re.compile(r"\d{12}"), "12 digits"),
    IdKind.PASSPORT: (re.compile(r"[A-Z0-9]{6,20}"), "6 to 20 letters and digits"),
    IdKind.TAX_CODE: (
        re.compile(r"\d{10}(-\d{3})?|\d{12}"),
        "10 digits, 10 digits-3 digits (dependent unit) or 12 digits (an individual)",
    ),
    IdKind.ORGANISATION_ID: (re.compile(r"[A-Za-z0-9.\-]{1,64}"), "up to 64 letters, digits, . -"),
    IdKind.OTHER: (re.compile(r"[^\s]{1,64}"), "1 to 64 characters without spaces"),
}


class IdNumber(_Record):
    """One ID number with its kind; checked by kind when built.

    >>> IdNumber(kind="citizen_id", number="001085012345").number
    '001085012345'
    """

    kind: IdKind
    number: Annotated[str, Field(min_length=1, max_length=64)]
    issued_on: str | None = Field(default=None, description="Ngày cấp, ISO date, if printed.")
    issued_by: str | None = Field(default=None, max_length=200, description="Nơi cấp.")

    @model_validator(mode="after")
    def _valid_for_kind(self) -> IdNumber:
        pattern, expected = _CHECKS[self.kind]
        number = self.number.upper() if self.kind is IdKind.PASSPORT else self.number
        if pattern.fullmatch(number) is None:
            raise ValueError(f"{self.kind.value} {self.number!r} is not valid: expected {expected}")
        if number != self.number:
            object.__setattr__(self, "number", number)
        return self


_PHONE = re.compile(r"(\+84|0)\d{9,10}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    compact = _PHONE_SEPARATORS.sub("", value)
    if _PHONE.fullmatch(compact) is None:
        raise ValueError(f"phone {value!r}: expected 0 or +84 followed by 9 or 10 digits")
    return compact


def _email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > 254 or _EMAIL.fullmatch(value) is None:
        raise ValueError(f"email {value!r} is not an e-mail address")
    return value


Phone = Annotated[str | None, AfterValidator(_phone)]
"""A Vietnamese phone number, kept without separators (0912345678, +84912345678)."""
Email = Annotated[str | None, AfterValidator(_email)]


class Representative(_Record):
    """Who acts for the applicant: its legal representative (người đại diện theo pháp luật)
    or a person it authorised (người được ủy quyền), with the authorisation's reference."""

    name: Annotated[str, Field(min_length=1, max_length=1000)]
    kind: Literal["legal", "authorised"] = "legal"
    ids: tuple[IdNumber, ...] = ()
    position: str | None = Field(default=None, max_length=200, description="Chức vụ.")
    authorisation: str | None = Field(
        default=None, max_length=200, description="The authorisation letter's number (ủy quyền)."
    )
    phone: Phone = None
    email: Email = None

    @model_validator(mode="after")
    def _authorised_has_reference(self) -> Representative:
        if self.kind == "authorised" and not self.authorisation:
            raise ValueError("an authorised representative needs the authorisation's reference")
        return self


class Applicant(_Record):
    """The applicant of a dossier (chủ hồ sơ): a citizen or an organisation.

    An organisation's own numbers are organisation numbers (tax code, organisation ID); the
    citizen ID or passport of the person at the desk belongs to ``representative``
    (art. 17.1.a: when someone is authorised, the identity is the principal's).

    >>> Applicant(type="enterprise", name="Công ty TNHH A",
    ...           ids=[IdNumber(kind="tax_code", number="0101234567")]).primary_id.number
    '0101234567'
    """

    type: ApplicantType
    name: Annotated[str, Field(min_length=1, max_length=1000)]
    ids: tuple[IdNumber, ...] = ()
    representative: Representative | None = None
    phone: Phone = None
    email: Email = None
    address: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _own_numbers(self) -> Applicant:
        if self.type.is_organisation:
            personal = [i.kind.value for i in self.ids if i.kind in _PERSONAL_KINDS]
            if personal:
                raise ValueError(
                    f"a {self.type.value} has no {', '.join(personal)}: give it to the "
                    "representative (Decree 118/2025/ND-CP art. 17.1.a)"
                )
        return self

    @property
    def primary_id(self) -> IdNumber | None:
        """The first ID number: the one the portal's SoGiayToChuHoSo and the electronic
        result code (art. 22.4) use."""
        return self.ids[0] if self.ids else None
