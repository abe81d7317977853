"""The ``tthc`` command's entry point: says which extra to install when the CLI's packages
(click, rich) are missing, instead of a traceback from the console script."""

from __future__ import annotations

import sys

MISSING_CLI_EXIT = 1
"""Exit code when the ``cli`` extra is not installed (docs/cli.md, "Exit codes")."""


def main() -> None:
    """Run ``tthc`` (:func:`tthc_flow.cli.main`) if click and rich are installed."""
    try:
        import click  # noqa: F401
        import rich  # noqa: F401
    except ImportError as error:
        print(
            f"error: the tthc command needs {error.name or 'click and rich'}: "
            "pip install 'tthc_flow[cli]'",
            file=sys.stderr,
        )
        sys.exit(MISSING_CLI_EXIT)
    from tthc_flow.cli import main as run

    run()


if __name__ == "__main__":
    main()
