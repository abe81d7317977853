"""``tthc scheduler``: fire due timers in a loop, for deployments without a scheduler of
their own (cron, Celery beat, a Kubernetes CronJob can call ``--once`` instead)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from tthc_flow._cli_errors import one_line_errors
from tthc_flow._time import VN_TZ

_PAGE = 500  # timers read per query


def _store(db: str) -> Any:
    from tthc_flow.store import SqlStore

    if "://" in db:
        return SqlStore(db, create=False)
    return SqlStore.sqlite(Path(db), create=False)


@click.command()
@click.option("--db", required=True, help="A database URL, or the path of a SQLite file.")
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(exists=True, path_type=Path),
    required=True,
    help="The procedure catalog the service runs (closures are commands of the engine).",
)
@click.option(
    "--every",
    type=click.FloatRange(min=0.1, max=86_400),
    default=60.0,
    show_default=True,
    help="Seconds between rounds.",
)
@click.option("--once", is_flag=True, help="Run one round and exit.")
@click.option("--rounds", type=click.IntRange(min=1), help="Stop after this many rounds.")
def scheduler(db: str, catalog_path: Path, every: float, once: bool, rounds: int | None) -> None:
    """Fire every due timer (reminders to the outbox, closures of unsupplemented dossiers),
    each exactly once even when several schedulers run; one line per round."""
    from tthc_flow.engine import Engine
    from tthc_flow.procedure import load_catalog

    with one_line_errors():
        engine = Engine(load_catalog(catalog_path), store=_store(db))
        done = 0
        limit = 1 if once else rounds
        try:
            while limit is None or done < limit:
                now = datetime.now(VN_TZ)
                fired = []
                while True:  # drain what is due now, a page at a time
                    page = engine.run_due(now, limit=_PAGE)
                    fired += page
                    if len(page) < _PAGE:
                        break
                click.echo(f"{now.isoformat(timespec='seconds')}: {len(fired)} timer(s) fired")
                done += 1
                if limit is None or done < limit:
                    time.sleep(every)
        except KeyboardInterrupt:
            click.echo("stopped")
        finally:
            engine.store.close()  # type: ignore[attr-defined]
