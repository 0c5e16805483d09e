"""The small, safe expression language of derived factors.

A derived factor says how it is made (``density_desflurane * gwp(desflurane)``) instead of
storing the result, so the GWP basis can be switched and the arithmetic shown. Expressions are
parsed with ``ast`` and only arithmetic, names, numbers, ``gwp(...)`` and ``q("...")`` are
allowed: nothing in a factor file can run code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable

import pint

from carbon.errors import CarbonError
from carbon.units import Q_, UnitError, parse

_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_SYMBOL = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷", ast.Pow: "^"}
FUNCTIONS = ("gwp", "q")
SELF = "published"


class FormulaError(CarbonError):
    """A formula that cannot be parsed or evaluated."""


@dataclass(frozen=True)
class Formula:
    """A parsed formula with the names and substances it refers to."""

    text: str
    tree: ast.Expression
    names: frozenset[str]
    substances: frozenset[tuple[str, str | None]] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, text: str) -> "Formula":
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"formula {text!r} is not a valid expression ({exc.msg})") from None
        names: set[str] = set()
        subs: set[tuple[str, str | None]] = set()
        _check(tree.body, names, subs, text)
        return cls(text.strip(), tree, frozenset(names), frozenset(subs))

    def evaluate(self, name: Callable[[str], pint.Quantity], gwp: Callable[[str, str | None], pint.Quantity]):
        """Evaluate with ``name(id)`` and ``gwp(substance, basis_or_None)`` supplying quantities."""
        return _eval(self.tree.body, name, gwp)

    def substituted(self, show: Callable[[ast.AST], str]) -> str:
        """The formula with each name and call replaced by ``show(node)`` (for "how was this calculated?")."""
        return _render(self.tree.body, show)


def _check(node: ast.AST, names: set, subs: set, text: str) -> None:
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        _check(node.left, names, subs, text)
        _check(node.right, names, subs, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, names, subs, text)
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        pass
    elif isinstance(node, ast.Name):
        names.add(node.id)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        if node.keywords:
            raise FormulaError(f"formula {text!r}: {node.func.id}() takes no keyword arguments")
        if node.func.id == "q":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
                raise FormulaError(f'formula {text!r}: q() takes one quoted quantity, e.g. q("19.8 g")')
            try:
                parse(node.args[0].value)
            except UnitError as exc:
                raise FormulaError(f"formula {text!r}: {exc}") from None
        else:
            if not 1 <= len(node.args) <= 2 or not all(isinstance(a, ast.Name) for a in node.args):
                raise FormulaError(f"formula {text!r}: gwp() takes a substance and optionally a basis, e.g. gwp(hfa134a, AR5)")
            basis = node.args[1].id if len(node.args) == 2 else None
            subs.add((node.args[0].id, basis))
    else:
        raise FormulaError(f"formula {text!r}: only arithmetic, names, numbers, gwp() and q() are allowed")


def _eval(node, name, gwp):
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_eval(node.left, name, gwp), _eval(node.right, name, gwp))
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, name, gwp)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.Constant):
        return Q_(node.value, "dimensionless")
    if isinstance(node, ast.Name):
        return name(node.id)
    if node.func.id == "q":
        return parse(node.args[0].value)
    basis = node.args[1].id if len(node.args) == 2 else None
    return gwp(node.args[0].id, basis)


def _render(node, show) -> str:
    if isinstance(node, ast.BinOp):
        left, right = _render(node.left, show), _render(node.right, show)
        if isinstance(node.left, ast.BinOp):
            left = f"({left})"
        if isinstance(node.right, ast.BinOp):
            right = f"({right})"
        return f"{left} {_SYMBOL[type(node.op)]} {right}"
    if isinstance(node, ast.UnaryOp):
        inner = _render(node.operand, show)
        return f"−{inner}" if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant):
        return f"{node.value:g}"
    return show(node)
