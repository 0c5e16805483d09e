"""The ``carbon`` command starts lazily: its table of commands says what each module registers.

``carbon --help`` lists every command from ``carbon.cli.COMMANDS`` without importing a command
module, and a command imports only its own module; so the table must agree with what the
modules register (names and help), and the parser built lazily must accept what the full one
does. No timing here (start-up speed is measured in bench/).
"""

from __future__ import annotations

import subprocess
import sys

from carbon import cli


def _commands(parser) -> dict:
    action = next(a for a in parser._actions if a.dest == "command")
    return {c.dest: c.help for c in action._choices_actions}


def test_the_table_of_commands_matches_what_the_modules_register():
    full = _commands(cli.build_parser(full=True))
    table = {name: text for name, (_, text) in cli.COMMANDS.items()}
    assert full == table


def test_each_command_is_registered_by_the_module_the_table_names():
    for name, (module, _) in cli.COMMANDS.items():
        parser = cli.build_parser([name])
        sub = next(a for a in parser._actions if a.dest == "command").choices[name]
        assert sub.get_default("handler") is not None or sub._subparsers is not None, (name, module)


def test_help_imports_no_command_module_no_pandas_and_no_pint():
    code = ("import sys; from carbon.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "loaded = [m for m in sys.modules if m.startswith('carbon.cli.') or m in ('pandas', 'duckdb', 'altair', 'pint')]\n"
            "print('loaded:' + ','.join(sorted(loaded)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "loaded:"
    assert "anaesthetic" in out and "theatre" in out  # every command is listed


def test_a_calculator_imports_neither_the_board_pack_nor_charts():
    code = ("import sys; from carbon.cli import main\n"
            "main(['anaesthetic', '--agent', 'sevoflurane', '--fgf', '1 L/min', '--duration', '1 h', "
            "'--format', 'json'])\n"
            "print([m for m in ('altair', 'carbon.boardpack', 'carbon.pack_files', 'carbon.charts', 'streamlit', "
            "'carbon.cli.scenario', 'carbon.cli.prescribing') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "CARBON_DB": ":memory:"}).stdout
    assert '"kgCO2e"' in out
    assert out.strip().splitlines()[-1] == "[]"
