"""``carbon prescribing``: import PHS / NHS England prescribing files and report the inhaler footprint.

The same engine as the *Prescribing* page (``carbon.prescribing``), so the figures match:

    carbon prescribing import FILE... [--format auto|phs|epd]   all-or-nothing, progress on stderr
    carbon prescribing list-sizes FILE                            registered patients per practice
    carbon prescribing footprint --by board|practice|month|product [--format table|csv|json]
    carbon prescribing coverage [--list]                          share mapped; what is unmapped and why
    carbon prescribing funnel [--metric ...] [--outliers]          practices against over-dispersed limits
    carbon prescribing trend                                      each board's months as an SPC (XmR) chart
    carbon prescribing quality                                    relievers, and where carbon and poor control meet
    carbon prescribing switching [--share '20 %'] [--by practice|board|total|matches]
"""

from __future__ import annotations

import sys
from pathlib import Path

from carbon import periods
from carbon import prescribing as rx
from carbon import variation
from carbon.auth import local_identity
from carbon.cli import CLIError, add_basis, add_format, emit, open_store
from carbon.formatting import counted
from carbon.prescribing import chapters

FOOTPRINT_COLUMNS = ["items", "inhalers", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "low_carbon_share", "cost_gbp",
                     "unmapped_items", "reliever_inhalers", "reliever_share", "months"]
SWITCH_COLUMNS = ["inhalers", "kgCO2e", "saving_benchmark_tCO2e", "cost_change_benchmark_gbp", "propellant_inhalers",
                  "matched_inhalers", "switched_inhalers", "saving_switch_tCO2e", "saving_switch_kgCO2e_low",
                  "saving_switch_kgCO2e_high", "cost_change_switch_gbp", "unpriced_inhalers"]
BAR_WIDTH = 30


def register(sub) -> None:
    p = sub.add_parser("prescribing", help="inhaler carbon from PHS / NHS England prescribing data",
                       description="Import Public Health Scotland 'Prescriptions in the Community' or NHS England "
                                   "English Prescribing Dataset files and report the inhaler footprint.")
    cmds = p.add_subparsers(dest="prescribing_command", required=True, metavar="ACTION")

    i = cmds.add_parser("import", help="import CSV, .csv.gz, ZIP or Parquet files as published (all or nothing)",
                        description="Read the files with DuckDB, check every row, and load them in one "
                                    "transaction: a bad row anywhere imports nothing and is reported by line. "
                                    "Re-importing a month replaces it.")
    i.add_argument("files", nargs="+", metavar="FILE", help="prescribing files (.csv, .csv.gz, .zip, .parquet)")
    i.add_argument("--format", dest="file_format", choices=("auto", "phs", "epd"), default="auto",
                   help="file format (default auto: detected from the header)")
    i.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    i.set_defaults(handler=_import)

    ls = cmds.add_parser("list-sizes", help="load registered patients per practice (for kgCO2e per 1,000 patients)")
    ls.add_argument("file", metavar="FILE",
                    help="NHS England Patients Registered at a GP Practice, PHS list sizes or contact details, "
                         "or practice,patients")
    ls.set_defaults(handler=_list_sizes)

    f = cmds.add_parser("footprint", help="kgCO2e, items and inhalers by board, practice, month or product; "
                                          "all of prescribing by BNF chapter")
    f.add_argument("--by", default="board", help="board, practice, month or product; several with commas "
                                                  "(e.g. month,board); or chapter: every BNF chapter, inhalers by "
                                                  "product footprint and the rest by spend")
    f.add_argument("--year", help="with --by chapter: only the months inside this year (2024/25 or 2024)")
    f.add_argument("--board", default="", help="with --by chapter: one board (code or name)")
    add_basis(f)
    add_format(f)
    f.set_defaults(handler=_footprint)

    c = cmds.add_parser("coverage", help="share of inhaler items and cost mapped to a factor; unmapped codes and why")
    c.add_argument("--list", action="store_true",
                   help="the shipped NHSBSA BNF 3.1/3.2 list instead: inhaler presentations without a factor, and why")
    add_format(c)
    c.set_defaults(handler=_coverage)

    fu = cmds.add_parser("funnel", help="practices against 95 %% and 99.8 %% funnel limits")
    fu.add_argument("--metric", choices=tuple(rx.METRICS), default="low_carbon_share",
                    help="low_carbon_share (default), reliever_share or kgCO2e_per_1000_patients_year "
                         "(needs list sizes)")
    fu.add_argument("--outliers", choices=tuple(variation.LEVELS), nargs="?", const="95%",
                    help="only practices outside the 95%% (default) or 99.8%% limits")
    add_basis(fu)
    add_format(fu)
    fu.set_defaults(handler=_funnel)

    tr = cmds.add_parser("trend", help="each board's monthly kgCO2e as an XmR chart with special causes")
    add_basis(tr)
    add_format(tr)
    tr.set_defaults(handler=_trend)

    q = cmds.add_parser("quality", help="relievers (SABA) per practice, and where high carbon and poor control meet")
    add_basis(q)
    add_format(q)
    q.set_defaults(handler=_quality)

    s = cmds.add_parser("switching", help="saving if practices matched the best quartile, or switched a share "
                                          "of propellant inhalers (where clinically appropriate)")
    s.add_argument("--share", default="20 %", help="share of propellant inhalers switched, e.g. '20 %%' (default)")
    s.add_argument("--by", choices=("board", "practice", "total", "matches"), default="board",
                   help="board (default), practice, total, or matches: each pMDI beside the DPI it is priced at")
    add_basis(s)
    add_format(s)
    s.set_defaults(handler=_switching)

    n = cmds.add_parser("national", help="all English months at once: a partitioned Parquet set read in place",
                        description="Keep EPD months as Parquet (FOLDER/year=YYYY/month=MM/) and footprint them in "
                                    "place, without importing them (bench/README.md: A decade at once).")
    ns = n.add_subparsers(dest="national_command", required=True, metavar="ACTION")
    na = ns.add_parser("add", help="write one EPD month (CSV, .csv.gz or ZIP as published) into the set")
    na.add_argument("file")
    na.add_argument("folder")
    na.set_defaults(handler=_national_add)
    nf = ns.add_parser("footprint", help="the set's inhaler footprint by ICB and month (or practice)")
    nf.add_argument("folder")
    nf.add_argument("--by", default="board,month", help="board, month and/or practice, comma-separated")
    nf.add_argument("--months", help="only these months, e.g. 2024-01,2024-02")
    add_basis(nf)
    add_format(nf)
    nf.set_defaults(handler=_national_footprint)


class ProgressBar:
    """A one-line text progress bar on stderr (redrawn in place on a terminal, else one line per 10 %)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last = -1

    def __call__(self, fraction: float, message: str) -> None:
        pct = int(round(max(0.0, min(1.0, fraction)) * 100))
        if not self.tty and pct // 10 == self.last // 10 and pct < 100:
            return
        if pct == self.last:
            return
        self.last = pct
        filled = pct * BAR_WIDTH // 100
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {pct:3d}% {message}"
        if self.tty:
            self.stream.write("\r" + line.ljust(BAR_WIDTH + 60))
            if pct >= 100:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _import(args) -> int:
    store = open_store(args)
    try:
        report = rx.import_files(store, args.files, args.file_format, None if args.quiet else ProgressBar(),
                                 who=local_identity().audit)
    except rx.PrescribingImportError as exc:
        raise CLIError(str(exc)) from None
    print(report.summary())
    if len(report.unmapped):
        print("not mapped (counted in unmapped_items, never as zero):")
        emit(report.unmapped, "table")
    return 0


def _list_sizes(args) -> int:
    store = open_store(args)
    try:
        n = rx.import_list_sizes(store, args.file, who=local_identity().audit)
    except rx.PrescribingImportError as exc:
        raise CLIError(str(exc)) from None
    loaded = rx.list_sizes(store)
    row = loaded[loaded["file"] == Path(args.file).name].iloc[0]
    month = row["month"] if isinstance(row["month"], str) else "month not stated"
    print(f"loaded list sizes for {counted(n, 'practice')}: {row['layout']}, {month}")
    return 0


def _need_data(store) -> None:
    if not rx.has_data(store):
        raise CLIError("no prescribing data yet: run `carbon prescribing import FILE...` first")


def _footprint(args) -> int:
    store = open_store(args)
    _need_data(store)
    by = [b.strip() for b in args.by.split(",") if b.strip()]
    if by == ["chapter"]:
        period = periods.parse(args.year, where="--year") if args.year else None
        df = chapters.by_chapter(store, args.basis, period, args.board)
        emit(df, args.format, None if args.format != "table" else
             [c for c in df.columns if c not in ("factor_ids", "note")])
        return 0
    if args.year or args.board:
        raise CLIError("--year and --board go with --by chapter")
    df = rx.footprint(store, by, args.basis)
    keys = [c for c in df.columns if c not in FOOTPRINT_COLUMNS + ["factor_ids", "patients",
                                                                     "kgCO2e_per_1000_patients"]]
    extra = [c for c in ("patients", "kgCO2e_per_1000_patients") if c in df.columns]
    cols = keys + FOOTPRINT_COLUMNS + extra + (["factor_ids"] if args.format != "table" else [])
    emit(df, args.format, cols)
    return 0


def _coverage(args) -> int:
    store = open_store(args)
    if args.list:
        ref = rx.reference(store)
        out = ref[ref["factor_id"].isna() & ~ref["matched_by"].isin(["not an inhaler"])]
        if args.format == "table":
            inhalers = ref["form"].isin(["pmdi", "bai", "dpi", "smi"])
            print(f"NHSBSA BNF list (February 2020), sections 3.1 and 3.2: {len(ref)} presentations, "
                  f"{int(inhalers.sum())} inhalers, {int((inhalers & ref['factor_id'].notna()).sum())} with a factor; "
                  f"{int((ref['form'] == 'unknown').sum())} whose name does not say the device.\nWithout a factor:")
        emit(out, args.format, ["bnf_code", "name", "device", "matched_by", "reason"])
        return 0
    _need_data(store)
    cov = rx.coverage(store)
    unmapped = rx.unmapped_codes(store)
    if args.format == "json":
        emit({**cov, "unmapped": unmapped.to_dict(orient="records")}, "json")
    elif args.format == "csv":
        emit(unmapped, "csv")
    else:
        emit(cov, "table")
        print("\nnot mapped:")
        emit(unmapped, "table")
    return 0


def _funnel(args) -> int:
    store = open_store(args)
    _need_data(store)
    f = rx.funnel(store, args.metric, args.basis)
    df = rx.outliers(f, args.outliers) if args.outliers else rx.ranked(f)
    if args.format == "table":
        print(f"{f.value_label}: target {f.target:.4g}\n{f.method}")
    emit(df, args.format)
    return 0


def _switching(args) -> int:
    store = open_store(args)
    _need_data(store)
    sw = rx.switching_opportunity(store, args.share, args.basis)
    if args.format == "table":
        print(f"Where clinically appropriate: {rx.SWITCH_CAVEAT}")
        print(f"best-quartile benchmark: {sw.benchmark_kg_per_inhaler:.4g} kgCO2e per inhaler; "
              f"share switched: {sw.share:.0%}")
    if args.by == "matches":
        emit(rx.matches(store, args.basis), args.format)
    elif args.by == "total":
        emit(sw.totals, args.format)
    elif args.by == "board":
        emit(sw.by_board, args.format, ["board_code", "board"] + SWITCH_COLUMNS)
    else:
        emit(sw.by_practice, args.format, ["practice", "practice_name", "board"] + SWITCH_COLUMNS
             + ["benchmark_kg_per_inhaler", "kg_per_inhaler"])
    return 0


def _trend(args) -> int:
    store = open_store(args)
    _need_data(store)
    if args.format == "table":
        print("XmR charts (NHS England Making Data Count): limits = mean ± 2.66 × mean moving range; special causes: "
              "a point outside the limits, 7 rising or falling, 2 of 3 near a limit, 7 on one side of the mean.")
    emit(rx.trend(store, args.basis), args.format)
    return 0


def _quality(args) -> int:
    store = open_store(args)
    _need_data(store)
    if args.format == "table":
        print(rx.RELIEVER_NOTE)
    emit(rx.hot_spots(store, args.basis), args.format)
    return 0


def _national_add(args) -> int:
    from carbon.prescribing import national  # here, not at the top: only this command reads a set

    print(f"wrote {national.add_month(Path(args.file).expanduser(), Path(args.folder).expanduser())}")
    return 0


def _national_footprint(args) -> int:
    from carbon.prescribing import national

    store = open_store(args)
    by = [g.strip() for g in args.by.split(",") if g.strip()]
    months = [m.strip() for m in args.months.split(",")] if args.months else None
    emit(national.footprint(store, Path(args.folder).expanduser(), by, args.basis, months), args.format)
    return 0
