"""``carbon estates``: import estates returns (NHS England ERIC, or the plain estates template) and
report the footprint by source with each period's DESNZ factors.

    carbon estates import FILE... [--format auto|eric|template] [--year 2016/17]   all or nothing
    carbon estates template                                                        the template CSV
    carbon estates footprint [--organisation CODE] [--year 2024/25] [--by source|item|detail]
                             [--wtt] [--factor-year 2025] [--nearest] [--format table|csv|json]
    carbon estates list                                                            organisations and periods
"""

from __future__ import annotations

import sys

from carbon import estates
from carbon.cli import CLIError, add_basis, add_format, emit, open_store
from carbon.errors import CarbonError

SOURCE_COLUMNS = ["organisation_code", "organisation_name", "period", "source_label", "tCO2e", "tCO2e_low",
                  "tCO2e_high", "factor_years", "factor_ids"]
ITEM_COLUMNS = ["organisation_code", "period", "source_label", "item", "tCO2e", "factor_years", "factor_ids"]


def register(sub) -> None:
    p = sub.add_parser("estates", help="estates returns: building energy, water, waste and refrigerants",
                       description="Import NHS England ERIC estates returns or the estates template, and footprint "
                                   "them by source with each period's DESNZ factors.")
    cmds = p.add_subparsers(dest="estates_command", required=True, metavar="ACTION")

    i = cmds.add_parser("import", help="import ERIC files or filled templates (all or nothing, bad rows named)")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("--format", dest="file_format", choices=("auto", "eric", "template"), default="auto")
    i.add_argument("--year", help="financial year of an ERIC return (default: from the file name, e.g. 2016_17)")
    i.set_defaults(handler=_import)

    t = cmds.add_parser("template", help="print the estates template (CSV) to fill from a board's own records")
    t.set_defaults(handler=_template)

    f = cmds.add_parser("footprint", help="tCO2e by organisation, period and source")
    f.add_argument("--organisation", action="append", help="only this organisation code (repeatable)")
    f.add_argument("--year", action="append", help="only this period, e.g. 2024/25 (repeatable)")
    f.add_argument("--by", choices=("source", "item", "detail"), default="source")
    f.add_argument("--wtt", action="store_true", help="add well-to-tank (scope 3) of the fuels and electricity")
    f.add_argument("--factor-year", type=int, help="use this DESNZ year for every period (default: each "
                                                    "period's own year, 2024/25 -> 2024)")
    f.add_argument("--nearest", action="store_true", help="where the library lacks a period's DESNZ year, use the "
                                                          "nearest year it holds (named in the output)")
    add_basis(f)
    add_format(f)
    f.set_defaults(handler=_footprint)

    ls = cmds.add_parser("list", help="organisations and periods imported")
    add_format(ls)
    ls.set_defaults(handler=_list)


def _import(args) -> int:
    store = open_store(args)
    for path in args.files:
        try:
            report = estates.import_file(store, path, args.file_format, args.year)
        except CarbonError as exc:
            raise CLIError(f"{path}: {exc.message()}") from None
        print(report.summary())
    return 0


def _template(args) -> int:
    sys.stdout.write(estates.TEMPLATE.read_text(encoding="utf-8"))
    return 0


def _footprint(args) -> int:
    store = open_store(args)
    try:
        result = estates.footprint(store, args.organisation, args.year, args.basis, args.wtt, args.factor_year,
                                   "nearest" if args.nearest else "error")
    except CarbonError as exc:
        raise CLIError(exc.message()) from None
    if result.empty:
        raise CLIError("no estates data for that choice: import a return first (`carbon estates import FILE`)", code=1)
    if args.by == "detail":
        emit(result, args.format)
        return 0
    by = ["organisation_code", "period", "source"] + (["item"] if args.by == "item" else [])
    df = estates.by_source(result, by)
    for col in ("", "_low", "_high"):
        df["tCO2e" + col] = df["kgCO2e" + col] / 1000
    cols = SOURCE_COLUMNS if args.by == "source" else ITEM_COLUMNS
    emit(df, args.format, cols if args.format == "table" else None)
    notes = sorted(set(n for n in result["note"] if n))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _list(args) -> int:
    store = open_store(args)
    emit(estates.organisations(store), args.format)
    return 0
