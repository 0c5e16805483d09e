"""Benchmark: how fast the ``carbon`` command answers, against the least the same answer could cost.

Pairs, each command and its baseline run in turn (A B A B ...) in fresh processes, ``--runs``
times after a warm-up, on a store made once beforehand (so neither pays for creating it):

* ``carbon --help`` against ``python -c 'import duckdb'``;
* ``carbon anaesthetic``, ``carbon travel`` and ``carbon pathway footprint`` (JSON) against a
  minimal script doing the same work through the Python API (open the store, call the function,
  print the JSON), in ``bench/out/minimal_*.py``.

Per pair: the median wall and CPU seconds of each (CPU of the child, from ``os.wait4``) and the
median of the per-pair ratios. Run by bench/run.py; alone: ``python bench/startup.py --result x.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CARBON = str(Path(sys.executable).with_name("carbon"))
PY = sys.executable

MINIMAL = {
    "anaesthetic": """import json, sys
from carbon import anaesthetics, bootstrap
store = bootstrap.open_store(None)
r = anaesthetics.anaesthetic(store, "desflurane", "2 L/min", "1 h", None, "AR5").to_dict()
print(json.dumps({k: r[k] for k in ("agent", "liquid_ml", "agent_kg", "kgCO2e", "kgCO2e_low", "kgCO2e_high",
                                    "gwp_basis", "gwp_basis_used", "factor_ids")}, indent=2, default=str))
""",
    "travel": """import json
from carbon import bootstrap, travel
store = bootstrap.open_store(None)
r = travel.journey(store, "car_petrol_average", "20 mile", True, None, "AR5").to_dict()
print(json.dumps({k: r[k] for k in ("mode", "distance_km", "occupancy", "kgCO2e", "kgCO2e_low", "kgCO2e_high",
                                    "gwp_basis", "factor_ids")}, indent=2, default=str))
""",
    "pathway": """import json
from carbon import bootstrap, equivalence
from carbon import pathways as pw
store = bootstrap.open_store(None)
p = pw.resolve(store, "asthma_pmdi")
fp = pw.footprint(store, p, "AR5")
t = pw.totals(fp, p.cohort, "AR5")
out = {"pathway": p.name, "cohort": p.cohort, **{k: t[k] for k in ("kgCO2e", "kgCO2e_low", "kgCO2e_high")},
       "equivalence": equivalence.car(store, t["kgCO2e"], "AR5"), "activities": fp.to_dict("records")}
print(json.dumps(out, indent=2, default=str))
""",
}
PAIRS = [
    ("carbon --help", [CARBON, "--help"], "python -c 'import duckdb'", [PY, "-c", "import duckdb"]),
    ("carbon anaesthetic --agent desflurane --fgf '2 L/min' --duration '1 h' --format json",
     [CARBON, "anaesthetic", "--agent", "desflurane", "--fgf", "2 L/min", "--duration", "1 h", "--format", "json"],
     "minimal script (anaesthetics.anaesthetic)", "anaesthetic"),
    ("carbon travel --mode car_petrol_average --distance '20 mile' --return --format json",
     [CARBON, "travel", "--mode", "car_petrol_average", "--distance", "20 mile", "--return", "--format", "json"],
     "minimal script (travel.journey)", "travel"),
    ("carbon pathway footprint asthma_pmdi --format json",
     [CARBON, "pathway", "footprint", "asthma_pmdi", "--format", "json"],
     "minimal script (pathways.footprint)", "pathway"),
]


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed")
    return time.perf_counter() - t, usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--result", type=Path, required=True)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="carbon-bench-startup-") as tmp:
        env = {**os.environ, "CARBON_DB": str(Path(tmp) / "carbon.duckdb")}
        subprocess.run([CARBON, "db", "init"], env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        pairs = []
        for label, cmd, base_label, base in PAIRS:
            if isinstance(base, str):
                script = OUT / f"minimal_{base}.py"
                script.write_text(MINIMAL[base])
                base = [PY, str(script)]
            timed(cmd, env), timed(base, env)  # warm-up: the page cache holds both
            a, b = [], []
            for _ in range(args.runs):
                a.append(timed(cmd, env))
                b.append(timed(base, env))
            pairs.append({
                "command": label, "baseline": base_label,
                "wall": statistics.median(x[0] for x in a), "cpu": statistics.median(x[1] for x in a),
                "base_wall": statistics.median(x[0] for x in b), "base_cpu": statistics.median(x[1] for x in b),
                "ratio_wall": statistics.median(x[0] / y[0] for x, y in zip(a, b)),
                "ratio_cpu": statistics.median(x[1] / y[1] for x, y in zip(a, b)),
            })
            print(f"{label}: {pairs[-1]['ratio_wall']:.2f} (wall), {pairs[-1]['ratio_cpu']:.2f} (CPU)", flush=True)
    args.result.write_text(json.dumps({"pairs": pairs, "runs": args.runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
