"""The summary row's 766 flags read what the engine recorded: an online payment sets
``paid_online``, a petition or a dislike rating sets ``complained`` (docs/payments.md,
docs/store.md), as the indicators read them."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.engine.conftest import PROCEDURE, at
from tthc_flow.engine import Actor, Engine
from tthc_flow.procedure import Catalog, parse_procedure
from tthc_flow.store import SqlStore, schema

APPLICANT = Actor.of("citizen", "applicant")


def test_payments_and_petitions_set_the_flags(tmp_path: Path) -> None:
    catalog = Catalog([parse_procedure(PROCEDURE, "test.yaml")])
    with SqlStore.sqlite(tmp_path / "flags.db") as store:
        engine = Engine(catalog, store=store)
        paid, petitioned, plain = (
            engine.receive("2.000999", "A", "online", at=at(2026, 4, 24, 16, 10)).code
            for _ in range(3)
        )
        engine.fire(
            paid,
            "pay_fee",
            APPLICANT,
            at(2026, 4, 27, 20),
            fee_paid=True,
            method="online",
            gateway="PayGov",
            transaction_id="TX-1",
        )
        engine.fire(petitioned, "record_petition", APPLICANT, at(2026, 4, 27, 20), content="Chậm")
        c = schema.dossiers.c
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(c.code, c.paid_online, c.complained)).all()
        assert {code: (bool(p), bool(k)) for code, p, k in rows} == {
            paid: (True, False),
            petitioned: (False, True),
            plain: (False, False),
        }
