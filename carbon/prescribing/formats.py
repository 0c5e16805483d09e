"""What a prescribing file looks like: the public formats, their column roles, and the error a file
that cannot be imported raises.

Two public formats, in every generation since 2014/2015 (``layout`` names the one a header is):

* Public Health Scotland, *Prescriptions in the Community* (one row per practice x BNF item x
  paid month): ``HBT, GPPractice, BNFItemCode, BNFItemDescription, NumberOfPaidItems,
  PaidQuantity, GrossIngredientCost, PaidDateMonth`` (plus ``ClassOfPreparationCode`` or
  ``DMDCode``/``PrescribedType`` depending on the year);
* NHS England, *English Prescribing Dataset* (EPD; one row per practice x BNF presentation x
  quantity per item): ``YEAR_MONTH, REGIONAL_OFFICE_NAME, ICB_NAME/ICB_CODE`` (older files
  ``STP_*``/``PCO_*``), ``PRACTICE_NAME, PRACTICE_CODE, BNF_CODE, BNF_DESCRIPTION,
  CHEMICAL_SUBSTANCE_BNF, ITEMS, QUANTITY, TOTAL_QUANTITY, NIC, ACTUAL_COST, ...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from carbon.errors import CarbonError, MAX_LISTED

#: Problems listed one by one before the rest are only counted.
MAX_PROBLEMS = MAX_LISTED


class PrescribingImportError(CarbonError):
    """A file cannot be imported, so nothing was: ``problems`` are ``Problem(where=file, line=row,
    what=reason)``, the first ``MAX_PROBLEMS`` of them, and ``total`` counts all.

    ``line`` is the line in the file (the header is line 1), or None for a whole-file problem.
    """

    headline = "nothing was imported"


def problems_frame(exc: CarbonError) -> pd.DataFrame:
    """An import's problems as a table (where, line, what, fix), with a last line counting the rest."""
    return exc.frame()


@dataclass(frozen=True)
class Format:
    """Which header columns play which role; the first name found wins.

    ``keys`` are roles that tell two rows of the same month, practice and code apart (EPD's
    quantity per item and SNOMED code, PHS's dm+d code and prescribed type): a row is a duplicate
    only if all of them repeat too.
    """

    name: str
    label: str
    roles: dict
    required: tuple
    numbers: tuple = ("items", "quantity", "cost")
    keys: tuple = ()


PHS = Format(
    "phs", "Public Health Scotland, Prescriptions in the Community",
    roles={
        "month": ("PaidDateMonth",),
        "board_code": ("HBT", "HBT2014", "HBT2019"),
        "practice": ("GPPractice",),
        "bnf_code": ("BNFItemCode",),
        "description": ("BNFItemDescription",),
        "items": ("NumberOfPaidItems",),
        "quantity": ("PaidQuantity",),
        "cost": ("GrossIngredientCost",),
        "dmd": ("DMDCode",),
        "prescribed_type": ("PrescribedType",),
        "class": ("ClassOfPreparationCode",),
    },
    required=("month", "board_code", "practice", "bnf_code", "items", "quantity", "cost"),
    keys=("dmd", "prescribed_type"),
)
EPD = Format(
    "epd", "NHS England, English Prescribing Dataset",
    roles={
        "month": ("YEAR_MONTH",),
        "board_code": ("ICB_CODE", "STP_CODE", "PCO_CODE"),
        "board": ("ICB_NAME", "STP_NAME", "PCO_NAME"),
        "practice": ("PRACTICE_CODE",),
        "practice_name": ("PRACTICE_NAME",),
        "bnf_code": ("BNF_CODE", "BNF_PRESENTATION_CODE"),
        "description": ("BNF_DESCRIPTION", "BNF_PRESENTATION_NAME", "BNF_PRESENTATION"),
        "items": ("ITEMS",),
        "quantity": ("TOTAL_QUANTITY",),
        "per_item": ("QUANTITY",),
        "cost": ("NIC", "ACTUAL_COST"),
        "snomed": ("SNOMED_CODE",),
    },
    required=("month", "board_code", "practice", "bnf_code", "items", "quantity", "cost"),
    keys=("per_item", "snomed"),
)
FORMATS = {"phs": PHS, "epd": EPD}


def layout(fmt: Format, cols: dict) -> str:
    """The published generation a header belongs to, in words (for the import log)."""
    if fmt.name == "epd":
        board = cols["board_code"].split("_")[0]
        parts = ["EPD", f"boards by {board}", cols["bnf_code"]]
        if "snomed" in cols:
            parts.insert(1, "with SNOMED codes")
        return ", ".join(parts)
    cls = ("dm+d codes (DMDCode, PrescribedType)" if "dmd" in cols
           else "ClassOfPreparationCode" if "class" in cols else "no class column")
    return f"PHS, boards by {cols['board_code']}, {cls}"


def literal(text: str) -> str:
    """One of the package's own words (a column role, a header name already checked) as a SQL string."""
    return "'" + text.replace("'", "''") + "'"


def detect_format(columns: Sequence[str]) -> str | None:
    """``"phs"`` or ``"epd"`` from a header, or None if it is neither."""
    lower = {c.lower() for c in columns}
    if {"bnfitemcode", "gppractice"} & lower:
        return "phs"
    if {"bnf_code", "bnf_presentation_code", "practice_code"} & lower:
        return "epd"
    return None


def resolve_columns(fmt: Format, columns: Sequence[str]) -> tuple[dict, list[str]]:
    """Role -> actual header name, and the required columns that are missing."""
    by_lower = {c.strip().lower(): c for c in columns}
    found, missing = {}, []
    for role, names in fmt.roles.items():
        hit = next((by_lower[n.lower()] for n in names if n.lower() in by_lower), None)
        if hit:
            found[role] = hit
        elif role in fmt.required:
            missing.append(" or ".join(names))
    return found, missing


def positions(columns: Sequence[str], cols: dict) -> dict:
    """Role -> 1-based column position (DuckDB's ``#n``), so no header text enters the SQL."""
    index = {c: i + 1 for i, c in enumerate(columns)}
    return {role: index[name] for role, name in cols.items()}
