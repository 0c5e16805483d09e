"""Shared fixtures: a real DuckDB file seeded with the real factor library, per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from carbon import bootstrap
from carbon import factors as fx
from carbon.store import Store

DATA = Path(__file__).parent / "data"
FIXTURE_LIBRARY = DATA / "library"


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    """A database file with every migration applied and the shipped library loaded (built once)."""
    path = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    store = Store(path)
    fx.sync_library(store, fx.FACTORS_DIR)
    store.close()
    return path


@pytest.fixture
def db_path(seeded_db, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the seeded database for this test, also set as $CARBON_DB."""
    path = tmp_path / "carbon.duckdb"
    shutil.copy(seeded_db, path)
    monkeypatch.setenv("CARBON_DB", str(path))
    monkeypatch.delenv("CARBON_FACTORS_DIR", raising=False)
    return path


@pytest.fixture
def store(db_path) -> Store:
    """The process-wide store on this test's database, library loaded."""
    return bootstrap.open_store(db_path)


@pytest.fixture
def lib(store) -> fx.Library:
    return fx.library(store)


@pytest.fixture
def fixture_library(tmp_path) -> Path:
    """A writable copy of the small hand-made library in tests/data/library."""
    dest = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, dest)
    return dest
