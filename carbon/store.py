"""The DuckDB store: one file, numbered migrations, a connection held only while work is going on.

DuckDB lets one process at a time open a file for writing, and no other process may even read it
meanwhile (its documentation: "each process could acquire a cross-process mutex lock, then open
the database in read/write mode and close it when the query is complete", or retry the connection
while another process holds it). So the file is opened when a thread first needs it and closed
again as soon as no thread of this process holds it:

- Each thread that uses the store takes a *lease*: its own cursor on the process's one connection.
  The first lease opens the file, the last one released closes it, so between two page reruns the
  file is free for the ``carbon`` command. The app releases its thread's lease at the end of every
  rerun (``Store.release``, called by app.py); a thread that dies without releasing is reaped.
  A terminal command or a test keeps its lease until it ends.
- Opening a file another process holds is retried for up to ``wait`` seconds ($CARBON_DB_WAIT,
  default 60) before ``StoreLockedError`` says so in words. A process that is kept waiting leaves
  a marker beside the file (``carbon.duckdb.waiting-PID``); a store with ``yield_to_others`` set
  (the app's) takes no new lease while such a marker is there, so a busy app cannot starve a
  command of the file.
- Writers in this process (every browser session is a thread) are serialised by a lock inside
  ``Store.transaction()``, so two people saving at the same moment both keep their work.

``guard``, when set (by the app), is called with what a transaction needs (``"edit"`` or
``"admin"``) before it starts and raises if the person the current thread works for may not:
roles are enforced where the writes happen, not only by the buttons a page shows.

Migrations are files ``carbon/migrations/NNN_name.sql``; the versions applied are recorded in
``schema_migrations`` and start-up applies the missing ones in order.
"""

from __future__ import annotations

import atexit
import os
import re
import threading
import time
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb

PROJECT_DIR = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ENV_VAR = "CARBON_DB"
WAIT_ENV_VAR = "CARBON_DB_WAIT"
DEFAULT_PATH = PROJECT_DIR / "data" / "carbon.duckdb"
DEFAULT_WAIT_S = 60.0
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_JANITOR_S = 0.5  # how often a dead thread's lease is looked for while the file is open

#: Called once with a sentence when a process starts waiting for the file (the CLI prints it).
wait_notice: Callable[[str], None] | None = None


class StoreLockedError(RuntimeError):
    """The database file stayed held by another process for longer than the store waits."""


def db_path() -> Path:
    """Where the store lives: ``$CARBON_DB`` if set, else ``data/carbon.duckdb`` in the project."""
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env).expanduser() if env else DEFAULT_PATH


def default_wait() -> float:
    """Seconds to wait for a file another process holds: ``$CARBON_DB_WAIT``, else 60."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV_VAR, "") or DEFAULT_WAIT_S))
    except ValueError:
        return DEFAULT_WAIT_S


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


class _Lease:
    __slots__ = ("thread", "cursor")

    def __init__(self, thread: threading.Thread, cursor: duckdb.DuckDBPyConnection):
        self.thread = thread
        self.cursor = cursor


class Store:
    """A DuckDB database file with its schema up to date, opened while threads of this process use it."""

    def __init__(self, path: str | Path | None = None, read_only: bool = False, wait: float | None = None):
        self.path = Path(path) if path is not None else db_path()
        self.read_only = read_only
        self.wait = default_wait() if wait is None else float(wait)
        self.guard: Callable[[str], None] | None = None
        self.yield_to_others = False
        self.opened = 0  # times the file was opened by this store (the cost of sharing it, for tests)
        self._memory = str(self.path) == ":memory:"  # nothing to share, and closing would lose it
        if not self._memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._state = threading.Condition(threading.RLock())
        self._con: duckdb.DuckDBPyConnection | None = None
        self._leases: dict[threading.Thread, _Lease] = {}
        self._write_lock = threading.RLock()
        self._lease()
        if not read_only:
            self.migrate()

    # -- connections -------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor, open until the thread calls ``release()`` (or ends)."""
        return self._lease().cursor

    def execute(self, sql: str, params: list | tuple | dict | None = None):
        """Run one statement on this thread's cursor (parameters always bound, never spliced)."""
        cur = self._lease().cursor
        return cur.execute(sql, params) if params is not None else cur.execute(sql)

    def df(self, sql: str, params: list | tuple | dict | None = None):
        """A query's result as a pandas DataFrame."""
        return self.execute(sql, params).df()

    def is_open(self) -> bool:
        """Whether this process holds the file now."""
        return self._con is not None

    def release(self) -> None:
        """Give back this thread's cursor; the file is closed when no thread of this process holds it."""
        with self._state:
            self._drop(self._leases.pop(threading.current_thread(), None))
            self._close_if_idle()

    @contextmanager
    def session(self) -> Iterator["Store"]:
        """Hold the file for a piece of work; released at the end unless the thread held it before."""
        held = threading.current_thread() in self._leases
        self._lease()
        try:
            yield self
        finally:
            if not held:
                self.release()

    def _lease(self) -> _Lease:
        me = threading.current_thread()
        lease = self._leases.get(me)
        if lease is not None:
            return lease
        with self._state:
            self._reap()
            if self.yield_to_others and self._con is not None:
                self._let_waiting_process_in()
            if self._con is None:
                self._con = self._connect()
                self.opened += 1
                if not self._memory:
                    _watch(self)
            lease = _Lease(me, self._con.cursor())
            self._leases[me] = lease
            return lease

    def _let_waiting_process_in(self) -> None:
        """While another process waits for the file, start no new work until this one's is done."""
        deadline = time.monotonic() + self.wait
        while self._con is not None and self._others_waiting() and time.monotonic() < deadline:
            self._state.wait(timeout=0.05)
            self._reap()
            self._close_if_idle()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """Open the file, waiting (up to ``wait`` seconds) while another process holds it."""
        deadline = time.monotonic() + self.wait
        marker = None
        delay = 0.02
        try:
            while True:
                if not (self.yield_to_others and self._others_waiting()):
                    try:
                        return duckdb.connect(str(self.path), read_only=self.read_only)
                    except duckdb.IOException as exc:
                        if "lock" not in str(exc).lower():
                            raise
                if time.monotonic() >= deadline:
                    raise StoreLockedError(
                        f"the database {self.path} stayed in use by another process for {self.wait:.0f} s "
                        "(a long import?); try again when it has finished, or set "
                        f"{WAIT_ENV_VAR} to wait longer") from None
                if marker is None and not self.yield_to_others:
                    marker = self._mark_waiting()
                time.sleep(delay)
                delay = min(delay * 1.5, 0.2)
        finally:
            if marker is not None:
                marker.unlink(missing_ok=True)

    def _mark_waiting(self) -> Path:
        marker = self.path.with_name(f"{self.path.name}.waiting-{os.getpid()}")
        try:
            marker.touch()
        except OSError:
            pass
        if wait_notice is not None:
            wait_notice(f"the database {self.path.name} is in use (the app, or another command); "
                        f"waiting for it (up to {self.wait:.0f} s)…")
        return marker

    def _others_waiting(self) -> bool:
        """Whether a live process (other than this one) has said it is waiting for the file."""
        if self._memory:
            return False
        mine = os.getpid()
        for marker in self.path.parent.glob(f"{self.path.name}.waiting-*"):
            try:
                pid = int(marker.name.rsplit("-", 1)[1])
            except ValueError:
                continue
            if pid == mine:
                continue
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                marker.unlink(missing_ok=True)  # left by a command that was killed while waiting
                continue
            except PermissionError:
                pass
            if time.time() - marker.stat().st_mtime < 2 * max(self.wait, DEFAULT_WAIT_S):
                return True
        return False

    def _reap(self) -> None:
        """Drop the leases of threads that ended without releasing them."""
        for thread in [t for t in self._leases if not t.is_alive()]:
            self._drop(self._leases.pop(thread))

    def _close_if_idle(self) -> None:
        if not self._leases and self._con is not None and not self._memory:
            con, self._con = self._con, None
            con.close()
        self._state.notify_all()

    def _tidy(self) -> None:
        """Reap dead threads' leases and close the file if nobody holds it (the janitor's round)."""
        with self._state:
            self._reap()
            self._close_if_idle()

    @staticmethod
    def _drop(lease: _Lease | None) -> None:
        if lease is not None:
            try:
                lease.cursor.close()  # an unfinished transaction on it is rolled back
            except duckdb.Error:
                pass

    @contextmanager
    def transaction(self, needs: str = "edit") -> Iterator[duckdb.DuckDBPyConnection]:
        """An explicit write transaction on this thread's cursor.

        ``needs`` is what the write asks of the person it is done for (``"edit"``; ``"admin"`` to
        delete or to change a factor), checked by ``guard`` when the app has set one.

        DuckDB's optimistic concurrency makes two transactions that touch the same rows conflict
        at commit, and the loser's work would be lost. Writers in this process (every browser
        session) are therefore serialised by a lock: each save commits whole, one after the other.
        """
        if self.guard is not None:
            self.guard(needs)
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
        """Give back every thread's cursor and close the file (it opens again if used again)."""
        with self._state:
            for thread in list(self._leases):
                self._drop(self._leases.pop(thread))
            if self._con is not None:
                con, self._con = self._con, None
                con.close()
            self._state.notify_all()


def _rollback(cur) -> None:
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _statements(sql: str) -> list[str]:
    """Split a migration file on semicolons at line ends (migrations hold no procedural code)."""
    lines = [ln for ln in sql.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", "\n".join(lines)) if s.strip()]


_watched: "weakref.WeakSet[Store]" = weakref.WeakSet()
_watch_lock = threading.Lock()
_janitor: threading.Thread | None = None


def _watch(store: Store) -> None:
    """Have the process's one janitor thread look after ``store`` while its file is open."""
    global _janitor
    with _watch_lock:
        _watched.add(store)
        if _janitor is None or not _janitor.is_alive():
            _janitor = threading.Thread(target=_janitor_rounds, name="carbon-store-janitor", daemon=True)
            _janitor.start()


def _janitor_rounds() -> None:
    while True:
        time.sleep(_JANITOR_S)
        for store in _watching():
            store._tidy()
            if not store.is_open():
                with _watch_lock:
                    _watched.discard(store)


def _watching() -> list[Store]:
    """The stores watched now, copied under the lock: a WeakSet cannot be read while another thread adds to it
    (the janitor thread once died so, in a test run, with "Set changed size during iteration")."""
    with _watch_lock:
        return list(_watched)


@atexit.register
def _close_all() -> None:
    """Close every open file when the process ends (a command's last write is checkpointed)."""
    for store in _watching() + list(_stores.values()):
        store.close()


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def get_store(path: str | Path | None = None) -> Store:
    """The process-wide Store for ``path`` (default: ``db_path()``), created once."""
    key = str(Path(path) if path is not None else db_path())
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = Store(key)
            _stores[key] = store
        return store
