"""The layouts anaesthetic case logs come in, read as they are published into one frame of text.

Each reader returns the columns ``RAW`` (text, blank where the layout does not say) and ``line``
(the file's line, the header being line 1), so one validation (``carbon.theatre.caselog``) names
every bad row the same way whatever the layout:

* ``template``: the plain case log (``docs/theatre_case_log_template.csv``, CSV or Excel): one row
  per case, or one per time step of a case (rows sharing a ``case_id`` are its steps, in time order);
* ``flow_vapour``: the per-step record of fresh gas flow and vaporiser setting that University
  Medicine Greifswald cut from a Draeger Perseus A500 user log (``"Case","TimeStamp","Flow",
  "Vapor","Duration"``: L/min, Vol %, minutes). The layout names neither the agent nor the
  theatre: they are given on import;
* ``draeger_connect``: Draeger Connect's case analysis export (``fall_analyse_*.csv``): one row per
  case, semicolon-separated, German numbers (``1.144`` is 1,144; ``4,98`` is 4.98), ``---`` for
  none, a first row of totals (``Gesamt: 114``); the agent used per case in mL of liquid
  (``Verbrauch``, in some exports ``Consumption``) and the uptake (not used: uptake is part of what
  was delivered, not all of it). The theatre is the device in the file name (``ASDD-0010_...``) or
  given on import.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from carbon import reading
from carbon.errors import CarbonError, Problem

RAW = ["case_id", "theatre", "start", "duration_min", "phase", "agent", "fgf_l_min", "o2_l_min", "air_l_min",
       "n2o_l_min", "vaporiser_percent", "agent_used_ml", "n2o_supply"]
#: The template's header (``notes`` optional; every other column may be left empty where not recorded).
TEMPLATE_COLUMNS = RAW + ["notes"]
REQUIRED = ["case_id", "start", "duration_min"]
FLOW_VAPOUR = ["Case", "TimeStamp", "Flow", "Vapor", "Duration"]
FORMATS = ("template", "flow_vapour", "draeger_connect")
_GERMAN_MONTHS = {"januar": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
                  "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12}
_DEVICE = re.compile(r"^([A-Za-z]+-\d+)_fall_analyse", re.IGNORECASE)


class TheatreError(CarbonError):
    headline = "nothing was imported"


#: A case log or purchasing file of a year of theatres is a few megabytes; more is not one.
MAX_BYTES = 256 * 2**20


def _csv(path: Path, delim: str, name: str | None = None) -> tuple[list[str], pd.DataFrame]:
    """Every field of a CSV as text, with the file line of each row, read within bounds
    (``carbon.reading``: size, gzip, encoding, line length, a row with a field too many or too few
    named, an empty or header-only file refused)."""
    header, df, _ = reading.read_text(path, name or path.name, "carbon_th_", delim=delim, limit=MAX_BYTES,
                                      error=TheatreError)
    return header, df


def _clean(header: list[str]) -> list[str]:
    return [h.lstrip("\ufeff").strip() for h in header]


def detect(path: Path) -> str | None:
    """The layout of a case log from its first line, or None."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "template"
    first = reading.first_line(path)
    names = [h.strip().strip('"') for h in re.split(r"[;,]", first)]
    if names[:5] == FLOW_VAPOUR:
        return "flow_vapour"
    if "Fälle Datum" in names or "FÃ¤lle Datum" in names:
        return "draeger_connect"
    if "case_id" in [n.lower() for n in names]:
        return "template"
    return None


def read(path: Path, fmt: str, name: str, agent: str = "", theatre: str = "") -> pd.DataFrame:
    """The file's rows as ``RAW`` text columns plus ``line``. ``agent`` is the agent of a ``flow_vapour``
    log (which does not name it; in the other layouts an empty agent means none: TIVA or regional);
    ``theatre`` fills an empty theatre."""
    if fmt == "template":
        df = _template(path, name)
    elif fmt == "flow_vapour":
        df = _flow_vapour(path, name, agent)
    elif fmt == "draeger_connect":
        df = _draeger_connect(path, name)
    else:
        raise TheatreError(Problem(name, 1, "is not a case log this product reads",
                                   f"fill the template ({', '.join(TEMPLATE_COLUMNS)}) or give one of "
                                   f"{', '.join(FORMATS)}"))
    df = df.reindex(columns=RAW + ["line"])
    for col in RAW:
        df[col] = df[col].astype(object).where(df[col].notna(), "").astype(str).str.strip()
    if theatre:
        df["theatre"] = df["theatre"].where(df["theatre"] != "", theatre)
    device = _DEVICE.match(Path(name).name)
    df["theatre"] = df["theatre"].where(df["theatre"] != "", device.group(1) if device else Path(name).stem)
    return df


def _template(path: Path, name: str) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            df = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl").fillna("")
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise TheatreError(Problem(name, None, f"cannot be read as an Excel workbook: {exc}")) from None
        header = _clean([str(c) for c in df.columns])
        df.columns = header
        df["line"] = range(2, len(df) + 2)
    else:
        header, df = _csv(path, ",", name)
        header = _clean(header)
        df.columns = header + ["line"]
    lower = [h.lower() for h in header]
    df.columns = lower + (["line"] if "line" not in lower else [])
    lacking = [c for c in REQUIRED if c not in lower]
    if lacking:
        raise TheatreError(Problem(name, 1, f"is not the case log template: it lacks {', '.join(lacking)} "
                                   f"(the header is {', '.join(header)})",
                                   f"the header is {','.join(TEMPLATE_COLUMNS)}; only case_id, start and "
                                   "duration_min are required"))
    unknown = [h for h in lower if h not in TEMPLATE_COLUMNS]
    if unknown:
        raise TheatreError(Problem(name, 1, f"has column(s) the template does not: {', '.join(unknown)}",
                                   f"the columns are {', '.join(TEMPLATE_COLUMNS)}"))
    return df


def _flow_vapour(path: Path, name: str, agent: str) -> pd.DataFrame:
    header, df = _csv(path, ",", name)
    if _clean(header)[:5] != FLOW_VAPOUR:
        raise TheatreError(Problem(name, 1, f"is not a flow and vaporiser log: the header is {', '.join(header)}",
                                   f"the header is {','.join(FLOW_VAPOUR)}"))
    if not agent:
        raise TheatreError(Problem(name, None, "this layout does not name the agent in the vaporiser",
                                   "give the agent on import, e.g. sevoflurane"))
    df.columns = _clean(header) + ["line"]
    return pd.DataFrame({"case_id": df["Case"], "start": df["TimeStamp"], "duration_min": df["Duration"], "agent": agent,
                         "fgf_l_min": df["Flow"], "vaporiser_percent": df["Vapor"], "line": df["line"]})


def german_number(s: pd.Series) -> pd.Series:
    """Draeger Connect's numbers as plain text: ``1.144`` -> ``1144``, ``4,98`` -> ``4.98``, ``---`` -> ''."""
    t = s.fillna("").astype(str).str.strip().replace("---", "")
    return t.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)


def _german_date(day: pd.Series, time: pd.Series) -> pd.Series:
    """``Freitag, 1. März 2024`` and ``07:31 - 08:50`` as ``2024-03-01 07:31`` ('' when unreadable)."""
    parts = day.fillna("").str.extract(r",\s*(\d{1,2})\.\s*([^\s\d]+)\s+(\d{4})")
    month = parts[1].str.lower().map(_GERMAN_MONTHS)
    start = time.fillna("").str.extract(r"^\s*(\d{1,2}:\d{2})")[0]
    ok = parts[0].notna() & month.notna() & start.notna()
    text = (parts[2] + "-" + month.fillna(0).astype(int).astype(str).str.zfill(2) + "-" + parts[0].str.zfill(2)
            + " " + start.fillna(""))
    return text.where(ok, day.fillna("") + " " + time.fillna(""))


def _draeger_connect(path: Path, name: str) -> pd.DataFrame:
    header, df = _csv(path, ";", name)
    header = _clean(header)
    df.columns = header + ["line"]

    def col(prefix: str, suffix: str = "") -> str | None:
        found = [h for h in header if h.startswith(prefix) and h.endswith(suffix)]
        return found[0] if found else None

    need = {"date": col("Fälle Datum"), "time": col("Fälle Zeit"), "minutes": col("Fälle Dauer"),
            "fgf": col("Durchschnittl. FG-Flow", "Gesamt")}
    lacking = [k for k, v in need.items() if v is None]
    if lacking:
        raise TheatreError(Problem(name, 1, f"is not a Draeger Connect case analysis: no {', '.join(lacking)} column",
                                   "export the case analysis (fall_analyse) as CSV"))
    df = df[~df[need["date"]].fillna("").str.startswith("Gesamt")].reset_index(drop=True)  # the totals row
    used = {a: col(prefix, f" {code}") for a, code in (("isoflurane", "Iso"), ("desflurane", "Des"),
                                                       ("sevoflurane", "Sev"))
            for prefix in ("Verbrauch pro Fall", "Consumption pro Fall") if col(prefix, f" {code}")}
    amounts = pd.DataFrame({a: pd.to_numeric(german_number(df[c]), errors="coerce") for a, c in used.items()})
    given = amounts.fillna(0) > 0
    agent = given.idxmax(axis=1).where(given.any(axis=1), "") if len(amounts.columns) else pd.Series("", index=df.index)
    ml = amounts.where(given).sum(axis=1, min_count=1) if len(amounts.columns) else pd.Series(float("nan"), index=df.index)
    start = _german_date(df[need["date"]], df[need["time"]])
    n2o = col("Durchschnittl. FG-Flow", "N<sub>2</sub>O") or col("Durchschnittl. FG-Flow", "N2O")
    return pd.DataFrame({
        "case_id": start, "start": start, "duration_min": german_number(df[need["minutes"]]),
        "agent": agent.where(given.sum(axis=1) <= 1, "several") if len(amounts.columns) else agent,
        "fgf_l_min": german_number(df[need["fgf"]]),
        "n2o_l_min": german_number(df[n2o]) if n2o else "",
        "agent_used_ml": ml.astype(float).astype(str).where(ml.notna(), ""), "line": df["line"],
    })
