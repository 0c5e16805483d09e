"""Benchmark: the prescribing import + footprint against the DuckDB floor and the pandas way.

In one run, on one synthetic PHS file (``bench/generate_phs.py``, made first if missing), three
parts each run in a subprocess of their own so that peak memory is theirs alone:

(a) the product: a fresh temporary store, ``carbon.prescribing.import_files`` then
    ``carbon.prescribing.footprint(by=["practice", "month"], basis="AR5")``;
(b) the floor: one bare DuckDB query that reads the same file, joins the inhaler mapping and sums
    items, inhalers, kgCO2e and cost by practice and month;
(c) the pandas code an analyst would write for the same answer (``read_csv``, ``merge``,
    ``groupby``).

(b) and (c) use the same per-code inhaler factors as the product: a small table written before
timing from the product's own inhaler map (``generate_phs.inhaler_codes``) and the library resolved on AR5, so all three compute
kgCO2e the same way and the script cross-checks their national totals.

It prints wall-clock seconds, CPU seconds (all threads of the part's process: steadier than wall
clock when other work shares the machine), peak resident memory (``ru_maxrss`` of each child from
``os.wait4``), the load average, and the ratios a/b, c/a and c/b (with ``--repeat N`` the fastest
of N runs, the highest peak), and writes ``bench/out/results-<time>.json`` and
``bench/out/results.md``. See ``bench/README.md`` for the measured figures.
With ``--check`` it exits 1 naming each goal missed: a/b <= 2, c/a >= 10, peak memory of (a) < 2 GB.

Usage::

    python bench/run.py                     # 10,000,000 rows (generated once into bench/out/)
    python bench/run.py --rows 200000 --check
    python bench/run.py --file my_pitc.csv --parts a,b
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
GENERATOR = ROOT / "bench" / "generate_phs.py"
BASIS = "AR5"
GOAL_FLOOR_RATIO = 2.0  # (a) within 2x of (b)
GOAL_PANDAS_RATIO = 10.0  # (a) at least 10x faster than (c)
GOAL_PEAK_MB = 2048.0  # peak memory of (a) under 2 GB
PARTS = {
    "a": "product: import_files + footprint",
    "b": "floor: one DuckDB query",
    "c": "pandas: read file + merge + groupby",
}


def _clock() -> tuple[float, float]:
    """Wall seconds and CPU seconds of this process so far (all threads: DuckDB's too)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime + r.ru_stime


def _since(start: tuple[float, float]) -> dict:
    wall, cpu = _clock()
    return {"seconds": wall - start[0], "cpu_s": cpu - start[1]}


# ---------------------------------------------------------------------------------------------
# The three parts (each runs in its own child process: ``run.py --part X``)
# ---------------------------------------------------------------------------------------------
def part_product(data: Path, factors_csv: Path) -> dict:
    """(a) Fresh temporary store, import the file, footprint by practice and month."""
    from carbon import bootstrap, prescribing

    with tempfile.TemporaryDirectory(prefix="carbon-bench-") as tmp:
        db = Path(tmp) / "bench.duckdb"
        os.environ["CARBON_DB"] = str(db)
        t0 = time.perf_counter()
        store = bootstrap.open_store(db)  # migrations, factor library, demo seed: not part of the timing
        start = _clock()
        prescribing.import_files(store, [data])
        t2 = time.perf_counter()
        result = prescribing.footprint(store, by=["practice", "month"], basis=BASIS)
        timed = _since(start)
        t3 = time.perf_counter()
        store.close()
        db_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
    return {
        **timed, "import_s": t2 - start[0], "footprint_s": t3 - t2, "setup_s": start[0] - t0,
        "store_mb": db_mb, **_totals(result),
    }


FLOOR_SQL = """
SELECT f.GPPractice AS practice, f.PaidDateMonth AS month,
       sum(f.NumberOfPaidItems) FILTER (WHERE m.bnf_code IS NOT NULL) AS items,
       sum(f.PaidQuantity / m.doses_per_inhaler) AS inhalers,
       sum(f.PaidQuantity / m.doses_per_inhaler * m.kgCO2e_per_inhaler) AS kgCO2e,
       sum(f.GrossIngredientCost) FILTER (WHERE m.bnf_code IS NOT NULL) AS cost_gbp,
       sum(f.NumberOfPaidItems) AS all_items
FROM {reader}(?) AS f
LEFT JOIN read_csv(?) AS m ON m.bnf_code = f.BNFItemCode
GROUP BY ALL
"""


def part_floor(data: Path, factors_csv: Path) -> dict:
    """(b) One bare DuckDB query straight on the file: the least any DuckDB tool could do."""
    import duckdb

    reader = "read_parquet" if data.name.lower().endswith(".parquet") else "read_csv"
    start = _clock()
    con = duckdb.connect()
    result = con.execute(FLOOR_SQL.format(reader=reader), [str(data), str(factors_csv)]).df()
    return {**_since(start), **_totals(result)}


def part_pandas(data: Path, factors_csv: Path) -> dict:
    """(c) What an analyst writes in a notebook: read, merge with the mapping, group."""
    import pandas as pd

    start = _clock()
    if data.name.lower().endswith(".parquet"):
        rx = pd.read_parquet(data)
    else:
        rx = pd.read_csv(data, dtype={"GPPractice": str, "BNFItemCode": str, "DMDCode": str})
    mapping = pd.read_csv(factors_csv, dtype={"bnf_code": str})
    df = rx.merge(mapping, left_on="BNFItemCode", right_on="bnf_code", how="left")
    inhaler = df["bnf_code"].notna()
    df["items"] = df["NumberOfPaidItems"].where(inhaler)
    df["inhalers"] = df["PaidQuantity"] / df["doses_per_inhaler"]
    df["kgCO2e"] = df["inhalers"] * df["kgCO2e_per_inhaler"]
    df["cost_gbp"] = df["GrossIngredientCost"].where(inhaler)
    result = (
        df.groupby(["GPPractice", "PaidDateMonth"], as_index=False)
        .agg(items=("items", "sum"), inhalers=("inhalers", "sum"), kgCO2e=("kgCO2e", "sum"),
             cost_gbp=("cost_gbp", "sum"), all_items=("NumberOfPaidItems", "sum"))
        .rename(columns={"GPPractice": "practice", "PaidDateMonth": "month"})
    )
    return {**_since(start), **_totals(result)}


def _totals(result) -> dict:
    """National totals of a by-practice-and-month result, to check the three parts agree."""
    out = {"groups": int(len(result))}
    for col in ("items", "inhalers", "kgCO2e", "cost_gbp", "unmapped_items"):
        if col in result.columns:
            out[col] = float(result[col].fillna(0).sum())
    return out


# ---------------------------------------------------------------------------------------------
# The parent: prepare, run each part in a child, report
# ---------------------------------------------------------------------------------------------
def _generator():
    """bench/generate_phs.py as a module (the bench folder is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_phs", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_factor_table(path: Path) -> int:
    """Per-code inhaler factors on the benchmark basis, for (b) and (c): bnf_code, doses, kgCO2e per inhaler.

    Built from the product's own library (so all three parts use the same figures) in a
    throw-away store; written before any timing starts.
    """
    import pandas as pd

    from carbon import factors as fx

    with tempfile.TemporaryDirectory(prefix="carbon-bench-factors-") as tmp:
        store = fx.Store(Path(tmp) / "factors.duckdb")
        fx.sync_library(store, fx.factors_dir())
        resolved = fx.resolved(store, BASIS)[["id", "kgCO2e_per", "per"]]
        store.close()
    mapping = pd.read_csv(_generator().inhaler_codes(OUT), dtype={"bnf_code": str})
    table = mapping.merge(resolved[resolved["per"] == "inhaler"], left_on="factor_id", right_on="id", how="inner")
    table = table.rename(columns={"kgCO2e_per": "kgCO2e_per_inhaler"})
    table = table[table["bnf_code"].str.len() == 15][["bnf_code", "doses_per_inhaler", "kgCO2e_per_inhaler"]]
    table.to_csv(path, index=False)
    return len(table)


def run_part(part: str, data: Path, factors_csv: Path) -> dict:
    """Run one part in a fresh interpreter; its own peak RSS comes from ``os.wait4``."""
    result_file = OUT / f".part-{part}.json"
    result_file.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--part", part, "--file", str(data),
           "--factors", str(factors_csv), "--result", str(result_file)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0 or not result_file.exists():
        return {"part": part, "error": f"exit code {proc.returncode}", "wall_s": wall}
    result = json.loads(result_file.read_text())
    result_file.unlink()
    result.update(part=part, wall_s=wall, peak_mb=usage.ru_maxrss / 1024)  # ru_maxrss is KiB on Linux
    return result


def ensure_file(args) -> Path:
    if args.file:
        if not args.file.exists():
            raise SystemExit(f"no such file: {args.file}")
        return args.file
    path = OUT / f"pitc_synthetic_{args.rows}_s{args.seed}.{args.format}"
    if not path.exists():
        print(f"generating {path} ({args.rows:,} rows) ...", flush=True)
        subprocess.run([sys.executable, str(BENCH / "generate_phs.py"), "--rows", str(args.rows),
                        "--seed", str(args.seed), "--out", str(path)], check=True, cwd=ROOT)
    return path


def machine() -> str:
    import duckdb
    import pandas

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {mem_gb:.0f} GiB, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, pandas {pandas.__version__}")


def load() -> str:
    """The 1-minute load average: above the core count, other work was competing for the CPU."""
    return f"{os.getloadavg()[0]:.1f}"


def goals(results: dict) -> list[tuple[str, bool | None, str]]:
    """Each goal as (description, met or None if not measured, the measured figure)."""
    a, b, c = (results.get(k, {}) for k in "abc")
    memory_goal = f"(a) peak memory under {GOAL_PEAK_MB / 1024:g} GB ({GOAL_PEAK_MB:,.0f} MiB)"
    out = []
    if "seconds" in a and "seconds" in b:
        r = a["seconds"] / b["seconds"]
        out.append((f"(a) within {GOAL_FLOOR_RATIO:g}x of the floor (b)", r <= GOAL_FLOOR_RATIO, f"a/b = {r:.2f}"))
    else:
        out.append((f"(a) within {GOAL_FLOOR_RATIO:g}x of the floor (b)", None, "not measured"))
    if "seconds" in a and "seconds" in c:
        r = c["seconds"] / a["seconds"]
        out.append((f"(a) at least {GOAL_PANDAS_RATIO:g}x faster than pandas (c)", r >= GOAL_PANDAS_RATIO,
                    f"c/a = {r:.1f}"))
    else:
        out.append((f"(a) at least {GOAL_PANDAS_RATIO:g}x faster than pandas (c)", None, "not measured"))
    if "peak_mb" in a:
        out.append((memory_goal, a["peak_mb"] < GOAL_PEAK_MB,
                    f"{a['peak_mb']:,.0f} MiB"))
    else:
        out.append((memory_goal, None, "not measured"))
    return out


def report(data: Path, rows: int | None, results: dict, loads: tuple[str, str] = ("?", "?")) -> str:
    lines = [
        f"file: {data} ({data.stat().st_size / 2**20:,.0f} MiB{f', {rows:,} rows' if rows else ''})",
        f"machine: {machine()}; load average {loads[0]} before, {loads[1]} after",
        "",
        f"| part | {'what':<36} | seconds | CPU s | peak MiB | groups | kgCO2e (national) |",
        f"| ---- | {'-' * 36} | ------: | ----: | -------: | -----: | ----------------: |",
    ]
    for key in "abc":
        r = results.get(key)
        if r is None:
            continue
        if "error" in r:
            lines.append(f"| ({key}) | {PARTS[key]:<36} | failed: {r['error']} | | | | |")
            continue
        kg = f"{r['kgCO2e']:,.0f}" if "kgCO2e" in r else "-"
        lines.append(f"| ({key}) | {PARTS[key]:<36} | {r['seconds']:7.1f} | {r['cpu_s']:5.1f} | {r['peak_mb']:8,.0f} "
                     f"| {r['groups']:6,} | {kg:>17} |")
    a = results.get("a", {})
    if "import_s" in a:
        lines.append("")
        lines.append(f"(a) import {a['import_s']:.1f} s + footprint {a['footprint_s']:.1f} s "
                     f"(store setup {a['setup_s']:.1f} s untimed; store file {a['store_mb']:,.0f} MiB)")
    pairs = (("a", "b"), ("c", "a"), ("c", "b"))
    for key, label in (("seconds", "wall-clock ratios"), ("cpu_s", "CPU-time ratios")):
        t = {k: r[key] for k, r in results.items() if key in r}
        ratios = [f"{x}/{y} = {t[x] / t[y]:.2f}" for x, y in pairs if x in t and y in t and t[y] > 0]
        if ratios:
            if key == "seconds":
                lines.append("")
            lines.append(f"{label}: " + ", ".join(ratios))
    if "b" in results and "c" in results:
        lines.append("(c/b bounds c/a: the product also reads the whole file, so it cannot beat the floor)")
    lines.append("")
    for text, met, figure in goals(results):
        flag = "MET " if met else ("MISS" if met is False else "n/a ")
        lines.append(f"[{flag}] {text}: {figure}")
    kgs = {k: r["kgCO2e"] for k, r in results.items() if "kgCO2e" in r}
    if len(kgs) > 1:
        ref = kgs.get("b") or next(iter(kgs.values()))
        spread = max(abs(v - ref) / ref for v in kgs.values()) if ref else 0.0
        lines.append(f"national kgCO2e agree within {spread:.4%} across parts {', '.join(sorted(kgs))}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Prescribing benchmark: product vs DuckDB floor vs pandas.")
    p.add_argument("--rows", type=int, default=10_000_000, help="rows of the synthetic file (default 10,000,000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--format", choices=["csv", "csv.gz", "parquet"], default="csv", help="synthetic file format")
    p.add_argument("--file", type=Path, help="benchmark this PHS file instead of a synthetic one")
    p.add_argument("--parts", default="a,b,c", help="which parts to run (default a,b,c)")
    p.add_argument("--repeat", type=int, default=1,
                   help="run each part N times (each in a fresh process) and keep the fastest (default 1)")
    p.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    p.add_argument("--part", choices=list(PARTS), help=argparse.SUPPRESS)
    p.add_argument("--factors", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.part:  # child process: run one part and write its figures
        fn = {"a": part_product, "b": part_floor, "c": part_pandas}[args.part]
        args.result.write_text(json.dumps(fn(args.file.resolve(), args.factors.resolve())))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    data = ensure_file(args).resolve()
    factors_csv = OUT / f"inhaler_factors_{BASIS}.csv"
    n = write_factor_table(factors_csv)
    print(f"{n} inhaler presentations with a factor on {BASIS}; running parts {args.parts} on {data.name}", flush=True)
    results = {}
    before = load()
    for part in [x.strip() for x in args.parts.split(",") if x.strip()]:
        if part not in PARTS:
            raise SystemExit(f"unknown part {part!r}: choose from a, b, c")
        print(f"  ({part}) {PARTS[part]} ...", flush=True)
        runs = [run_part(part, data, factors_csv) for _ in range(max(1, args.repeat))]
        good = [r for r in runs if "error" not in r]
        if not good:
            results[part] = runs[0]
            continue
        best = min(good, key=lambda r: r["seconds"])
        best.update(runs=[round(r["seconds"], 2) for r in good], cpu_s=min(r["cpu_s"] for r in good),
                    peak_mb=max(r["peak_mb"] for r in good))
        results[part] = best
    loads = (before, load())
    text = report(data, None if args.file else args.rows, results, loads)
    print()
    print(text)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    payload = {"when": stamp, "file": str(data), "rows": None if args.file else args.rows,
               "machine": machine(), "load_average": loads, "results": results,
               "goals": [{"goal": g, "met": m, "measured": f} for g, m, f in goals(results)]}
    (OUT / f"results-{stamp}.json").write_text(json.dumps(payload, indent=2))
    (OUT / "results.md").write_text(f"# Benchmark {stamp}\n\n{text}\n")
    failed = [text for text, met, _ in goals(results) if met is False]
    errors = [k for k, r in results.items() if "error" in r]
    if args.check and (failed or errors):
        for k in errors:
            print(f"bench: part ({k}) failed: {results[k]['error']}", file=sys.stderr)
        for text in failed:
            print(f"bench: goal missed: {text}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
