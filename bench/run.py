"""Benchmark: the prescribing import against its floors and the tools an analyst would reach for.

One command, on reproducible synthetic files in the publishers' layouts (``generate_phs.py``: a
year of PHS, 10 million rows; ``generate_epd.py``: an EPD month, 17 million rows, all chapters;
each as CSV and as Parquet, made once into bench/out/):

* the **import** parts (bench/parts.py): (a) the product, (v) the validating floor, (q) polars
  doing the same checks and aggregation, (b) the bare DuckDB floor of the inhaler footprint, (p)
  polars bare and (c) pandas at its best doing that footprint. Each part runs alone in a fresh
  Python process (its peak memory is its own, from ``os.wait4``), and the parts are **interleaved
  round by round** (a v q b p c, then the next round in a rotated order), so a drift in the
  machine's load hits them alike. Ratios are taken **pair by pair within a round** (wall and CPU),
  and the medians are reported, with the load average through the run;
* the **queries** (bench/queries.py): each Prescribing query against its hand-written SQL floor,
  and the Prescribing page's first render through Streamlit's AppTest, engine time only;
* the **start-up** of the ``carbon`` command (bench/startup.py) against ``python -c 'import duckdb'``
  and minimal scripts doing the same work through the Python API.

``--check`` exits 1 naming each goal missed. The decade run is bench/decade.py (not part of this).

Usage::

    python bench/run.py                           # every file, 3 rounds, queries and start-up
    python bench/run.py --files phs-csv --rounds 1 --check
    python bench/run.py --only import --files phs-csv,phs-parquet --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))
import parts  # noqa: E402  (bench/ is not a package; the parts import nothing heavy at the top)

BASIS = "AR5"
FILES = {
    "phs-csv": ("generate_phs.py", 10_000_000, "pitc_synthetic_10000000_s1.csv"),
    "phs-parquet": ("generate_phs.py", 10_000_000, "pitc_synthetic_10000000_s1.parquet"),
    "epd-csv": ("generate_epd.py", 17_000_000, "epd_synthetic_17000000_s1.csv"),
    "epd-parquet": ("generate_epd.py", 17_000_000, "epd_synthetic_17000000_s1.parquet"),
}
#: Goals (issue 14).
GOAL_VALIDATING = 1.2  # the import within 1.2x of the validating floor
GOAL_POLARS = 1.0  # and no slower than polars doing the same checks and aggregation
GOAL_PEAK_MIB = 1536  # peak memory of the import of a full EPD month
GOAL_QUERY = 1.5  # every Prescribing query within 1.5x of its hand-written floor
GOAL_RENDER_S = 0.5  # the page's first render, engine time
GOAL_STARTUP = 1.3  # carbon --help and the calculators against their minimal equivalents


ROWS: dict = {}  # --phs-rows / --epd-rows


def ensure_file(key: str) -> Path:
    generator, default_rows, name = FILES[key]
    rows = ROWS.get(key.split("-")[0]) or default_rows
    path = OUT / name.replace(str(default_rows), str(rows))
    if not path.exists():
        print(f"generating {path.name} ({rows:,} rows) ...", flush=True)
        subprocess.run([sys.executable, str(BENCH / generator), "--rows", str(rows), "--out", str(path)],
                       check=True, cwd=ROOT)
    return path


def write_tables() -> tuple[Path, Path]:
    """Per-code inhaler factors (AR5) and the code changes that move a presentation to another
    chemical, both from the product's own library, for the parts that are not the product."""
    import importlib.util

    import pandas as pd

    from carbon import factors as fx
    from carbon.prescribing.mapping import changes_sql
    from carbon.prescribing.sqlfiles import sql
    from carbon.store import Store

    spec = importlib.util.spec_from_file_location("generate_phs", BENCH / "generate_phs.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    factors_csv, changes_csv = OUT / f"inhaler_factors_{BASIS}.csv", OUT / "chemical_changes.csv"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="carbon-bench-factors-") as tmp:
        store = Store(Path(tmp) / "factors.duckdb")
        fx.sync_library(store, fx.factors_dir())
        resolved = fx.resolved(store, BASIS)[["id", "kgCO2e_per", "per"]]
        store.execute(sql("chem_change", changes=changes_sql()))
        store.execute("COPY (SELECT * FROM rx_chem_change ORDER BY old_code) TO ? (HEADER)", [str(changes_csv)])
        store.close()
    mapping = pd.read_csv(gen.inhaler_codes(OUT), dtype={"bnf_code": str})
    table = mapping.merge(resolved[resolved["per"] == "inhaler"], left_on="factor_id", right_on="id", how="inner")
    table = table.rename(columns={"kgCO2e_per": "kgCO2e_per_inhaler"})
    table[table["bnf_code"].str.len() == 15][["bnf_code", "doses_per_inhaler", "kgCO2e_per_inhaler"]].to_csv(
        factors_csv, index=False)
    return factors_csv, changes_csv


def run_child(args: list[str]) -> dict:
    """Run ``run.py --part ...`` (or another bench script) in a fresh interpreter; add its peak RSS."""
    result_file = OUT / f".child-{os.getpid()}.json"
    result_file.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args, "--result", str(result_file)], cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or not result_file.exists():
        return {"error": f"exit code {code}", "wall_s": time.perf_counter() - started}
    result = json.loads(result_file.read_text())
    result_file.unlink()
    result["peak_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    return result


def load() -> float:
    return os.getloadavg()[0]


def run_import(files: list[str], part_keys: list[str], rounds: int) -> dict:
    """Every part on every file, interleaved round by round; per file, per part, a list of runs."""
    factors_csv, changes_csv = write_tables()
    runs: dict = {f: {k: [] for k in part_keys} for f in files}
    loads = [load()]
    for r in range(rounds):
        order = part_keys[r % len(part_keys):] + part_keys[:r % len(part_keys)]  # rotate the starting part
        for f in files:
            data = ensure_file(f)
            for key in order:
                print(f"  round {r + 1}/{rounds} {f} ({key}) {parts.PARTS[key][0]} ...", flush=True)
                res = run_child([str(Path(__file__).resolve()), "--part", key, "--file", str(data),
                                 "--factors", str(factors_csv), "--changes", str(changes_csv)])
                res["load"] = load()
                loads.append(res["load"])
                runs[f][key].append(res)
    return {"runs": runs, "loads": loads}


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def pair_ratios(runs: dict, x: str, y: str, xkey: str = "seconds", ykey: str = "seconds") -> dict:
    """Median of the per-round ratios x/y (wall and CPU), rounds where both ran."""
    xs, ys = runs.get(x, []), runs.get(y, [])
    wall, cpu = [], []
    for a, b in zip(xs, ys):
        if "error" in a or "error" in b:
            continue
        wall.append(a[xkey] / b[ykey])
        cpu.append(a[xkey.replace("seconds", "cpu_s")] / b[ykey.replace("seconds", "cpu_s")])
    return {"wall": _median(wall), "cpu": _median(cpu), "n": len(wall)}


RATIOS = [  # (label, numerator part, its figure, denominator part, its figure)
    ("import / validating floor (a/v)", "a", "import_seconds", "v", "seconds"),
    ("import / polars same job (a/q)", "a", "import_seconds", "q", "seconds"),
    ("validating floor / polars (v/q)", "v", "seconds", "q", "seconds"),
    ("import + footprint / bare floor (a/b)", "a", "seconds", "b", "seconds"),
    ("pandas / import + footprint (c/a)", "c", "seconds", "a", "seconds"),
    ("pandas / bare floor (c/b)", "c", "seconds", "b", "seconds"),
    ("polars bare / bare floor (p/b)", "p", "seconds", "b", "seconds"),
]


def import_table(result: dict) -> tuple[str, list]:
    """The import parts' medians per file, the ratios and the goals they bear on."""
    lines, goals = [], []
    for f, by_part in result["runs"].items():
        lines += [f"### {f}: {ensure_file(f).name} ({ensure_file(f).stat().st_size / 2**20:,.0f} MiB)", "",
                  "| part | what | wall s (median) | CPU s (median) | peak MiB (max) | runs |",
                  "| --- | --- | ---: | ---: | ---: | ---: |"]
        for key, runs in by_part.items():
            good = [x for x in runs if "error" not in x]
            if not good:
                lines.append(f"| ({key}) | {parts.PARTS[key][0]} | failed: {runs[0].get('error') if runs else '-'} | | | |")
                continue
            figure = "import_seconds" if key == "a" else "seconds"
            wall = _median([x[figure] for x in good])
            cpu = _median([x[figure.replace("seconds", "cpu_s")] for x in good])
            extra = ""
            if key == "a":
                extra = (f" (import; + footprint {_median([x['footprint_seconds'] for x in good]):.2f} s wall, "
                         f"{_median([x['footprint_cpu_s'] for x in good]):.2f} CPU)")
            lines.append(f"| ({key}) | {parts.PARTS[key][0]}{extra} | {wall:.2f} | {cpu:.2f} | "
                         f"{max(x['peak_mb'] for x in good):,.0f} | {len(good)} |")
        lines += ["", "| ratio (median of per-round pairs) | wall | CPU |", "| --- | ---: | ---: |"]
        for label, x, xk, y, yk in RATIOS:
            r = pair_ratios(by_part, x, y, xk, yk)
            if r["n"]:
                lines.append(f"| {label} | {r['wall']:.2f} | {r['cpu']:.2f} |")
        a_v = pair_ratios(by_part, "a", "v", "import_seconds", "seconds")
        a_q = pair_ratios(by_part, "a", "q", "import_seconds", "seconds")
        if a_v["n"]:
            goals.append((f"{f}: import within {GOAL_VALIDATING}x of the validating floor (CPU)",
                          a_v["cpu"] <= GOAL_VALIDATING, f"a/v = {a_v['cpu']:.2f} CPU, {a_v['wall']:.2f} wall"))
        if a_q["n"]:
            goals.append((f"{f}: import no slower than polars doing the same (CPU)", a_q["cpu"] <= GOAL_POLARS,
                          f"a/q = {a_q['cpu']:.2f} CPU, {a_q['wall']:.2f} wall"))
        good_a = [x for x in by_part.get("a", []) if "error" not in x]
        if f.startswith("epd") and good_a:
            peak = max(x["peak_mb"] for x in good_a)
            goals.append((f"{f}: import of a full EPD month under {GOAL_PEAK_MIB / 1024:g} GB", peak < GOAL_PEAK_MIB,
                          f"peak {peak:,.0f} MiB"))
        kgs = {k: _median([x.get("kgCO2e") for x in v if "error" not in x]) for k, v in by_part.items()}
        kgs = {k: v for k, v in kgs.items() if v}
        if len(kgs) > 1:
            ref = kgs.get("b") or next(iter(kgs.values()))
            spread = max(abs(v - ref) / ref for v in kgs.values())
            lines.append(f"\nnational kgCO2e agree within {spread:.4%} across parts {', '.join(sorted(kgs))} "
                         f"({ref:,.0f} kgCO2e)")
        rows = {k: _median([x.get("rows_read") for x in v if "error" not in x]) for k, v in by_part.items()}
        chem = {k: _median([x.get("chemical_rows") for x in v if "error" not in x]) for k, v in by_part.items()}
        if rows.get("a"):
            lines.append(f"rows read: {', '.join(f'({k}) {v:,.0f}' for k, v in rows.items() if v)}; "
                         f"month x practice x chemical rows: {', '.join(f'({k}) {v:,.0f}' for k, v in chem.items() if v)}")
        lines.append("")
    return "\n".join(lines), goals


def machine() -> str:
    import duckdb
    import pandas

    try:
        import polars
        pl = f", polars {polars.__version__}"
    except ImportError:
        pl = ", polars not installed (pip install -e '.[bench]')"
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {mem_gb:.0f} GiB, {platform.system()} {platform.machine()}, Python "
            f"{platform.python_version()}, DuckDB {duckdb.__version__}, pandas {pandas.__version__}{pl}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--files", default=",".join(FILES), help=f"which files (default all: {', '.join(FILES)})")
    p.add_argument("--parts", default=",".join(parts.PARTS), help="which import parts (default a,v,q,b,p,c)")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the import parts (default 3)")
    p.add_argument("--only", choices=["import", "queries", "startup"], help="run one section only")
    p.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    p.add_argument("--phs-rows", type=int, help="rows of the PHS files (default 10,000,000)")
    p.add_argument("--epd-rows", type=int, help="rows of the EPD month (default 17,000,000)")
    p.add_argument("--part", choices=list(parts.PARTS), help=argparse.SUPPRESS)
    p.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--factors", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--changes", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.part:  # a child: one part, its figures to --result
        fn = parts.PARTS[args.part][1]
        args.result.write_text(json.dumps(fn(args.file.resolve(), args.factors.resolve(), args.changes.resolve())))
        return 0

    OUT.mkdir(parents=True, exist_ok=True)
    ROWS.update(phs=args.phs_rows, epd=args.epd_rows)
    files = [f.strip() for f in args.files.split(",") if f.strip()]
    keys = [k.strip() for k in args.parts.split(",") if k.strip()]
    started = datetime.now(timezone.utc)
    sections, goals, payload = [], [], {"machine": machine(), "when": started.strftime("%Y%m%dT%H%M%SZ")}
    if args.only in (None, "import"):
        result = run_import(files, keys, args.rounds)
        text, g = import_table(result)
        sections.append(("The import, interleaved", text))
        goals += g
        payload["import"] = result
    if args.only in (None, "queries"):
        res = run_child([str(BENCH / "queries.py"), "--file", str(ensure_file("phs-csv"))])
        payload["queries_phs"] = res
        text, g = queries_table(res, f"a year of PHS ({ROWS.get('phs') or 10_000_000:,} rows)")
        if "epd-csv" in files:
            res2 = run_child([str(BENCH / "queries.py"), "--file", str(ensure_file("epd-csv")), "--render-only"])
            payload["queries_epd"] = res2
            t2, g2 = queries_table(res2, f"an EPD month ({ROWS.get('epd') or 17_000_000:,} rows)")
            text, g = text + "\n" + t2, g + g2
        sections.append(("Queries and the page's first render", text))
        goals += g
    if args.only in (None, "startup"):
        res = run_child([str(BENCH / "startup.py")])
        payload["startup"] = res
        text, g = startup_table(res)
        sections.append(("Start-up of the carbon command", text))
        goals += g
    loads = payload.get("import", {}).get("loads", [load()])
    header = [f"machine: {payload['machine']}",
              f"load average (1 min) through the run: min {min(loads):.1f}, median {_median(loads):.1f}, "
              f"max {max(loads):.1f} ({os.cpu_count()} cores)", ""]
    body = header + [f"## {title}\n\n{text}" for title, text in sections]
    body.append("## Goals\n")
    for text, met, figure in goals:
        body.append(f"- [{'MET' if met else 'MISSED'}] {text}: {figure}")
    report = "\n".join(body)
    print("\n" + report)
    payload["goals"] = [{"goal": g, "met": m, "measured": f} for g, m, f in goals]
    (OUT / f"results-{payload['when']}.json").write_text(json.dumps(payload, indent=2, default=str))
    (OUT / "results.md").write_text(f"# Benchmark {payload['when']}\n\n{report}\n")
    missed = [g for g, m, _ in goals if not m]
    if args.check and missed:
        for g in missed:
            print(f"bench: goal missed: {g}", file=sys.stderr)
        return 1
    return 0


def queries_table(res: dict, label: str) -> tuple[str, list]:
    if "error" in res:
        return f"queries on {label}: failed ({res['error']})", [(f"queries on {label}", False, res["error"])]
    lines, goals = [f"On {label} (imported in {res['import_s']:.1f} s); seconds are medians of "
                    f"{res['repeat']} runs, the floor's alternating with the product's:", "",
                    "| query | product s | floor s | ratio (wall) | product CPU s | floor CPU s | ratio (CPU) |",
                    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"], []
    for q in res.get("queries", []):
        ratio = q["product_s"] / q["floor_s"] if q["floor_s"] else float("inf")
        cpu = q["product_cpu_s"] / q["floor_cpu_s"] if q.get("floor_cpu_s") else float("inf")
        lines.append(f"| {q['name']} | {q['product_s']:.3f} | {q['floor_s']:.3f} | {ratio:.2f} | "
                     f"{q.get('product_cpu_s', 0):.3f} | {q.get('floor_cpu_s', 0):.3f} | {cpu:.2f} |")
        goals.append((f"{label}: {q['name']} within {GOAL_QUERY}x of its floor (CPU)", cpu <= GOAL_QUERY,
                      f"{cpu:.2f} CPU, {ratio:.2f} wall"))
    r = res["render"]
    lines += ["", f"First render of the Prescribing page: engine time {r['engine_s']:.3f} s wall, "
                  f"{r.get('engine_cpu_s', 0):.3f} s CPU in {r['calls']} calls, of which carbon.prescribing "
                  f"{r.get('prescribing_s', 0):.3f} s wall, {r.get('prescribing_cpu_s', 0):.3f} s CPU and the rest "
                  f"carbon.charts (the whole AppTest run {r['run_s']:.2f} s; "
                  f"the slowest call {r['slowest']} {r['slowest_s']:.3f} s)"]
    goals.append((f"{label}: the page's first render under {GOAL_RENDER_S} s of engine time",
                   r["engine_s"] < GOAL_RENDER_S, f"{r['engine_s']:.3f} s"))
    return "\n".join(lines), goals


def startup_table(res: dict) -> tuple[str, list]:
    if "error" in res:
        return f"start-up: failed ({res['error']})", [("start-up", False, res["error"])]
    lines = ["| command | median wall s | median CPU s | against | its median wall s | ratio (median of pairs, wall) "
             "| ratio (CPU) |", "| --- | ---: | ---: | --- | ---: | ---: | ---: |"]
    goals = []
    for row in res["pairs"]:
        lines.append(f"| `{row['command']}` | {row['wall']:.3f} | {row['cpu']:.3f} | `{row['baseline']}` | "
                     f"{row['base_wall']:.3f} | {row['ratio_wall']:.2f} | {row['ratio_cpu']:.2f} |")
        goals.append((f"`{row['command']}` within {GOAL_STARTUP}x of `{row['baseline']}`",
                      row["ratio_wall"] <= GOAL_STARTUP, f"{row['ratio_wall']:.2f} wall, {row['ratio_cpu']:.2f} CPU"))
    return "\n".join(lines) + f"\n\n{res['runs']} runs of each, interleaved pair by pair", goals


if __name__ == "__main__":
    sys.exit(main())
