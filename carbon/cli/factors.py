"""``carbon factors`` and ``carbon db``: browse the library and manage the store."""

from __future__ import annotations

import pandas as pd

from carbon import desnz, medicines
from carbon import factors as fx
from carbon.cli import CLIError, add_basis, add_format, emit, open_store
from carbon.errors import CarbonError
from carbon.store import db_path

LIST_COLUMNS = ["id", "category", "name", "value", "low", "high", "unit", "basis_used", "source"]
#: Spend-based factors (kgCO2e per pound) also show the pounds' price year and the deflator.
SPEND_COLUMNS = ["id", "category", "name", "value", "low", "high", "unit", "price_year", "deflator", "source"]


def register(sub) -> None:
    p = sub.add_parser("factors", help="browse the emission factor library")
    fs = p.add_subparsers(dest="factors_command", required=True, metavar="ACTION")

    ls = fs.add_parser("list", help="list factors")
    ls.add_argument("--category", help="only this category (e.g. inhaler, travel)")
    add_basis(ls)
    add_format(ls)
    ls.set_defaults(handler=_list)

    sh = fs.add_parser("show", help="one factor: value, range, unit, source and how it is derived")
    sh.add_argument("id")
    add_basis(sh)
    add_format(sh, choices=("table", "json"))
    sh.set_defaults(handler=_show)

    se = fs.add_parser("search", help="search ids, names, notes and sources")
    se.add_argument("text")
    add_basis(se)
    add_format(se)
    se.set_defaults(handler=_search)

    im = fs.add_parser("import-desnz", help="load a DESNZ conversion-factor release (the flat file) as a year's set",
                       description="Read a DESNZ 'flat file' (ID, Scope, Level 1-4, Column Text, UOM, GHG/Unit, "
                                   "GHG Conversion Factor YYYY), pick every factor the product needs and write "
                                   "factors/desnz_YYYY.csv (and the year's source). All or nothing: a wrong layout, "
                                   "a missing factor or a non-number writes nothing.")
    im.add_argument("file", metavar="FILE", help="the DESNZ flat file (.csv)")
    im.add_argument("--replace", action="store_true", help="load over a year the library already holds")
    im.add_argument("--dry-run", action="store_true", help="check the file and show the rows, write nothing")
    im.add_argument("--gwp-basis", default="AR5", help="GWP basis of the release (DESNZ states it in its "
                                                       "introduction; AR5 up to 2025)")
    im.set_defaults(handler=_import_desnz)

    db = sub.add_parser("db", help="the DuckDB store")
    ds = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    ds.add_parser("path", help="print the database file in use").set_defaults(handler=_db_path)
    ds.add_parser("init", help="create or migrate the database and load the factor library").set_defaults(handler=_db_init)


def _basis(store, basis: str) -> str:
    known = set(fx.bases(store)["id"])
    if basis not in known:
        raise CLIError(f"unknown GWP basis {basis!r}; choose one of {', '.join(sorted(known))}")
    return basis


def _list(args) -> int:
    store = open_store(args)
    basis = _basis(store, args.basis)
    if args.category and args.category not in fx.categories(store):
        raise CLIError(f"unknown category {args.category!r}; choose one of {', '.join(fx.categories(store))}")
    df = fx.search(store, "", args.category, basis)
    base = LIST_COLUMNS
    if len(df) and df["unit"].str.endswith("/GBP").all():
        df = _with_price_years(store, df)
        base = SPEND_COLUMNS
        if args.format == "table":
            df["price_year"] = df["price_year"].astype(object).where(df["price_year"].notna(), "not stated")
    cols = base if args.format == "table" else base + ["per", "kgCO2e_per", "derived", "overridden", "source_title", "address", "notes", "formula"]
    emit(df, args.format, cols)
    return 0


def _with_price_years(store, df):
    """Spend factors: the price year (the row's year) and the ONS GDP deflator for it, or why none."""
    index = medicines.deflators(store)
    out = df.copy()
    out["price_year"] = out["year"].astype("Int64")
    out["deflator"] = out["price_year"].map(
        lambda y: "no price year stated: no deflator" if y is pd.NA
        else (f"ONS GDP deflator {index[y]:g} (2022 = 100)" if y in index.index else f"no deflator for {y}"))
    return out


def _import_desnz(args) -> int:
    try:
        result = desnz.import_flat_file(args.file, replace=args.replace, dry_run=args.dry_run,
                                        gwp_basis=args.gwp_basis)
    except CarbonError as exc:
        raise CLIError(exc.message()) from None
    if args.dry_run:
        emit(result.rows, "table", ["id", "name", "value", "unit"])
    print(result.summary())
    if result.written:
        print("The store reloads the library the next time it opens (the app on its next start).")
    return 0


def _search(args) -> int:
    store = open_store(args)
    df = fx.search(store, args.text, None, _basis(store, args.basis))
    if df.empty:
        raise CLIError(f"no factor matches {args.text!r}", code=1)
    emit(df, args.format, LIST_COLUMNS)
    return 0


def _show(args) -> int:
    store = open_store(args)
    basis = _basis(store, args.basis)
    lib = fx.library(store)
    if args.id not in lib.factors.index:
        raise CLIError(str(fx.FactorNotFound(args.id)))
    row = fx.search(store, "", None, basis).set_index("id").loc[args.id]
    info = {
        "id": args.id,
        "name": row["name"],
        "category": row["category"],
        "value": row["value"],
        "low": row["low"],
        "high": row["high"],
        "unit": row["unit"],
        "gwp_basis": basis,
        "basis_used": row["basis_used"],
        "published_basis": row["gwp_basis"],
        "source": row["source"],
        "source_title": row["source_title"],
        "address": row["address"],
        "notes": row["notes"],
        "derivation": lib.explain(args.id, basis),
    }
    if args.format == "json":
        emit(info, "json")
    else:
        derivation = info.pop("derivation")
        emit(info, "table")
        print("\nHow it is calculated:")
        for line in derivation:
            print(f"  {line}")
    return 0


def _db_path(args) -> int:
    print(args.db or db_path())
    return 0


def _db_init(args) -> int:
    store = open_store(args)
    n = store.execute("SELECT count(*) FROM factor").fetchone()[0]
    print(f"{store.path}: schema version {store.schema_version()}, {n} factors loaded")
    return 0
