"""``python -m tthc_flow.procedure [--check] [--reference PATH]``: regenerate the shipped JSON
Schema and docs/yaml-reference.md from the models (see :mod:`tthc_flow.procedure._schema`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tthc_flow.procedure._schema import write_generated


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or check) the generated files; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m tthc_flow.procedure", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument(
        "--reference",
        type=Path,
        default=Path("docs/yaml-reference.md"),
        help="where the YAML reference goes (default: docs/yaml-reference.md)",
    )
    args = parser.parse_args(argv)
    stale = write_generated(args.reference, check=args.check)
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
