"""Shared fixtures: a small procedure written for these tests and an engine on a fixed clock."""

from __future__ import annotations

from datetime import datetime

import pytest

from tthc_flow._time import VN_TZ
from tthc_flow.engine import Actor, Engine, FixedClock
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.store import MemoryStore

PROCEDURE = """
code: "2.000999"
effective_from: 2020-01-01
name: Cấp giấy phép thử nghiệm
field: Công nghiệp
level: province
agency: Sở Công Thương
agency_code: SCT
agencies:
  - {id: cong_an, name: Công an tỉnh}
legal_basis: [Nghị định thử nghiệm]
time_limit:
  statutory: {value: 5, unit: working_days}
  shortened: {value: 3, unit: working_days}
online: full
channels: [desk, postal, online]
fees:
  - {name: Phí thẩm định, amount: 500000}
result: Giấy phép
workflow:
  steps:
    - {id: appraisal, name: Thẩm định, role: specialist, share: 1, action: appraise}
    - {id: police_check, name: Công an xác minh, role: specialist, share: 1, agency: cong_an, action: verify}
    - {id: approval, name: Phê duyệt, role: leader, share: 1, action: approve, on_enter: [notify_leader]}
  transitions:
    - trigger: pay_fee
      source: [received, appraisal]
      roles: [one_stop, applicant]
      guard: {channel: online}
"""

DESK = Actor.of("clerk", "one_stop")
SPECIALIST = Actor.of("chuyen.vien", "specialist")
POLICE = Actor.of("cong.an", "specialist", agency="cong_an")
"""The specialist of the other agency (liên thông): only they may act on police_check."""
LEADER = Actor.of("giam.doc", "leader")


def at(*parts: int) -> datetime:
    """An aware Vietnam time: at(2026, 4, 24, 16, 10)."""
    return datetime(*parts, tzinfo=VN_TZ)  # type: ignore[misc]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog([parse_procedure(PROCEDURE, "test.yaml")])


@pytest.fixture
def engine(catalog: Catalog) -> Engine:
    calls: list[str] = []
    engine = Engine(catalog, store=MemoryStore(), clock=FixedClock(at(2026, 4, 24, 16, 10)))
    engine.register_hook("notify_leader", lambda dossier, event: calls.append(dossier.code))
    engine.hook_calls = calls  # type: ignore[attr-defined]
    return engine
