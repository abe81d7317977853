"""How the ``tthc`` commands report a failure: one line on stderr and exit code 1, never a
traceback (docs/cli.md, "Exit codes"). Shared by every command module."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from tthc_flow.errors import InputError, TthcError


def fail(error: Exception) -> NoReturn:
    """Print a library error the way a user can act on it, and exit 1."""
    if isinstance(error, InputError):
        for problem in error.problems:
            click.echo(str(problem), err=True)
    else:
        click.echo(f"error: {error}", err=True)
    sys.exit(1)


EXTRAS = {"openpyxl": "excel", "matplotlib": "plot", "psycopg": "postgres", "numpy": "sim"}
"""Optional packages and the extra that installs them."""


def missing_hint(error: ImportError) -> str:
    """A missing optional package, with the command that installs it."""
    extra = EXTRAS.get((error.name or "").split(".")[0])
    return f"{error} (pip install 'tthc_flow[{extra}]')" if extra else str(error)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Library errors, files that cannot be read or written and missing optional packages
    become one line on stderr and exit code 1."""
    try:
        yield
    except TthcError as error:
        fail(error)
    except ImportError as error:  # an optional extra (matplotlib, openpyxl) is not installed
        click.echo(f"error: {missing_hint(error)}", err=True)
        sys.exit(1)
    except OSError as error:  # --out in a missing folder, a full disk, no permission
        where = f"{error.filename}: " if error.filename else ""
        click.echo(f"error: {where}{error.strerror or error}", err=True)
        sys.exit(1)
