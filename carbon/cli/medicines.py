"""``carbon medicines``: medicines, dressings and appliances by spend, BNF chapter by chapter.

    carbon medicines chapters [--format table|csv|json]        each chapter's spend factor and range
    carbon medicines footprint SPEND.csv [--by row|chapter]    kgCO2e of a spend table

``SPEND.csv`` has the columns ``bnf_chapter``, ``year`` (or ``month``) and ``cost_gbp``; any other
column is carried through. The same engine as ``carbon.medicines.spend_footprint``.
"""

from __future__ import annotations

import pandas as pd

from carbon import medicines as md
from carbon.cli import CLIError, add_basis, add_format, emit, open_store
from carbon.errors import CarbonError

CHAPTER_COLUMNS = ["bnf_chapter", "chapter_name", "factor_id", "kgCO2e_per_gbp", "kgCO2e_per_gbp_low",
                   "kgCO2e_per_gbp_high", "factor_price_year", "source"]


def register(sub) -> None:
    p = sub.add_parser("medicines", help="medicines, dressings and appliances by spend (kgCO2e per pound)")
    cmds = p.add_subparsers(dest="medicines_command", required=True, metavar="ACTION")
    c = cmds.add_parser("chapters", help="each BNF chapter's spend factor, price year and range")
    add_basis(c)
    add_format(c)
    c.set_defaults(handler=_chapters)
    f = cmds.add_parser("footprint", help="kgCO2e of a spend table (bnf_chapter, year or month, cost_gbp)")
    f.add_argument("file", metavar="SPEND.csv")
    f.add_argument("--by", choices=("row", "chapter"), default="chapter")
    add_basis(f)
    add_format(f)
    f.set_defaults(handler=_footprint)


def _chapters(args) -> int:
    store = open_store(args)
    emit(md.chapters(store, args.basis), args.format, CHAPTER_COLUMNS if args.format == "table" else None)
    return 0


def _footprint(args) -> int:
    store = open_store(args)
    try:
        spend = pd.read_csv(args.file, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CLIError(f"{args.file}: cannot be read as CSV ({str(exc).splitlines()[0][:120]})") from None
    spend["line"] = spend.index + 2  # the header is line 1
    try:
        result = md.spend_footprint(store, spend, args.basis, where=args.file)
    except CarbonError as exc:
        raise CLIError(exc.message()) from None
    out = md.by_chapter(result) if args.by == "chapter" else result.drop(columns="line")
    emit(out, args.format)
    for note in sorted(set(result["note"])):
        if not note.endswith(")"):  # the 'no deflator' note; re-priced rows say how in the row view
            print(f"note: {note}")
    return 0
