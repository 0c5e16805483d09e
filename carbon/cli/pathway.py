"""``carbon pathway``: list pathways, their footprint, their swaps, and compare them.

``NAME_OR_FILE`` is a saved pathway's name, a template id (``asthma_pmdi``) or a ``.toml``/``.json``
pathway file. JSON output gives kgCO2e, kgCO2e_low, kgCO2e_high (per patient), the cohort figures,
gwp_basis and factor_ids.
"""

from __future__ import annotations

from dataclasses import replace

from carbon import alternatives as al
from carbon import equivalence
from carbon import pathways as pw
from carbon.cli import CLIError, add_basis, add_format, emit, open_store

ROW_COLUMNS = ["position", "stage", "category", "activity", "quantity_text", "kgCO2e", "kgCO2e_low", "kgCO2e_high",
               "cost_gbp", "gwp_basis", "factor_ids"]
COMPARE_COLUMNS = ["pathway", "cohort", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "cost_gbp", "cohort_kgCO2e",
                   "cohort_kgCO2e_low", "cohort_kgCO2e_high", "cohort_cost_gbp", "difference_kgCO2e",
                   "cohort_difference_kgCO2e", "gwp_basis", "factor_ids"]
SWAP_COLUMNS = ["swap", "name", "positions", "saving_kgCO2e", "saving_kgCO2e_low", "saving_kgCO2e_high",
                "saving_cost_gbp", "cohort_saving_kgCO2e", "caveat"]


def register(sub) -> None:
    p = sub.add_parser("pathway", help="care pathways: list, footprint, swaps, compare")
    ps = p.add_subparsers(dest="pathway_command", required=True, metavar="ACTION")

    ls = ps.add_parser("list", help="every saved pathway and shipped template")
    add_format(ls)
    ls.set_defaults(handler=_list)

    for action, handler, text in (
        ("footprint", _footprint, "kgCO2e per patient and per cohort, activity by activity"),
        ("swaps", _swaps, "the lower-carbon swaps that fit a pathway, with their savings"),
    ):
        one = ps.add_parser(action, help=text)
        one.add_argument("pathway", metavar="NAME_OR_FILE")
        one.add_argument("--cohort", type=float, help="patients a year (default: the pathway's own)")
        _basis(one)
        add_format(one)
        one.set_defaults(handler=handler)

    cp = ps.add_parser("compare", help="two to four pathways side by side")
    cp.add_argument("pathways", nargs="+", metavar="NAME_OR_FILE")
    _basis(cp)
    add_format(cp)
    cp.set_defaults(handler=_compare)


def _basis(p) -> None:
    add_basis(p)


def _load(store, name: str, cohort: float | None = None) -> pw.Pathway:
    p = pw.resolve(store, name)
    if cohort is not None:
        if not cohort > 0:
            raise CLIError(f"--cohort must be a number of patients a year above zero (got {cohort:g})")
        p = replace(p, cohort=cohort)
    return p


def _list(args) -> int:
    store = open_store(args)
    emit(pw.list_pathways(store), args.format,
         ["name", "condition", "cohort", "is_template", "template_id", "activities", "updated_by"])
    return 0


def _footprint(args) -> int:
    store = open_store(args)
    p = _load(store, args.pathway, args.cohort)
    fp = pw.footprint(store, p, args.basis)
    problems = pw.errors(fp)
    if problems:
        raise CLIError("; ".join(problems))
    t = pw.totals(fp, p.cohort, args.basis)
    if args.format == "csv":
        emit(fp, "csv", ROW_COLUMNS)
        return 0
    out = {"pathway": p.name, "cohort": p.cohort, **{k: t[k] for k in (
        "kgCO2e", "kgCO2e_low", "kgCO2e_high", "cost_gbp", "cohort_kgCO2e", "cohort_kgCO2e_low",
        "cohort_kgCO2e_high", "cohort_cost_gbp", "priced_rows", "gwp_basis", "factor_ids")},
        "equivalence": equivalence.car(store, t["kgCO2e"], args.basis)}
    if args.format == "json":
        out["activities"] = fp[ROW_COLUMNS].to_dict("records")
        emit(out, "json")
        return 0
    emit(fp, "table", ROW_COLUMNS)
    print()
    emit(out, "table")
    return 0


def _swaps(args) -> int:
    store = open_store(args)
    p = _load(store, args.pathway, args.cohort)
    emit(al.applicable(store, p, args.basis), args.format, SWAP_COLUMNS)
    return 0


def _compare(args) -> int:
    if not 2 <= len(args.pathways) <= 4:
        raise CLIError("compare two to four pathways")
    store = open_store(args)
    ps = [_load(store, n) for n in args.pathways]
    df = pw.compare(store, ps, args.basis)
    bad = df[df["errors"] > 0]
    if len(bad):
        raise CLIError(f"some rows cannot be computed in {', '.join(bad['pathway'])}: "
                       "run `carbon pathway footprint` on it to see which")
    emit(df, args.format, COMPARE_COLUMNS)
    return 0
