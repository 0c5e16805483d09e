"""The DuckDB store: migrations on fresh and older files, reload on change, locks, concurrency."""

import os
import shutil
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from carbon import factors as fx
from carbon.store import Store, migrations


def test_fresh_file_gets_every_migration(tmp_path):
    store = Store(tmp_path / "fresh.duckdb")
    versions = [v for v, _, _ in migrations()]
    assert store.schema_version() == max(versions)
    applied = [r[0] for r in store.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert applied == versions
    assert store.migrate() == []  # nothing left to do


def test_file_from_an_older_schema_is_brought_up_to_date(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # a file written by the first release: migration 001 only
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
    version, name, sql = migrations()[0]
    con.execute(sql)
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
    con.execute("INSERT INTO factor_override (factor_id, value, low, high, reason, who) "
                "VALUES ('car_petrol_average', 0.2, 0.2, 0.2, 'fleet audit', 'alice')")
    con.close()
    store = Store(path)
    assert store.schema_version() == max(v for v, _, _ in migrations())
    # the old file's data survives the migration
    assert store.execute("SELECT who FROM factor_override").fetchone()[0] == "alice"


def test_library_reloads_only_when_the_files_change(tmp_path, fixture_library):
    store = Store(tmp_path / "lib.duckdb")
    assert fx.sync_library(store, fixture_library) is True
    assert fx.sync_library(store, fixture_library) is False
    fx.set_override(store, "ventolin_accuhaler", 0.6, "supplier figure", "alice")
    items = fixture_library / "items.csv"
    items.write_text(items.read_text().replace("0.583,0.5,0.7", "0.59,0.5,0.7"))
    assert fx.sync_library(store, fixture_library) is True
    assert store.execute("SELECT value FROM factor WHERE id = 'ventolin_accuhaler'").fetchone()[0] == 0.59
    # the override is kept apart from the shipped rows and survives the reload
    assert fx.library(store).quantity("ventolin_accuhaler").value.magnitude == pytest.approx(0.6)


def test_a_bad_library_loads_nothing(tmp_path, fixture_library):
    store = Store(tmp_path / "lib.duckdb")
    fx.sync_library(store, fixture_library)
    items = fixture_library / "items.csv"
    items.write_text(items.read_text().replace("UK,desnz,", "UK,nobody,"))
    with pytest.raises(fx.LibraryError):
        fx.sync_library(store, fixture_library)
    assert store.execute("SELECT count(*) FROM factor").fetchone()[0] == 9  # the old library is intact


def _in_other_process(code: str, path, wait: float, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARBON_DB_WAIT": str(wait)}
    return subprocess.run([sys.executable, "-c", code % {"path": str(path)}], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_a_second_process_gets_a_clear_message_when_the_file_stays_locked(tmp_path):
    path = tmp_path / "locked.duckdb"
    holder = Store(path)  # this thread keeps its lease, as a long command would
    code = "from carbon.store import Store, StoreLockedError\n" \
           "try:\n    Store(r'%(path)s')\nexcept StoreLockedError as e:\n    print(e)\n"
    out = _in_other_process(code, path, wait=1)
    assert "stayed in use by another process for 1 s" in out.stdout, out.stderr
    assert not list(tmp_path.glob("locked.duckdb.waiting-*"))  # the waiting marker is cleaned up
    holder.close()


def test_the_file_is_free_once_no_thread_holds_it(tmp_path):
    """The app's pattern: a rerun takes the file and gives it back; a command then opens it at once."""
    path = tmp_path / "shared.duckdb"
    store = Store(path)
    store.execute("CREATE TABLE note (text VARCHAR)")
    store.release()
    assert not store.is_open()
    code = "from carbon.store import Store\ns = Store(r'%(path)s')\n" \
           "with s.transaction() as cur:\n    cur.execute(\"INSERT INTO note VALUES ('from the CLI')\")\nprint('ok')"
    out = _in_other_process(code, path, wait=0)  # no waiting allowed: the file must be free now
    assert out.stdout.strip() == "ok", out.stderr
    # the next "rerun" opens the file again and sees the other process's write
    assert store.execute("SELECT text FROM note").fetchall() == [("from the CLI",)]
    assert store.opened == 2
    store.close()


def test_a_command_waits_for_the_app_and_then_writes(tmp_path):
    """A write from another process while this one holds the file completes once it is let go."""
    path = tmp_path / "busy.duckdb"
    store = Store(path)
    store.execute("CREATE TABLE note (text VARCHAR)")
    code = "import time\nfrom carbon.store import Store\nt = time.monotonic()\ns = Store(r'%(path)s')\n" \
           "s.execute(\"INSERT INTO note VALUES ('late')\")\nprint(round(time.monotonic() - t, 1))"
    env = {**os.environ, "CARBON_DB_WAIT": "20"}
    proc = subprocess.Popen([sys.executable, "-c", code % {"path": str(path)}], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob("busy.duckdb.waiting-*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # the other process says it is waiting
    assert list(tmp_path.glob("busy.duckdb.waiting-*"))
    store.release()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert store.execute("SELECT text FROM note").fetchall() == [("late",)]
    store.close()


def test_a_thread_that_ends_without_releasing_is_reaped(tmp_path):
    store = Store(tmp_path / "reap.duckdb")
    store.release()
    worker = threading.Thread(target=lambda: store.execute("SELECT 42").fetchone())
    worker.start(), worker.join()
    assert store.is_open()  # the worker's lease outlived it ...
    deadline = time.monotonic() + 10
    while store.is_open() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not store.is_open()  # ... until the janitor saw the thread had ended


def test_a_polite_store_lets_a_waiting_process_in_before_new_work(tmp_path):
    """The app yields: while a command waits, a new session's rerun waits for it rather than starving it."""
    path = tmp_path / "fair.duckdb"
    store = Store(path)
    store.execute("CREATE SEQUENCE log_n")
    store.execute("CREATE TABLE log (n INTEGER DEFAULT nextval('log_n'), who VARCHAR)")
    store.yield_to_others = True
    code = "import time\nfrom carbon.store import Store\ns = Store(r'%(path)s')\n" \
           "s.execute(\"INSERT INTO log (who) VALUES ('command')\")\ntime.sleep(0.5)"
    env = {**os.environ, "CARBON_DB_WAIT": "20"}
    proc = subprocess.Popen([sys.executable, "-c", code % {"path": str(path)}], env=env)
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob("fair.duckdb.waiting-*")) and time.monotonic() < deadline:
        time.sleep(0.05)

    def new_session():  # a second browser session starting a rerun while the command waits
        store.execute("INSERT INTO log (who) VALUES ('session')")
        store.release()

    other = threading.Thread(target=new_session)
    other.start()
    time.sleep(0.3)
    store.release()  # the first session's rerun ends: the file goes to the command, then the new session
    other.join(timeout=30)
    assert proc.wait(timeout=30) == 0
    order = [r[0] for r in store.execute("SELECT who FROM log ORDER BY n").fetchall()]
    assert order == ["command", "session"]
    store.close()


def test_a_job_keeps_its_temporary_tables_until_released(tmp_path):
    """A multi-statement job (a prescribing import stages files in temp tables) keeps one cursor."""
    store = Store(tmp_path / "job.duckdb")
    cur = store.cursor()
    cur.execute("CREATE TEMP TABLE staged AS SELECT range AS n FROM range(5)")
    assert store.cursor() is cur
    assert store.execute("SELECT sum(n) FROM staged").fetchone()[0] == 10
    store.release()
    with pytest.raises(duckdb.CatalogException):
        store.execute("SELECT * FROM staged")  # a new lease is a new cursor: the temp table went with the old one
    store.close()


def test_two_sessions_saving_at_once_both_keep_their_work(store):
    """Streamlit sessions are threads of one process: both threads' overrides must be kept."""
    barrier = threading.Barrier(2)
    errors = []

    def save(fid, value, who):
        try:
            barrier.wait()
            for i in range(10):
                fx.set_override(store, fid, value + i, f"session of {who}", who)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t1 = threading.Thread(target=save, args=("car_petrol_average", 0.2, "alice"))
    t2 = threading.Thread(target=save, args=("rail_national", 0.05, "bob"))
    t1.start(), t2.start(), t1.join(), t2.join()
    assert errors == []
    hist = fx.override_history(store)
    assert (hist["who"] == "alice").sum() == 10 and (hist["who"] == "bob").sum() == 10
    lib = fx.library(store)
    assert lib.quantity("car_petrol_average").value.magnitude == pytest.approx(0.2 + 9)
    assert lib.quantity("rail_national").value.magnitude == pytest.approx(0.05 + 9)


def test_store_copies_are_independent(seeded_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(seeded_db, copy)
    assert Store(copy).execute("SELECT count(*) FROM factor").fetchone()[0] > 100
