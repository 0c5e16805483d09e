"""A scenario as a document: baseline lines, demand growth, background change and interventions,
with their validation, files (TOML, JSON) and the tables people edit on the Scenarios page.

Baseline lines are kinds of line from the registry (``carbon.kinds``) read as a year's activity;
older files call a purchase line ``anaesthetic`` (agent bought a year), which is read as ``purchase``.

**Periods.** The baseline year is a calendar year (``2024``) or a financial year (``"2024/25"``,
1 April to 31 March); the scenario's years are then all of that kind, each held as the year it
starts in (``2030`` is 2030/31 in a financial-year scenario) and shown with ``label``. A line may
carry its own ``period`` (blank: the baseline year), of the same kind and no later than the
baseline: the baseline year's lines are what the projection starts from, the earlier years' lines
the reported history a board footprint compares with. Each line's DESNZ factors follow its period
(``carbon.periods``: 2024/25 uses the 2024 set), unless the line names a ``factor_year``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import tomli_w

from carbon import bounds, documents, kinds, periods
from carbon.errors import CarbonError

END_YEAR = 2045
INTERVENTION_KINDS = ("swap", "reduction")
#: Line kinds of older scenario files and the registry kind they mean.
LINE_ALIASES = {"anaesthetic": "purchase"}


class ScenarioError(CarbonError):
    """A scenario that cannot be used; ``problems`` names each bad line, intervention or field."""


def line_kinds() -> list[str]:
    """The kinds a baseline line can be (the registry's kinds that work a year)."""
    return kinds.names("year")


@dataclass
class Line:
    """One source of baseline emissions: a kind of line from the registry (``carbon.kinds``), read as a
    year's activity; ``ref`` is its factor, agent, travel mode, pathway or board, ``amount`` its quantity."""

    kind: str
    label: str
    category: str = ""
    amount: str = ""
    low: str = ""
    high: str = ""
    ref: str = ""
    return_trip: bool = False
    occupancy: float = 1.0
    #: the reporting year this line records (blank: the scenario's baseline year)
    period: str = ""
    #: a DESNZ factor year to use instead of the period's own (estates lines; None: the period's)
    factor_year: int | None = None
    note: str = ""

    def __post_init__(self):
        self.kind = str(self.kind).strip().lower()
        self.kind = LINE_ALIASES.get(self.kind, self.kind)

    def row(self, period: str = "") -> dict:
        """The line as a registry row (``ref`` is the row's factor, ``amount`` its quantity); ``period``
        is the baseline year's label, used when the line has none of its own."""
        return {"kind": self.kind, "factor": self.ref, "quantity": self.amount, "low": self.low, "high": self.high,
                "return_trip": self.return_trip, "occupancy": "" if self.occupancy == 1 else self.occupancy,
                "category": self.category, "period": self.period or period,
                "factor_year": "" if self.factor_year is None else self.factor_year}


@dataclass
class Intervention:
    """A change with its uptake ramp and its costs (pounds, negative for a saving)."""

    name: str
    kind: str
    start_year: int
    end_year: int
    target_pct: float
    category: str = ""
    line: str = ""
    alternative: str = ""
    from_factor: str = ""
    to_factor: str = ""
    volume: str = ""
    one_off_gbp: float = 0.0
    yearly_gbp: float = 0.0
    use_prices: bool = True
    caveat: str = ""
    note: str = ""


@dataclass
class Background:
    """A category's factors relative to the baseline year (1.0) at ``year``."""

    category: str
    year: int
    multiplier: float
    note: str = ""


@dataclass
class Scenario:
    """A baseline, growth, background change and interventions; see the module docstring."""

    name: str
    #: the start year of the baseline period (a file may give ``"2024/25"``: read as 2024, financial)
    baseline_year: int
    description: str = ""
    end_year: int = END_YEAR
    growth_pct: float = 0.0
    target_set: str = "NHS Scotland"
    #: emissions (tCO2e) in a target's own baseline year, by scope ("total", "inhaler", ...);
    #: where missing, targets are measured against this scenario's baseline year.
    reference_tCO2e: dict[str, float] = field(default_factory=dict)
    #: a flat discount rate in % a year; None = the Green Book schedule (factors/appraisal.csv)
    discount_pct: float | None = None
    #: first year of the appraisal (discounting year 0); None = the year after the baseline
    appraisal_start: int | None = None
    lines: list[Line] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    background: list[Background] = field(default_factory=list)
    #: "calendar" or "financial": the kind of every year of the scenario (set by ``baseline_year``)
    period_kind: str = "calendar"

    def __post_init__(self):
        # "2024/25" in a file or a form: the start year, and the kind of period every year is
        if isinstance(self.baseline_year, str):
            try:
                p = periods.parse(self.baseline_year)
            except periods.PeriodError:
                return  # validate() names the problem
            self.baseline_year, self.period_kind = p.start_year, p.kind

    # -- periods ------------------------------------------------------------------------------

    @property
    def financial(self) -> bool:
        return self.period_kind == "financial"

    def period(self, year: int) -> periods.Period:
        """The period a year of the scenario stands for (2030 -> 2030/31 in a financial-year scenario)."""
        return periods.Period(int(year), self.financial)

    def label(self, year: int) -> str:
        """A year of the scenario as people read it: ``2030/31`` or ``2030``."""
        return self.period(year).label

    @property
    def baseline_period(self) -> periods.Period:
        return self.period(self.baseline_year)

    def line_period(self, line: "Line") -> str:
        """The label of the period a line records (the baseline year when it has none)."""
        return line.period or self.baseline_period.label

    def recorded_periods(self) -> list[str]:
        """The periods the lines record, earliest first (labels)."""
        return [p.label for p in sorted({periods.parse(self.line_period(ln)) for ln in self.lines})]

    def years_note(self) -> str:
        """Which years the scenario uses, in one sentence."""
        if self.financial:
            return (f"Years are financial years (1 April to 31 March), each shown by the year it starts in: "
                    f"{self.baseline_year} is {self.label(self.baseline_year)}. A target year such as 2030 is "
                    f"measured in {self.label(2030)}, the financial year most of which falls in it (DESNZ's rule).")
        return "Years are calendar years (January to December)."

    # -- documents ----------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """A plain dict (no None values, so it is valid TOML); a financial baseline year is written
        as its label (``"2024/25"``), which says the kind of every year."""

        def clean(d: dict) -> dict:
            return {k: v for k, v in d.items() if v is not None and v != {} and v != []}

        out = clean({k: v for k, v in dataclasses.asdict(self).items()
                     if k not in ("lines", "interventions", "background", "period_kind")})
        if self.financial and isinstance(self.baseline_year, int):
            out["baseline_year"] = self.label(self.baseline_year)
        out["lines"] = [clean(dataclasses.asdict(x)) for x in self.lines]
        out["interventions"] = [clean(dataclasses.asdict(x)) for x in self.interventions]
        if self.background:
            out["background"] = [clean(dataclasses.asdict(x)) for x in self.background]
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict) -> "Scenario":
        """Build and validate; every problem is collected and raised together (nothing half-read)."""
        problems: list[str] = []
        if not isinstance(data, dict):
            raise ScenarioError("a scenario must be a table of fields")
        top = {f.name for f in dataclasses.fields(cls)}
        for key in data:
            if key not in top:
                problems.append(f"unknown field {key!r}")
        lines = _records(data.get("lines", []), Line, "baseline line", problems)
        interventions = _records(data.get("interventions", []), Intervention, "intervention", problems)
        background = _records(data.get("background", []), Background, "background change", problems)
        kwargs = {k: v for k, v in data.items() if k in top and k not in ("lines", "interventions", "background")}
        for req in ("name", "baseline_year"):
            if req not in kwargs:
                problems.append(f"{req} is missing")
        if problems:
            raise ScenarioError(problems)
        sc = cls(**kwargs, lines=lines, interventions=interventions, background=background)
        sc.validate()
        return sc

    @classmethod
    def from_json(cls, text: str) -> "Scenario":
        return cls.from_dict(documents.load(text, "scenario", ".json", ScenarioError))

    @classmethod
    def from_toml(cls, text: str) -> "Scenario":
        return cls.from_dict(documents.load(text, "scenario", ".toml", ScenarioError))

    def validate(self) -> None:
        """Check types, years and ranges; raise ScenarioError naming every bad field."""
        p: list[str] = []
        self.name = str(self.name).strip()
        if not self.name:
            p.append("name is empty")
        _text(self.name, "name", p)
        _text(self.description, "description", p, 2000)
        self._read_baseline_year(p)
        self.end_year = _int(self.end_year, "end_year", p)
        if isinstance(self.baseline_year, int) and isinstance(self.end_year, int):
            _within("year", self.baseline_year, "baseline_year", p)
            _within("year", self.end_year, "end_year", p)
            if self.end_year <= self.baseline_year:
                p.append(f"end_year {self.end_year} must be after baseline_year {self.baseline_year}")
        self.growth_pct = _float(self.growth_pct, "growth_pct", p)
        _within("growth_pct", self.growth_pct, "growth_pct", p)
        if self.discount_pct is not None:
            self.discount_pct = _float(self.discount_pct, "discount_pct", p)
            _within("discount_pct", self.discount_pct, "discount_pct", p)
        if self.appraisal_start is not None:
            self.appraisal_start = _int(self.appraisal_start, "appraisal_start", p)
            _within("year", self.appraisal_start, "appraisal_start", p)
        if not isinstance(self.reference_tCO2e, dict):
            p.append("reference_tCO2e must be a table of scope = tCO2e")
        labels, seen = set(), set()
        line_kinds = kinds.names("year")
        for i, ln in enumerate(self.lines, 1):
            where = f"baseline line {i} ({bounds.visible(ln.label) or 'no label'})"
            ln.kind = str(ln.kind).strip().lower()
            ln.kind = LINE_ALIASES.get(ln.kind, ln.kind)
            ln.label = str(ln.label).strip()
            ln.category = str(ln.category or "").strip().lower()
            if ln.kind not in line_kinds:
                p.append(f"{where}: kind {ln.kind!r} must be one of {', '.join(line_kinds)}")
            own = self._read_line_period(ln, where, p)
            _text(ln.label, f"{where}: label", p)
            _text(ln.ref, f"{where}: ref", p)
            if not ln.label:
                p.append(f"{where}: label is empty")
            elif (ln.label, own) in seen:
                p.append(f"{where}: label {ln.label!r} is used twice{' in ' + own if own else ''}")
            seen.add((ln.label, own))
            if own == self.baseline_label():
                labels.add(ln.label)  # a reduction names a line of the baseline year
            ln.occupancy = _float(ln.occupancy, f"{where}: occupancy", p)
            ln.return_trip = bool(ln.return_trip)
            if ln.factor_year is not None and ln.factor_year != "":
                ln.factor_year = _int(ln.factor_year, f"{where}: factor_year", p)
            else:
                ln.factor_year = None
        names = set()
        for i, iv in enumerate(self.interventions, 1):
            where = f"intervention {i} ({bounds.visible(iv.name) or 'no name'})"
            iv.name = str(iv.name).strip()
            iv.kind = str(iv.kind).strip().lower()
            iv.category = str(iv.category or "").strip().lower()
            _text(iv.name, f"{where}: name", p)
            if not iv.name:
                p.append(f"{where}: name is empty")
            elif iv.name in names:
                p.append(f"{where}: name {iv.name!r} is used twice")
            names.add(iv.name)
            if iv.kind not in INTERVENTION_KINDS:
                p.append(f"{where}: kind {iv.kind!r} must be swap or reduction")
            iv.start_year = _int(iv.start_year, f"{where}: start_year", p)
            iv.end_year = _int(iv.end_year, f"{where}: end_year", p)
            iv.target_pct = _float(iv.target_pct, f"{where}: target_pct", p)
            iv.one_off_gbp = _float(iv.one_off_gbp, f"{where}: one_off_gbp", p)
            iv.yearly_gbp = _float(iv.yearly_gbp, f"{where}: yearly_gbp", p)
            iv.use_prices = bool(iv.use_prices)
            for fld in ("start_year", "end_year"):
                _within("year", getattr(iv, fld), f"{where}: {fld}", p)
            for fld in ("one_off_gbp", "yearly_gbp"):
                _within("money_gbp", getattr(iv, fld), f"{where}: {fld}", p)
            if isinstance(iv.start_year, int) and isinstance(iv.end_year, int):
                if iv.end_year < iv.start_year:
                    p.append(f"{where}: end_year {iv.end_year} is before start_year {iv.start_year}")
                if isinstance(self.baseline_year, int) and iv.start_year <= self.baseline_year:
                    # the baseline year is as measured; a change starts after it (and inside the appraisal)
                    p.append(f"{where}: start_year {iv.start_year} must be after the baseline year "
                             f"{self.baseline_label()}")
            _within("share_pct", iv.target_pct, f"{where}: target_pct", p)
            if iv.kind == "swap":
                if not iv.alternative and not (iv.from_factor and iv.to_factor):
                    p.append(f"{where}: a swap needs an alternative from the catalogue, or from_factor and to_factor")
                if not str(iv.volume).strip():
                    p.append(f"{where}: a swap needs the volume a year of the product switched from (e.g. '40000 inhaler')")
            if iv.kind == "reduction":
                if bool(iv.category) == bool(iv.line):
                    p.append(f"{where}: a reduction needs either a category or a baseline line label (one of them)")
                elif iv.line and iv.line not in labels:
                    p.append(f"{where}: no baseline line is labelled {iv.line!r}")
        for i, bg in enumerate(self.background, 1):
            where = f"background change {i} ({bounds.visible(bg.category)})"
            bg.category = str(bg.category).strip().lower()
            bg.year = _int(bg.year, f"{where}: year", p)
            bg.multiplier = _float(bg.multiplier, f"{where}: multiplier", p)
            _within("background_multiplier", bg.multiplier, f"{where}: multiplier", p)
            _within("year", bg.year, f"{where}: year", p)
            if isinstance(bg.year, int) and isinstance(self.baseline_year, int) and bg.year <= self.baseline_year:
                p.append(f"{where}: year {bg.year} must be after the baseline year {self.baseline_label()}")
        if p:
            raise ScenarioError(p)

    def _read_baseline_year(self, p: list[str]) -> None:
        """``baseline_year`` as a start year and a kind of period, or a problem in ``p``."""
        if self.period_kind not in ("calendar", "financial"):
            p.append(f"period_kind {self.period_kind!r} must be calendar or financial")
        if isinstance(self.baseline_year, str):
            try:
                read = periods.parse(self.baseline_year, where="baseline_year")
            except periods.PeriodError as exc:
                p.extend(str(x) for x in exc.problems)
                return
            self.baseline_year, self.period_kind = read.start_year, read.kind
        else:
            self.baseline_year = _int(self.baseline_year, "baseline_year", p)

    def baseline_label(self) -> str:
        return self.label(self.baseline_year) if isinstance(self.baseline_year, int) else str(self.baseline_year)

    def _read_line_period(self, ln: "Line", where: str, p: list[str]) -> str:
        """The line's period as a label (``''`` for the baseline year), checked against the scenario's."""
        ln.period = str(ln.period or "").strip()
        if not ln.period:
            return self.baseline_label()
        try:
            read = periods.parse(ln.period, where=f"{where}: period")
        except periods.PeriodError as exc:
            p.extend(str(x) for x in exc.problems)
            return ln.period
        ln.period = read.label
        if not isinstance(self.baseline_year, int) or self.period_kind not in ("calendar", "financial"):
            return ln.period
        if read.kind != self.period_kind:
            other = periods.Period(read.start_year, self.financial).label
            p.append(f"{where}: period {ln.period} is a {read.kind} year but the baseline year "
                     f"{self.baseline_label()} is a {self.period_kind} one; every year of a scenario is of one "
                     f"kind (write {other})")
        elif read.start_year > self.baseline_year:
            p.append(f"{where}: period {ln.period} is after the baseline year {self.baseline_label()}: lines record "
                     "the baseline year and the years before it; the years after are projected")
        return ln.period

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.baseline_year, self.end_year + 1)

    @property
    def first_appraisal_year(self) -> int:
        return self.appraisal_start if self.appraisal_start is not None else self.baseline_year + 1


def _records(items, cls, what: str, problems: list[str]) -> list:
    names = {f.name for f in dataclasses.fields(cls)}
    out = []
    if not isinstance(items, list):
        problems.append(f"{what}s must be a list")
        return out
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(f"{what} {i}: must be a table of fields")
            continue
        unknown = [k for k in item if k not in names]
        if unknown:
            problems.append(f"{what} {i}: unknown field(s) {', '.join(map(repr, unknown))}")
            continue
        try:
            out.append(cls(**{k: v for k, v in item.items() if v is not None}))
        except TypeError as exc:
            problems.append(f"{what} {i}: {str(exc).split('__init__() ')[-1]}")
    return out


def _within(field: str, value, what: str, p: list[str]) -> None:
    """A number (already read) outside the bounds of ``field`` in factors/bounds.csv, added to ``p``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        why = bounds.between(field, value, what)
        if why:
            p.append(why)


def _text(value, what: str, p: list[str], max_length: int = 200) -> None:
    why = bounds.text_problem(value or "", what, max_length)
    if why:
        p.append(why)


def _int(v, what: str, p: list[str]):
    try:
        f = float(v)
        if f != int(f):
            raise ValueError
        return int(f)
    except (TypeError, ValueError, OverflowError):
        p.append(f"{what}: {v!r} is not a whole number")
        return v


def _float(v, what: str, p: list[str]):
    try:
        f = float(v)
        if not math.isfinite(f):
            raise ValueError
        return f
    except (TypeError, ValueError):
        p.append(f"{what}: {v!r} is not a number")
        return v


def read_file(data: bytes | str, file_name: str = "scenario.toml") -> Scenario:
    """A scenario from an exported file (``.toml`` or ``.json``, text or bytes) within the bounds of
    ``carbon.documents`` (size, encoding, nesting); raises ScenarioError."""
    return Scenario.from_dict(documents.load(data, file_name, error=ScenarioError))


def export(scenario: Scenario, fmt: str = "toml") -> str:
    """The scenario as a file people can keep, mail and import again."""
    if fmt == "json":
        return json.dumps(scenario.to_dict(), indent=2)
    return scenario.to_toml()


#: Columns of the three tables people edit on the Scenarios page, in the order shown.
EDIT_COLUMNS = {
    "lines": ["kind", "label", "period", "category", "ref", "amount", "low", "high", "return_trip", "occupancy",
              "factor_year", "note"],
    "interventions": ["name", "kind", "alternative", "from_factor", "to_factor", "volume", "category", "line",
                      "start_year", "end_year", "target_pct", "one_off_gbp", "yearly_gbp", "use_prices", "caveat", "note"],
    "background": ["category", "year", "multiplier", "note"],
}
META_FIELDS = ["name", "description", "baseline_year", "end_year", "growth_pct", "target_set", "discount_pct",
               "appraisal_start", "reference_tCO2e", "period_kind"]


def edit_tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """The scenario's lines, interventions and background change as editable tables."""
    items = {"lines": scenario.lines, "interventions": scenario.interventions, "background": scenario.background}
    return {k: pd.DataFrame([dataclasses.asdict(x) for x in v], columns=EDIT_COLUMNS[k]).reindex(columns=EDIT_COLUMNS[k])
            for k, v in items.items()}


def _records_of(df: pd.DataFrame | None) -> list[dict]:
    """Rows of an edited table as plain dicts: blank cells left out (so defaults apply), blank rows dropped."""
    if df is None or len(df) == 0:
        return []
    out = []
    for rec in df.astype(object).where(df.notna(), None).to_dict(orient="records"):
        rec = {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.items()}
        rec = {k: v for k, v in rec.items() if v is not None and v != ""}
        if rec:
            out.append(rec)
    return out


def from_edit(meta: dict, lines: pd.DataFrame | None, interventions: pd.DataFrame | None,
              background: pd.DataFrame | None = None) -> Scenario:
    """A scenario from the page's fields and tables; ScenarioError names every bad cell's row and field."""
    data = {k: v for k, v in meta.items() if k in META_FIELDS and v is not None and v != ""}
    data["lines"] = _records_of(lines)
    data["interventions"] = _records_of(interventions)
    data["background"] = _records_of(background)
    return Scenario.from_dict(data)


def new(name: str = "New scenario", baseline_year: int | str = 2024) -> Scenario:
    """An empty scenario to start from (one manual line, so it runs)."""
    return Scenario(name=name, baseline_year=baseline_year, lines=[
        Line(kind="manual", label="Building energy", category="energy", amount="1000 tCO2e",
             note="replace with your board's figure")])
