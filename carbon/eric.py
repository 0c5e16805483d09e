"""NHS England's Estates Returns Information Collection (ERIC), trust level, as published.

The file is ``$``-delimited with two header rows: the section (``Energy``, ``Water Services``,
``Waste``, ...; given once above its first column, empty after) and the column
(``Gas consumed (kWh)``). One row per trust and no year in the file: the financial year is given
by the caller or read from the file name (``eric_2016_17_...``).

Two features of the real 2016-17 file are read as they are:

* a trust name containing a comma is split by the publisher's export into two fields
  (``BARKING$ HAVERING AND REDBRIDGE ... TRUST$LONDON COMMISSIONING REGION$...``); the name is
  joined again when the field after it is not the commissioning region but the next one is.
  The energy, water and waste columns of those rows line up with the header (checked: every
  value there is a number), so they are read by the header's position.
* the recycling column is spelt ``Waste reycling volume (Tonnes)``.

Only the columns in ``COLUMNS`` become activity; any other waste tonnage or energy kWh column
(a later ERIC layout) is refused by name rather than left out. Electricity from a green tariff
or a third-party renewable supply is grid electricity (location-based); the water volume is
stored as supply and as treatment; see ``factors/estates_items.csv`` for each reading.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from carbon import periods, reading
from carbon.errors import CarbonError, Problem

#: (section, column) -> the (stream, item, unit) rows it gives.
COLUMNS: dict[tuple[str, str], list[tuple[str, str, str]]] = {
    ("Energy", "Electricity consumed (kWh)"): [("energy", "electricity", "kWh")],
    ("Energy", "Electricity consumed - green energy tariff (kWh)"): [("energy", "electricity", "kWh")],
    ("Energy", "Electricity consumed - third party owned renewable (kWh)"): [("energy", "electricity", "kWh")],
    ("Energy", "Gas consumed (kWh)"): [("energy", "natural_gas", "kWh")],
    ("Energy", "Oil consumed (kWh)"): [("energy", "fuel_oil", "kWh")],
    ("Energy", "Coal consumed (kWh)"): [("energy", "coal", "kWh")],
    ("Energy", "Steam consumed (kWh)"): [("energy", "district_heat", "kWh")],
    ("Energy", "Hot water consumed (kWh)"): [("energy", "district_heat", "kWh")],
    ("Energy", "Non-fossil fuel consumed - renewable (kWh)"): [("energy", "wood_chips", "kWh")],
    ("Water Services", "Water volume (including borehole) (m³)"): [("water", "water_supply", "m3"),
                                                                    ("water", "water_treatment", "m3")],
    ("Waste", "Landfill disposal volume (Tonnes)"): [("waste", "landfill", "tonne")],
    ("Waste", "Incineration disposal volume (Tonnes)"): [("waste", "incineration", "tonne")],
    ("Waste", "Waste reycling volume (Tonnes)"): [("waste", "recycling", "tonne")],
    ("Waste", "Other recovery volume (Tonnes)"): [("waste", "other_recovery", "tonne")],
}
#: Read and deliberately not footprinted: generation, not consumption.
NOT_CONSUMPTION = {("Energy", "Electrical energy output of owned onsite renewables (kWh)")}
CODE, NAME, REGION = "Organisation Code", "Organisation Name", "Commissioning Region"
_YEAR_IN_NAME = re.compile(r"(?<!\d)(\d{4})[_\-](\d{2})(?!\d)")


class EricError(CarbonError):
    headline = "nothing was imported"


def period_of(name: str, period: str | None = None) -> periods.Period:
    """The financial year of a return: ``period`` if given, else from the file name."""
    if period:
        return periods.parse(period, where=name)
    m = _YEAR_IN_NAME.search(name)
    if not m:
        raise EricError(Problem(name, None, "an ERIC file does not say its financial year",
                                "give it: carbon estates import FILE --year 2016/17"))
    return periods.parse(f"{m.group(1)}/{m.group(2)}", where=name)


def read(path: Path, period: str | None = None, name: str | None = None) -> pd.DataFrame:
    """The return as estates activity rows (``carbon.estates.ACTIVITY_COLUMNS`` + origin, line)."""
    name = name or path.name
    fy = period_of(name, period)
    # within bounds (carbon.reading); the published file's rows are of uneven width, so padded
    _, raw, _ = reading.read_text(path, name, "carbon_es_", delim="$", limit=64 * 2**20, pad=True, header=False,
                                  error=EricError)
    raw = raw.drop(columns=["line"])
    if len(raw) < 3:
        raise EricError(Problem(name, None, "has no trust rows under its two header rows"))
    sections = raw.iloc[0].fillna("").str.strip().replace("", np.nan).ffill().fillna("").tolist()
    columns = raw.iloc[1].fillna("").str.strip().tolist()
    body = raw.iloc[2:].reset_index(drop=True).fillna("")
    body = body.apply(lambda c: c.str.strip())
    line = np.arange(3, len(raw) + 1)
    keys = list(zip(sections, columns))
    pos = {k: i for i, k in enumerate(keys)}
    for label in (CODE, NAME, REGION):
        if ("", label) not in pos and not any(c == label for c in columns):
            raise EricError(Problem(name, 2, f"is not an ERIC trust return: no column {label!r}",
                                    "give the trust-level ERIC file as published ($-delimited)"))
    problems = [Problem(name, 2, f"lacks the ERIC column {sec} > {col}", "give the ERIC trust file as published")
                for sec, col in COLUMNS if (sec, col) not in pos]
    for sec, col in keys:
        if (sec, col) in COLUMNS or (sec, col) in NOT_CONSUMPTION:
            continue
        if sec == "Waste" and col.endswith("(Tonnes)"):
            problems.append(Problem(name, 2, f"waste column {col!r} is a waste route with no factor in this product",
                                    "add the route and its DESNZ factor to factors/estates_items.csv"))
        elif sec == "Energy" and col.endswith("(kWh)"):
            problems.append(Problem(name, 2, f"energy column {col!r} is an unknown fuel",
                                    "add the fuel to carbon/eric.py COLUMNS and factors/estates_items.csv"))
    if problems:
        raise EricError(problems)

    code = body.iloc[:, columns.index(CODE)]
    ni, ri = columns.index(NAME), columns.index(REGION)
    org_name = body.iloc[:, ni]
    split = ~body.iloc[:, ri].str.upper().str.endswith("REGION") & body.iloc[:, ri + 1].str.upper().str.endswith("REGION")
    org_name = org_name.where(~split, org_name + ", " + body.iloc[:, ri])
    frames = []
    for (sec, col), targets in COLUMNS.items():
        values = body.iloc[:, pos[(sec, col)]]
        for stream, item, unit in targets:
            frames.append(pd.DataFrame({
                "organisation_code": code, "organisation_name": org_name, "site": "", "period": fy.label,
                "stream": stream, "item": item, "quantity": values, "unit": unit,
                "origin": f"ERIC {sec} > {col}", "line": line,
            }))
    out = pd.concat(frames, ignore_index=True)
    number = pd.to_numeric(out["quantity"], errors="coerce")
    # empty or zero: nothing used, nothing to store; anything else (text, negative) is validated
    keep = (out["quantity"] != "") & ~(number == 0)
    return out[keep].sort_values(["line", "stream", "item"], kind="stable").reset_index(drop=True)
