"""Fixtures shared by every test package.

PostgreSQL tests read ``TTHC_TEST_POSTGRES_URL`` and are skipped without it, unless
``TTHC_REQUIRE_POSTGRES=1`` (CI), where a missing URL fails. Each test gets its own
PostgreSQL schema (via ``search_path`` in the URL) so parallel runs never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa


def _postgres_base() -> str:
    url = os.environ.get("TTHC_TEST_POSTGRES_URL")
    if not url:
        message = "TTHC_TEST_POSTGRES_URL is not set"
        if os.environ.get("TTHC_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{message} but TTHC_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    base = _postgres_base()
    name = f"tthc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        admin.dispose()
