"""The applicant's rating of how the dossier was handled (Decree 118/2025/ND-CP art. 33.1).

Art. 33.1 lists what organisations and individuals assess, points (a) to (i) (Vietnamese
lettering: a, b, c, d, đ, e, g, h, i), quoted in :data:`CRITERIA`. Art. 31.1 lists how the
assessment is collected (:data:`CHANNELS`). The decree gives no scale: :data:`SCALE` is the
five-level satisfaction scale of the ministries' own survey forms (from "Rất không hài lòng"
to "Rất hài lòng", e.g. dichvucong.mic.gov.vn, "Bộ câu hỏi khảo sát mức độ hài lòng"),
scored 1-5. A rating is a **dislike** (the "đánh giá dislike" of indicator 766 5.4) when any
criterion is scored below :data:`SATISFIED_FROM`; the engine decides it once and writes it
into the event.

A rating is given once per dossier, by the applicant (or relayed by the ``system``: the
portal's rating function, the desk's device), after the result (``result_ready`` or
``returned``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from tthc_flow.errors import InvalidCommand, PolicyViolation

if TYPE_CHECKING:
    from tthc_flow.engine._dossier import Dossier

RATE: Final = "rate"

SOURCE: Final = "Decree 118/2025/ND-CP art. 33.1"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One point of art. 33.1: its key (``dd`` for đ), its letter and its text."""

    key: str
    letter: str
    text: str
    source: str = SOURCE


CRITERIA: Final = (
    Criterion(
        "a",
        "a",
        "Thời gian trả kết quả giải quyết, xử lý hồ sơ thủ tục hành chính so với quy định "
        "hoặc yêu cầu của cơ quan, đơn vị chủ trì",
    ),
    Criterion(
        "b",
        "b",
        "Số lượng cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ thủ tục hành chính",
    ),
    Criterion(
        "c", "c", "Số lần phải liên hệ với cơ quan tiếp nhận để hoàn thiện hồ sơ thủ tục hành chính"
    ),
    Criterion(
        "d",
        "d",
        "Tính chính xác, đầy đủ, kịp thời của thông tin thủ tục hành chính được công khai so "
        "với quy định",
    ),
    Criterion(
        "dd",
        "đ",
        "Thái độ ứng xử của cán bộ, công chức, viên chức hướng dẫn, tiếp nhận hồ sơ, giải "
        "quyết thủ tục hành chính",
    ),
    Criterion(
        "e",
        "e",
        "Sự phù hợp với pháp luật của kết quả giải quyết thủ tục hành chính và chi phí thực "
        "hiện thủ tục hành chính; các chi phí phát sinh ngoài quy định của pháp luật khi thực "
        "hiện các thủ tục hành chính",
    ),
    Criterion(
        "g",
        "g",
        "Thời gian và chất lượng ý kiến giải trình của cơ quan có thẩm quyền, cán bộ, công "
        "chức, viên chức đối với các ý kiến phản ánh, kiến nghị, khiếu nại, tố cáo của tổ "
        "chức, cá nhân",
    ),
    Criterion(
        "h", "h", "Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến của cơ quan có thẩm quyền"
    ),
    Criterion("i", "i", "Các nội dung khác theo đánh giá của tổ chức, cá nhân"),
)
"""The nine points of art. 33.1, in the decree's order."""

CRITERION_KEYS: Final = tuple(c.key for c in CRITERIA)

SCALE: Final = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}
"""Score -> level (the decree sets no scale; see the module docstring)."""

SATISFIED_FROM: Final = 3
"""Scores below this are dissatisfied: one such score makes the rating a dislike."""

CHANNELS: Final = frozenset({"form", "desk_device", "portal", "mailbox", "other"})
"""Art. 31.1: a) a rating form (phiếu), b) the desk's electronic device, c) the national
portal's online rating, đ) the suggestion box, e) other lawful means."""


@dataclass(frozen=True, slots=True)
class Rating:
    """The applicant's rating: a score per criterion rated, an optional comment."""

    scores: tuple[tuple[str, int], ...]
    rated_at: datetime
    rated_by: str
    via: str
    dislike: bool
    comment: str | None = None

    @property
    def by_criterion(self) -> dict[str, int]:
        """Score of each criterion rated, keyed ``a`` ... ``i`` (``dd`` for đ)."""
        return dict(self.scores)


def decide(dossier: Dossier, data: dict[str, Any]) -> dict[str, Any]:
    """The payload of ``rate``: ``scores={"a": 5, "dd": 2, ...}`` (1-5, at least one),
    ``comment=`` (criterion i's "other contents" in words), ``via=`` (art. 31.1)."""
    if dossier.rating is not None:
        raise PolicyViolation(
            f"dossier {dossier.code} was rated on {dossier.rating.rated_at.isoformat()}; a "
            "dossier is rated once"
        )
    scores = data.pop("scores", None)
    if not isinstance(scores, Mapping) or not scores:
        raise InvalidCommand(
            f"rate needs scores={{criterion: 1-5}} for criteria {', '.join(CRITERION_KEYS)} "
            f"({SOURCE})",
            field="data.scores",
        )
    checked: dict[str, int] = {}
    for key, score in scores.items():
        if key not in CRITERION_KEYS:
            raise InvalidCommand(
                f"scores: no criterion {key!r}; criteria of {SOURCE}: {', '.join(CRITERION_KEYS)}",
                field=f"data.scores.{key}",
            )
        if isinstance(score, bool) or not isinstance(score, int) or score not in SCALE:
            raise InvalidCommand(
                f"scores.{key}={score!r}: a whole number 1-5 "
                f"({', '.join(f'{n} {label}' for n, label in SCALE.items())})",
                field=f"data.scores.{key}",
            )
        checked[key] = score
    via = data.pop("via", "portal")
    if via not in CHANNELS:
        raise InvalidCommand(
            f"via={via!r}: one of {', '.join(sorted(CHANNELS))} (art. 31.1)", field="data.via"
        )
    rating: dict[str, Any] = {
        "scores": {k: checked[k] for k in CRITERION_KEYS if k in checked},
        "via": via,
        "dislike": any(s < SATISFIED_FROM for s in checked.values()),
    }
    comment = data.pop("comment", None)
    if comment is not None:
        if not isinstance(comment, str) or not comment.strip():
            raise InvalidCommand("comment= must be text", field="data.comment")
        rating["comment"] = comment.strip()
    return {"rating": rating}


def fold(payload: Mapping[str, Any], at: datetime, actor: str) -> Rating:
    """The rating a ``rate`` event recorded."""
    raw = payload["rating"]
    return Rating(
        scores=tuple(raw["scores"].items()),
        rated_at=at,
        rated_by=actor,
        via=raw["via"],
        dislike=raw["dislike"],
        comment=raw.get("comment"),
    )
