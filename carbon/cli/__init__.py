"""``carbon``: the engine from a terminal.

Each module in this package that defines ``register(subparsers)`` adds its own subcommands
(``factors``, ``db``, ``pathway``, ...); handlers return an exit code. Bad input ends with a
one-line message on stderr and a non-zero code, never a traceback.

Start-up is lazy: ``COMMANDS`` names each command's module and one-line help, so ``carbon
--help`` imports no command module (and no pandas), and ``carbon anaesthetic ...`` imports only
the module that registers it (``tests/unit/test_cli_startup.py`` checks the table against the
modules).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys

from carbon.errors import CarbonError

#: command -> (the module of this package that registers it, its help in ``carbon --help``).
COMMANDS = {
    "anaesthetic": ("calculators", "kgCO2e of an anaesthetic gas at a fresh gas flow, or of what was bought"),
    "travel": ("calculators", "kgCO2e of a journey by a travel mode"),
    "estates": ("estates", "estates returns: building energy, water, waste and refrigerants"),
    "factors": ("factors", "browse the emission factor library"),
    "db": ("factors", "the DuckDB store"),
    "medicines": ("medicines", "medicines, dressings and appliances by spend (kgCO2e per pound)"),
    "pathway": ("pathway", "care pathways: list, footprint, swaps, compare"),
    "prescribing": ("prescribing", "inhaler carbon from PHS / NHS England prescribing data"),
    "scenario": ("scenario", "saved scenarios to net zero: list, run, export, import"),
    "report": ("scenario", "the board pack of a scenario: PDF, HTML, CSV numbers or Excel"),
    "theatre": ("theatre", "anaesthetic case logs and purchasing: footprint by case, theatre, month, agent"),
}

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


class CLIError(Exception):
    """A problem the user can fix; printed as one line."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT):
        super().__init__(message)
        self.code = code


def _wanted(argv: list[str]) -> str | None:
    """The command named on the command line (the first word that is one), if any."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == "--db":
            skip = True
        elif word in COMMANDS:
            return word
        elif not word.startswith("-"):
            return None
    return None


def build_parser(argv: list[str] | None = None, full: bool = False) -> argparse.ArgumentParser:
    """The ``carbon`` parser: the command named in ``argv`` registered by its module, every other
    command only by name and help (``full``: every module registered, as the tests check)."""
    parser = argparse.ArgumentParser(prog="carbon", description="Care-pathway carbon calculator")
    parser.add_argument("--db", help="DuckDB file to use (default: $CARBON_DB or data/carbon.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if full:
        modules = sorted(m.name for m in pkgutil.iter_modules(__path__))
    else:
        wanted = _wanted(sys.argv[1:] if argv is None else argv)
        modules = [COMMANDS[wanted][0]] if wanted else []
    for name in modules:
        module = importlib.import_module(f"{__name__}.{name}")
        if hasattr(module, "register"):
            module.register(sub)
    for command, (_, text) in COMMANDS.items():  # the rest by name and help only, in the table's order
        if command not in sub.choices:
            sub.add_parser(command, help=text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from carbon import store  # after parsing: `carbon --help` opens no database

    store.wait_notice = lambda message: print(f"carbon: {message}", file=sys.stderr)  # say so when we wait
    try:
        return int(args.handler(args) or 0)
    except CLIError as exc:
        print(f"carbon: {exc}", file=sys.stderr)
        return exc.code
    except CarbonError as exc:  # every engine error: its headline, then one problem a line
        lines = exc.lines()
        print(f"carbon: {exc.headline + ':' if exc.headline else lines[0]}", file=sys.stderr)
        for extra in (lines if exc.headline else lines[1:])[:40]:
            print(f"  {extra}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ValueError, KeyError, LookupError) as exc:
        msg = str(exc).strip().splitlines()
        print(f"carbon: {msg[0] if msg else type(exc).__name__}", file=sys.stderr)
        for extra in msg[1:20]:
            print(f"  {extra}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RuntimeError as exc:  # StoreLockedError (the file stayed busy) and friends
        print(f"carbon: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


def open_store(args):
    """The store named by ``--db`` (or the default), migrated and with the library loaded."""
    from carbon.bootstrap import open_store as _open  # here, not at the top: `carbon --help` needs no engine

    return _open(getattr(args, "db", None))


def add_format(p: argparse.ArgumentParser, choices=("table", "csv", "json"), default="table") -> None:
    p.add_argument("--format", choices=choices, default=default, help=f"output format (default {default})")


def add_basis(p: argparse.ArgumentParser) -> None:
    """The ``--basis`` option every command that resolves factors takes."""
    from carbon.library import DEFAULT_BASIS  # here, not at the top: `carbon --help` needs no engine

    p.add_argument("--basis", default=DEFAULT_BASIS, help="GWP basis: AR4, AR5, AR6 or SA2012")


def emit(data, fmt: str, columns: list[str] | None = None) -> None:
    """Print a DataFrame (or a dict, for json) as a table, CSV or JSON."""
    if isinstance(data, dict):
        if fmt == "json":
            print(json.dumps(data, indent=2, default=_json_default))
        else:
            width = max(len(k) for k in data)
            for k, v in data.items():
                print(f"{k:<{width}}  {_plain(v)}")
        return
    import pandas as pd  # here, not at the top: `carbon --help` and the calculators need no pandas

    from carbon.formatting import number
    from carbon.reports import to_csv

    df = data if columns is None else data[columns]
    if fmt == "csv":
        sys.stdout.write(to_csv(df))
    elif fmt == "json":
        print(json.dumps(json.loads(df.to_json(orient="records")), indent=2))
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200, "display.max_colwidth", 60):
            # figures as the pages print them (whole numbers from 10,000, else 4 significant figures);
            # CSV and JSON carry every digit
            print(df.to_string(index=False, float_format=number, na_rep="–") if len(df) else "(nothing)")


def _plain(v) -> str:
    if isinstance(v, float):
        return f"{v:,.6g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    return str(v)


def _json_default(v):
    if hasattr(v, "item"):
        return v.item()
    return str(v)


if __name__ == "__main__":
    sys.exit(main())
