"""PostgreSQL databases for tests, on the server `REVIEWWATCH_TEST_DATABASE_URL` names.

The URL is a maintenance connection (e.g. postgresql://postgres@127.0.0.1:55432/postgres);
each test gets a database of its own, copied (`CREATE DATABASE ... TEMPLATE`) from one
migrated once per session (per xdist worker), and dropped after it.

Without the URL, the PostgreSQL half of the storage and alert tests is skipped, loudly (the
summary says how many); with `REVIEWWATCH_REQUIRE_POSTGRES=1` (CI) a missing server fails
them instead.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest

URL_VARIABLE = "REVIEWWATCH_TEST_DATABASE_URL"
REQUIRE_VARIABLE = "REVIEWWATCH_REQUIRE_POSTGRES"
SKIP_REASON = f"PostgreSQL tests SKIPPED: no server given (set {URL_VARIABLE}=postgresql://...)"
# The test folders whose tests run on both engines (those using the shared `store` fixture).
BOTH_ENGINES = ("tests/storage/", "tests/bot/alerts/", "tests/instances/")


def server_url() -> str | None:
    return os.environ.get(URL_VARIABLE) or None


def skip_or_fail() -> None:
    """No server: skip, or fail where one is required (CI)."""
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{URL_VARIABLE} is not set but {REQUIRE_VARIABLE}=1: PostgreSQL tests must run here")
    pytest.skip(SKIP_REASON)


def database_url(server: str, name: str) -> str:
    """`server`'s URL (postgresql://...) with the database `name`."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


class PgDatabases:
    """A migrated template database on the server; fresh copies of it; dropping them."""

    def __init__(self, server: str) -> None:
        from storage.db import open_store

        self.server = server
        self.prefix = f"rwtest_{uuid.uuid4().hex[:10]}"
        self.template = f"{self.prefix}_migrated"
        self._admin(f'CREATE DATABASE "{self.template}"')
        open_store(database_url(server, self.template)).close()
        self._count = 0

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement.encode())

    def new_url(self) -> str:
        """A URL to a new database holding the migrated schema."""
        self._count += 1
        name = f"{self.prefix}_{self._count}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return database_url(self.server, name)

    def empty_url(self) -> str:
        """A URL to a new, empty database (no schema)."""
        self._count += 1
        name = f"{self.prefix}_{self._count}"
        self._admin(f'CREATE DATABASE "{name}"')
        return database_url(self.server, name)

    def drop(self, url: str) -> None:
        import psycopg

        name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


def wants_both_engines(nodeid: str, fixturenames: Any) -> bool:
    return nodeid.startswith(BOTH_ENGINES) and "store" in fixturenames
