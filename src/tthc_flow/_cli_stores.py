"""How the ``tthc`` commands open a database they are given (shared by every command module)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def open_read_only(db: Path) -> Any:
    """The store of a SQLite file, opened for reading only: the commands that read a file
    they are given never write to it (a wrong file, e.g. an empty one, stays as it was), and
    a read-only archived copy can be audited."""
    from sqlalchemy import make_url

    from tthc_flow.errors import StoreError
    from tthc_flow.store import SqlStore
    from tthc_flow.store._engine import read_only_url

    url = read_only_url(db)
    try:
        return SqlStore(url, create=False)
    except StoreError as error:  # name the file as the user gave it, not the read-only URI
        shown = make_url(url).render_as_string(hide_password=True)
        raise type(error)(str(error).replace(shown, f"sqlite:///{db}")) from None
