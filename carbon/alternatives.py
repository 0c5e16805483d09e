"""Lower-carbon swaps for a care pathway, each with its clinical caveat and its saving.

The catalogue is data (``factors/alternatives.csv``, loaded by the factor library as the
reference table ``ref_alternatives``): one row per swap, naming what it replaces (an activity
``from_kind`` whose factor matches ``from_factor``, a ``|``-separated list of ids or
shell patterns such as ``car_*``) and what it becomes:

* ``to_kind``/``to_factor``: the new kind and factor, or ``to_kind = remove`` (TIVA or regional
  anaesthesia instead of a volatile agent: only the gas avoided is counted);
* ``quantity_ratio``: new quantity per old (``0.5`` when one 200 microgram DPI dose replaces two
  100 microgram puffs);
* ``to_quantity``/``to_duration``: new text, where ``{count}`` is the activity's number of
  appointments (a video call instead of a journey: ``0.05 kWh/appointment`` for
  ``{count} appointment``);
* ``from_unit``: the activity's amount must be in this unit (only appointments become video
  calls); ``max_distance``: the one-way distance must be at most this (walking or cycling).

Every row carries a source id and a caveat; a swap is shown *where clinically appropriate*, never
as advice. This is the one swap engine: a pathway's swaps and a scenario's swap interventions both
rewrite a line with ``swapped`` and price the change with ``saving``, which footprints the old and
new lines through the registry of kinds. Savings are the old footprint minus the new, per patient
and per cohort (or a year), with the range taken at the same end of both ranges (low minus low, high
minus high); the cost change is the new lines' list price minus the old ones'.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import replace

import pandas as pd

from carbon import factors as fx
from carbon import kinds
from carbon import pathways as pw
from carbon.errors import CarbonError
from carbon.formatting import co2e, gbp, plural
from carbon.units import UnitError, parse

REMOVE = "remove"
COLUMNS = [
    "id", "group", "name", "from_kind", "from_factor", "from_unit", "max_distance", "to_kind", "to_factor",
    "quantity_ratio", "to_quantity", "to_duration", "source", "caveat", "notes",
]
APPLICABLE_COLUMNS = [
    "swap", "swaps", "group", "name", "positions", "detail", "saving_kgCO2e", "saving_kgCO2e_low",
    "saving_kgCO2e_high", "saving_cost_gbp", "cohort_saving_kgCO2e", "cohort_saving_kgCO2e_low",
    "cohort_saving_kgCO2e_high", "cohort_saving_cost_gbp", "share", "caveat", "source", "source_title", "factor_ids",
]


class AlternativeError(CarbonError):
    """A catalogue row that cannot be used, or a swap that does not apply to a pathway or a scenario line."""


def _patterns(text: str) -> list[str]:
    return [p.strip() for p in str(text or "").split("|") if p.strip()]


def catalogue(store) -> pd.DataFrame:
    """The swaps of ``factors/alternatives.csv`` with their source's title; checked first
    (AlternativeError lists every bad row)."""
    problems = validate(store)
    if problems:
        raise AlternativeError("factors/alternatives.csv: " + "; ".join(problems))
    return _table(store)


def _table(store) -> pd.DataFrame:
    cat = fx.reference(store, "alternatives").reindex(columns=COLUMNS)
    for col in COLUMNS:
        if col != "quantity_ratio":
            cat[col] = cat[col].fillna("").astype(str).str.strip()
    cat["quantity_ratio"] = pd.to_numeric(cat["quantity_ratio"], errors="coerce").fillna(1.0)
    titles = store.df("SELECT id AS source, publisher || ', ' || title || ' (' || year || ')' AS source_title FROM source")
    return cat.merge(titles, on="source", how="left").fillna({"source_title": ""})


def validate(store) -> list[str]:
    """Why rows of the catalogue cannot be used (empty when all can): kinds, factors that are not
    in the library, missing caveats, ratios that are not positive, limits that are not distances."""
    cat = _table(store)
    lib = fx.library(store)
    line_kinds = kinds.names("patient")
    problems = []
    for r in cat.itertuples(index=False):  # a catalogue of a few dozen reviewed rows
        where = f"row {r.id}"
        if r.from_kind not in line_kinds:
            problems.append(f"{where}: from_kind {r.from_kind!r} is not one of {', '.join(line_kinds)}")
        if r.to_kind not in (*line_kinds, REMOVE):
            problems.append(f"{where}: to_kind {r.to_kind!r} is not one of {', '.join((*line_kinds, REMOVE))}")
        known = kinds.get(r.from_kind).choices(lib) if r.from_kind in line_kinds else []
        for pat in _patterns(r.from_factor) or [""]:
            if not fnmatch.filter(known, pat):
                problems.append(f"{where}: from_factor {pat!r} matches nothing in the library")
        if r.to_kind in line_kinds and r.to_factor not in kinds.get(r.to_kind).choices(lib):
            problems.append(f"{where}: to_factor {r.to_factor!r} is not in the library")
        if not r.caveat:
            problems.append(f"{where}: every swap needs a clinical caveat")
        if not (r.quantity_ratio > 0 and math.isfinite(r.quantity_ratio)):
            problems.append(f"{where}: quantity_ratio must be a number above zero")
        if r.max_distance:
            try:
                parse(r.max_distance).to("km")
            except Exception:  # UnitError or DimensionalityError: both mean "not a distance"
                problems.append(f"{where}: max_distance {r.max_distance!r} is not a distance")
    return problems


# ---------------------------------------------------------------------------------------------
# Which swaps fit which activities
# ---------------------------------------------------------------------------------------------
def _count(a: pw.Activity, unit: str) -> float | None:
    """The activity's amount in ``unit`` (e.g. appointments), or None if it is not in that unit."""
    try:
        q = parse(a.quantity) * (parse(a.duration) if a.duration else 1)
        return float(q.to(unit).magnitude)
    except Exception:  # unreadable text or another dimension: the swap does not apply
        return None


def _fits(a: pw.Activity, swap) -> bool:
    if a.kind != swap.from_kind or a.factor == swap.to_factor or a.kind not in kinds.names():
        return False
    factor = kinds.get(a.kind).ref(a.factor)
    if not any(fnmatch.fnmatchcase(factor, p) for p in _patterns(swap.from_factor)):
        return False
    if swap.from_unit and _count(a, swap.from_unit) is None:
        return False
    if swap.max_distance:
        try:
            if parse(a.distance).to("km") > parse(swap.max_distance).to("km"):
                return False
        except Exception:  # no readable distance: the limit cannot be shown to hold
            return False
    return True


def _scaled(text: str, ratio: float) -> str:
    if ratio == 1 or not text:
        return text
    q = parse(text)
    return f"{q.magnitude * ratio:.6g} {q.units}".strip()


def swapped(store, a: pw.Activity, swap) -> pw.Activity | None:
    """The activity after ``swap`` (None when the swap removes it)."""
    if swap.to_kind == REMOVE:
        return None
    new = replace(a, kind=swap.to_kind, factor=swap.to_factor,
                  quantity=_scaled(a.quantity, float(swap.quantity_ratio)),
                  activity=f"{a.activity or a.factor} → {swap.name}",
                  note=f"Swap {swap.id}: {swap.caveat}", source=swap.source)
    count = _count(a, swap.from_unit) if swap.from_unit else None
    fill = (lambda t: t.replace("{count}", f"{count:g}")) if count is not None else (lambda t: t)
    if swap.to_quantity:
        new = replace(new, quantity=fill(swap.to_quantity), duration=fill(swap.to_duration))
    elif swap.to_duration:
        new = replace(new, duration=fill(swap.to_duration))
    return kinds.get(swap.to_kind).adopt(fx.library(store), a, new)


def matches(store, pathway: pw.Pathway, cat: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every (swap, activity) pair that fits: swap, position (1-based) and the new activity."""
    cat = catalogue(store) if cat is None else cat
    rows = []
    for swap in cat.itertuples(index=False):  # catalogue x the pathway's few activities
        for pos, a in enumerate(pathway.activities, start=1):
            if _fits(a, swap):
                try:
                    rows.append({"swap": swap.id, "position": pos, "new": swapped(store, a, swap)})
                except (UnitError, ValueError, KeyError):
                    continue  # a quantity that cannot be scaled: the footprint names the row
    return pd.DataFrame(rows, columns=["swap", "position", "new"])


# ---------------------------------------------------------------------------------------------
# Savings
# ---------------------------------------------------------------------------------------------
def saving(store, old: list[pw.Activity], new: list[pw.Activity | None], basis: str,
           ctx: kinds.Context = kinds.PER_PATIENT) -> pd.DataFrame:
    """What each swap of a line saves: ``old[i]`` becomes ``new[i]`` (None: removed).

    One row per pair, in order: ``saving_kgCO2e`` with low and high (old minus new at the same end
    of each range), ``cost_change_gbp`` (new list price minus old; a removal stops the old cost; NaN
    where a side is not priced), the names, ids and quantity text of both sides, the old line's
    category, and ``error`` (why a side cannot be computed, e.g. a new factor per something else).
    """
    def rows(lines):
        return [{**{k: getattr(a, k) for k in pw.ACTIVITY_COLUMNS}, "position": i} for i, a in lines]

    def first(fp: pd.DataFrame) -> pd.DataFrame:
        return fp.drop_duplicates("position").set_index("position")

    idx = pd.Index(range(1, len(old) + 1), name="position")
    kept = [(i, a) for i, a in enumerate(new, start=1) if a is not None]
    was = first(kinds.footprint(store, rows(enumerate(old, start=1)), basis, ctx)).reindex(idx)
    now = first(kinds.footprint(store, rows(kept), basis, ctx)).reindex(idx) if kept else \
        pd.DataFrame(index=idx, columns=kinds.COLUMNS)
    removed = pd.Series([a is None for a in new], index=idx)
    for col in ("kgCO2e", "kgCO2e_low", "kgCO2e_high", "cost_gbp"):
        now[col] = now[col].astype(float).where(~removed, 0.0)
    out = pd.DataFrame({
        "category": was["category"], "old_name": was["factor_name"], "old_ids": was["factor_ids"],
        "old_text": was["quantity_text"], "new_name": now["factor_name"].where(~removed, "removed"),
        "new_ids": now["factor_ids"].where(~removed, ""), "new_text": now["quantity_text"].where(~removed, ""),
        **{f"saving_{c}": was[c].astype(float) - now[c] for c in ("kgCO2e", "kgCO2e_low", "kgCO2e_high")},
        "cost_change_gbp": now["cost_gbp"] - was["cost_gbp"].astype(float),
        "error": was["error"].where(was["error"] != "", now["error"].where(~removed, "")).fillna(""),
    }, index=idx)
    return out.reset_index(drop=True)


def _row_savings(store, pathway: pw.Pathway, basis: str, cat: pd.DataFrame) -> pd.DataFrame:
    """One row per (swap, position) that fits and computes: the saving per patient (kgCO2e, low, high,
    pounds), what it swaps and its caveat."""
    m = matches(store, pathway, cat)
    if m.empty:
        return m
    s = saving(store, [pathway.activities[p - 1] for p in m["position"]], list(m["new"]), basis)
    m = pd.concat([m.reset_index(drop=True), s], axis=1)
    m = m[m["error"] == ""].copy()
    m["saving_cost_gbp"] = -m["cost_change_gbp"]
    m["detail"] = "row " + m["position"].astype(str) + ": " + m["old_name"] + " → " + m["new_name"].astype(str)
    m["ids"] = m["old_ids"] + "," + m["new_ids"].astype(str)
    return m.merge(cat[["id", "group", "name", "caveat", "source", "source_title"]], left_on="swap", right_on="id")


PREFIX = "Where clinically appropriate: "


def join_caveats(caveats) -> str:
    """The distinct caveats of several swaps as one text that says *where clinically appropriate*
    once, at the start, rather than before each swap's caveat."""
    out = []
    for c in dict.fromkeys(str(c).strip() for c in caveats if str(c).strip()):
        if c.lower().startswith(PREFIX.lower()):
            c = c[len(PREFIX):]
        out.append(c[:1].upper() + c[1:] if out else c)
    return PREFIX + " ".join(out) if out else ""


def _summarise(rows: pd.DataFrame, swap: str, name: str, group: str, ids: list[str]) -> dict:
    lo, hi = rows["saving_kgCO2e_low"].sum(), rows["saving_kgCO2e_high"].sum()
    return {
        "swap": swap, "swaps": ",".join(ids), "group": group, "name": name,
        "positions": ", ".join(str(p) for p in sorted(rows["position"])),
        "detail": "; ".join(rows.sort_values("position")["detail"]),
        "saving_kgCO2e": rows["saving_kgCO2e"].sum(), "saving_kgCO2e_low": min(lo, hi),
        "saving_kgCO2e_high": max(lo, hi), "saving_cost_gbp": rows["saving_cost_gbp"].sum(min_count=len(rows)),
        "caveat": join_caveats(rows["caveat"]), "source": ", ".join(dict.fromkeys(rows["source"])),
        "source_title": "; ".join(dict.fromkeys(rows["source_title"])),
        "factor_ids": ", ".join(sorted({i.strip() for s in rows["ids"] for i in s.split(",") if i.strip()})),
    }


def applicable(store, pathway: pw.Pathway, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """The swaps that fit ``pathway``, largest saving first (columns ``APPLICABLE_COLUMNS``).

    One row per catalogue swap (summed over the activities it fits), plus, where a group of swaps
    (e.g. "Propellant inhaler to dry-powder inhaler") fits two or more activities through
    different swaps, an "every ..." row taking each activity's best swap of that group. ``swaps``
    lists the catalogue ids to pass to ``apply``. Savings are per patient and, ``cohort_*``, per
    year for the pathway's cohort; ``share`` is the saving's part of the pathway's footprint.
    """
    cat = catalogue(store)
    rows = _row_savings(store, pathway, basis, cat)
    if rows.empty:
        return pd.DataFrame(columns=APPLICABLE_COLUMNS)
    out = [_summarise(g, sid, g["name"].iloc[0], g["group"].iloc[0], [sid]) for sid, g in rows.groupby("swap", sort=False)]
    for group, g in rows.groupby("group", sort=False):
        best = g.sort_values("saving_kgCO2e", ascending=False).drop_duplicates("position")
        if best["swap"].nunique() >= 2:
            ids = list(dict.fromkeys(best["swap"]))
            out.append(_summarise(best, f"every: {group}", f"Every swap of this kind: {group.lower()}", group, ids))
    df = pd.DataFrame(out)
    total = pw.totals(pw.footprint(store, pathway, basis), pathway.cohort, basis)["kgCO2e"]
    for col in ("kgCO2e", "kgCO2e_low", "kgCO2e_high", "cost_gbp"):
        df[f"cohort_saving_{col}"] = df[f"saving_{col}"] * pathway.cohort
    df["share"] = df["saving_kgCO2e"] / total if total else math.nan
    return df.sort_values("saving_kgCO2e", ascending=False, kind="stable")[APPLICABLE_COLUMNS].reset_index(drop=True)


def savings(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``applicable`` that save carbon (central saving above zero), largest first."""
    return table[table["saving_kgCO2e"] > 0]


def best(table: pd.DataFrame) -> pd.Series | None:
    """The swap with the largest central saving (None when nothing saves carbon)."""
    saving = savings(table)
    return None if saving.empty else saving.iloc[0]


DISPLAY_COLUMNS = ["name", "positions", "per_patient", "range", "per_year", "pounds_saved_per_year", "caveat"]


def display_table(saving: pd.DataFrame) -> pd.DataFrame:
    """Swaps as text for a table a person reads: saving per patient with its range, per year for the
    cohort, and pounds saved a year (negative where the swap costs more)."""
    return saving.assign(
        per_patient=saving["saving_kgCO2e"].map(co2e),
        range=[f"{co2e(lo)} to {co2e(hi)}" for lo, hi in zip(saving["saving_kgCO2e_low"], saving["saving_kgCO2e_high"])],
        per_year=saving["cohort_saving_kgCO2e"].map(co2e),
        pounds_saved_per_year=saving["cohort_saving_cost_gbp"].map(lambda v: gbp(v, signed=True)),
    )[DISPLAY_COLUMNS]


#: How a pathway's name says what a group of swaps changes, longest words first: when every activity
#: such a swap could change has been changed, the name's words for the old device or agent become the
#: new one's ("Asthma: ... on pMDIs" becomes "Asthma: ... on DPIs (switched from pMDIs)").
_RENAMES = {
    "Propellant inhaler to dry-powder inhaler": [
        ("pressurised metered-dose inhalers", "dry-powder inhalers"),
        ("pressurised metered-dose inhaler", "dry-powder inhaler"), ("pMDIs", "DPIs"), ("pMDI", "DPI")],
    "Propellant inhaler to soft-mist inhaler": [
        ("pressurised metered-dose inhalers", "soft-mist inhalers"),
        ("pressurised metered-dose inhaler", "soft-mist inhaler"), ("pMDIs", "soft-mist inhalers"),
        ("pMDI", "soft-mist inhaler")],
    "Volatile agent to sevoflurane": [("desflurane", "sevoflurane"), ("isoflurane", "sevoflurane")],
    "Face-to-face to virtual": [("face-to-face", "virtual"), ("Face-to-face", "Virtual")],
}


def _renamed(text: str, pairs) -> tuple[str, str]:
    """``text`` with the first pair whose old words it holds replaced (all of them); and those old words."""
    for old, new in pairs:
        if old in text:
            return text.replace(old, new), old
    return text, ""


def _whole(store, acts: list[pw.Activity], group: str, cat: pd.DataFrame) -> bool:
    """Whether no activity left in ``acts`` could still take a swap of ``group`` (the change is whole)."""
    rows = cat[cat["group"] == group]
    return not any(_fits(a, swap) for a in acts for swap in rows.itertuples(index=False))


def _variant_words(store, pathway: pw.Pathway, applied: dict, cat: pd.DataFrame, acts) -> tuple[str, str]:
    """The variant's true name and description: what it now is, and what was changed from what."""
    groups = list(dict.fromkeys(cat.loc[s, "group"] for s in applied))
    swaps = "; ".join(f"{cat.loc[s, 'name']} (row{'s' if len(p) > 1 else ''} {', '.join(map(str, p))})"
                      for s, p in applied.items())
    name = pathway.name.strip()
    renamed_from = []
    for group in groups:
        if group in _RENAMES and _whole(store, acts, group, cat):
            name, old = _renamed(name, _RENAMES[group])
            if old:
                renamed_from.append(old)
    if renamed_from:
        name = f"{name} (switched from {' and '.join(renamed_from)})"
    else:
        name = f"{name} (swap: {cat.loc[next(iter(applied)), 'name'] if len(applied) == 1 else groups[0]})"
    # the original's own description is not carried over: it describes what was swapped away
    description = f"A variant of “{pathway.name.strip()}” with, where clinically appropriate: {swaps}."
    return name[: pw.MAX_NAME], description


def apply(store, pathway: pw.Pathway, swaps: str | list[str], name: str | None = None) -> pw.Pathway:
    """A new pathway (not saved) with ``swaps`` applied: each activity takes the first listed swap
    that fits it; removed activities are dropped. AlternativeError if no listed swap fits any activity.

    The variant says truly what it is: its name is the original's with the words for what was
    swapped away replaced when every such activity was swapped ("... on pMDIs" becomes "... on DPIs
    (switched from pMDIs)"), else the original's with the swap named ("... on pMDIs (swap: Ventolin
    Evohaler to Salamol ...)"); its description names the original and each swap with its rows (the
    original's description, which describes what was swapped away, is not kept); its assumptions
    say what changed and the caveat."""
    ids = [s.strip() for s in (swaps.split(",") if isinstance(swaps, str) else swaps) if s.strip()]
    cat = catalogue(store).set_index("id", drop=False)
    unknown = [s for s in ids if s not in cat.index]
    if unknown:
        raise AlternativeError(f"no swap called {', '.join(unknown)} in factors/alternatives.csv")
    acts, applied = [], {}
    for pos, a in enumerate(pathway.activities, start=1):  # the pathway's few activities
        swap = next((cat.loc[s] for s in ids if _fits(a, cat.loc[s])), None)
        if swap is None:
            acts.append(a)
            continue
        applied.setdefault(swap["id"], []).append(pos)
        new = swapped(store, a, swap)
        if new is not None:
            acts.append(new)
    if not applied:
        raise AlternativeError(f"none of {', '.join(ids)} fits an activity of {pathway.name!r}")
    notes = [f"Swap {s} ({cat.loc[s, 'name']}) applied to {plural(len(p), 'row')} {', '.join(map(str, p))} of {pathway.name!r}. "
             f"{cat.loc[s, 'caveat']}" for s, p in applied.items()]
    true_name, description = _variant_words(store, pathway, applied, cat, acts)
    return replace(pathway, name=name or true_name, description=description, activities=acts,
                   assumptions=[*pathway.assumptions, *notes], is_template=False, template_id=None)


def free_name(store, name: str) -> str:
    """``name``, or ``name (2)``, ``(3)``... : the first that no saved pathway or template uses."""
    base, n, candidate = name[: pw.MAX_NAME - 5], 1, name
    while pw.exists(store, candidate):
        n += 1
        candidate = f"{base} ({n})"
    return candidate


def summary(store, basis: str = fx.DEFAULT_BASIS) -> pd.DataFrame:
    """Every shipped template's per-patient footprint and its best swap with the saving."""
    out = []
    for p in pw.templates():
        t = pw.totals(pw.footprint(store, p, basis), p.cohort, basis)
        b = best(applicable(store, p, basis))
        out.append({"template": p.template_id, "pathway": p.name, "kgCO2e": t["kgCO2e"],
                    "kgCO2e_low": t["kgCO2e_low"], "kgCO2e_high": t["kgCO2e_high"],
                    "best_swap": "" if b is None else b["name"],
                    "saving_kgCO2e": 0.0 if b is None else b["saving_kgCO2e"],
                    "cohort_saving_tCO2e": 0.0 if b is None else b["cohort_saving_kgCO2e"] / 1000})
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# Swaps of a year's volume (scenario interventions)
# ---------------------------------------------------------------------------------------------
def scenario_choices(store) -> pd.DataFrame:
    """The catalogue's swaps a scenario can use: between kinds of line that work a year (a factor, a
    travel mode), or to nothing (``remove``). Agent-to-agent anaesthetic swaps and swaps with a new
    quantity text (a video call for a journey) change a pathway's activity; in a scenario use a
    reduction instead."""
    cat = catalogue(store)
    year = kinds.names("year")
    ok = (cat["from_kind"].isin(year) & cat["to_kind"].isin([*year, REMOVE])
          & (cat["to_quantity"] == "") & (cat["to_duration"] == ""))
    return cat[ok].reset_index(drop=True)


def _volume_swap(alt: pd.Series, from_factor: str) -> str:
    """The factor a catalogue swap switches from, for a year's volume of it."""
    year = kinds.names("year")
    if alt["from_kind"] not in year or alt["to_kind"] not in (*year, REMOVE) or alt["to_quantity"] or alt["to_duration"]:
        raise AlternativeError(f"the catalogue swap {alt['id']!r} changes a pathway's activity ({alt['from_kind']} to "
                               f"{alt['to_kind']}); in a scenario, model it as a reduction of the baseline line")
    patterns = _patterns(alt["from_factor"])
    if from_factor:
        if not any(fnmatch.fnmatchcase(from_factor, pat) for pat in patterns):
            raise AlternativeError(f"the catalogue swap {alt['id']!r} applies to {' | '.join(patterns)}, "
                                   f"not {from_factor!r}")
        return from_factor
    if len(patterns) == 1 and not any(c in patterns[0] for c in "*?["):
        return patterns[0]
    raise AlternativeError(f"the catalogue swap {alt['id']!r} applies to several products ({' | '.join(patterns)}): "
                           "set from_factor to the one switched from")


def volume_saving(store, volume: str, alternative: str = "", from_factor: str = "", to_factor: str = "",
                  basis: str = fx.DEFAULT_BASIS, catalogue_: pd.DataFrame | None = None) -> dict:
    """A swap of ``volume`` a year of one product (a scenario intervention at full uptake): a catalogue
    row by id (``alternative``, with ``from_factor`` where it covers several products, and an optional
    other ``to_factor``), or simply ``from_factor`` to ``to_factor``.

    Returns category, saving_kgCO2e with low and high, cost_change_gbp (0 unless both sides are
    priced), caveat, factor_ids and detail. AlternativeError names what does not fit.
    """
    if alternative:
        cat = catalogue(store) if catalogue_ is None else catalogue_
        cat = cat.set_index("id", drop=False) if "id" in cat.columns and cat.index.name != "id" else cat
        if alternative not in cat.index:
            raise AlternativeError(f"no alternative {alternative!r} in the catalogue")
        swap = cat.loc[alternative].copy()
        frm = _volume_swap(swap, from_factor)
        if to_factor and swap["to_kind"] != REMOVE:
            swap["to_factor"] = to_factor
    else:
        swap = pd.Series({"id": "", "name": f"{from_factor} to {to_factor}", "from_kind": "factor", "to_kind": "factor",
                          "to_factor": to_factor, "quantity_ratio": 1.0, "to_quantity": "", "to_duration": "",
                          "from_unit": "", "caveat": "", "source": ""})
        frm = from_factor
    old = pw.Activity(kind=swap["from_kind"], factor=frm, quantity=str(volume))
    new = swapped(store, old, swap)
    s = saving(store, [old], [new], basis, kinds.PER_YEAR).iloc[0]
    if s["error"]:
        raise AlternativeError(s["error"])
    ratio = float(swap["quantity_ratio"])
    to = "none (removed)" if new is None else new.factor + (f" ({ratio:g} per one switched)" if ratio != 1 else "")
    cost = s["cost_change_gbp"]
    return {"category": s["category"], "saving_kgCO2e": float(s["saving_kgCO2e"]),
            "saving_kgCO2e_low": float(s["saving_kgCO2e_low"]), "saving_kgCO2e_high": float(s["saving_kgCO2e_high"]),
            "cost_change_gbp": 0.0 if pd.isna(cost) or new is None else float(cost),
            "caveat": str(swap.get("caveat") or ""),
            "factor_ids": ",".join(x for x in (frm, "" if new is None else new.factor) if x),
            "detail": f"{s['old_text']} from {frm} to {to}"}
