"""``carbon anaesthetic`` and ``carbon travel``: the quick calculators from a terminal.

JSON output gives kgCO2e, kgCO2e_low, kgCO2e_high, gwp_basis and factor_ids; the anaesthetic one
also liquid_ml and agent_kg (kg of agent released), the travel one distance_km. The table output
adds the arithmetic, line by line.
"""

from __future__ import annotations

from carbon import anaesthetics, travel
from carbon.cli import CLIError, add_basis, add_format, emit, open_store

ANAESTHETIC_KEYS = ["agent", "liquid_ml", "agent_kg", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "gwp_basis",
                    "gwp_basis_used", "factor_ids"]
TRAVEL_KEYS = ["mode", "distance_km", "occupancy", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "gwp_basis",
               "factor_ids"]


def register(sub) -> None:
    a = sub.add_parser(
        "anaesthetic",
        help="kgCO2e of an anaesthetic gas at a fresh gas flow, or of what was bought",
        description="Volatile agent: concentration defaults to 1 MAC; nitrous oxide: the share of the flow "
                    "that is N2O (default 66 %%); Entonox: the share that is Entonox (default 100 %%). "
                    "With --amount, the footprint of agent bought (bottles, mL, litres of gas, cylinders).",
    )
    a.add_argument("--agent", required=True, help=f"one of {', '.join(anaesthetics.AGENTS)}")
    a.add_argument("--fgf", help="fresh gas flow, e.g. '1 L/min'")
    a.add_argument("--duration", help="e.g. '1 h' or '90 min'")
    a.add_argument("--concentration", help="e.g. '2 %%' or '1.2 MAC' (default 1 MAC)")
    a.add_argument("--amount", help="instead of a flow: what was bought, e.g. '12 bottle' or '3 cylinder'")
    a.add_argument("--cylinder", help="cylinder size for --amount in cylinders (e.g. e, g)")
    add_basis(a)
    add_format(a, choices=("table", "json"))
    a.set_defaults(handler=_anaesthetic)

    t = sub.add_parser("travel", help="kgCO2e of a journey by a travel mode")
    t.add_argument("--mode", required=True, help="a travel factor id, e.g. car_petrol_average, rail_national")
    t.add_argument("--distance", required=True, help="one way, e.g. '20 mile' or '32 km'")
    t.add_argument("--return", dest="return_trip", action="store_true", help="count the journey back too")
    t.add_argument("--occupancy", type=float, help="people sharing a vehicle (per-vehicle factors only)")
    add_basis(t)
    add_format(t, choices=("table", "json"))
    t.set_defaults(handler=_travel)


def _anaesthetic(args) -> int:
    store = open_store(args)
    if args.amount:
        if args.fgf or args.duration or args.concentration:
            raise CLIError("give either --amount, or --fgf and --duration, not both")
        r = anaesthetics.purchased(store, args.agent, args.amount, args.basis, args.cylinder)
    else:
        if not (args.fgf and args.duration):
            raise CLIError("give --fgf and --duration (e.g. --fgf '1 L/min' --duration '1 h'), or --amount")
        r = anaesthetics.anaesthetic(store, args.agent, args.fgf, args.duration, args.concentration, args.basis)
    _emit(r.to_dict(), ANAESTHETIC_KEYS, args.format)
    return 0


def _travel(args) -> int:
    store = open_store(args)
    r = travel.journey(store, args.mode, args.distance, args.return_trip, args.occupancy, args.basis)
    _emit(r.to_dict(), TRAVEL_KEYS, args.format)
    return 0


def _emit(result: dict, keys: list[str], fmt: str) -> None:
    out = {k: result[k] for k in keys}
    if fmt == "table":
        out["how"] = "\n  ".join([""] + result["steps"])
    emit(out, fmt)
