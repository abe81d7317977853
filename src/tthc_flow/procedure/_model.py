"""Typed models of a procedure definition: what a YAML procedure file may say.

The models are the schema: the JSON Schema users give their editor is generated from them
(:func:`tthc_flow.procedure.json_schema`), never written by hand. Every model forbids unknown
keys so that a misspelt key is an error, not a silently ignored line.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator

from tthc_flow.errors import NotFound

CODE_PATTERN = r"^\d\.\d{6}((\.\d{3}\.\d{2}\.\d{2})?\.[A-Za-z]\d{2})?$"
"""National database procedure code (mã TTHC), e.g. ``1.001234`` or ``2.000567``, optionally with
the province suffix provincial portals publish: ``1.013642.H38`` (short) or
``2.000648.000.00.00.H50`` (long form)."""

IDENTIFIER = r"^[a-z][a-z0-9_]*$"

BUILTIN_ROLES = frozenset({"one_stop", "specialist", "leader", "applicant", "system"})
"""Roles every procedure knows: the desk, the specialised unit, the head who signs, the
applicant (who may submit, supplement and withdraw) and the system (timers, imports)."""


Number = Annotated[float, Strict()]
"""A YAML number (int or float); strings such as ``"5"`` and booleans are rejected, as in the
JSON Schema, so that what an editor accepts and what the loader accepts agree."""
Integer = Annotated[int, Strict()]
"""A YAML integer; ``true`` or ``"5"`` are rejected."""
Boolean = Annotated[bool, Strict()]
"""``true`` or ``false``; ``yes``, ``1`` or ``"true"`` are rejected."""


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


class Level(StrEnum):
    """Cấp thực hiện: level of government. District level was abolished from 1 Jul 2025 but
    historical definitions with it still load."""

    MINISTRY = "ministry"
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class TimeUnit(StrEnum):
    """Unit of a time limit. Working days and working hours are different units: a working
    day is the agency's working hours of one day (8 h by default), never 24 h."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    SAME_DAY = "same_day"
    """"Trong ngày": resolved the working day of receipt, or the next working day when received
    after the procedure's cut-off (``Duration.cutoff``, 15:00 unless published otherwise), as
    procedures publish it ("trong ngày ... hoặc trong ngày làm việc tiếp theo nếu tiếp nhận sau
    15 giờ"); Decree 118/2025/ND-CP art. 8.1.c ("giải quyết ngay trong ngày"), 17.4."""


SAME_DAY_CUTOFF = time(15, 0)
"""The cut-off of a "trong ngày" limit when the procedure names none (docs/legal-rules.md)."""


ONLINE_ALIASES: dict[str | int, str] = {
    "level_3": "partial",
    "level_4": "full",
    "3": "partial",
    "4": "full",
    3: "partial",
    4: "full",
    "mot_phan": "partial",
    "toan_trinh": "full",
}
"""Other spellings of :class:`OnlineLevel` accepted in YAML (and listed in the JSON Schema):
the older "level 3/4" of Decree 43/2011/NĐ-CP and the Vietnamese terms without diacritics."""


class OnlineLevel(StrEnum):
    """Online public service mode (Decree 42/2022/ND-CP art. 11: toàn trình / một phần;
    the older levels 3 and 4 map to partial and full)."""

    NONE = "none"
    PARTIAL = "partial"
    FULL = "full"

    @classmethod
    def _missing_(cls, value: object) -> OnlineLevel | None:
        if isinstance(value, bool):
            return None
        canonical = ONLINE_ALIASES.get(value) if isinstance(value, str | int) else None
        return None if canonical is None else cls(canonical)


class Channel(StrEnum):
    """How a dossier reaches the agency and the result reaches the applicant."""

    DESK = "desk"
    POSTAL = "postal"
    ONLINE = "online"


class Duration(_Strict):
    """An amount of time in one unit, e.g. ``{value: 7, unit: working_days}``."""

    value: Annotated[Number, Field(gt=0, description="Amount, > 0; fractions allowed (0.5 day).")]
    unit: TimeUnit = Field(
        default=TimeUnit.WORKING_DAYS,
        description="working_days, working_hours, calendar_days or same_day (trong ngày).",
    )
    cutoff: str | None = Field(
        default=None,
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description=(
            'same_day only: a dossier received after this time ("HH:MM", quoted) is due the '
            "next working day; default 15:00."
        ),
    )

    @model_validator(mode="after")
    def _same_day_rules(self) -> Duration:
        if self.unit is TimeUnit.SAME_DAY and self.value != 1:
            raise ValueError("a same_day (trong ngày) limit has value 1")
        if self.cutoff is not None and self.unit is not TimeUnit.SAME_DAY:
            raise ValueError("cutoff is only for unit same_day (trong ngày)")
        return self

    @property
    def cutoff_time(self) -> time:
        """The cut-off of a same-day limit (SAME_DAY_CUTOFF unless the procedure names one)."""
        if self.cutoff is None:
            return SAME_DAY_CUTOFF
        hours, minutes = self.cutoff.split(":")
        return time(int(hours), int(minutes))

    def __str__(self) -> str:
        if self.unit is TimeUnit.SAME_DAY:
            return f"same day (next working day after {self.cutoff_time:%H:%M})"
        value = int(self.value) if self.value == int(self.value) else self.value
        return f"{value} {self.unit.value.replace('_', ' ')}"


class TimeLimit(_Strict):
    """Thời hạn giải quyết: the statutory limit and the agency's published shortened one."""

    statutory: Duration = Field(description="The limit set by law (thời hạn theo quy định).")
    shortened: Duration | None = Field(
        default=None, description="The agency's shortened limit; the engine uses it when set."
    )
    by_channel: dict[Channel, Duration] = Field(
        default_factory=dict,
        description="The limit the agency publishes per channel (e.g. shorter online); for "
        "dossiers of that channel it replaces the shortened or statutory one.",
    )

    @model_validator(mode="after")
    def _shortened_not_longer(self) -> TimeLimit:
        if (
            self.shortened is not None
            and self.shortened.unit == self.statutory.unit
            and self.shortened.value > self.statutory.value
        ):
            raise ValueError(
                f"shortened limit {self.shortened} exceeds the statutory {self.statutory}"
            )
        return self

    @property
    def effective(self) -> Duration:
        """The limit the agency commits to: the shortened one if published, else the statutory."""
        return self.shortened or self.statutory

    def for_channel(self, channel: Channel | str) -> Duration:
        """The limit of a dossier filed by ``channel``: its published one, else ``effective``."""
        return self.by_channel.get(Channel(channel)) or self.effective


class Case(_Strict):
    """Trường hợp: a case of the procedure with its own limit or fees, as provinces publish them
    (fees by area, "thành phố, thị xã" / "khu vực khác"; limits by applicant type). A receive or
    submit command names it with ``case="..."``; what it leaves out comes from the procedure."""

    id: Annotated[str, Field(pattern=IDENTIFIER)] = Field(description="Case name, snake_case.")
    name: str = Field(description="The case as published, in Vietnamese.")
    time_limit: Duration | None = Field(
        default=None, description="This case's limit; replaces every other limit of the procedure."
    )
    fees: list[Fee] | None = Field(
        default=None, description="This case's fees; replace the procedure's fees."
    )


class Fee(_Strict):
    """Phí / lệ phí: a fee or charge in VND."""

    name: str = Field(description="Name of the fee as published, in Vietnamese.")
    amount: Annotated[Integer, Field(ge=0, description="Amount in VND.")]
    kind: Literal["fee", "charge"] = Field(default="fee", description="fee = phí, charge = lệ phí")
    note: str | None = Field(default=None, description="Free text: source circular, variants.")


class Component(_Strict):
    """Thành phần hồ sơ: one document of the dossier."""

    name: str = Field(description="Name of the document, in Vietnamese.")
    required: Boolean = Field(default=True, description="False for optional documents.")
    copies: Annotated[Integer, Field(ge=1)] = Field(default=1, description="Number of copies.")
    digitise: Boolean = Field(default=False, description="Must be digitised at reception (số hóa).")
    form: Literal["original", "copy", "certified_copy"] | None = Field(
        default=None,
        description="What is submitted: original (bản chính), copy (bản sao) or certified_copy "
        "(bản sao có chứng thực); unset: a copy when the name says 'bản sao', else the original.",
    )
    code: str | None = Field(
        default=None,
        max_length=64,
        description="Mã thành phần hồ sơ on the national database (the portal's MaThanhPhanHoSo).",
    )


ScalarValue = str | int | float | bool | None


class GuardComparison(_Strict):
    """One comparison in a guard; exactly one operator may be given."""

    eq: ScalarValue = None
    ne: ScalarValue = None
    gt: Number | None = None
    ge: Number | None = None
    lt: Number | None = None
    le: Number | None = None
    in_: list[ScalarValue] | None = Field(default=None, alias="in")
    not_in: list[ScalarValue] | None = None

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra={"minProperties": 1, "maxProperties": 1},
    )

    @model_validator(mode="after")
    def _one_operator(self) -> GuardComparison:
        given = [name for name in self.model_fields_set]
        if len(given) != 1:
            raise ValueError("give exactly one operator: eq, ne, gt, ge, lt, le, in or not_in")
        return self


Guard = dict[str, ScalarValue | GuardComparison]
"""A declarative condition: every key must match. ``{channel: online, fee_paid: true}`` or
``{amount: {gt: 1000000}}``. Keys name dossier attributes (channel, on_the_spot, fee_paid) or
data given with the command. No expressions are evaluated: guards are data."""


class Step(_Strict):
    """One middle step of the workflow, between receipt at the desk and the result."""

    id: Annotated[str, Field(pattern=IDENTIFIER, description="State name, snake_case.")]
    name: str = Field(description="Vietnamese label, e.g. 'Thẩm định hồ sơ'.")
    role: str = Field(description="Role that acts in this step.")
    share: Annotated[
        Number, Field(gt=0, description="Share of the time limit, in the limit's unit.")
    ]
    action: Annotated[str | None, Field(pattern=IDENTIFIER)] = Field(
        default=None,
        description="Trigger that finishes the step and moves on (default: finish_<id>).",
    )
    agency: str | None = Field(
        default=None,
        description="Agency (id from `agencies`) for inter-agency steps; default the lead agency.",
    )
    on_enter: list[str] = Field(default_factory=list, description="Named hooks run on entry.")

    @property
    def trigger(self) -> str:
        """The trigger that completes this step."""
        return self.action or f"finish_{self.id}"


class ExtraTransition(_Strict):
    """A procedure-specific transition beside the standard lifecycle."""

    trigger: Annotated[str, Field(pattern=IDENTIFIER)] = Field(
        description="Name of the command that fires it."
    )
    source: str | Annotated[list[str], Field(min_length=1)] = Field(
        description="Source state, or a non-empty list of them."
    )
    dest: str | None = Field(default=None, description="Target state; omit for an internal one.")
    roles: list[str] = Field(description="Roles allowed to fire it (built-in or declared).")
    guard: Guard = Field(
        default_factory=dict, description="Conditions that must all hold (see docs/procedures.md)."
    )
    hooks: list[str] = Field(default_factory=list, description="Named hooks run after it.")
    effect: str | None = Field(
        default=None,
        description="Bookkeeping the engine does (approve, reject, withdraw, pay_fee...); "
        "required to enter result_ready, returned, refused or withdrawn.",
    )

    @property
    def sources(self) -> list[str]:
        """Source states as a list."""
        return [self.source] if isinstance(self.source, str) else list(self.source)


class Agency(_Strict):
    """An agency taking part in an inter-agency (liên thông) procedure."""

    id: Annotated[str, Field(pattern=IDENTIFIER)] = Field(
        description="Identifier that steps refer to in `agency`."
    )
    name: str = Field(description="Name of the agency, e.g. 'Bộ Công Thương'.")


class Workflow(_Strict):
    """The steps between receipt and result; the standard one-stop lifecycle wraps them."""

    base: Literal["standard", "on_the_spot"] = Field(
        default="standard",
        description="standard: the one-stop lifecycle; on_the_spot: '4 tại chỗ' at the desk.",
    )
    steps: list[Step] = Field(min_length=1, description="The middle steps, in order.")
    transitions: list[ExtraTransition] = Field(
        default_factory=list, description="Procedure-specific transitions."
    )


class ProcedureDefinition(_Strict):
    """A procedure (thủ tục hành chính) as written in YAML."""

    code: Annotated[str, Field(pattern=CODE_PATTERN, description="Mã TTHC, e.g. 2.000131.")]
    version: Annotated[Integer, Field(ge=1)] = Field(
        default=1, description="Version number; (code, version) is unique in a catalog."
    )
    effective_from: date = Field(description="First day this version applies to new dossiers.")
    effective_to: date | None = Field(
        default=None, description="Last day this version applies (inclusive); null: open-ended."
    )
    name: str = Field(description="Tên thủ tục as published in the national database.")
    field: str = Field(description="Lĩnh vực, e.g. 'Kinh doanh khí'.")
    level: Level = Field(description="Cấp thực hiện: ministry, province, district or commune.")
    agency: str = Field(description="Implementing agency (cơ quan thực hiện).")
    agency_code: Annotated[str, Field(pattern=r"^[A-Za-z0-9.\-]+$")] = Field(
        description="Agency identifier used in dossier codes, e.g. 'SCT' or '000.00.17.H26'."
    )
    agencies: list[Agency] = Field(default_factory=list, description="Other agencies (liên thông).")
    legal_basis: list[str] = Field(min_length=1, description="Căn cứ pháp lý: laws, decrees.")
    time_limit: TimeLimit = Field(description="Thời hạn giải quyết.")
    online: OnlineLevel = Field(
        default=OnlineLevel.NONE,
        description="Online service: none, partial (một phần) or full (toàn trình); also "
        "accepted: level_3, 3, mot_phan (partial) and level_4, 4, toan_trinh (full).",
    )
    channels: list[Channel] = Field(
        min_length=1, description="Where dossiers are accepted: desk, postal, online."
    )
    on_the_spot: Boolean = Field(default=False, description="Eligible for '4 tại chỗ'.")
    fees: list[Fee] = Field(default_factory=list, description="Phí, lệ phí.")
    cases: list[Case] = Field(
        default_factory=list,
        description="Cases with their own limit or fees (by area, applicant type); a command "
        "names one with case=...",
    )
    components: list[Component] = Field(
        default_factory=list, description="Thành phần hồ sơ: the documents of a dossier."
    )
    result: str = Field(description="What the applicant receives, e.g. the certificate.")
    roles: list[Annotated[str, Field(pattern=IDENTIFIER)]] = Field(
        default_factory=list, description="Extra roles beyond the built-in ones."
    )
    data_keys: list[Annotated[str, Field(pattern=IDENTIFIER)]] = Field(
        default_factory=list,
        description="Command or dossier data that guards test (e.g. amount), besides channel, "
        "fee_paid, on_the_spot, state and procedure_code.",
    )
    workflow: Workflow = Field(description="The steps between receipt and result.")

    @field_validator("channels")
    @classmethod
    def _unique_channels(cls, value: list[Channel]) -> list[Channel]:
        if len(set(value)) != len(value):
            raise ValueError("a channel is listed twice")
        return value

    @field_validator("cases")
    @classmethod
    def _unique_cases(cls, value: list[Case]) -> list[Case]:
        ids = [case.id for case in value]
        if len(set(ids)) != len(ids):
            raise ValueError("a case id is listed twice")
        return value

    def case(self, case_id: str | None) -> Case | None:
        """The case named ``case_id`` (None when not given); :class:`~tthc_flow.errors.NotFound`
        (a KeyError) if there is no such case."""
        if case_id is None:
            return None
        for case in self.cases:
            if case.id == case_id:
                return case
        raise NotFound(
            f"procedure {self.code} has no case {case_id!r}",
            kind="case",
            name=case_id,
            known=tuple(c.id for c in self.cases),
        )

    def limit_for(self, channel: Channel | str, case_id: str | None = None) -> Duration:
        """The limit that applies to a dossier: its case's, else its channel's, else the
        shortened, else the statutory one."""
        case = self.case(case_id)
        if case is not None and case.time_limit is not None:
            return case.time_limit
        return self.time_limit.for_channel(channel)

    @model_validator(mode="after")
    def _consistent(self) -> ProcedureDefinition:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        if self.online is not OnlineLevel.NONE and Channel.ONLINE not in self.channels:
            raise ValueError(f"online service '{self.online}' needs 'online' in channels")
        unoffered = [c.value for c in self.time_limit.by_channel if c not in self.channels]
        if unoffered:
            raise ValueError(
                f"time_limit.by_channel names {', '.join(unoffered)}, not among the channels"
            )
        return self

    @property
    def key(self) -> tuple[str, int]:
        """``(code, version)``: identifies one version of a procedure."""
        return (self.code, self.version)

    @property
    def all_roles(self) -> frozenset[str]:
        """Built-in roles plus the procedure's own."""
        return BUILTIN_ROLES | frozenset(self.roles)

    @property
    def is_inter_agency(self) -> bool:
        """True when some step is done by another agency (liên thông)."""
        return any(step.agency for step in self.workflow.steps)


def model_dump_yaml_ready(definition: ProcedureDefinition) -> dict[str, Any]:
    """The definition as plain data (dates as ISO strings), e.g. to write a variant back to YAML."""
    return definition.model_dump(mode="json", by_alias=True, exclude_defaults=True)


_SNAKE = re.compile(IDENTIFIER)
