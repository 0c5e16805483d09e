"""The DuckDB store: one file, numbered migrations, one connection per process.

Streamlit runs each browser session as a thread of one process, so the process holds a single
DuckDB connection and every thread works through a cursor of its own. Writes go through
``Store.transaction()``, which retries a write-write conflict so that two people saving at the
same moment both keep their work. A second process that finds the file locked gets
``StoreLockedError`` with a plain message rather than DuckDB's.

Migrations are files ``carbon/migrations/NNN_name.sql``; the versions applied are recorded in
``schema_migrations`` and start-up applies the missing ones in order.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ENV_VAR = "CARBON_DB"
DEFAULT_PATH = PROJECT_DIR / "data" / "carbon.duckdb"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class StoreLockedError(RuntimeError):
    """The database file is held by another process."""


def db_path() -> Path:
    """Where the store lives: ``$CARBON_DB`` if set, else ``data/carbon.duckdb`` in the project."""
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env).expanduser() if env else DEFAULT_PATH


def migrations() -> list[tuple[int, str, str]]:
    """All migration files as ``(version, name, sql)``, in order; duplicate versions are an error."""
    found: dict[int, tuple[int, str, str]] = {}
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise RuntimeError(f"migration file {path.name} must be named NNN_name.sql")
        version = int(m.group(1))
        if version in found:
            raise RuntimeError(f"two migrations share version {version:03d}: {path.name}")
        found[version] = (version, m.group(2), path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


class Store:
    """A DuckDB database file with its schema up to date."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False):
        self.path = Path(path) if path is not None else db_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"the database {self.path} is in use by another process "
                    "(is the app running?); stop it or set CARBON_DB to another file"
                ) from None
            raise
        self._local = threading.local()
        self._write_lock = threading.RLock()
        if not read_only:
            self.migrate()

    # -- connections -------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the process-wide connection."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def execute(self, sql: str, params: list | tuple | dict | None = None):
        """Run one statement on this thread's cursor (parameters always bound, never spliced)."""
        return self.cursor().execute(sql, params) if params is not None else self.cursor().execute(sql)

    def df(self, sql: str, params: list | tuple | dict | None = None):
        """A query's result as a pandas DataFrame."""
        return self.execute(sql, params).df()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An explicit write transaction on this thread's cursor.

        DuckDB's optimistic concurrency makes two transactions that touch the same rows conflict
        at commit, and the loser's work would be lost. Writers in this process (every browser
        session) are therefore serialised by a lock: each save commits whole, one after the other.
        """
        cur = self.cursor()
        with self._write_lock:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                _rollback(cur)
                raise

    # -- schema ------------------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply the migrations this file has not seen; return the versions applied."""
        cur = self.cursor()
        with self._write_lock:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
            )
            done = {row[0] for row in cur.execute("SELECT version FROM schema_migrations").fetchall()}
            applied = []
            for version, name, sql in migrations():
                if version in done:
                    continue
                cur.execute("BEGIN TRANSACTION")
                try:
                    for statement in _statements(sql):
                        cur.execute(statement)
                    cur.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name]
                    )
                    cur.execute("COMMIT")
                except BaseException:
                    _rollback(cur)
                    raise
                applied.append(version)
        return applied

    def schema_version(self) -> int:
        row = self.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def close(self) -> None:
        self._con.close()


def _rollback(cur) -> None:
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _statements(sql: str) -> list[str]:
    """Split a migration file on semicolons at line ends (migrations hold no procedural code)."""
    lines = [ln for ln in sql.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", "\n".join(lines)) if s.strip()]


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def get_store(path: str | Path | None = None) -> Store:
    """The process-wide Store for ``path`` (default: ``db_path()``), opened once."""
    key = str(Path(path) if path is not None else db_path())
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = Store(key)
            _stores[key] = store
        return store
