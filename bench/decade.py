"""A decade at once: the inhaler footprint by ICB and month of a partitioned Parquet set of EPD months.

Kept out of CI (it writes gigabytes and runs for minutes). Steps:

1. ``--months N`` synthetic EPD months of ``--rows`` rows each (``generate_epd.generate_set``:
   ``bench/out/epd_set/year=YYYY/month=MM/epd.parquet``, made once; 12 x 17 million = 204 million
   rows, about 200 MB a month);
2. optionally ``--national``: the set copied month by month to fill January 2014 to June 2025 (138
   months: the English set's size, about 2.3 billion rows), each copy a real file (not a link, so
   the operating system's cache is not shared between months), its folder naming its month;
3. in a fresh process, ``carbon.prescribing.national.footprint(store, set, by=["board", "month"])``
   on a new store: wall and CPU seconds and peak memory, rows and months read, rows a second.

Usage::

    python bench/decade.py --months 12                 # the 204 million rows generated
    python bench/decade.py --months 12 --national      # and the national size, by copies
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import parts  # noqa: E402

OUT = BENCH / "out"


def national_months(first: int = 201401, last: int = 202506) -> list[int]:
    out, y, m = [], first // 100, first % 100
    while y * 100 + m <= last:
        out.append(y * 100 + m)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def replicate(source: Path, target: Path) -> int:
    """Fill ``target`` with January 2014 .. June 2025, each month a copy of one of the generated ones."""
    generated = sorted(source.glob("year=*/month=*/epd.parquet"))
    for i, ym in enumerate(national_months()):
        dest = target / f"year={ym // 100}" / f"month={ym % 100:02d}" / "epd.parquet"
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(generated[i % len(generated)], dest)
    return len(national_months())


def child(folder: Path) -> dict:
    """The timed run (in a fresh process): a new store, the footprint by ICB and month."""
    import duckdb

    from carbon import bootstrap
    from carbon.prescribing import national

    with tempfile.TemporaryDirectory(prefix="carbon-decade-") as tmp:
        store = bootstrap.open_store(Path(tmp) / "decade.duckdb")
        glob = str(folder / "year=*" / "month=*" / "*.parquet")
        con = duckdb.connect()
        rows, files = con.execute("SELECT sum(num_rows), count(DISTINCT file_name) FROM parquet_file_metadata(?)",
                                  [glob]).fetchone()
        size = sum(p.stat().st_size for p in folder.glob("year=*/month=*/*.parquet"))
        start = parts.clock()
        learned = national.learn_codes(store, folder)
        codes = parts.since(start, "codes_")
        mid = parts.clock()
        df = national.footprint(store, folder, by=["board", "month"])
        out = {**parts.since(start), **codes, **parts.since(mid, "footprint_"), "rows": int(rows),
               "files": int(files), "bytes": size, "groups": len(df), "months": int(df["month"].nunique()),
               "boards": int(df["board_code"].nunique()), "kgCO2e": float(df["kgCO2e"].sum()),
               "codes_learned": learned}
        store.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--months", type=int, default=12, help="months to generate (default 12)")
    p.add_argument("--rows", type=int, default=17_000_000, help="rows a month (default 17,000,000)")
    p.add_argument("--national", action="store_true", help="also copy the months to fill 2014-01 .. 2025-06")
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        args.result.write_text(json.dumps(child(args.child)))
        return 0
    import generate_epd

    folder = OUT / "epd_set"
    t = time.perf_counter()
    generate_epd.generate_set(folder, args.months, args.rows)
    print(f"set of {args.months} months ready ({time.perf_counter() - t:.0f} s)", flush=True)
    runs = [("generated", folder)]
    if args.national:
        target = OUT / "epd_national"
        t = time.perf_counter()
        replicate(folder, target)
        print(f"national set ready ({time.perf_counter() - t:.0f} s)", flush=True)
        runs.append(("national (copies)", target))
    results = {}
    for label, where in runs:
        result_file = OUT / f".decade-{os.getpid()}.json"
        load_before = os.getloadavg()[0]
        proc = subprocess.Popen([sys.executable, __file__, "--child", str(where), "--result", str(result_file)])
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            print(f"{label}: failed")
            continue
        r = json.loads(result_file.read_text())
        result_file.unlink()
        r.update(peak_mb=usage.ru_maxrss / 1024, load_before=load_before, load_after=os.getloadavg()[0])
        results[label] = r
        print(f"\n{label}: {r['rows']:,} rows in {r['files']} files ({r['bytes'] / 2**30:.1f} GiB of Parquet), "
              f"{r['months']} months x {r['boards']} ICBs")
        print(f"  learn codes {r['codes_seconds']:.1f} s wall ({r['codes_cpu_s']:.1f} CPU), footprint by ICB and "
              f"month {r['footprint_seconds']:.1f} s wall ({r['footprint_cpu_s']:.1f} CPU); total {r['seconds']:.1f} s "
              f"wall, {r['cpu_s']:.1f} CPU s; peak {r['peak_mb']:,.0f} MiB; load {load_before:.1f} -> "
              f"{r['load_after']:.1f}")
        print(f"  {r['rows'] / r['seconds'] / 1e6:,.0f} million rows a second (wall), "
              f"{r['rows'] / r['cpu_s'] / 1e6:,.0f} million a CPU second; {r['kgCO2e'] / 1e6:,.1f} ktCO2e in all")
    (OUT / "decade.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
