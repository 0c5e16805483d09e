"""``estates``: an organisation's imported estates return for the line's period (``ref`` = its code
or name, e.g. ``S08000024``; ``period`` = the financial year of the return), footprinted with the
DESNZ factors of that period (or the line's ``factor_year``): one row per source (building energy,
water, waste, refrigerants), the same figures as ``carbon estates footprint``.

The return is imported first (``carbon estates import FILE``, or the Scenarios page's estates
section); a line naming an organisation or a year that was not imported is an error naming both
and what was imported. Used by scenarios, in the year context only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbon import desnz, estates
from carbon.errors import CarbonError, Problem
from carbon.kinds import checked
from carbon.kinds.base import TIDY, Context, Kind, join_ids
from carbon.kinds.estates_line import arithmetic, factor_year_of, held_years, period_of
from carbon.library import Library

#: The category each estates source takes in a scenario (the board view's sources follow it).
CATEGORY = {"building_energy": "energy", "water": "water", "waste": "waste", "refrigerants": "refrigerant"}


def _which(orgs: pd.DataFrame, ref: str) -> str | None:
    """The organisation code ``ref`` names (its code, or its name in any case), or None."""
    code = orgs["organisation_code"].astype(str)
    name = orgs["organisation_name"].astype(str).str.strip().str.lower()
    hit = orgs[(code.str.upper() == ref.strip().upper()) | (name == ref.strip().lower())]
    return str(hit["organisation_code"].iloc[0]) if len(hit) else None


def _activity(store, lines: pd.DataFrame) -> pd.DataFrame:
    """The stored activity of each line's organisation and period (with the line's position and
    factor year), or a ``CarbonError`` naming each line whose return was not imported."""
    orgs = estates.organisations(store)
    problems, found = [], []
    for r in lines.itertuples(index=False):  # a scenario's one or two estates lines
        code = _which(orgs, r.organisation)
        if code is None:
            held = ", ".join(orgs["organisation_code"].astype(str).head(10)) or "none yet"
            problems.append(Problem("", r.position, f"no estates return has been imported for {r.organisation!r} "
                                    f"(imported: {held})", "import it on the Scenarios page or with "
                                    "`carbon estates import FILE`"))
            continue
        act = estates.activity(store, [code], [r.period])
        if act.empty:
            have = orgs.loc[orgs["organisation_code"] == code, "periods"].iloc[0]
            problems.append(Problem("", r.position, f"no imported estates return for {code} in {r.period} "
                                    f"(imported for {code}: {have})", "import that year's return, or give the "
                                    "line the period of a return you imported"))
            continue
        found.append(act.assign(position=r.position, factor_year=r.factor_year))
    if problems:
        raise CarbonError(problems)
    act = pd.concat(found, ignore_index=True)
    own = act["start_year"].astype(int).to_numpy()  # DESNZ's majority rule: a period takes its start year
    given = pd.to_numeric(act["factor_year"], errors="coerce").to_numpy()
    act["factor_year"] = np.where(np.isnan(given), own, given).astype(int)
    act["own_year"] = own
    held_years(store, act)
    return act


class EstatesReturnKind(Kind):
    name = "estates"
    label = "An imported estates return (an organisation's year, by source)"
    fields = ("factor", "period", "factor_year")
    picks = "organisation"
    contexts = ("year",)

    def choices(self, lib: Library) -> list[str]:
        return []

    def parse(self, lib: Library, row: dict, ctx: Context) -> dict:
        org = self.need_factor(row, ctx)
        period = period_of(row)
        return {"organisation": org, "period": period.label, "factor_year": factor_year_of(row),
                "quantity_text": f"imported estates return of {org} for {period.label}"}

    def compute(self, store, lib: Library, parsed: pd.DataFrame, basis: str, ctx: Context) -> pd.DataFrame:
        p = parsed.reset_index(drop=True).assign(position=lambda d: d["position"].astype(int))
        act, errors = checked.refused(lambda rows: _activity(store, rows), p)
        out = None
        if act is not None:
            parts = []
            for (fy, pos), grp in act.groupby(["factor_year", "position"]):  # one per line (a handful)
                fp = estates.footprint_frame(store, grp.drop(columns=["position", "factor_year", "own_year"]), basis,
                                             factor_year=int(fy))
                parts.append(fp.assign(position=pos, own_year=int(grp["own_year"].iloc[0])))
            fp = pd.concat(parts, ignore_index=True)
            figures = desnz.series(store, basis)[["factor_id", "kgCO2e_per", "per"]]
            fp = fp.merge(figures, on="factor_id", how="left")
            keys = ["position", "source"]
            by = fp.groupby(keys, sort=True).agg(
                kgCO2e=("kgCO2e", "sum"), kgCO2e_low=("kgCO2e_low", "sum"), kgCO2e_high=("kgCO2e_high", "sum"),
                factor_ids=("factor_id", lambda s: join_ids(s, " ")), name=("organisation_name", "first"),
                rows=("item", "size"))
            by["steps"] = arithmetic(fp, keys)
            by = by.reset_index().merge(p[["position", "quantity_text"]], on="position", how="left")
            out = by.assign(
                category=by["source"].map(CATEGORY),
                factor_name=by["name"] + ": " + by["source"].map(estates.SOURCE_LABELS).str.lower(),
                amount=by["rows"].astype(float), amount_unit="rows of the return", cost_gbp=np.nan, gwp_basis="AR5")
            out = out[TIDY]
        return checked.mark(out, errors, TIDY)
