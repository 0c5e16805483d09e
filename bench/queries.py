"""Benchmark: each Prescribing query against its hand-written SQL floor, and the page's first render.

Run by bench/run.py in a fresh process (``--file F``): a new store, the file imported once, then

* **queries**: every engine call the Prescribing page makes, each against a floor written by
  hand: one bare DuckDB statement giving the same numbers from the same tables (``rx_item`` joined
  to the stored code map ``rx_code_map`` and to the inhaler factors, registered once as a table
  before timing). The product's call and its floor alternate ``--repeat`` times; medians are
  reported. What a floor leaves out is what the product adds: resolving the factor library on the
  basis, checking the map is current, composing the query, the pandas work after it (funnel
  limits, SPC rules). What a floor does not leave out is the footprint summaries the import
  writes (the product reads them; the floor reads rx_item); the footprints the engine keeps per
  data token are dropped before every timed call, so each call does its work;
* **the first render** of pages/5_Prescribing.py through Streamlit's AppTest on that store:
  engine time is the time spent inside ``carbon.prescribing`` and ``carbon.charts`` calls during
  that one run (Streamlit's own work and the script's layout are not counted).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS = """
WITH r AS (
    SELECT i.board_code, i.board, i.practice, i.practice_name, i.month, i.items, i.cost_gbp, m.device, m.reliever,
           m.product, m.factor_id, f.kg,
           CASE WHEN i.quantity > 9 * i.items THEN i.quantity / NULLIF(m.doses_per_inhaler, 0) ELSE i.quantity END
               AS inh
    FROM rx_item i JOIN rx_code_map m USING (bnf_code) LEFT JOIN bench_factors f ON f.id = m.factor_id
    WHERE m.in_sections IN ('0301', '0302') AND m.device IS DISTINCT FROM 'nebuliser_other'),
k AS (SELECT *, device IS NOT NULL AND kg IS NOT NULL AND inh IS NOT NULL AS ok FROM r)
"""
AGG = """SELECT {keys}, sum(items) AS items, sum(inh) FILTER (WHERE ok) AS inhalers, sum(inh * kg) FILTER (WHERE ok) AS kg,
       sum(inh) FILTER (WHERE ok AND device IN ('dpi', 'smi')) / sum(inh) FILTER (WHERE ok) AS low_carbon,
       sum(inh) FILTER (WHERE ok AND reliever) AS relievers, sum(cost_gbp) AS cost,
       sum(items) FILTER (WHERE NOT ok) AS unmapped, count(DISTINCT month) AS months,
       string_agg(DISTINCT factor_id, ' ') FILTER (WHERE ok) AS ids
FROM k GROUP BY {keys} ORDER BY {keys}"""
FLOORS = {
    "footprint by board": AGG.format(keys="board_code"),
    "footprint by practice": AGG.format(keys="practice"),
    "footprint by month": AGG.format(keys="month"),
    "footprint by product": AGG.format(keys="product, device"),
    "footprint by month and board": AGG.format(keys="month, board_code"),
    "totals": "SELECT sum(inh * kg) FILTER (WHERE ok), sum(items), sum(inh) FILTER (WHERE ok), sum(cost_gbp), "
              "count(DISTINCT board_code), count(DISTINCT practice), count(DISTINCT month) FROM k",
    "coverage": "SELECT sum(items), sum(items) FILTER (WHERE ok), sum(cost_gbp), sum(cost_gbp) FILTER (WHERE ok), "
                "count(DISTINCT factor_id), count(DISTINCT practice) FROM k",
    "unmapped codes": "SELECT product, sum(items) FROM k WHERE NOT ok GROUP BY product",
    "trend (SPC by board)": AGG.format(keys="month, board_code"),
    "hot spots": AGG.format(keys="practice"),
    "funnel": AGG.format(keys="practice"),
    "switching opportunity": AGG.format(keys="practice, product, device"),
    "matches": "SELECT product, sum(inh) FILTER (WHERE ok), sum(cost_gbp) FROM k WHERE device LIKE 'pmdi%' "
               "GROUP BY product",
}


def product_calls(rx, store) -> dict:
    return {
        "footprint by board": lambda: rx.footprint(store, "board"),
        "footprint by practice": lambda: rx.footprint(store, "practice"),
        "footprint by month": lambda: rx.footprint(store, "month"),
        "footprint by product": lambda: rx.footprint(store, "product"),
        "footprint by month and board": lambda: rx.footprint(store, ["month", "board"]),
        "totals": lambda: rx.totals(store),
        "coverage": lambda: rx.coverage(store),
        "unmapped codes": lambda: rx.unmapped_codes(store),
        "trend (SPC by board)": lambda: rx.trend(store),
        "hot spots": lambda: rx.hot_spots(store),
        "funnel": lambda: rx.funnel(store, "low_carbon_share"),
        "switching opportunity": lambda: rx.switching_opportunity(store, "20 %"),
        "matches": lambda: rx.matches(store),
    }


def forget() -> None:
    """Drop the footprints the engine keeps per data token, so a timed call does its work again."""
    getattr(importlib.import_module("carbon.prescribing.footprint"), "_KEPT", {}).clear()  # none before 2 Dec


def render(db: Path, root: Path = ROOT) -> dict:
    """The Prescribing page's first render, engine time only (nothing kept from the queries before it)."""
    from streamlit.testing.v1 import AppTest

    from carbon import charts
    from carbon import prescribing as rx

    forget()

    spent: list[tuple[str, float]] = []

    def timed(module, name):
        fn = getattr(module, name)

        def wrapper(*a, **k):
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent.append((f"{module.__name__.split('.')[-1]}.{name}", time.perf_counter() - t,
                              time.process_time() - c))
        setattr(module, name, wrapper)

    for name in rx.__all__:
        if callable(getattr(rx, name)) and not isinstance(getattr(rx, name), type):
            timed(rx, name)
    for name in dir(charts):
        if not name.startswith("_") and callable(getattr(charts, name)) and not isinstance(getattr(charts, name), type) \
                and getattr(getattr(charts, name), "__module__", "").startswith("carbon.charts"):  # a package
            timed(charts, name)
    os.environ["CARBON_DB"] = str(db)
    at = AppTest.from_file(str(root / "pages" / "5_Prescribing.py"), default_timeout=600)
    t = time.perf_counter()
    at.run()
    run_s = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception[0].value}")
    slowest = max(spent, key=lambda x: x[1]) if spent else ("-", 0.0)
    rx_spent = [s for s in spent if s[0].startswith("prescribing.")]
    return {"engine_s": sum(s[1] for s in spent), "engine_cpu_s": sum(s[2] for s in spent), "calls": len(spent),
            "prescribing_s": sum(s[1] for s in rx_spent), "prescribing_cpu_s": sum(s[2] for s in rx_spent),
            "run_s": run_s, "slowest": slowest[0], "slowest_s": slowest[1]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--render-only", action="store_true")
    ap.add_argument("--result", type=Path, required=True)
    ap.add_argument("--root", type=Path, default=ROOT,
                    help="the checkout whose carbon/ and pages/ are timed (default this one): an earlier commit, "
                         "e.g. git worktree add /tmp/before <commit>, to compare against it")
    args = ap.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    from carbon import bootstrap
    from carbon import factors as fx
    from carbon import prescribing as rx

    with tempfile.TemporaryDirectory(prefix="carbon-bench-q-") as tmp:
        db = Path(tmp) / "carbon.duckdb"
        os.environ["CARBON_DB"] = str(db)
        store = bootstrap.open_store(db)
        t = time.perf_counter()
        rx.import_files(store, [args.file])
        out = {"import_s": time.perf_counter() - t, "repeat": args.repeat, "queries": []}
        if not args.render_only:
            res = fx.resolved(store, "AR5")
            res = res[res["per"] == "inhaler"][["id", "kgCO2e_per"]].rename(columns={"kgCO2e_per": "kg"})
            cur = store.cursor()
            cur.register("bench_factors_frame", res)
            cur.execute("CREATE TEMP TABLE bench_factors AS SELECT CAST(id AS VARCHAR) AS id, CAST(kg AS DOUBLE) AS kg "
                        "FROM bench_factors_frame")
            calls = product_calls(rx, store)
            for name, floor_sql in FLOORS.items():
                calls[name]()  # once, untimed: the map checked, the library resolved, caches warm for both
                cur.execute(ROWS + floor_sql).fetchall()
                p, f, pc, fc = [], [], [], []  # wall and CPU seconds (every thread of this process)
                for _ in range(args.repeat):
                    forget()
                    t, c = time.perf_counter(), time.process_time()
                    calls[name]()
                    p.append(time.perf_counter() - t)
                    pc.append(time.process_time() - c)
                    t, c = time.perf_counter(), time.process_time()
                    cur.execute(ROWS + floor_sql).df()
                    f.append(time.perf_counter() - t)
                    fc.append(time.process_time() - c)
                out["queries"].append({"name": name, "product_s": statistics.median(p),
                                       "floor_s": statistics.median(f), "product_cpu_s": statistics.median(pc),
                                       "floor_cpu_s": statistics.median(fc)})
        store.close()
        out["render"] = render(db, args.root.resolve())
    args.result.write_text(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
