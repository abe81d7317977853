"""``python -m tthc_flow.store upgrade|verify URL``: create or migrate a schema; audit chains."""

from __future__ import annotations

import argparse
import sys

from tthc_flow.engine import ChainKey
from tthc_flow.errors import ChainKeyError, StoreError
from tthc_flow.store._sql import SqlStore


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 1 broken chain, 2 store error)."""
    parser = argparse.ArgumentParser(prog="python -m tthc_flow.store")
    parser.add_argument("command", choices=["upgrade", "verify"])
    parser.add_argument("url", help="e.g. sqlite:///tthc.db or postgresql+psycopg://...")
    parser.add_argument(
        "--key-file",
        action="append",
        default=[],
        help="verify: the chain key (repeat for old keys); every event must then be keyed",
    )
    args = parser.parse_args(argv)
    try:
        with SqlStore(args.url, create=args.command == "upgrade") as store:
            if args.command == "upgrade":
                print(f"{store.url}: schema is up to date")
                return 0
            keys = [ChainKey.from_file(path) for path in args.key_file] or None
            report = store.verify(keys)
    except (StoreError, ChainKeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{report.dossiers_checked} dossiers, {report.events_checked} events: "
        + ("ok" if report.ok else f"BROKEN ({len(report.problems)} dossiers)")
    )
    if not report.ok:
        print(report.describe(most=100))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
