"""Benchmark: how long a page rerun takes, to show the cost of giving the database file back after
every rerun (so the ``carbon`` command can use it while the app is open).

Each page of the app runs once through Streamlit's AppTest (the real app.py, the real pages, a real
DuckDB file with the shipped library and the prescribing fixtures imported), then reruns
``--repeat`` times; the script prints the median and the fastest rerun per page. Run it on two
checkouts to compare them, e.g. this one and the commit before the change::

    python bench/rerun.py                                  # this checkout
    git archive <commit> | tar -x -C /tmp/before && PYTHONPATH=/tmp/before python bench/rerun.py --root /tmp/before

Timings depend on the machine and what else runs on it: they are shown here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["1_Pathways", "2_Compare", "3_Anaesthetic_gases", "4_Travel", "5_Prescribing", "6_Scenarios",
         "7_Workshop", "9_Factor_library"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout whose app.py and pages/ to run")
    ap.add_argument("--repeat", type=int, default=15, help="reruns per page (default 15)")
    args = ap.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    from streamlit.testing.v1 import AppTest

    from carbon import prescribing as rx

    try:  # start-up moved from carbon.factors to carbon.bootstrap; the bench also runs older checkouts
        from carbon.bootstrap import open_store
    except ImportError:
        from carbon.factors import open_store

    with tempfile.TemporaryDirectory(prefix="carbon-bench-rerun-") as tmp:
        db = Path(tmp) / "carbon.duckdb"
        os.environ["CARBON_DB"] = str(db)
        store = open_store(db)
        data = ROOT / "tests" / "data" / "prescribing"
        rx.import_files(store, [data / "phs_2024_01.csv", data / "phs_2024_02.csv.gz", data / "epd_2024_01.csv"])
        if hasattr(store, "release"):
            store.release()  # this thread gives the file back, as a rerun does
        print(f"checkout {root} (carbon from {Path(rx.__file__).parent.parent}), {args.repeat} reruns a page, "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"{'page':<22} {'median s':>9} {'fastest s':>10}")
        for page in PAGES:
            at = AppTest.from_file(str(root / "app.py"), default_timeout=120)
            at.run()
            at.switch_page(f"pages/{page}.py")
            at.run()
            if at.exception:
                print(f"{page:<22} failed: {at.exception[0].value}")
                continue
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - started)
            print(f"{page:<22} {statistics.median(times):>9.3f} {min(times):>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
