"""A pathway's footprint per patient and per cohort, where it comes from, and the comparison of pathways.

Every activity goes through the registry of kinds (``carbon.kinds``) in the per-patient context, so a
pathway row means what the same line means in a scenario or the swap catalogue. Results are tidy
frames in kgCO2e with low/high from the factor ranges, cost in pounds where ``factors/prices.csv``
prices the factor, the arithmetic and the ids of every factor used.
"""

from __future__ import annotations

import math

import pandas as pd

from carbon import factors as fx
from carbon import kinds
from carbon.pathways.model import Activity, Pathway, PathwayError

KG_COLUMNS = ["kgCO2e", "kgCO2e_low", "kgCO2e_high"]
FOOTPRINT_COLUMNS = [
    "position", "stage", "category", "activity", "kind", "factor", "factor_name", "quantity_text",
    "amount", "amount_unit", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "cost_gbp", "gwp_basis",
    "factor_ids", "steps", "note", "source", "error",
]


def kind_labels() -> dict[str, str]:
    """The kinds an activity can be (the registry's kinds that work per patient), with their labels."""
    return kinds.labels("patient")


def _label(a: Activity, position: int) -> str:
    return a.activity or a.factor or f"row {position}"


def footprint(store, pathway: Pathway, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """One row per activity, per patient: stage, category, activity, quantity_text, amount (in the
    factor's unit), kgCO2e with low/high, cost_gbp (NaN where no price), gwp_basis used,
    factor_ids (comma-separated), steps (the arithmetic) and ``error`` ("" when the row computed;
    otherwise why, naming the activity, with kgCO2e NaN)."""
    frame = pathway.activities_frame()
    if frame.empty:
        return pd.DataFrame(columns=FOOTPRINT_COLUMNS)
    frame.insert(0, "position", range(1, len(frame) + 1))
    try:
        fp = kinds.footprint(store, frame.drop(columns=["stage", "activity", "note", "source"]), basis, kinds.PER_PATIENT)
    except ValueError as exc:  # an unknown GWP basis
        raise PathwayError(str(exc)) from None
    labels = {i: _label(a, i) for i, a in enumerate(pathway.activities, start=1)}
    fp["error"] = [f"{labels[p]}: {e}" if e else "" for p, e in zip(fp["position"], fp["error"])]
    out = frame[["position", "stage", "activity", "factor", "note", "source"]].merge(
        fp.drop(columns=["kind"]), on="position", how="left")
    out["kind"] = frame["kind"].to_numpy()
    return out[FOOTPRINT_COLUMNS].reset_index(drop=True)


def errors(fp: pd.DataFrame) -> list[str]:
    """The per-row problems of a footprint (empty when every row computed)."""
    return [e for e in fp["error"] if e]


def totals(fp: pd.DataFrame, cohort: float, basis: str = fx.DEFAULT_BASIS) -> dict:
    """Per patient and per cohort (× ``cohort`` patients a year): kgCO2e central/low/high, cost in
    pounds (of the priced rows), how many rows are priced, the rows in error and every factor id."""
    ok = fp[fp["error"] == ""]
    per = {c: float(ok[c].sum()) for c in KG_COLUMNS}
    cost = float(ok["cost_gbp"].sum(min_count=1)) if len(ok) else math.nan
    ids = sorted({i.strip() for s in ok["factor_ids"] for i in s.split(",") if i.strip()})
    return {
        **per,
        "cost_gbp": cost,
        "cohort": float(cohort),
        **{f"cohort_{c}": per[c] * cohort for c in KG_COLUMNS},
        "cohort_cost_gbp": cost * cohort,
        "priced_rows": int(ok["cost_gbp"].notna().sum()),
        "rows": int(len(fp)),
        "errors": errors(fp),
        "gwp_basis": basis,
        "factor_ids": ids,
    }


def breakdown(fp: pd.DataFrame, by: str = "category", cohort: float = 1.0) -> pd.DataFrame:
    """kgCO2e (central/low/high) and cost by ``by`` ("category" or "stage"), per patient and for
    the cohort, with each group's share of the total; largest first."""
    ok = fp[fp["error"] == ""]
    g = ok.groupby(by, sort=False)[KG_COLUMNS + ["cost_gbp"]].sum(min_count=1).reset_index()
    total = g["kgCO2e"].sum()
    g["share"] = g["kgCO2e"] / total if total else 0.0
    g["cohort_kgCO2e"] = g["kgCO2e"] * cohort
    return g.sort_values("kgCO2e", ascending=False).reset_index(drop=True)


def compare(store, pathways: list[Pathway], basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """One row per pathway: per patient and per cohort kgCO2e (central/low/high) and cost, the
    difference from the first pathway, and the number of rows that could not be computed."""
    rows = []
    for p in pathways:  # two to four pathways
        t = totals(footprint(store, p, basis), p.cohort, basis)
        rows.append({"pathway": p.name, "condition": p.condition, "cohort": p.cohort,
                     **{k: t[k] for k in KG_COLUMNS + ["cost_gbp"]},
                     **{f"cohort_{k}": t[f"cohort_{k}"] for k in KG_COLUMNS + ["cost_gbp"]},
                     "errors": len(t["errors"]), "gwp_basis": basis, "factor_ids": ", ".join(t["factor_ids"])})
    df = pd.DataFrame(rows)
    if len(df):
        df["difference_kgCO2e"] = df["kgCO2e"] - df["kgCO2e"].iloc[0]
        df["difference_cost_gbp"] = df["cost_gbp"] - df["cost_gbp"].iloc[0]
        df["cohort_difference_kgCO2e"] = df["cohort_kgCO2e"] - df["cohort_kgCO2e"].iloc[0]
    return df


def compare_breakdown(store, pathways: list[Pathway], basis: str = fx.DEFAULT_BASIS,
                      by: str = "category") -> pd.DataFrame:
    """Long table: pathway × group (category or stage) with kgCO2e and cost per patient and per
    cohort, and each group's difference from the first pathway (what drives the gap)."""
    parts = []
    for p in pathways:
        b = breakdown(footprint(store, p, basis), by, p.cohort)
        b.insert(0, "pathway", p.name)
        b["cohort_cost_gbp"] = b["cost_gbp"] * p.cohort
        parts.append(b)
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if long.empty:
        return long
    first = pathways[0].name
    diffs = []
    for value, out in (("kgCO2e", "difference_kgCO2e"), ("cohort_kgCO2e", "cohort_difference_kgCO2e")):
        # Per year, each pathway's own cohort: the groups add up to the totals' difference in ``compare``
        # even when the two pathways serve different numbers of patients.
        wide = long.pivot_table(index=by, columns="pathway", values=value, aggfunc="sum", fill_value=0.0)
        base = wide[first] if first in wide.columns else 0.0
        diffs.append(wide.sub(base, axis=0).stack().rename(out))
    diff = pd.concat(diffs, axis=1).reset_index()
    long = diff.merge(long, on=[by, "pathway"], how="left")
    long[KG_COLUMNS + ["cohort_kgCO2e"]] = long[KG_COLUMNS + ["cohort_kgCO2e"]].fillna(0.0)
    order = {p.name: i for i, p in enumerate(pathways)}
    long = long.sort_values(["pathway", by], key=lambda s: s.map(order) if s.name == "pathway" else s)
    return long[["pathway", by, *KG_COLUMNS, "cost_gbp", "cohort_kgCO2e", "cohort_cost_gbp",
                 "difference_kgCO2e", "cohort_difference_kgCO2e"]].reset_index(drop=True)
