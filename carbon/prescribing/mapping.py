"""BNF code -> device, product, factor and doses per inhaler, from published facts, computed once.

The mapping is a table (``rx_code_map``) built by ``sql/mapping_refresh.sql`` at the end of every
import and whenever the factor library changes (``ensure``), never inside a footprint query; with it
the footprint summaries (``SUMMARIES``, ``sql/summaries.sql``) that the footprints read. Its inputs
are shipped in ``factors/`` with their sources:

* ``bnf_presentations.csv``: NHSBSA's BNF code list (5 February 2020) for sections 3.1 and 3.2,
  the name of every presentation; codes created since take the name of the code they replaced
  (``bnf_code_changes.csv``) or, failing that, the description in the imported file;
* ``bnf_device_words.csv`` and ``bnf_device_corrections.csv``: the device a name says (BNF naming:
  ``_Inha`` pressurised, ``_Pdr For Inh`` powder, device names); a generic takes its brands' device;
* ``bnf_inhalers.csv``: the factor of each product, by longest code prefix and device, with stated
  defaults for generic codes and class defaults for the rest.

Inhalers are counted from the quantity: more than 9 units per item is in doses (divide by the
doses per inhaler), otherwise it counts inhalers (the rule of OpenPrescribing's environmental
inhalers measure). A code whose quantity cannot be converted is *unmapped*, never zero.
"""

from __future__ import annotations

import pandas as pd

from carbon import factors as fx
from carbon.prescribing.sqlfiles import sql
from carbon.store import Store

#: More than this many units per item means the quantity is in doses (OpenPrescribing's rule).
DOSES_THRESHOLD = 9
#: BNF codes: a 15-character presentation (chapters 1-19) or an 11-character appliance (20-23).
CODE_RE = "[0-9]{7}[0-9A-Z]{8}|2[0-3][0-9A-Z]{9}"
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
#: Paid quantity -> inhalers, per row of rx_item (``i``) and its map row (``m``): rows.sql explains it.
INHALERS = (f"CASE WHEN i.quantity > {DOSES_THRESHOLD} * i.items THEN i.quantity / NULLIF(m.doses_per_inhaler, 0) "
            "ELSE i.quantity END")
#: The footprint summaries (migration 102): rx_item's inhaler rows summed by month x board x presentation and
#: by practice x board x presentation, rewritten with rx_item or the map (summaries.sql).
BY_MONTH = "rx_sum_mb"
BY_PRACTICE = "rx_sum_pb"
SUMMARIES = (BY_MONTH, BY_PRACTICE)
#: The short-acting beta-agonists (relievers): salbutamol and terbutaline, as OpenPrescribing's SABA measure.
RELIEVER_CHEMICALS = ("0301011R0", "0301011V0")


def changes_sql() -> str:
    """The WITH list giving every old BNF code its code today (table ``rx_current``)."""
    return sql("mapping_changes", code_re=CODE_RE)


def _token(store: Store) -> str:
    return fx.library_token(store)


def refresh(store: Store, cur=None, codes_changed: bool = True) -> None:
    """Rebuild the code map, the switching matches and the footprint summaries (in ``cur``'s
    transaction if given: the one that changed rx_item, so no reader sees the summaries stale).

    ``codes_changed`` False (an import that brought no new chapter 3 code or name) rebuilds the map
    only if the factor library changed since it was built; the switching matches, which prefer
    presentations already prescribed, and the summaries of rx_item are rebuilt either way."""
    def run(c):
        row = c.execute("SELECT token FROM rx_map_state WHERE id = 1").fetchone()
        if codes_changed or row is None or row[0] != _token(store):
            c.execute(sql("mapping_refresh", changes=changes_sql()))
        c.execute(sql("switch_match"))
        c.execute(sql("summaries", inhalers=INHALERS))
        c.execute("INSERT OR REPLACE INTO rx_map_state (id, token) VALUES (1, ?)", [_token(store)])

    if cur is not None:
        run(cur)
    else:
        with store.transaction() as tx:
            run(tx)


def ensure(store: Store) -> None:
    """Refresh the map if the factor library (or its overrides) changed since it was built."""
    row = store.execute("SELECT token FROM rx_map_state WHERE id = 1").fetchone()
    if row is None or row[0] != _token(store):
        refresh(store)


def rows_sql(items: str = "rx_item", name: str = "rx", first: bool = True) -> str:
    """The WITH list of every stored inhaler row with its mapping and factor (table ``<name>_r``,
    ``rx_r`` by default), from ``items``: rx_item, a relation of the same columns (the national
    Parquet set's) or one of the footprint ``SUMMARIES``. ``first`` False continues a WITH list."""
    inhalers = "i.inhalers_sum" if items in SUMMARIES else INHALERS
    return sql("rows", start="WITH " if first else "", alias=name, items=items, inhalers=inhalers,
               doses_threshold=DOSES_THRESHOLD)


def mapping(store: Store) -> pd.DataFrame:
    """How every imported chapter 3 code was mapped: its current code, the name the device was read
    from and where that name came from, device, product, factor, doses per inhaler, ``matched_by``
    (presentation, product, chemical, class default, not an inhaler, outside BNF sections 3.1 and
    3.2, unmapped) and, for an unmapped inhaler, why."""
    ensure(store)
    return store.df("""SELECT m.bnf_code, m.current_code, m.name AS description, m.name_source, m.device,
                              m.device_from, m.product, m.doses_per_inhaler, m.factor_id, m.mapping_row,
                              m.matched_by, m.reliever, m.reason
                       FROM rx_code_map m JOIN rx_code c USING (bnf_code) ORDER BY m.bnf_code""")


def reference(store: Store, sections: tuple = ("0301", "0302")) -> pd.DataFrame:
    """The mapping of every presentation of the shipped NHSBSA list in ``sections`` (imported or not):
    what coverage reports for the list itself."""
    ensure(store)
    return store.df("""SELECT bnf_code, name, form, device, device_from, product, factor_id, matched_by, reason
                       FROM rx_code_map
                       WHERE list_contains(?, in_sections) AND name_source = 'NHSBSA BNF code list (February 2020)'
                       ORDER BY bnf_code""", [list(sections)])


#: The inhaler factors on a basis as a frame, by (database file, library token, basis): resolving the
#: library is the costliest fixed part of a footprint query, and it changes only with the library.
_FACTORS: dict = {}
#: The list prices per inhaler (factors/prices.csv), the ``rx_prices`` of the switching queries.
PRICES = ("rx_prices AS (SELECT CAST(factor_id AS VARCHAR) AS id, CAST(value AS DOUBLE) AS gbp FROM ref_prices "
          "WHERE CAST(unit AS VARCHAR) = 'GBP/inhaler')")


def factor_frame(store: Store, basis: str, token: str | None = None) -> pd.DataFrame:
    """The inhaler factors on ``basis``: id, kg, kg_low, kg_high (kgCO2e per inhaler), kept per library token."""
    key = (str(store.path), token or _token(store), basis)
    frame = _FACTORS.get(key)
    if frame is None:
        res = fx.resolved(store, basis)
        per_inhaler = res[res["per"] == "inhaler"]
        frame = pd.DataFrame({
            "id": per_inhaler["id"].astype(str),
            "kg": per_inhaler["kgCO2e_per"].astype(float),
            "kg_low": per_inhaler["kgCO2e_per_low"].astype(float),
            "kg_high": per_inhaler["kgCO2e_per_high"].astype(float),
        })
        if len(_FACTORS) > 32:
            _FACTORS.clear()
        _FACTORS[key] = frame
    return frame


def with_factors(store: Store, basis: str, query: str, params: list | None = None) -> pd.DataFrame:
    """Run ``query`` with the inhaler factors on ``basis`` visible as table ``rx_factors`` (and the
    list prices per inhaler of factors/prices.csv as ``rx_prices``), after making sure the map is current."""
    token = _token(store)
    row = store.execute("SELECT token FROM rx_map_state WHERE id = 1").fetchone()
    if row is None or row[0] != token:  # ensure(), with the token read once
        refresh(store)
    frame = factor_frame(store, basis, token)
    if "rx_prices" in query and "WITH rx_rows AS (" in query:  # joins the WITH list: no view written per query
        query = query.replace("WITH rx_rows AS (", f"WITH {PRICES},\nrx_rows AS (", 1)
    # A short-lived cursor of its own: the registered frame is visible to this query only, and
    # an unfinished result left on the thread's cursor cannot block the registration.
    cur = store.cursor().cursor()
    try:
        cur.register("rx_factors", frame)
        return cur.execute(query, params).df() if params else cur.execute(query).df()
    finally:
        cur.close()
