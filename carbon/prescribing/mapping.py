"""BNF code -> device, product, doses per inhaler and factor, and the factor library on a basis.

Presentation rows (``factors/bnf_inhalers.csv``) win; otherwise the chemical substance (first 9
characters) and words in the description pick a row of ``factors/bnf_inhaler_chemicals.csv``;
otherwise the code is unmapped. Inhalers are counted from the quantity: a quantity of more than
9 units per item is in doses (divide by the doses per inhaler), otherwise it counts inhalers (the
rule of OpenPrescribing's environmental inhalers measure). A code whose quantity cannot be
converted is *unmapped*, never zero.
"""

from __future__ import annotations

import pandas as pd

from carbon import factors as fx
from carbon.prescribing.sqlfiles import sql
from carbon.store import Store

#: More than this many units per item means the quantity is in doses (OpenPrescribing's rule).
DOSES_THRESHOLD = 9
DEVICES = {
    "pmdi_hfa134a": "pMDI (HFA-134a)",
    "pmdi_hfa227ea": "pMDI (HFA-227ea)",
    "bai": "breath-actuated MDI",
    "dpi": "dry-powder inhaler (DPI)",
    "smi": "soft-mist inhaler",
    "nebuliser_other": "nebuliser / other (not an inhaler)",
}
PROPELLANT_DEVICES = ("pmdi_hfa134a", "pmdi_hfa227ea", "bai")
LOW_CARBON_DEVICES = ("dpi", "smi")


def mapping_sql() -> str:
    """The WITH list that maps every imported code (table ``rx_map``)."""
    return sql("mapping")


def rows_sql() -> str:
    """The WITH list of every stored inhaler row with its mapping and factor (table ``rx_r``)."""
    return sql("rows", mapping=mapping_sql(), doses_threshold=DOSES_THRESHOLD)


def mapping(store: Store) -> pd.DataFrame:
    """How every imported BNF code was mapped (``matched_by``: presentation, chemical, form, unmapped)."""
    return store.df(f"WITH {mapping_sql()} SELECT * FROM rx_map ORDER BY bnf_code")


def with_factors(store: Store, basis: str, query: str, params: list | None = None) -> pd.DataFrame:
    """Run ``query`` with the inhaler factors on ``basis`` visible as table ``rx_factors``."""
    res = fx.resolved(store, basis)
    per_inhaler = res[res["per"] == "inhaler"]
    frame = pd.DataFrame({
        "id": per_inhaler["id"].astype(str),
        "kg": per_inhaler["kgCO2e_per"].astype(float),
        "kg_low": per_inhaler["kgCO2e_per_low"].astype(float),
        "kg_high": per_inhaler["kgCO2e_per_high"].astype(float),
    })
    # A short-lived cursor of its own: the registered frame is visible to this query only, and
    # an unfinished result left on the thread's cursor cannot block the registration.
    cur = store.cursor().cursor()
    try:
        cur.register("rx_factors", frame)
        return cur.execute(query, params).df() if params else cur.execute(query).df()
    finally:
        cur.close()
