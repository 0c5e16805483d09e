"""``carbon scenario list|run|board|export|import`` and ``carbon report``: scenarios and board packs
from a terminal.

A scenario is named by a file (``.toml`` or ``.json``, as exported from the Scenarios page) or by
the name it is saved under. ``run``, ``board`` and ``report`` go through the same
``boardpack.build`` as the app's Workshop page, so the numbers are the same; ``--year 2024/25``
chooses the reporting year of the board footprint (a year the scenario's lines record; default its
baseline year).
"""

from __future__ import annotations

from pathlib import Path

from carbon import board, boardpack, pack_files
from carbon import scenarios as sc
from carbon.auth import local_identity
from carbon.cli import CLIError, add_basis, add_format, emit, open_store


def register(sub) -> None:
    s = sub.add_parser("scenario", help="saved scenarios to net zero: list, run, export, import")
    ssub = s.add_subparsers(dest="scenario_command", required=True, metavar="ACTION")

    ls = ssub.add_parser("list", help="the saved scenarios")
    add_format(ls)
    ls.set_defaults(handler=_list)

    run = ssub.add_parser("run", help="a scenario's trajectory, gaps to target and money",
                          description="JSON gives the headline, the trajectory year by year (total), the gap at each "
                                      "milestone, the first miss and each intervention's appraisal; CSV the "
                                      "trajectory year by year.")
    run.add_argument("scenario", metavar="FILE_OR_NAME", help="a .toml/.json scenario file, or a saved scenario's name")
    add_basis(run)
    run.add_argument("--targets",
                     help="target set (default the scenario's): NHS Scotland, NHS England, Scotland statutory")
    _add_year(run)
    add_format(run)
    run.set_defaults(handler=_run)

    b = ssub.add_parser("board", help="the board footprint: a year by source beside the year before, with targets",
                        description="One row per source (building energy, water, waste, refrigerant leaks, travel, "
                                    "anaesthetic gases, inhalers, other medicines, other procurement) and the total, "
                                    "tCO2e a year: the year, the year before, the change, the target and the gap; "
                                    "then a verdict against each target.")
    b.add_argument("scenario", metavar="FILE_OR_NAME", help="a .toml/.json scenario file, or a saved scenario's name")
    add_basis(b)
    b.add_argument("--targets", help="target set (default the scenario's)")
    _add_year(b)
    add_format(b)
    b.set_defaults(handler=_board)

    ex = ssub.add_parser("export", help="write a saved scenario to a file you can edit and import again")
    ex.add_argument("name")
    ex.add_argument("--out", help="file to write (.toml or .json); default: print TOML")
    ex.set_defaults(handler=_export)

    im = ssub.add_parser("import", help="save a scenario file in the database (a new version if the name exists); "
                         "the version records your operating-system account")
    im.add_argument("file")
    im.set_defaults(handler=_import)

    r = sub.add_parser("report", help="the board pack of a scenario: PDF, HTML, CSV numbers or Excel")
    r.add_argument("scenario", metavar="FILE_OR_NAME", help="a .toml/.json scenario file, or a saved scenario's name")
    r.add_argument("--out", required=True, help="pack.pdf, pack.html, numbers.csv or numbers.xlsx")
    add_basis(r)
    r.add_argument("--targets", help="target set (default the scenario's)")
    _add_year(r)
    r.set_defaults(handler=_report)


def _add_year(p) -> None:
    p.add_argument("--year", help="the reporting year of the board footprint, e.g. 2024/25 (a year the scenario's "
                                  "lines record; default its baseline year)")


def _scenario(store, ref: str) -> sc.Scenario:
    path = Path(ref)
    if path.suffix.lower() in (".toml", ".json"):
        if not path.is_file():
            raise CLIError(f"{ref}: no such file")
        return sc.read_file(path.read_bytes(), path.name)
    return sc.load(store, ref)


def _list(args) -> int:
    df = sc.list_scenarios(open_store(args))
    emit(df.assign(saved_at=df["saved_at"].astype(str)), args.format)
    return 0


def _run(args) -> int:
    store = open_store(args)
    pack = boardpack.build(store, _scenario(store, args.scenario), args.basis, args.targets, year=args.year)
    if args.format == "json":
        emit(boardpack.as_dict(pack), "json")
    elif args.format == "csv":
        emit(pack.totals, "csv")
    else:
        for label, big, small in boardpack.headline_text(pack):
            print(f"{label}: {big}" + (f" ({small})" if small else ""))
        print()
        for line in boardpack.gap_sentences(pack):
            print(line)
        print()
        emit(boardpack.display(boardpack.tables(pack)["Trajectory"]), "table")
    return 0


def _board(args) -> int:
    store = open_store(args)
    pack = boardpack.build(store, _scenario(store, args.scenario), args.basis, args.targets, year=args.year)
    bv = pack.board
    if args.format == "json":
        emit({"year": bv.year, "previous_year": bv.previous, "target_set": bv.target_set,
              "rows": board.records(bv), "verdicts": board.verdicts(bv), "notes": bv.notes}, "json")
    elif args.format == "csv":
        emit(bv.table.assign(year=bv.year, previous_year=bv.previous), "csv")
    else:
        print(f"{pack_files.board_heading(pack)} (tCO2e a year; targets: {bv.target_set})")
        emit(boardpack.display(board.display_table(bv)), "table")
        print()
        for line in board.verdicts(bv) + [""] + bv.notes:
            print(line)
    return 0


def _export(args) -> int:
    store = open_store(args)
    scenario = sc.load(store, args.name)
    if not args.out:
        print(sc.export(scenario, "toml"), end="")
        return 0
    out = Path(args.out)
    if out.suffix.lower() not in (".toml", ".json"):
        raise CLIError(f"{out.name}: write a .toml or .json file")
    out.write_text(sc.export(scenario, out.suffix.lower().lstrip(".")), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _import(args) -> int:
    store = open_store(args)
    path = Path(args.file)
    if not path.is_file():
        raise CLIError(f"{args.file}: no such file")
    scenario = sc.read_file(path.read_bytes(), path.name)
    sc.baseline(store, scenario)  # refuse a scenario whose lines cannot be resolved
    version = sc.save(store, scenario, local_identity().audit)
    print(f"saved {scenario.name!r} (version {version})")
    return 0


def _report(args) -> int:
    store = open_store(args)
    if Path(args.out).suffix.lower() not in (".pdf", ".html", ".htm", ".csv", ".xlsx"):
        raise CLIError(f"{args.out}: the board pack can be written as .pdf, .html, .csv or .xlsx")
    pack = boardpack.build(store, _scenario(store, args.scenario), args.basis, args.targets, year=args.year)
    print(f"wrote {pack_files.write(pack, args.out)}")
    return 0
