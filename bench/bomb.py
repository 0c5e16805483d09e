"""The memory bound on a compression bomb: a 3 MB gzip that expands to gigabytes, given to every importer.

Writes ``bench/out/bomb_3mb.csv.gz`` once (the PHS header, one of its rows and then empty lines
until ``--expanded`` bytes, 3 GiB by default, gzip level 9: about 1,000 to 1, so 3 MB, as issue 11 found),
then imports it in a fresh process per importer (prescribing, list sizes, the estates template,
a theatre case log, the DESNZ flat file) and prints each one's error, its wall seconds and its
peak memory (``ru_maxrss`` of the child, from ``os.wait4``). Not a test: it writes gigabytes'
worth of work, and memory is the machine's.

Usage::

    python bench/bomb.py                     # about 3 GiB expanded
    python bench/bomb.py --expanded 8589934592
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PHS = ROOT / "tests" / "data" / "prescribing" / "phs_2024_01.csv"
IMPORTERS = ("prescribing", "list sizes", "estates", "theatre", "desnz")


def make(path: Path, expanded: int) -> Path:
    if path.exists():
        return path
    lines = PHS.read_text(encoding="utf-8").splitlines(keepends=True)
    block = b"\n" * (16 << 20)  # empty lines after a real header: deflate's best case, about 1,000 to 1
    with gzip.open(path, "wb", compresslevel=9) as z:
        z.write(lines[0].encode() + lines[1].encode())
        for _ in range(expanded // len(block)):
            z.write(block)
    return path


def child(importer: str, path: Path) -> dict:
    from carbon import bootstrap, desnz, estates
    from carbon import prescribing as rx
    from carbon.errors import CarbonError
    from carbon.theatre import caselog

    with tempfile.TemporaryDirectory(prefix="carbon-bomb-") as tmp:
        store = bootstrap.open_store(Path(tmp) / "b.duckdb")
        run = {"prescribing": lambda: rx.import_files(store, [path]),
               "list sizes": lambda: rx.import_list_sizes(store, path),
               "estates": lambda: estates.import_file(store, path, fmt="template"),
               "theatre": lambda: caselog.import_file(store, path, fmt="template"),
               "desnz": lambda: desnz.import_flat_file(path, directory=Path(tmp) / "f", dry_run=True)}[importer]
        t = time.perf_counter()
        try:
            run()
            said = "imported (!)"
        except CarbonError as exc:
            said = str(exc.problems[0])
        return {"seconds": time.perf_counter() - t, "said": said}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--expanded", type=int, default=3 * 2**30, help="bytes the bomb expands to (default 3 GiB)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        args.result.write_text(json.dumps(child(args.child, args.file)))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    bomb = make(OUT / f"bomb_{args.expanded}.csv.gz", args.expanded)
    print(f"{bomb.name}: {bomb.stat().st_size / 2**20:.1f} MiB of gzip expanding to {args.expanded / 2**30:.1f} GiB")
    for importer in IMPORTERS:
        result = OUT / f".bomb-{os.getpid()}.json"
        proc = subprocess.Popen([sys.executable, __file__, "--child", importer, "--file", str(bomb),
                                 "--result", str(result)])
        _, status, usage = os.wait4(proc.pid, 0)
        r = json.loads(result.read_text())
        result.unlink()
        print(f"  {importer:<12} {r['seconds']:6.2f} s, peak {usage.ru_maxrss / 1024:,.0f} MiB: {r['said']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
