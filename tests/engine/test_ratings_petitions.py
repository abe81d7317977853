"""The applicant's rating (Decree 118/2025/ND-CP art. 33.1 a-i) and petitions about a dossier
(phản ánh, kiến nghị: art. 31.1.đ, 33.1.g; Decision 766 group 5), docs/payments.md."""

from __future__ import annotations

import pytest

from tests.engine.conftest import DESK, LEADER, POLICE, SPECIALIST, at
from tthc_flow import InvalidCommand, PermissionDenied, PolicyViolation, TransitionNotAllowed
from tthc_flow.engine import RATING_CRITERIA as CRITERIA
from tthc_flow.engine import Actor, Dossier, Engine, replay

APPLICANT = Actor.of("citizen", "applicant")
PETITIONS = Actor.of("van.phong", "petitions")


def _approved(engine: Engine) -> str:
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    engine.fire(code, "appraise", SPECIALIST, at(2026, 4, 28, 8, 10))
    engine.fire(code, "verify", POLICE, at(2026, 4, 28, 8, 20))
    engine.fire(code, "approve", LEADER, at(2026, 4, 28, 8, 30))
    return code


def test_the_nine_criteria_are_those_of_article_33_1() -> None:
    """Art. 33.1 points a, b, c, d, đ, e, g, h, i (Vietnamese lettering has no f)."""
    assert [c.letter for c in CRITERIA] == ["a", "b", "c", "d", "đ", "e", "g", "h", "i"]
    assert CRITERIA[4].text.startswith("Thái độ ứng xử của cán bộ, công chức, viên chức")
    assert CRITERIA[7].text.startswith("Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến")
    assert {c.source for c in CRITERIA} == {"Decree 118/2025/ND-CP art. 33.1"}


def test_a_rating_after_the_result_once_and_a_low_score_is_a_dislike(engine: Engine) -> None:
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    with pytest.raises(TransitionNotAllowed):  # before the result
        engine.fire(code, "rate", APPLICANT, at(2026, 4, 27, 9), scores={"a": 5})
    code = _approved(engine)
    with pytest.raises(PermissionDenied):
        engine.fire(code, "rate", DESK, at(2026, 4, 28, 9), scores={"a": 5})
    with pytest.raises(InvalidCommand) as caught:
        engine.fire(code, "rate", APPLICANT, at(2026, 4, 28, 9), scores={"f": 5})
    assert caught.value.field == "data.scores.f"
    with pytest.raises(InvalidCommand, match="1-5"):
        engine.fire(code, "rate", APPLICANT, at(2026, 4, 28, 9), scores={"a": 6})
    rated = engine.fire(
        code, "rate", APPLICANT, at(2026, 4, 28, 9), scores={"dd": 2, "a": 5}, comment="Chậm"
    )
    rating = rated.rating
    assert rating is not None and rated.state == "result_ready"
    assert rating.by_criterion == {"a": 5, "dd": 2}
    assert (rating.dislike, rating.via, rating.comment) == (True, "portal", "Chậm")  # 2 < 3
    with pytest.raises(PolicyViolation, match="rated once"):
        engine.fire(code, "rate", APPLICANT, at(2026, 4, 28, 10), scores={"a": 5})
    assert replay(engine.history(code)).rating == rating
    assert Dossier.from_dict(rated.to_dict()) == rated


def test_satisfied_scores_are_no_dislike(engine: Engine) -> None:
    code = _approved(engine)
    scores = {key: 3 for key in ("a", "b", "c", "d", "dd", "e", "g", "h", "i")}
    rated = engine.fire(code, "rate", APPLICANT, at(2026, 4, 28, 9), scores=scores, via="form")
    assert rated.rating is not None and not rated.rating.dislike


def test_a_petition_has_a_deadline_an_answer_and_feedback(engine: Engine) -> None:
    """Recorded Tue 28/4/2026 09:00 with 5 working days: Wed 29/4, (30/4, 1/5 holidays, the
    weekend) Mon 4/5, Tue 5/5, Wed 6/5, Thu 7/5 -> due Thu 7/5 09:00; answered 10:00: late."""
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    with pytest.raises(InvalidCommand, match="not both"):
        engine.fire(
            code,
            "record_petition",
            APPLICANT,
            at(2026, 4, 28, 9),
            content="Chậm",
            within_working_days=5,
            due_at=at(2026, 5, 8, 17),
        )
    filed = engine.fire(
        code,
        "record_petition",
        APPLICANT,
        at(2026, 4, 28, 9),
        content="Cán bộ hẹn nhiều lần",
        within_working_days=5,
    )
    assert filed.state == "appraisal"  # a petition never moves the dossier
    (petition,) = filed.petitions
    assert (petition.number, petition.due_at, petition.category) == (1, at(2026, 5, 7, 9), None)
    with pytest.raises(PolicyViolation, match="no answered petition"):
        engine.fire(code, "petition_feedback", APPLICANT, at(2026, 5, 7, 9), satisfied=True)
    with pytest.raises(PermissionDenied):
        engine.fire(code, "answer_petition", APPLICANT, at(2026, 5, 7, 10), answer="Đã xử lý")
    with pytest.raises(InvalidCommand) as caught:
        engine.fire(
            code, "answer_petition", PETITIONS, at(2026, 5, 7, 10), answer="x", category="other"
        )
    assert caught.value.field == "data.category"
    answered = engine.fire(
        code,
        "answer_petition",
        PETITIONS,
        at(2026, 5, 7, 10),
        answer="Đã nhắc nhở cán bộ",
        category="conduct",
    )
    done = answered.petitions[0]
    assert (done.late, done.category, done.answered_by) == (True, "conduct", "van.phong")
    unhappy = engine.fire(code, "petition_feedback", APPLICANT, at(2026, 5, 7, 11), satisfied=False)
    assert unhappy.petitions[0].satisfied is False
    again = engine.fire(
        code,
        "record_petition",
        APPLICANT,
        at(2026, 5, 7, 12),
        content="Vẫn chưa được giải quyết",
        due_at=at(2026, 5, 8, 17),
        follows=1,
    )
    assert [(p.number, p.follows) for p in again.petitions] == [(1, None), (2, 1)]
    assert replay(engine.history(code)).petitions == again.petitions


def test_without_a_deadline_a_petition_has_the_portals_fifteen_working_days(
    engine: Engine,
) -> None:
    """Tue 28/4/2026 09:00 + 15 working days (766 5.2's rule): 29/4 (1); 30/4, 1/5 holidays;
    4-8/5 (2-6); 11-15/5 (7-11); 18-21/5 (12-15) -> Thu 21/5 09:00."""
    code = engine.receive("2.000999", "A", "desk", at=at(2026, 4, 24, 16, 10)).code
    engine.fire(code, "handover", DESK, at(2026, 4, 28, 8))
    filed = engine.fire(
        code, "record_petition", PETITIONS, at(2026, 4, 28, 9), content="Phản ánh qua tổng đài"
    )
    assert filed.petitions[0].due_at == at(2026, 5, 21, 9)
