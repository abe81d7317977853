"""The counts and values the Decision 766 indicators are built from (one pass over the log).

Each indicator id has one method of :class:`Values` giving its numerator, denominator,
factor and the inputs it misses; the formulas and their sources are in docs/indicators.md and
in the indicator set's data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tthc_flow.engine import Dossier
from tthc_flow.errors import UnknownProcedure
from tthc_flow.procedure import ProcedureDefinition
from tthc_flow.reports._indicator_inputs import IndicatorInputs
from tthc_flow.reports._indicator_set import IndicatorSpec
from tthc_flow.reports._period import Period
from tthc_flow.reports._portal_rule import portal_judgement
from tthc_flow.reports._statistics import CatalogLookup


@dataclass
class Counts:
    """What one pass over the log counts for a period (codes kept where sets are needed)."""

    handled: int = 0
    on_time: int = 0
    handled_codes: set[str] = field(default_factory=set)
    received_codes: set[str] = field(default_factory=set)
    online_ok: int = 0
    full_eligible: int = 0
    full_online: int = 0
    used_online: set[str] = field(default_factory=set)
    with_fee_data: set[str] = field(default_factory=set)
    paid_online: set[str] = field(default_factory=set)
    document_dossiers: int = 0
    with_e_result: int = 0
    digitised: int = 0
    procedure_of: dict[str, str] = field(default_factory=dict)
    petitions: list[PetitionState] = field(default_factory=list)
    """Petitions received in the period, as they stood at the judgement moment (5.1-5.3)."""
    complained: set[str] = field(default_factory=set)
    """Dossiers with a petition or a dislike rating (5.4)."""
    feedback_recorded: bool = False
    """Whether the log holds any petition or rating: without any, the library cannot tell
    "none" from "kept elsewhere", and 5.1-5.4 ask for their inputs."""


@dataclass(frozen=True, slots=True)
class PetitionState:
    """A petition at the judgement moment, as 5.1-5.3 classify it."""

    classified: bool
    on_time: bool
    """Answered by its deadline, or still open within it ("đang xử lý trong hạn")."""
    unsatisfied: bool
    """The applicant said the answer did not satisfy, or petitioned again about it (5.3)."""


def has_e_result(d: Dossier) -> bool:
    """An electronic result with its code and file (MaKetQua + DuongDanTepTinKetQua)."""
    data = d.data_dict
    return bool(data.get("e_result")) or bool(
        data.get("e_result_code") and data.get("e_result_file")
    )


def paid_online(d: Dossier) -> bool:
    """Paid through DVCQG or the local payment gateway (DuocThanhToanTrucTuyen = 1 or 2): a
    payment the engine recorded with method ``online`` (or, from older commands, a fee
    paid online or the data key ``paid_online``)."""
    return (
        any(p.method == "online" for p in d.payments)
        or any(f.paid_online for f in d.fees)
        or bool(d.data_dict.get("paid_online"))
    )


def _feedback(c: Counts, d: Dossier, period: Period, judge_at: datetime) -> None:
    """The dossier's petitions and rating, for group 5."""
    rating = d.rating
    if not d.petitions and rating is None:
        return
    c.feedback_recorded = True
    if d.petitions or (rating is not None and rating.dislike):
        c.complained.add(d.code)
    followed = {p.follows for p in d.petitions if p.follows is not None}
    for p in d.petitions:
        if not period.start_at <= p.received_at < period.end_at:
            continue
        answered = p.answered_at is not None and p.answered_at <= judge_at
        on_time = (not p.late) if answered else judge_at <= p.due_at
        unhappy = (answered and p.satisfied is False) or p.number in followed
        c.petitions.append(PetitionState(p.category is not None, on_time, unhappy))


def count(
    dossiers: Iterable[Dossier],
    period: Period,
    catalog: Any,
    judge_at: datetime,
    inputs: IndicatorInputs,
) -> Counts:
    """One pass over ``dossiers``: the counts every indicator of ``period`` is built from."""
    lookup = CatalogLookup(catalog)
    c = Counts()
    for d in dossiers:
        _feedback(c, d, period, judge_at)
        if d.received_at is None or d.received_at >= period.end_at:
            continue  # only received dossiers have NgayTiepNhan; later ones are not yet there
        judgement = portal_judgement(d, judge_at)
        assert judgement is not None
        if judgement.end_at >= period.start_at:  # "tiếp nhận, xử lý trong kỳ"
            c.handled += 1
            c.on_time += int(judgement.on_time)
            c.handled_codes.add(d.code)
        if d.received_at >= period.start_at:
            _count_received(c, d, lookup.get(d.procedure_code, d.procedure_version), inputs)
    return c


def _count_received(
    c: Counts, d: Dossier, definition: ProcedureDefinition | None, inputs: IndicatorInputs
) -> None:
    code = d.procedure_code
    c.received_codes.add(d.code)
    c.procedure_of[d.code] = code
    documents = inputs.document_result is None or code in inputs.document_result
    result_ok = not documents or has_e_result(d)
    online = d.channel == "online"
    c.online_ok += int(online and result_ok)
    if definition is not None and definition.online.value == "full":
        c.full_eligible += 1
        c.full_online += int(online)
    if online:
        c.used_online.add(code)
    if d.fees_due > 0:  # a fee list that is not all zero
        c.with_fee_data.add(d.code)
    if paid_online(d):
        c.paid_online.add(d.code)
    if documents:
        c.document_dossiers += 1
        c.with_e_result += int(has_e_result(d))
    c.digitised += int(bool(d.data_dict.get("digitised")) and result_ok)


Value = tuple[int | None, int | None, float | None, list[str]]
"""numerator, denominator, factor, missing inputs."""


def offered_procedures(catalog: Any, period: Period) -> list[ProcedureDefinition]:
    """Definitions in force on the period's last day (all procedures under the authority)."""
    found = []
    for code in catalog.codes() if catalog is not None else ():
        try:
            found.append(catalog.effective(code, period.last))
        except UnknownProcedure:
            continue
    return found


class Values:
    """The value of each indicator id from the counts, the catalog and the inputs."""

    def __init__(self, c: Counts, offered: list[ProcedureDefinition], inputs: IndicatorInputs):
        self.c, self.offered, self.inputs = c, offered, inputs

    def of(self, spec: IndicatorSpec) -> Value | None:
        method: Callable[[], Value] | None = getattr(self, "v" + spec.id.replace(".", "_"), None)
        if method is None:
            return None
        return method()

    def _ratio(self, name: str) -> Value:
        given = getattr(self.inputs, name)
        if given is None:
            return None, None, None, [name]
        return given.numerator, given.denominator, None, []

    def _dossier_share(self, name: str) -> Value:
        codes = getattr(self.inputs, name)
        if codes is None:
            return None, None, None, [name]
        return len(self.c.received_codes & codes), len(self.c.received_codes), None, []

    def sync(self) -> Value:
        synced = self.inputs.synced_dossiers
        if synced is None:
            return None, None, None, ["synced_dossiers"]
        received = len(self.c.received_codes)
        return synced, max(received, self.inputs.portal_received or 0), None, []

    def v1_1(self) -> Value:
        return self._ratio("publication_on_time")

    def v1_2(self) -> Value:
        return self._ratio("publication_updated")

    def v1_3(self) -> Value:
        return self._ratio("publication_complete")

    def v1_4(self) -> Value:
        return self.sync()

    def v2_1(self) -> Value:
        return self.c.on_time, self.c.handled, None, []

    def v3_1(self) -> Value:
        online = [p for p in self.offered if p.online.value != "none"]
        return len(online), len(self.offered), None, []

    def v3_2(self) -> Value:
        services = {p.code for p in self.offered if p.online.value != "none"}
        return len(services & self.c.used_online), len(services), None, []

    def v3_3(self) -> Value:
        synced, den, _, missing = self.sync()
        if missing:
            return None, None, None, missing
        factor = synced / den if synced is not None and den else None
        return self.c.online_ok, len(self.c.received_codes), factor, []

    def v3_3a(self) -> Value:
        return self.c.full_online, self.c.full_eligible, None, []

    def _fee_procedures(self) -> set[str]:
        # "có thông tin phí, lệ phí trong CSDL ... (Phí, lệ phí khác 0)": as in force now
        return {p.code for p in self.offered if any(f.amount > 0 for f in p.fees)}

    def _procedures(self, codes: set[str]) -> set[str]:
        return {self.c.procedure_of[code] for code in codes}

    def v3_5(self) -> Value:
        with_fee = self._fee_procedures()
        synced = self._procedures(self.c.with_fee_data)
        return len(with_fee & synced), len(with_fee), None, []

    def v3_5b(self) -> Value:
        with_fee = self._fee_procedures()
        paid = self._procedures(self.c.paid_online)
        return len(with_fee & paid), len(with_fee), None, []

    def v3_6(self) -> Value:
        # dossiers of fee procedures, less those whose synchronised fee list is all zero
        with_fee = self._fee_procedures()
        of_fee = {code for code in self.c.with_fee_data if self.c.procedure_of[code] in with_fee}
        return len(of_fee & self.c.paid_online), len(of_fee), None, []

    def v4_1(self) -> Value:
        return self.c.with_e_result, self.c.document_dossiers, None, []

    def v4_2(self) -> Value:
        return self.c.digitised, len(self.c.received_codes), None, []

    def v4_3(self) -> Value:
        return self._dossier_share("reused_data")

    def v4_4(self) -> Value:
        return self._dossier_share("portal_store")

    def v4_5a(self) -> Value:
        missing = self.inputs.missing(("population_data", "citizen_procedures"))
        if missing:
            return None, None, None, missing
        assert self.inputs.population_data is not None and self.inputs.citizen_procedures
        used = self._procedures(self.c.received_codes & self.inputs.population_data)
        citizens = self.inputs.citizen_procedures
        return len(used & citizens), len(citizens), None, []

    def v4_5b(self) -> Value:
        return self._dossier_share("population_data")

    def v4_6(self) -> Value:
        return self._ratio("certified_copy_communes")

    def _petitions(self, name: str, counted: Callable[[PetitionState], bool]) -> Value:
        """An input when given; else, when the log holds feedback, the recorded petitions."""
        if getattr(self.inputs, name) is not None or not self.c.feedback_recorded:
            return self._ratio(name)
        found = self.c.petitions
        return sum(1 for p in found if counted(p)), len(found), None, []

    def v5_1(self) -> Value:
        # "được phân loại theo Quy định, chính sách, thủ tục hoặc Hành vi của cán bộ công chức"
        return self._petitions("petitions_classified", lambda p: p.classified)

    def v5_2(self) -> Value:
        # "xử lý đúng, trước hạn và đang xử lý trong hạn"
        return self._petitions("petitions_on_time", lambda p: p.on_time)

    def v5_3(self) -> Value:
        # "Tổng số PAKN – Số bị phản hồi trạng thái không hài lòng hoặc tiếp tục có phản ánh,
        # kiến nghị về kết quả giải quyết hoặc quá hạn"
        return self._petitions("petitions_satisfied", lambda p: p.on_time and not p.unsatisfied)

    def v5_4(self) -> Value:
        complained = self.inputs.complained
        if complained is None:
            if not self.c.feedback_recorded:
                return None, None, None, ["complained"]
            complained = frozenset(self.c.complained)
        # 100 % − (late rate + complaint rate), both on the 2.1 basis: a count of that basis
        late = self.c.handled - self.c.on_time
        count_complained = len(self.c.handled_codes & complained)
        return max(self.c.handled - late - count_complained, 0), self.c.handled, None, []
