"""``python -m tthc_flow.store upgrade|verify URL``: create or migrate a schema; audit chains."""

from __future__ import annotations

import argparse
import sys

from tthc_flow.errors import StoreError
from tthc_flow.store._sql import SqlStore


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 broken chain, 2 store error)."""
    parser = argparse.ArgumentParser(prog="python -m tthc_flow.store")
    parser.add_argument("command", choices=["upgrade", "verify"])
    parser.add_argument("url", help="e.g. sqlite:///tthc.db or postgresql+psycopg://...")
    args = parser.parse_args(argv)
    try:
        with SqlStore(args.url, create=args.command == "upgrade") as store:
            if args.command == "upgrade":
                print(f"{store.url}: schema is up to date")
                return 0
            report = store.verify()
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{report.dossiers_checked} dossiers, {report.events_checked} events: "
        + (
            "ok"
            if report.ok
            else f"BROKEN {report.broken_dossier} v{report.broken_version}: {report.reason}"
        )
    )
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
