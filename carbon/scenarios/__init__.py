"""Scenarios to net zero: a baseline year's emissions by category, demand growth, background
change in factors, and interventions whose uptake ramps over the years, projected to 2045.

A scenario is a plain document (saved in DuckDB, exported as TOML or JSON):

* **baseline lines**, each giving tCO2e a year in the baseline year: a kind of line from the
  registry (``carbon.kinds``) read as a year's activity: ``manual`` (a published footprint:
  ``amount = "5200 tCO2e"``, optional ``low``/``high``), ``factor`` (a library factor x a yearly
  activity: ``ref = "desflurane_bottle"``, ``amount = "300 bottle"``), ``purchase`` (``ref`` = agent,
  ``amount`` bought a year; older files call it ``anaesthetic``), ``travel`` (``ref`` = travel
  factor, ``amount`` = distance a year), ``pathway`` (``ref`` = pathway name, ``amount`` = patients
  a year) and ``prescribing`` (``ref`` = board, or empty for every board);
* **demand growth** in % a year, compounding from the baseline year (the premise that demand
  for care keeps rising);
* **background change**: per category, multipliers of that category's factors relative to the
  baseline year at given years (e.g. the grid decarbonising), linear between the points and
  flat after the last;
* **interventions**: a ``swap`` (from one factor to another, e.g. from the alternatives
  catalogue, for ``volume`` units a year of the old product) or a ``reduction`` (a share of a
  category's or a baseline line's emissions), with an uptake that ramps linearly from
  ``start_year`` to ``target_pct`` by ``end_year`` and costs in pounds (one-off in the start year,
  and yearly once fully in place, ramping with uptake).

The arithmetic (growth, ramps, abatement, the range) is written out in ``carbon.scenarios.project``.

The package: ``model`` (the document, its files and edit tables), ``resolve`` (baseline and
interventions as tonnes; the slow part, remembered), ``project`` (the trajectory, vectorised over
years) and ``storage`` (saved versions, the demo). Names are re-exported here.
"""

from carbon.alternatives import scenario_choices as swap_choices
from carbon.scenarios.model import (EDIT_COLUMNS, END_YEAR, INTERVENTION_KINDS, LINE_ALIASES, META_FIELDS, Background,
                                    Intervention, Line, Scenario, ScenarioError, edit_tables, export, from_edit,
                                    line_kinds, new, read_file)
from carbon.scenarios.project import (Projection, background_matrix, compare, compare_at, growth, headline, project,
                                      ramp, totals, with_settings)
from carbon.scenarios.resolve import (BASELINE_COLUMNS, INTERVENTION_COLUMNS, baseline, interventions, recorded,
                                      recorded_cached, resolve, run, trajectory)
from carbon.scenarios.storage import (DEMO_WHO, check_targets, delete, demo_dir, demo_name, duplicate, exists,
                                      history, list_scenarios, load, rename, save, seed_demo)

__all__ = [
    "BASELINE_COLUMNS", "DEMO_WHO", "EDIT_COLUMNS", "END_YEAR", "INTERVENTION_COLUMNS", "INTERVENTION_KINDS",
    "LINE_ALIASES", "META_FIELDS", "Background", "Intervention", "Line", "Projection", "Scenario", "ScenarioError",
    "background_matrix", "baseline", "compare", "compare_at", "delete", "demo_dir", "demo_name", "duplicate",
    "edit_tables", "exists", "export", "from_edit", "growth", "headline", "history", "interventions", "line_kinds",
    "list_scenarios", "load", "new", "project", "ramp", "read_file", "recorded", "recorded_cached", "rename", "resolve",
    "run", "save", "seed_demo",
    "swap_choices", "totals", "trajectory", "with_settings",
]
