"""Estates: building energy by fuel, water, waste by route and refrigerants, per organisation and
reporting period, footprinted with that period's DESNZ factors.

Activity comes from an estates return (NHS England's ERIC collection, ``carbon.eric``) or the
plain estates template a Scottish board fills from its own records
(``docs/estates_return_template.csv``): one row per organisation, site, period, stream
(``energy``, ``water``, ``waste``, ``refrigerant``) and item (a fuel, water supply or
treatment, a waste route, a refrigerant), with a quantity and its unit. ``factors/estates_items.csv``
says which DESNZ families each item takes, by what it is measured in (natural gas in kWh or in
cubic metres). ``validate`` reads any such frame (a file, a scenario's lines) into one unit per
measure (kWh, m3, kg) or names every bad row; ``footprint_frame`` is the set-wise footprint;
``import_file`` stores a file all or nothing.

The factor year of a period is ``carbon.periods`` (DESNZ's majority rule: 2024/25 uses 2024);
a footprint can instead hold one factor year for every period (``factor_year=2025``), and
``missing="nearest"`` takes the nearest year the library holds where it lacks a family's year.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from carbon import desnz, eric, periods
from carbon import factors as fx
from carbon import reading, uploads
from carbon.errors import CarbonError, Problem
from carbon.formatting import counted
from carbon.store import PROJECT_DIR, Store
from carbon.units import UnitError, parse_unit, ureg

TEMPLATE = PROJECT_DIR / "docs" / "estates_return_template.csv"
TEMPLATE_COLUMNS = ["organisation_code", "organisation_name", "site", "financial_year", "stream", "item",
                    "quantity", "unit", "notes"]
#: What a caller's frame carries (``line`` and ``origin`` optional): the contract of ``validate``.
ACTIVITY_COLUMNS = ["organisation_code", "organisation_name", "site", "period", "stream", "item", "quantity", "unit"]
CANONICAL = {"energy": "kWh", "volume": "m3", "mass": "kg"}
SOURCES = {"energy": "building_energy", "water": "water", "waste": "waste", "refrigerant": "refrigerants"}
SOURCE_LABELS = {"building_energy": "Building energy", "water": "Water", "waste": "Waste",
                 "refrigerants": "Refrigerants and SF6"}
WHOLE = ""  # the site of a return made for the whole organisation (ERIC is trust-level)
MAX_LISTED = 20


class EstatesError(CarbonError):
    headline = "nothing was imported"


def items(store: Store) -> pd.DataFrame:
    """The estates items (``factors/estates_items.csv``): stream, item, label, measure, families,
    wtt_families, source, notes (text)."""
    df = fx.reference(store, "estates_items")
    return df.astype(str).replace({"nan": "", "None": ""})


# ---------------------------------------------------------------------------------------------
# Validation: any frame of estates activity into one unit per measure, or every bad row named
# ---------------------------------------------------------------------------------------------
class _Problems:
    def __init__(self, where: str, lines: np.ndarray):
        self.where, self.lines, self.listed, self.total = where, lines, [], 0

    def add(self, mask, what, fix: str = "") -> None:
        rows = np.asarray(mask, dtype=bool).nonzero()[0]
        self.total += len(rows)
        for i in rows[: max(0, MAX_LISTED - len(self.listed))]:
            line = int(self.lines[i]) if self.lines is not None else None
            where = self.where if line else f"{self.where} row {i + 1}".strip()
            self.listed.append(Problem(where, line, what(i), fix))

    def raise_any(self, cls=EstatesError) -> None:
        if self.total:
            raise cls(self.listed, total=self.total)


def _measure(unit_text: str) -> tuple[str | None, float]:
    """('energy'|'volume'|'mass', factor to the canonical unit) for a unit string, or (None, nan)."""
    try:
        unit = parse_unit(unit_text.replace("³", "**3"))
    except UnitError:
        return None, float("nan")
    q = ureg.Quantity(1, unit)
    for measure, dim in (("energy", "[energy]"), ("volume", "[volume]"), ("mass", "[mass]")):
        if q.check(dim):
            return measure, float(q.to(CANONICAL[measure]).magnitude)
    return None, float("nan")


def validate(store: Store, frame: pd.DataFrame, where: str = "", cls=EstatesError) -> pd.DataFrame:
    """Read estates activity (``ACTIVITY_COLUMNS``; ``line``/``origin`` optional) or raise ``cls``
    naming each bad row (file and line where ``line`` is given, else the row number).

    Returns: organisation_code, organisation_name, site, period, period_kind, start_year, stream,
    item, measure, quantity (kWh, m3 or kg), unit, origin, line.
    """
    lacking = [c for c in ACTIVITY_COLUMNS if c not in frame.columns]
    if lacking:
        raise cls(Problem(where, None, f"lacks the column(s) {', '.join(lacking)}",
                          f"the columns are {', '.join(ACTIVITY_COLUMNS)}"))
    df = frame.reset_index(drop=True)
    text = {c: df[c].astype("string").fillna("").str.strip() for c in ACTIVITY_COLUMNS if c != "quantity"}
    lines = df["line"].to_numpy() if "line" in df.columns else None
    bad = _Problems(where, lines)
    known = items(store)

    bad.add(text["organisation_code"] == "", lambda i: "the organisation code is empty",
            "give the board's or trust's code, e.g. S08000024")
    bad.add(text["organisation_code"].str.upper() == "EXAMPLE",
            lambda i: "this is the template's example row", "replace it with your own figures or delete it")
    per = periods.lookup(text["period"])
    bad.add(per["what"].notna(), lambda i: per["what"].iloc[i], "type a financial year as 2024/25")
    stream = text["stream"].str.lower()
    item = text["item"].str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    streams = set(known["stream"])
    in_stream = stream.isin(streams).to_numpy()
    bad.add(~in_stream, lambda i: f"stream {text['stream'].iloc[i]!r} is not one of {', '.join(sorted(streams))}",
            "energy, water, waste or refrigerant")
    pairs = pd.MultiIndex.from_frame(known[["stream", "item"]])
    unknown_item = ~pd.MultiIndex.from_arrays([stream, item]).isin(pairs) & in_stream
    bad.add(unknown_item, lambda i: _unknown_item(known, stream.iloc[i], text["item"].iloc[i]),
            f"see {TEMPLATE.name} for the items")
    qty = pd.to_numeric(df["quantity"], errors="coerce")
    bad.add(qty.isna() | ~np.isfinite(qty.fillna(0).astype(float)),
            lambda i: f"quantity {df['quantity'].iloc[i]!r} is not a number")
    bad.add(qty < 0, lambda i: f"quantity {qty.iloc[i]:g} {text['unit'].iloc[i]} is negative",
            "give what was used, zero or more (a correction belongs in the year it corrects)")
    units = pd.DataFrame([(u, *_measure(u)) for u in text["unit"].unique()], columns=["unit", "measure", "to_canonical"])
    unit_info = pd.DataFrame({"unit": text["unit"].to_numpy()}).merge(units, on="unit", how="left")
    measure, to_canonical = unit_info["measure"], unit_info["to_canonical"].astype(float)
    bad.add(measure.isna(), lambda i: f"unit {text['unit'].iloc[i]!r} is not an energy (kWh), volume (m3, "
            "litres) or mass (kg, tonnes)")
    shapes = pd.MultiIndex.from_frame(known[["stream", "item", "measure"]])
    fits = pd.MultiIndex.from_arrays([stream, item, measure.fillna("")]).isin(shapes)
    bad.add(~fits & ~unknown_item & measure.notna().to_numpy() & in_stream,
            lambda i: f"{item.iloc[i]} cannot be measured in {text['unit'].iloc[i]}: "
            f"{_measures_of(known, stream.iloc[i], item.iloc[i])}")
    bad.raise_any(cls)
    out = pd.DataFrame({
        "organisation_code": text["organisation_code"], "organisation_name": text["organisation_name"],
        "site": text["site"], "period": per["period"].to_numpy(), "period_kind": per["kind"].to_numpy(),
        "start_year": per["start_year"].astype(int).to_numpy(), "stream": stream, "item": item, "measure": measure,
        "quantity": qty.astype(float).to_numpy() * to_canonical.to_numpy(), "unit": measure.map(CANONICAL).to_numpy(),
        "origin": df["origin"].astype(str) if "origin" in df.columns else "",
        "line": pd.array(lines, dtype="Int64") if lines is not None else pd.array([None] * len(df), dtype="Int64"),
    })
    return out


_NOUN = {"energy": "fuel", "waste": "waste route", "refrigerant": "refrigerant", "water": "water item"}


def _unknown_item(known: pd.DataFrame, stream: str, typed: str) -> str:
    names = sorted(set(known.loc[known["stream"] == stream, "item"]))
    what = _NOUN.get(stream, "item")
    tail = " (a waste route with no factor)" if stream == "waste" else ""
    return f"unknown {what} {typed!r}{tail}: choose one of {', '.join(names)}"


def _measures_of(known: pd.DataFrame, stream: str, item: str) -> str:
    ms = known.loc[(known["stream"] == stream) & (known["item"] == item), "measure"]
    return "give it as " + " or ".join(f"{m} ({CANONICAL[m]})" for m in ms)


# ---------------------------------------------------------------------------------------------
# Footprint
# ---------------------------------------------------------------------------------------------
FOOTPRINT_COLUMNS = [
    "organisation_code", "organisation_name", "site", "period", "factor_year", "source", "stream", "item",
    "item_label", "part", "scope", "quantity", "unit", "factor_id", "kgCO2e", "kgCO2e_low", "kgCO2e_high",
    "origin", "note",
]


def _families(store: Store, include_wtt: bool) -> pd.DataFrame:
    known = items(store)
    parts = [("direct", "families")] + ([("wtt", "wtt_families")] if include_wtt else [])
    rows = []
    for part, col in parts:
        ex = known.assign(family=known[col].str.split()).explode("family")
        ex["part"] = part
        rows.append(ex[["stream", "item", "measure", "label", "family", "part"]])
    out = pd.concat(rows, ignore_index=True)
    # an item with no factor (electricity from on-site renewables) keeps one direct row, counted zero
    return out[out["family"].notna() | (out["part"] == "direct")]


def footprint_frame(store: Store, activity: pd.DataFrame, basis: str = fx.DEFAULT_BASIS,
                    include_wtt: bool = False, factor_year: int | None = None,
                    missing: str = "error") -> pd.DataFrame:
    """kgCO2e of validated estates activity (``validate``'s columns), one row per activity and factor.

    Each period takes its own DESNZ year (``carbon.periods`` majority rule) unless ``factor_year``
    holds one year for all. Columns: ``FOOTPRINT_COLUMNS`` (``part`` is ``direct`` or ``wtt``;
    ``scope`` 1, 2 or 3; ``note`` says when a factor year other than the period's was used or an
    item has no factor).
    """
    fams = _families(store, include_wtt)
    rows = activity.merge(fams, on=["stream", "item", "measure"], how="left")
    years = rows[["start_year", "period_kind"]].drop_duplicates()
    years["factor_year"] = [factor_year or periods.Period(int(y), k == "financial").factor_year
                            for y, k in zip(years["start_year"], years["period_kind"])]  # one per distinct period
    rows = rows.merge(years, on=["start_year", "period_kind"], how="left")
    with_factor = rows["family"].notna()
    picked = desnz.for_years(store, rows.loc[with_factor, ["family", "factor_year"]].drop_duplicates(), basis, missing)
    picked = picked.drop(columns=["unit", "category", "name"])
    rows = rows.merge(picked, on=["family", "factor_year"], how="left")
    per_units = pd.DataFrame([(p, m, f) for p in rows["per"].dropna().unique() for m, f in _per_canonical(p).items()],
                             columns=["per", "measure", "conv"])
    conv = rows[["per", "measure"]].merge(per_units, on=["per", "measure"], how="left")["conv"]
    conv = conv.fillna(0.0).to_numpy(dtype=float)
    qty = rows["quantity"].to_numpy(dtype=float)
    for col in ("", "_low", "_high"):
        rows["kgCO2e" + col] = qty * conv * rows["kgCO2e_per" + col].fillna(0).to_numpy(dtype=float)
    rows["source"] = rows["stream"].map(SOURCES)
    rows["item_label"] = rows["label"]
    note = np.where(rows["family"].isna(), "no DESNZ factor for this item: counted as zero", "")
    other = rows["family"].notna() & (rows["year_used"] != rows["factor_year"])
    note = np.where(other, "DESNZ " + rows["year_used"].astype("Int64").astype(str) + " figure used: the library "
                    "has no " + rows["factor_year"].astype(str) + " figure", note)
    rows["note"] = note
    rows["factor_year"] = rows["year_used"].fillna(rows["factor_year"]).astype(int)
    rows["scope"] = rows["scope"].fillna("")
    rows["factor_id"] = rows["factor_id"].fillna("")
    order = ["organisation_code", "period", "site", "source", "item", "part", "factor_id"]
    return rows.sort_values(order, kind="stable")[FOOTPRINT_COLUMNS].reset_index(drop=True)


def footprint_lines(store: Store, lines: pd.DataFrame, basis: str = fx.DEFAULT_BASIS, include_wtt: bool = False,
                    factor_year: int | None = None, missing: str = "error", where: str = "") -> pd.DataFrame:
    """``validate`` then ``footprint_frame``: the footprint of lines that are not stored (a scenario's
    estates lines: ``ACTIVITY_COLUMNS``, one row each). Bad lines raise ``EstatesError`` naming the row."""
    return footprint_frame(store, validate(store, lines, where), basis, include_wtt, factor_year, missing)


def _per_canonical(per: str) -> dict:
    """For a factor's denominator unit, how many of it one canonical unit of each measure is."""
    u = parse_unit(per)
    out = {}
    for measure, canon in CANONICAL.items():
        try:
            out[measure] = float(ureg.Quantity(1, canon).to(u).magnitude)
        except Exception:  # pint: a volume factor never meets an energy quantity (validate forbids it)
            out[measure] = float("nan")
    return out


def by_source(result: pd.DataFrame, by: Sequence[str] = ("organisation_code", "period", "source")) -> pd.DataFrame:
    """Sum a footprint by organisation, period and source (or any of ``result``'s columns).

    Adds ``source_label`` where grouped by source, ``factor_ids`` and ``factor_years`` (traceability).
    """
    keys = list(by)
    if "organisation_code" in keys and "organisation_name" not in keys:
        keys.insert(keys.index("organisation_code") + 1, "organisation_name")
    agg = result.groupby(keys, as_index=False, sort=True).agg(
        kgCO2e=("kgCO2e", "sum"), kgCO2e_low=("kgCO2e_low", "sum"), kgCO2e_high=("kgCO2e_high", "sum"),
        factor_ids=("factor_id", lambda s: " ".join(sorted(set(x for x in s if x)))),
        factor_years=("factor_year", lambda s: " ".join(map(str, sorted(set(s))))),
    )
    if "source" in agg.columns:
        agg.insert(agg.columns.get_loc("source") + 1, "source_label", agg["source"].map(SOURCE_LABELS))
    return agg


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    file: str
    format: str
    rows_kept: int
    organisations: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    replaced: int = 0

    def summary(self) -> str:
        rep = f"; replaced {self.replaced:,} earlier rows for the same organisation, site and period" if self.replaced else ""
        return (f"{self.file}: {self.rows_kept:,} estates rows for {counted(len(self.organisations), 'organisation')}, "
                f"{', '.join(self.periods)} ({self.format}){rep}")


_STORED = ["organisation_code", "organisation_name", "site", "period", "period_kind", "start_year", "stream",
           "item", "measure", "quantity", "unit", "origin", "line"]


def store_activity(store: Store, activity: pd.DataFrame, file: str, fmt: str) -> ImportReport:
    """Write validated activity in one transaction, replacing earlier rows for the same
    organisation, site and period (a re-imported return replaces itself, other sites stay)."""
    frame = activity[_STORED].copy()
    keys = frame[["organisation_code", "site", "period"]].drop_duplicates()
    with store.transaction() as cur:
        cur.register("incoming_keys", keys)
        replaced = cur.execute(
            "DELETE FROM estates_activity a USING incoming_keys k WHERE a.organisation_code = k.organisation_code "
            "AND a.site = k.site AND a.period = k.period RETURNING 1").fetchall()
        cur.unregister("incoming_keys")
        import_id = cur.execute(
            "INSERT INTO estates_import (file, format, rows_kept, organisations, periods) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id",
            [file, fmt, len(frame), int(frame["organisation_code"].nunique()),
             ", ".join(sorted(frame["period"].unique()))]).fetchone()[0]
        frame["import_id"] = import_id
        cur.register("incoming", frame)
        cur.execute(f"INSERT INTO estates_activity ({', '.join(frame.columns)}) SELECT {', '.join(frame.columns)} "
                    "FROM incoming")
        cur.unregister("incoming")
    return ImportReport(file, fmt, len(frame), sorted(frame["organisation_code"].unique()),
                        sorted(frame["period"].unique()), len(replaced))


#: An estates return (ERIC's trust file is about 200 KB; a board's template a few KB) is never near this.
MAX_BYTES = 64 * 2**20


def read_template(path: Path, name: str | None = None) -> pd.DataFrame:
    """The estates template (``TEMPLATE_COLUMNS``, CSV) as activity rows with their file lines, read
    within bounds (``carbon.reading``: size, encoding, line length, ragged rows, empty files)."""
    header, df, _ = reading.read_text(path, name or path.name, "carbon_es_", limit=MAX_BYTES, error=EstatesError)
    header = [h.lower() for h in header]
    if any(c not in header for c in TEMPLATE_COLUMNS[:-1]):
        raise EstatesError(Problem(name or path.name, 1, f"is not the estates template: the header is {', '.join(header)}",
                                   f"the header is {','.join(TEMPLATE_COLUMNS)} (notes optional)"))
    df.columns = header + ["line"]
    df = df.rename(columns={"financial_year": "period"})
    df["origin"] = "template"
    return df


def detect_format(path: Path) -> str | None:
    """``eric`` ($-delimited, two header rows), ``template``, or None."""
    head = reading.first_line(path).lower()
    if head.count("$") >= 3:
        return "eric"
    return "template" if "organisation_code" in head and "quantity" in head else None


def import_file(store: Store, path: str | Path, fmt: str = "auto", period: str | None = None,
                name: str | None = None) -> ImportReport:
    """Import one estates file (ERIC or the template) all or nothing; bad rows named by line.

    ``period`` is the financial year of an ERIC return (else read from its file name) or the
    period of template rows that leave ``financial_year`` empty.
    """
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise EstatesError(Problem(name, None, "file not found"))
    kind = detect_format(path) if fmt == "auto" else fmt
    if kind == "eric":
        try:
            raw = eric.read(path, period, name)
        except CarbonError as exc:  # the ERIC layout or its financial year
            raise EstatesError(exc.problems, total=exc.total) from None
    elif kind == "template":
        raw = read_template(path, name)
        if period:
            raw["period"] = raw["period"].where(raw["period"].fillna("").str.strip() != "", period)
    else:
        raise EstatesError(Problem(name, 1, "is neither an ERIC estates return ($-delimited) nor the estates template",
                                   f"fill the template {TEMPLATE.name} (`carbon estates template`)"))
    activity = validate(store, raw, where=name)
    if activity.empty:
        raise EstatesError(Problem(name, None, "has no quantities to import"))
    return store_activity(store, activity, name, kind)


def import_upload(store: Store, name: str, data: bytes, fmt: str = "auto", period: str | None = None) -> ImportReport:
    """``import_file`` for a browser upload: written to a private temporary folder, named as chosen."""
    with uploads.folder("carbon_es_") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        return import_file(store, path, fmt, period, name)


def activity(store: Store, organisations: Iterable[str] | None = None,
             periods_: Iterable[str] | None = None) -> pd.DataFrame:
    """Stored activity (``validate``'s columns), optionally for some organisations and periods."""
    sql, params = f"SELECT {', '.join(_STORED)} FROM estates_activity WHERE true", []
    if organisations:
        orgs = list(organisations)
        sql += f" AND organisation_code IN ({', '.join('?' * len(orgs))})"
        params += orgs
    if periods_:
        labels = [periods.parse(p).label for p in periods_]
        sql += f" AND period IN ({', '.join('?' * len(labels))})"
        params += labels
    df = store.df(sql + " ORDER BY organisation_code, period, site, stream, item", params)
    df["line"] = df["line"].astype("Int64")
    return df


def footprint(store: Store, organisations: Iterable[str] | None = None, periods_: Iterable[str] | None = None,
              basis: str = fx.DEFAULT_BASIS, include_wtt: bool = False, factor_year: int | None = None,
              missing: str = "error") -> pd.DataFrame:
    """The footprint of stored estates activity (``footprint_frame`` on ``activity``)."""
    act = activity(store, organisations, periods_)
    if act.empty:
        return pd.DataFrame(columns=FOOTPRINT_COLUMNS)
    return footprint_frame(store, act, basis, include_wtt, factor_year, missing)


def imports(store: Store) -> pd.DataFrame:
    return store.df("SELECT * FROM estates_import ORDER BY id")


def organisations(store: Store) -> pd.DataFrame:
    return store.df("SELECT organisation_code, max(organisation_name) AS organisation_name, "
                    "string_agg(DISTINCT period, ', ' ORDER BY period) AS periods FROM estates_activity "
                    "GROUP BY organisation_code ORDER BY organisation_code")


def data_token(store: Store) -> str:
    """Changes whenever a stored estates result could (imports or the factor library)."""
    row = store.execute("SELECT coalesce(max(id), 0), (SELECT count(*) FROM estates_activity) FROM estates_import"
                        ).fetchone()
    return hashlib.sha1(f"{store.path}|{row}|{fx.library_token(store)}".encode()).hexdigest()
