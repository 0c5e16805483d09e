"""The DuckDB store: migrations on fresh and older files, reload on change, locks, concurrency."""

import shutil
import subprocess
import sys
import threading

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


def test_a_second_process_gets_a_clear_message_when_the_file_is_locked(tmp_path):
    path = tmp_path / "locked.duckdb"
    holder = Store(path)  # this process holds the file
    code = "from carbon.store import Store, StoreLockedError\n" \
           "try:\n    Store(r'%s')\nexcept StoreLockedError as e:\n    print(e)\n" % path
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "in use by another process" in out.stdout, out.stderr
    holder.close()


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
