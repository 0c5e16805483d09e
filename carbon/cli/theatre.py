"""``carbon theatre``: import anaesthetic case logs and purchasing, and report their footprint.

    carbon theatre import FILE... [--format auto|template|flow-vapour|draeger-connect|purchases]
                                  [--agent sevoflurane] [--theatre NAME]        all or nothing, bad rows named
    carbon theatre report [--by case|theatre|month|agent|theatre-month] [--basis AR5] [--format table|csv|json]
    carbon theatre reconcile                                                   purchases against the case logs
    carbon theatre template [--purchases]                                      the templates (CSV)
    carbon theatre list                                                        what was imported
"""

from __future__ import annotations

import sys
from pathlib import Path

from carbon import theatre
from carbon.cli import CLIError, add_basis, add_format, emit, open_store
from carbon.errors import CarbonError
from carbon.theatre import caselog, purchases

CASE_COLUMNS = ["theatre", "case_id", "month", "minutes", "agent", "method", "liquid_ml", "n2o_litres", "kgCO2e",
                "kgCO2e_low", "kgCO2e_high"]
SUMMARY_COLUMNS = ["cases", "hours", "liquid_ml", "agent_kg", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "kgCO2e_per_hour"]
RECONCILE_COLUMNS = ["site", "period_start", "period_end", "agent", "bought", "bought_kg", "cases", "used_kg",
                     "gap_kg", "gap_share", "gap_kgCO2e"]


def register(sub) -> None:
    p = sub.add_parser("theatre", help="anaesthetic case logs and purchasing: footprint by case, theatre, month, agent",
                       description="Import anaesthetic machine case logs (the plain template, a per-step flow and "
                                   "vaporiser log, Draeger Connect's case analysis) and purchasing, then report.")
    cmds = p.add_subparsers(dest="theatre_command", required=True, metavar="ACTION")
    i = cmds.add_parser("import", help="import case logs or purchasing files (all or nothing, bad rows named)")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("--format", dest="file_format", default="auto",
                   choices=("auto", "template", "flow-vapour", "draeger-connect", "purchases"))
    i.add_argument("--agent", default="", help="the agent, for a layout that does not name it (e.g. sevoflurane)")
    i.add_argument("--theatre", default="", help="the theatre, for a layout that does not name it")
    i.set_defaults(handler=_import)

    r = cmds.add_parser("report", help="kgCO2e by case, theatre, month or agent")
    r.add_argument("--by", default="theatre", choices=("case", "theatre", "month", "agent", "theatre-month"))
    add_basis(r)
    add_format(r)
    r.set_defaults(handler=_report)

    c = cmds.add_parser("reconcile", help="agent bought against the agent the case logs account for")
    add_basis(c)
    add_format(c)
    c.set_defaults(handler=_reconcile)

    t = cmds.add_parser("template", help="print the case log template (or --purchases the purchasing one)")
    t.add_argument("--purchases", action="store_true")
    t.set_defaults(handler=_template)

    ls = cmds.add_parser("list", help="files imported")
    add_format(ls)
    ls.set_defaults(handler=_list)


def _import(args) -> int:
    store = open_store(args)
    for path in args.files:
        try:
            if args.file_format == "purchases" or (args.file_format == "auto" and purchases.is_purchases(Path(path))):
                report = purchases.import_file(store, path)
            else:
                report = theatre.import_file(store, path, args.file_format, args.agent, args.theatre)
        except CarbonError as exc:
            raise CLIError(f"{path}: {exc.message()}") from None
        print(report.summary())
    return 0


def _report(args) -> int:
    store = open_store(args)
    if caselog.steps(store).empty:
        raise CLIError("no case logs imported: `carbon theatre import FILE` first", code=1)
    if args.by == "case":
        df = theatre.cases(store, args.basis)
        emit(df, args.format, CASE_COLUMNS if args.format == "table" else None)
        return 0
    by = args.by.replace("-", "_")
    df = theatre.summary(store, by, args.basis)
    keys = list(theatre.footprint.BY[by])
    emit(df, args.format, keys + SUMMARY_COLUMNS if args.format == "table" else None)
    return 0


def _reconcile(args) -> int:
    store = open_store(args)
    df = purchases.reconcile(store, args.basis)
    if df.empty:
        raise CLIError("no purchasing imported: `carbon theatre import purchases.csv` first", code=1)
    emit(df, args.format, RECONCILE_COLUMNS if args.format == "table" else None)
    return 0


def _template(args) -> int:
    sys.stdout.write((purchases.TEMPLATE if args.purchases else caselog.TEMPLATE).read_text(encoding="utf-8"))
    return 0


def _list(args) -> int:
    emit(caselog.imports(open_store(args)), args.format)
    return 0
