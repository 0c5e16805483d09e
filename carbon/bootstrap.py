"""Start-up in one place: open (or create) the store, migrate it, load the factor library, seed the demos.

The app (``carbon.ui``) and the CLI both start here, so a new machine's first run and every later
one take the same steps:

1. open the DuckDB file (``$CARBON_DB`` or ``data/carbon.duckdb``), creating it if new;
2. apply the schema migrations it has not seen (``carbon/migrations/``);
3. load ``factors/`` into it if the files changed since the last load (content hash);
4. seed the shipped pathway templates and demo scenarios (idempotent; people's own work is never
   touched);
5. remove upload copies that a process killed mid-import left in the temporary folder.

Each step is cheap when there is nothing to do, so calling ``open_store`` on every CLI command costs
a few queries.
"""

from __future__ import annotations

from pathlib import Path

from carbon import factors as fx
from carbon import pathways, scenarios, uploads
from carbon.store import Store, get_store

#: Modules that ship demo content, in the order they are seeded (scenarios may name pathways).
SEEDERS = (pathways.seed_demo, scenarios.seed_demo)


def open_store(path: str | Path | None = None, directory: Path | str | None = None) -> Store:
    """The process-wide store for ``path`` with its schema migrated, the library loaded and the demos seeded.

    ``directory`` is the factor library folder (default ``factors/``, or ``$CARBON_FACTORS_DIR``).
    """
    store = get_store(path)
    fx.sync_library(store, directory or fx.factors_dir())
    for seed in SEEDERS:
        seed(store)
    uploads.remove_stale()
    return store
