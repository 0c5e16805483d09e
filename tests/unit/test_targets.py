"""Targets from factors/targets.csv measured against a hand-built trajectory."""

from __future__ import annotations

import pytest

from carbon import scenarios as sc
from carbon import targets as tg
from carbon.scenarios import Intervention, Line, Scenario


def flat_scenario(**kw) -> Scenario:
    """1,000 tCO2e of energy and 100 tCO2e of inhalers, no growth, so targets are easy to check by hand."""
    kw.setdefault("target_set", "NHS Scotland")
    kw.setdefault("baseline_year", 2024)
    return Scenario(
        name="Flat", end_year=2045,
        lines=[Line(kind="manual", label="Energy", category="energy", amount="1000 tCO2e"),
               Line(kind="manual", label="Inhalers", category="inhaler", amount="100 tCO2e")],
        **kw,
    )


def test_target_sets_come_from_the_factor_files(store):
    assert tg.target_sets(store) == ["NHS Scotland", "NHS England", "Scotland statutory"]
    ms = tg.milestones(store, "NHS Scotland").set_index("target_id")
    assert ms.loc["nhs_scotland_net_zero_2040", "year"] == 2040
    assert ms.loc["nhs_scotland_inhaler_propellant_2030", "reduction_pct"] == 70
    assert ms.loc["nhs_scotland_net_zero_2040", "source"] == "nhs_scotland_strategy_2022"
    with pytest.raises(ValueError, match="unknown target set"):
        tg.milestones(store, "Mars")


def test_gaps_at_each_milestone(store):
    s = flat_scenario(interventions=[
        Intervention(name="Inhaler cut", kind="reduction", category="inhaler", start_year=2025, end_year=2030, target_pct=60)])
    traj = sc.trajectory(store, s)
    a = tg.assess(store, s, traj)
    g = a.gaps.set_index("target_id")
    # anaesthetic gases net zero 2027: the scenario has no anaesthetic lines, so it is skipped
    assert any("nhs_scotland_anaesthetic_gases_2027" in x for x in a.skipped)
    # inhalers -70 % by 2030 against the 2024 baseline: target 100 x 0.3 = 30 tCO2e; projected 100 x 0.4 = 40
    assert g.loc["nhs_scotland_inhaler_propellant_2030", "target_tCO2e"] == pytest.approx(30)
    assert g.loc["nhs_scotland_inhaler_propellant_2030", "projected_tCO2e"] == pytest.approx(40)
    assert g.loc["nhs_scotland_inhaler_propellant_2030", "gap_tCO2e"] == pytest.approx(10)
    # building emissions -75 % by 2030 applies to the energy category: 1000 x 0.25 = 250 tCO2e; projected 1000
    assert g.loc["nhs_scotland_buildings_2030", "target_tCO2e"] == pytest.approx(250)
    assert g.loc["nhs_scotland_buildings_2030", "gap_tCO2e"] == pytest.approx(750)
    # its own baseline is 1990, not entered: measured against the scenario's 2024 and said so
    assert "not entered" in g.loc["nhs_scotland_buildings_2030", "reference"]
    # net zero 2040 for the total: target 0; projected 1000 + 40 = 1040 tCO2e
    assert g.loc["nhs_scotland_net_zero_2040", "gap_tCO2e"] == pytest.approx(1040)
    # 2030 has two misses: the first miss is the larger (the buildings' 750 tCO2e, the inhalers' 10)
    miss = tg.first_miss(a.gaps)
    assert miss["target_id"] == "nhs_scotland_buildings_2030" and miss["gap_tCO2e"] == pytest.approx(750)
    assert "by 750 tCO2e a year" in tg.describe_miss(miss, "NHS Scotland")
    assert set(g["measured_in"]) == {"2030", "2040"}  # a calendar-year scenario measures in calendar years
    # each milestone in words, for the tables of the pages and the pack
    assert g.loc["nhs_scotland_inhaler_propellant_2030", "milestone"] == "NHS Scotland: a 70% cut in inhaler emissions by 2030"
    assert g.loc["nhs_scotland_net_zero_2040", "milestone"] == "NHS Scotland: net zero in total emissions by 2040"
    assert [tg._cut(p) for p in (70, 80, 8, 18, 50, 100)] == [
        "a 70% cut", "an 80% cut", "an 8% cut", "an 18% cut", "a 50% cut", "net zero"]


def test_target_path_is_straight_between_milestones(store):
    s = flat_scenario()
    a = tg.assess(store, s, sc.trajectory(store, s))
    total = a.path[a.path["applies_to"] == "total"].set_index("year")["target_tCO2e"]
    # from 1,100 tCO2e in 2024 to 0 in 2040: 1100 x (1 - 8/16) = 550 in 2032; flat at 0 after 2040
    assert total[2032] == pytest.approx(550)
    assert total[2045] == 0


def test_entered_reference_for_a_target_baseline_year(store):
    # Scotland's carbon budget 2026-30: -57 % vs 1990. With 1990 emissions entered as 2,000 tCO2e,
    # the 2030 level is 2000 x 0.43 = 860 tCO2e; the scenario's flat 1,100 misses it by 240.
    s = flat_scenario(target_set="Scotland statutory", reference_tCO2e={"total": 2000.0})
    g = tg.assess(store, s, sc.trajectory(store, s)).gaps.set_index("target_id")
    assert g.loc["scotland_carbon_budget_2026_2030", "target_tCO2e"] == pytest.approx(860)
    assert g.loc["scotland_carbon_budget_2026_2030", "gap_tCO2e"] == pytest.approx(240)
    assert g.loc["scotland_carbon_budget_2026_2030", "reference"] == "entered footprint in the target's baseline year"
    # without it, the scenario's own baseline is used and the pack says so
    s2 = flat_scenario(target_set="Scotland statutory")
    g2 = tg.assess(store, s2, sc.trajectory(store, s2)).gaps.set_index("target_id")
    assert g2.loc["scotland_carbon_budget_2026_2030", "target_tCO2e"] == pytest.approx(1100 * 0.43)
    assert "not entered" in g2.loc["scotland_carbon_budget_2026_2030", "reference"]


def test_all_met_when_everything_goes(store):
    s = flat_scenario(interventions=[
        Intervention(name="All energy", kind="reduction", category="energy", start_year=2025, end_year=2026, target_pct=100),
        Intervention(name="All inhalers", kind="reduction", category="inhaler", start_year=2025, end_year=2026, target_pct=100)])
    a = tg.assess(store, s, sc.trajectory(store, s))
    assert a.gaps["met"].all() and tg.first_miss(a.gaps) is None


def test_a_financial_year_scenario_measures_each_milestone_in_its_financial_year(store):
    s = flat_scenario(baseline_year="2024/25")
    assert s.financial and s.baseline_year == 2024
    a = tg.assess(store, s, sc.trajectory(store, s))
    g = a.gaps.set_index("target_id")
    # "by 2030" is measured in 2030/31, the financial year most of which falls in 2030 (DESNZ's rule)
    assert g.loc["nhs_scotland_inhaler_propellant_2030", "measured_in"] == "2030/31"
    assert g.loc["nhs_scotland_inhaler_propellant_2030", "target_tCO2e"] == pytest.approx(30)
    assert g.loc["nhs_scotland_inhaler_propellant_2030", "reference"] == "scenario baseline 2024/25"
    # a milestone outside the scenario's years is named in financial years
    early = flat_scenario(baseline_year="2030/31", target_set="NHS England")
    skipped = tg.assess(store, early, sc.trajectory(store, early)).skipped
    assert "nhs_england_inhalers_2028: 2028 is outside the scenario's years 2031/32 to 2045/46" in skipped
