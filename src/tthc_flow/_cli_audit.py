"""``tthc anchor``, ``tthc chain-export`` and ``tthc verify``: tamper evidence from the shell.

Exit codes as every command's (0 done, 1 bad input, 2 bad command line), plus 3 from
``verify``: the files were read and something does not verify (docs/cli.md).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tthc_flow._cli_errors import one_line_errors

TAMPERED = 3
"""``tthc verify``'s exit code when a chain, the day numbers or the anchor do not verify."""

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUT = click.Path(dir_okay=False, writable=True, path_type=Path)


def _store(db: str) -> Any:
    """A database URL (PostgreSQL: ``postgresql+psycopg://...``), opened as it is, or a
    SQLite file, opened read-only."""
    from tthc_flow._cli_stores import open_read_only

    if "://" in db:
        from tthc_flow.store import SqlStore

        return SqlStore(db, create=False)
    return open_read_only(Path(db))


def _database(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--db``: a URL, or a SQLite file that exists (not a folder)."""
    if value is None or "://" in value:
        return value
    try:
        found = Path(value).is_file()
    except (OSError, ValueError):  # a NUL in the path, a name too long
        found = False
    if not found:
        raise click.BadParameter(f"{value!r}: no such file (or a folder)", ctx, param)
    return value


_DB_HELP = "A SQLite file (opened read-only) or a database URL."


@click.command()
@click.option("--db", required=True, callback=_database, help=_DB_HELP)
@click.option("--out", type=_OUT, help="Write the anchor to this file (default: stdout).")
def anchor(db: str, out: Path | None) -> None:
    """Print the store's anchor (events, digest, position, time) to keep outside it."""
    from tthc_flow.audit import take_anchor

    with one_line_errors():
        taken = take_anchor(_store(db))
        if out is None:
            click.echo(taken.to_json())
            return
        click.echo(str(taken.save(out)))


@click.command("chain-export")
@click.option("--db", required=True, callback=_database, help=_DB_HELP)
@click.option("--out", type=_OUT, help="The export file (default: stdout).")
def chain_export(db: str, out: Path | None) -> None:
    """Export every event with every hashed field, for `tthc verify --export`."""
    from tthc_flow.audit import save_export, write_export

    with one_line_errors():
        store = _store(db)
        if out is None:
            write_export(store, sys.stdout)
            return
        taken = save_export(store, out)
    click.echo(f"{out}: {taken.events} events, root {taken.root}")


@click.command()
@click.option("--db", callback=_database, help=_DB_HELP)
@click.option("--export", "export_file", type=_FILE, help="A chain export to audit offline.")
@click.option("--anchor", "anchor_file", type=_FILE, help="An anchor saved earlier.")
@click.option(
    "--key-file",
    "key_files",
    type=_FILE,
    multiple=True,
    help="The chain key (repeat for old keys after a rotation); every event must be keyed.",
)
@click.option(
    "--unkeyed-through",
    type=click.IntRange(min=0),
    help="With --key-file: events up to this seq were written before the key and may be unkeyed.",
)
def verify(
    db: str | None,
    export_file: Path | None,
    anchor_file: Path | None,
    key_files: tuple[Path, ...],
    unkeyed_through: int | None,
) -> None:
    """Audit a store or an export: every chain, the day numbers and the anchor.

    Exit 0 when everything verifies, 3 when something does not (each problem is printed).
    """
    from tthc_flow.audit import Anchor, audit_export, audit_store
    from tthc_flow.engine import ChainKey

    if (db is None) == (export_file is None):
        raise click.UsageError("give exactly one of --db FILE and --export FILE")
    if unkeyed_through is not None and not key_files:
        raise click.UsageError("--unkeyed-through needs --key-file")
    with one_line_errors():
        keys = [ChainKey.from_file(path) for path in key_files] or None
        saved = Anchor.load(anchor_file) if anchor_file is not None else None
        if export_file is not None:
            report = audit_export(
                export_file, key=keys, anchor=saved, unkeyed_through=unkeyed_through
            )
        else:
            assert db is not None
            report = audit_store(
                _store(db), key=keys, anchor=saved, unkeyed_through=unkeyed_through
            )
    click.echo(report.describe())
    if not report.ok:
        sys.exit(TAMPERED)
