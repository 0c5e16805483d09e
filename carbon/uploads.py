"""Copies of uploaded files, for importers that read paths (DuckDB reads files, not bytes).

Each upload is copied into a private temporary folder whose name carries the importing process's id
(``carbon_<kind>_<pid>_*``), removed when the import ends, kept or refused. A folder left by a
process that died mid-import (a crash, ``kill -9``) is removed at the next start
(``remove_stale``); one of a live process is left alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

#: Folder name prefixes by what is being imported (prescribing, list sizes, theatre records, estates,
#: a DESNZ flat file).
PREFIXES = ("carbon_rx_", "carbon_ls_", "carbon_th_", "carbon_es_", "carbon_dz_")


def folder(prefix: str) -> tempfile.TemporaryDirectory:
    """A private temporary folder for an upload's copy (``with uploads.folder("carbon_rx_") as tmp``)."""
    if prefix not in PREFIXES:
        raise ValueError(f"upload folders are named with one of {', '.join(PREFIXES)}")
    return tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}_", ignore_cleanup_errors=True)


def remove_stale(where: str | Path | None = None) -> list[Path]:
    """Remove upload copies left in the temporary folder by processes that have ended; return them."""
    removed = []
    for path in Path(where or tempfile.gettempdir()).glob("carbon_*_*"):
        if not path.is_dir() or not path.name.startswith(PREFIXES):
            continue
        pid = path.name[len("carbon_rx_"):].split("_", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
