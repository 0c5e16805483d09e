"""``carbon factors`` and ``carbon db``: browse the library and manage the store."""

from __future__ import annotations

from carbon import factors as fx
from carbon.cli import CLIError, add_basis, add_format, emit, open_store
from carbon.store import db_path

LIST_COLUMNS = ["id", "category", "name", "value", "low", "high", "unit", "basis_used", "source"]


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
    cols = LIST_COLUMNS if args.format == "table" else LIST_COLUMNS + ["per", "kgCO2e_per", "derived", "overridden", "source_title", "address", "notes", "formula"]
    emit(df, args.format, cols)
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
