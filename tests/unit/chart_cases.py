"""Frames in the layouts the engine gives each chart, with ``n`` rows (boards, swaps, agents ...)
and names short or 80 characters long, for the chart tests: made up, shaped like the real ones."""

from __future__ import annotations

import pandas as pd

from carbon import charts

LONG = 80


def names(n: int, long: bool, stem: str = "Row") -> list[str]:
    """``n`` distinct names; long ones are 80 characters and differ only at the start."""
    out = []
    for i in range(n):
        name = f"{stem} {i + 1}"
        if long:
            name = (name + " with a long name, as NHS board and product names are, " + "x" * LONG)[:LONG]
        out.append(name)
    return out


def _values(n: int) -> list[float]:
    return [1000.0 * (n - i) / n + 5 for i in range(n)]


def _ranged(df: pd.DataFrame, col: str) -> pd.DataFrame:
    return df.assign(**{f"{col}_low": df[col] * 0.8, f"{col}_high": df[col] * 1.25})


def factor_range(n, long):
    v = _values(n)
    return charts.factor_range(pd.DataFrame({"name": names(n, long, "Factor"), "value": v, "low": [x * .8 for x in v],
                                             "high": [x * 1.2 for x in v]}), "kgCO2e per inhaler")


def pathway_breakdown(n, long):
    df = _ranged(pd.DataFrame({"category": names(n, long, "Stage"), "kgCO2e": _values(n)}), "kgCO2e")
    return charts.pathway_breakdown(df, "category")


def pathway_totals(n, long):
    df = _ranged(pd.DataFrame({"pathway": names(n, long, "Pathway"), "kgCO2e": _values(n)}), "kgCO2e")
    return charts.pathway_totals(df, "kgCO2e", "kgCO2e per patient")


def pathway_difference(n, long, others: int = 2):
    groups = names(n, long, "Category")
    paths = names(others, long, "Pathway")
    rows = [{"pathway": p, "category": g, "difference_kgCO2e": (-1) ** i * v / (j + 1)}
            for j, p in enumerate(paths) for i, (g, v) in enumerate(zip(groups, _values(n)))]
    return charts.pathway_difference(pd.DataFrame(rows), "category")


def swap_savings(n, long):
    df = _ranged(pd.DataFrame({"name": names(n, long, "Swap"), "saving_kgCO2e": _values(n)}), "saving_kgCO2e")
    return charts.swap_savings(df)


def ranked_bars(n, long):
    df = pd.DataFrame({"board": names(n, long, "NHS Board"), "kgCO2e": _values(n)})
    return charts.ranked_bars(df, "board", top=max(n, 25))  # the page shows the top 25; here all n


def board_footprint(n, long):
    v = _values(n)
    df = pd.DataFrame({"label": names(n, long, "Source"), "tCO2e": v, "previous_tCO2e": [x * 1.1 for x in v],
                       "target_tCO2e": [x * 0.5 if i % 2 == 0 else None for i, x in enumerate(v)],
                       "target": ["Net zero by 2040" if i % 2 == 0 else "no target" for i in range(n)]})
    return charts.board_footprint(df, "2024/25", "2023/24")


def agent_comparison(n, long):
    df = _ranged(pd.DataFrame({"name": names(n, long, "Agent"), "kgCO2e": _values(n)}), "kgCO2e")
    return charts.agent_comparison(df)


def travel_by_mode(n, long):
    v = _values(n)
    df = _ranged(pd.DataFrame({"name": names(n, long, "Mode"), "kgCO2e": [-x if i == n - 1 and n > 1 else x
                                                                           for i, x in enumerate(v)],
                               "kind": ["virtual saving" if i == n - 1 and n > 1 else "travel" for i in range(n)],
                               "distance_km": v}), "kgCO2e")
    return charts.travel_by_mode(df)


def prescribing_chapters(n, long):
    rows = [{"bnf_chapter": i + 1, "chapter_name": nm, "method": "by spend", "kgCO2e": v, "cost_gbp": v * 3}
            for i, (nm, v) in enumerate(zip(names(n, long, "Chapter"), _values(n)))]
    rows.append({"bnf_chapter": 1, "chapter_name": rows[0]["chapter_name"], "method": "inhalers, by product footprint",
                 "kgCO2e": 50.0, "cost_gbp": 10.0})
    return charts.prescribing_chapters(pd.DataFrame(rows))


def _months(n):
    return [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def footprint_trend(n, long):
    rows = [{"month": m, "board": b, "kgCO2e": 100.0 + 10 * i + j, "inhalers": 10.0}
            for i, b in enumerate(names(n, long, "NHS Board")) for j, m in enumerate(_months(6))]
    return charts.footprint_trend(pd.DataFrame(rows))


def funnel_plot(n, long):
    flags = list(charts.FLAG_COLOURS)
    pts = pd.DataFrame({"practice": names(n, long, "Practice"), "volume": [100.0 * (i + 1) for i in range(n)],
                        "value": [0.3 + 0.01 * i for i in range(n)], "flag": [flags[i % 5] for i in range(n)]})
    curve = pd.DataFrame({"n": [10.0, 100.0, 10000.0], "lower95": [.1, .25, .3], "upper95": [.6, .4, .35],
                          "lower998": [0, .2, .28], "upper998": [.8, .45, .37]})
    return charts.funnel_plot(pts, curve, 0.33, "Reliever share", "Inhalers", percent=True)


def _years():
    return list(range(2024, 2046))


def trajectory_vs_target(n, long):
    ys = _years()
    tot = pd.DataFrame({"year": ys, "tCO2e": [1000.0 - 20 * i for i in range(len(ys))]})
    tot = tot.assign(tCO2e_low=tot["tCO2e"] * .9, tCO2e_high=tot["tCO2e"] * 1.1, tCO2e_no_action=1000.0)
    path = pd.DataFrame({"year": ys, "target_tCO2e": [1000.0 * (1 - i / 16) if i <= 16 else 0 for i in range(len(ys))]})
    ms = pd.DataFrame({"year": [2027 + i for i in range(n)], "target_tCO2e": [500.0] * n, "met": [i % 2 == 0 for i in range(n)],
                       "milestone": names(n, long, "Milestone")})
    return charts.trajectory_vs_target(tot, path, ms)


def trajectory_by_category(n, long):
    rows = [{"year": y, "category": c, "tCO2e": 100.0 * (n - i) / (1 + (y - 2024) / 10)}
            for i, c in enumerate(names(n, long, "category")) for y in _years()]
    return charts.trajectory_by_category(pd.DataFrame(rows))


def scenario_comparison(n, long):
    rows = [{"scenario": s, "year": y, "tCO2e": 1000.0 - i * 10 - (y - 2024) * 5}
            for i, s in enumerate(names(n, long, "Scenario")) for y in _years()]
    df = pd.DataFrame(rows)
    return charts.scenario_comparison(df.assign(tCO2e_low=df["tCO2e"] * .9, tCO2e_high=df["tCO2e"] * 1.1),
                                      pd.DataFrame({"year": [2024, 2040], "target_tCO2e": [1000.0, 0.0]}))


def macc(n, long):
    abated = [100.0 + 10 * i for i in range(n)]
    x1 = pd.Series(abated).cumsum()
    cats = ["inhaler", "anaesthetic", "travel", "energy", "waste"]
    df = pd.DataFrame({"name": names(n, long, "Intervention"), "category": [cats[i % 5] for i in range(n)],
                       "abated_tCO2e": abated, "cost_per_tCO2e": [-200.0 + 40 * i for i in range(n)],
                       "npc_gbp": [1000.0] * n, "x0": x1 - abated, "x1": x1})
    return charts.macc(df)


def cumulative_budget(n, long):
    rows = [{"year": y, "name": nm, "cumulative_gbp": 1000.0 * (i + 1) * (y - 2024), "total_cumulative_gbp": 0.0}
            for i, nm in enumerate(names(n, long, "Intervention")) for y in _years()]
    return charts.cumulative_budget(pd.DataFrame(rows))


def theatre_months(n, long):
    rows = [{"month": m, "theatre": t, "kgCO2e": 10.0 + i, "cases": 3}
            for i, t in enumerate(names(n, long, "Theatre")) for m in _months(6)]
    return charts.theatre_months(pd.DataFrame(rows))


def spc_chart(n, long):
    kg = [100.0 + (i % 3) for i in range(n)]
    return charts.spc_chart(pd.DataFrame({"month": _months(n), "kgCO2e": kg, "mean": 101.0, "lower": 95.0, "upper": 107.0,
                                          "special_cause": ["common cause"] * (n - 1) + ["above upper limit"]}))


def reliever_quadrant(n, long):
    df = pd.DataFrame({"practice": names(n, long, "Practice"), "reliever_share": [0.2 + 0.01 * i for i in range(n)],
                       "carbon": [100.0 + i for i in range(n)], "pooled_reliever_share": 0.3, "pooled_carbon": 110.0,
                       "hot_spot": [i % 3 == 0 for i in range(n)], "inhalers": [50.0 + i for i in range(n)]})
    return charts.reliever_quadrant(df, "kgCO2e per 1,000 patients a year")


#: Charts of rows: one bar (or point) per row, a label per row on the y axis.
ROW_CHARTS = {f.__name__: f for f in (factor_range, pathway_breakdown, pathway_totals, pathway_difference, swap_savings,
                                      ranked_bars, board_footprint, agent_comparison, travel_by_mode,
                                      prescribing_chapters)}
#: Charts of series over time or scatter: ``n`` boards, scenarios, interventions, practices ...
OTHER_CHARTS = {f.__name__: f for f in (footprint_trend, funnel_plot, trajectory_vs_target, trajectory_by_category,
                                        scenario_comparison, macc, cumulative_budget, theatre_months, spc_chart,
                                        reliever_quadrant)}
