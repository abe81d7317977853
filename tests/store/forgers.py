"""A forger with write access to the database: rewrites chains consistently, behind the store.

What a DBA or a compromised service account can do: delete and insert event rows keeping
their ``seq`` (and, on PostgreSQL, their transaction id), rewrite the summary row to the
replay of the forged chain, delete a dossier whole, change the day counters. It recomputes
every hash with the public :meth:`Event.create`; it does not hold the chain key. Personal
data kept beside the chain (hash version 4, docs/personal-data.md) it seals again with a
nonce of its own and writes beside the forged rows, as anyone with the library can.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import sqlalchemy as sa

from tthc_flow.engine import ChainKey, Event, replay
from tthc_flow.engine._events import canonical_json
from tthc_flow.engine._fast import copy_frozen
from tthc_flow.engine._personal import MARKER, values_of
from tthc_flow.store import MemoryStore, SqlStore, schema
from tthc_flow.store._rows import event_row, summary_row


def recreate(
    events: list[Event], key: ChainKey | None = None, after: Event | None = None
) -> list[Event]:
    """``events`` made again with Event.create, renumbered from 1 (or after ``after``) and
    chained, every hash recomputed (with ``key`` if given: a forger's own key, not the
    operator's); each keeps its ``seq``."""
    made: list[Event] = []
    prev = after.hash if after is not None else "0" * 64
    first = after.version + 1 if after is not None else 1
    for version, e in enumerate(events, start=first):
        new = Event.create(
            dossier_code=e.dossier_code,
            version=version,
            trigger=e.trigger,
            effect=e.effect,
            from_state=e.from_state,
            to_state=e.to_state,
            actor=e.actor,
            role=e.role,
            at=e.at,
            payload={k: v for k, v in e.payload.items() if k != MARKER},
            prev_hash=prev,
            idempotency_key=e.idempotency_key,
            key=key,
            personal_apart=MARKER in e.payload,
        )
        made.append(copy_frozen(new, {"seq": e.seq}))  # the nonce kept (replace drops it)
        prev = new.hash
    return made


class Forger:
    """Rewrites a store's data behind its back (memory: its dictionaries; SQL: raw rows)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def replace_chain(self, code: str, chain: list[Event], *, naive: bool = False) -> None:
        """Put ``chain`` in place of the dossier's events; events whose ``seq`` is 0 get new
        numbers after every stored one; the summary becomes the chain's replay (``naive``:
        the summary is left as it was, the edit of someone who does not recompute)."""
        if isinstance(self.store, MemoryStore):
            self._memory_replace(code, chain, naive)
        else:
            self._sql_replace(code, chain, naive)

    def delete_dossier(self, code: str) -> None:
        """Remove a dossier whole: its events, its summary row and its timers."""
        if isinstance(self.store, MemoryStore):
            self.store._events.pop(code)
            self.store._dossiers.pop(code)
            self.store._personal.pop(code, None)
            self.store._timers.pop(code, None)
            return
        with self._raw() as conn:
            for table, column in (
                (schema.events, schema.events.c.dossier_code),
                (schema.timers, schema.timers.c.dossier_code),
                (schema.outbox, schema.outbox.c.dossier_code),
                (schema.personal_data, schema.personal_data.c.dossier_code),
                (schema.dossiers, schema.dossiers.c.code),
            ):
                conn.execute(sa.delete(table).where(column == code))

    def set_counter(self, agency: str, day: date, value: int) -> None:
        """Set the last number of the day issued."""
        if isinstance(self.store, MemoryStore):
            self.store._sequences[(agency, day)] = value
            return
        c = schema.day_sequences.c
        with self._raw() as conn:
            conn.execute(
                sa.update(schema.day_sequences)
                .where(c.agency_code == agency, c.day == day)
                .values(value=value)
            )

    # ------------------------------------------------------------------ memory
    def _memory_replace(self, code: str, chain: list[Event], naive: bool) -> None:
        from tthc_flow.store._memory import _row

        store: MemoryStore = self.store
        numbered = []
        for e in chain:
            if not e.seq:
                store._seq += 1
                e = copy_frozen(e, {"seq": store._seq})
            numbered.append(e)
        store._events[code] = tuple(_row(e) for e in numbered)
        store._personal[code] = {
            e.version: (e.personal_nonce, canonical_json(values_of(e.payload)))
            for e in numbered
            if e.personal_nonce
        }
        if not naive:
            store._dossiers[code] = replay(numbered)

    # --------------------------------------------------------------------- SQL
    @contextmanager
    def _raw(self) -> Iterator[sa.Connection]:
        """A transaction on a connection of the forger's own, foreign keys off."""
        engine = sa.create_engine(self.store.engine.url)
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET session_replication_role = replica")
                yield conn
        finally:
            engine.dispose()

    def _sql_replace(self, code: str, chain: list[Event], naive: bool) -> None:
        store: SqlStore = self.store
        e = schema.events
        with self._raw() as conn:
            old = {
                int(seq): int(tx)
                for seq, tx in conn.execute(
                    sa.select(e.c.seq, e.c.tx).where(e.c.dossier_code == code)
                )
            }
            top_seq, top_tx = conn.execute(
                sa.select(sa.func.max(e.c.seq), sa.func.max(e.c.tx))
            ).one()
            conn.execute(sa.delete(e).where(e.c.dossier_code == code))
            pd = schema.personal_data
            conn.execute(sa.delete(pd).where(pd.c.dossier_code == code))
            for event in chain:
                if event.personal_nonce:
                    conn.execute(
                        sa.insert(pd),
                        {
                            "dossier_code": code,
                            "version": event.version,
                            "nonce": event.personal_nonce,
                            "data": canonical_json(values_of(event.payload)),
                        },
                    )
            if not naive:
                conn.execute(sa.delete(schema.dossiers).where(schema.dossiers.c.code == code))
                conn.execute(sa.insert(schema.dossiers), summary_row(replay(chain), store.calendar))
            next_seq = int(top_seq or 0)
            for event in chain:
                row = event_row(event)
                if event.seq:
                    row["seq"], row["tx"] = event.seq, old.get(event.seq, int(top_tx or 0))
                else:
                    next_seq += 1
                    row["seq"], row["tx"] = next_seq, int(top_tx or 0)
                conn.execute(sa.insert(e), row)
            if conn.dialect.name == "postgresql":  # the identity goes on after the forged rows
                conn.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('events', 'seq'), "
                    "(SELECT max(seq) FROM events))"
                )
