"""Scenarios: a hand-built scenario checked year by year, the ramp and growth by hand, storage."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from carbon import scenarios as sc
from carbon.scenarios import Background, Intervention, Line, Scenario, ScenarioError

VENTOLIN = 28.262  # kgCO2e per Ventolin Evohaler (factors/inhalers.csv, AR5)
DPI = 0.8  # kgCO2e per dry-powder inhaler, product not known (inhaler_dpi_generic)


def hand_built() -> Scenario:
    return Scenario(
        name="Hand-built",
        baseline_year=2024,
        end_year=2030,
        growth_pct=2.0,
        lines=[
            Line(kind="manual", label="Energy", category="energy", amount="1000 tCO2e", low="900 tCO2e", high="1100 tCO2e"),
            Line(kind="factor", label="Ventolin", ref="ventolin_evohaler", amount="10000 inhaler"),
        ],
        interventions=[
            Intervention(name="DPI swap", kind="swap", from_factor="ventolin_evohaler", to_factor="inhaler_dpi_generic",
                         volume="10000 inhaler", start_year=2025, end_year=2028, target_pct=80, one_off_gbp=1000),
            Intervention(name="Energy cut", kind="reduction", category="energy", start_year=2026, end_year=2027,
                         target_pct=50),
        ],
    )


def test_ramp_by_hand():
    years = np.arange(2024, 2031)
    # start 2025, end 2028: n = 4 years, so 1/4, 2/4, 3/4, 4/4 of the target, none before 2025
    assert sc.ramp(years, 2025, 2028).tolist() == [0, 0.25, 0.5, 0.75, 1, 1, 1]
    # start = end: the whole target at once
    assert sc.ramp(years, 2027, 2027).tolist() == [0, 0, 0, 1, 1, 1, 1]


def test_growth_by_hand():
    years = np.arange(2024, 2028)
    # 2 % a year compounding: 1, 1.02, 1.02^2 = 1.0404, 1.02^3 = 1.061208
    assert sc.growth(years, 2024, 2.0) == pytest.approx([1, 1.02, 1.0404, 1.061208])


def test_baseline_lines(store):
    base = sc.baseline(store, hand_built())
    energy = base.set_index("label").loc["Energy"]
    assert (energy["tCO2e"], energy["tCO2e_low"], energy["tCO2e_high"]) == (1000, 900, 1100)
    ventolin = base.set_index("label").loc["Ventolin"]
    # 10,000 inhalers x 28.262 kgCO2e = 282,620 kgCO2e = 282.62 tCO2e
    assert ventolin["tCO2e"] == pytest.approx(282.62)
    assert ventolin["category"] == "inhaler" and ventolin["factor_ids"] == "ventolin_evohaler"


def test_hand_built_trajectory_year_by_year(store):
    p = sc.run(store, hand_built())
    traj = p.trajectory.set_index(["year", "category"])
    swap_full = 10000 * (VENTOLIN - DPI) / 1000  # tCO2e a year saved at 100 % uptake = 274.62
    swap_share = {2024: 0, 2025: 0.2, 2026: 0.4, 2027: 0.6, 2028: 0.8, 2029: 0.8, 2030: 0.8}  # 80 % x ramp
    cut_share = {2024: 0, 2025: 0, 2026: 0.25, 2027: 0.5, 2028: 0.5, 2029: 0.5, 2030: 0.5}    # 50 % x ramp (2 yrs)
    for year in range(2024, 2031):
        g = 1.02 ** (year - 2024)
        energy = 1000 * g * (1 - cut_share[year])
        inhaler = 282.62 * g - swap_full * swap_share[year] * g
        assert traj.loc[(year, "energy"), "tCO2e"] == pytest.approx(energy), year
        assert traj.loc[(year, "inhaler"), "tCO2e"] == pytest.approx(inhaler), year
        assert traj.loc[(year, "energy"), "tCO2e_low"] == pytest.approx(900 * g * (1 - cut_share[year])), year
        assert traj.loc[(year, "inhaler"), "tCO2e_no_action"] == pytest.approx(282.62 * g), year
    # 2026 written out: energy 1000 x 1.0404 x (1 - 0.25) = 780.3; inhaler (282.62 - 274.62 x 0.4) x 1.0404
    assert traj.loc[(2026, "energy"), "tCO2e"] == pytest.approx(780.3)
    assert traj.loc[(2026, "inhaler"), "tCO2e"] == pytest.approx((282.62 - 109.848) * 1.0404)
    tot = sc.totals(p.trajectory).set_index("year")
    assert tot.loc[2030, "tCO2e"] == pytest.approx(traj.loc[(2030, "energy"), "tCO2e"] + traj.loc[(2030, "inhaler"), "tCO2e"])
    assert set(p.trajectory["year"]) == set(range(2024, 2031))
    assert "ventolin_evohaler" in traj.loc[(2030, "inhaler"), "factor_ids"]
    assert "inhaler_dpi_generic" in traj.loc[(2030, "inhaler"), "factor_ids"]


def test_swap_range_and_price_difference(store):
    p = sc.run(store, hand_built())
    swap = p.interventions.set_index("name").loc["DPI swap"]
    # every factor low: 28.262 - 0.359 kgCO2e; every factor high: 28.262 - 1.25 (inhaler_dpi_generic range)
    assert swap["full_tCO2e_low"] == pytest.approx(10000 * (28.262 - 0.359) / 1000)
    assert swap["full_tCO2e_high"] == pytest.approx(10000 * (28.262 - 1.25) / 1000)
    # prices.csv: Ventolin GBP 1.50, generic DPI GBP 3.31 -> GBP 1.81 more per inhaler x 10,000
    assert swap["price_gbp_full"] == pytest.approx(18100)
    by = p.by_intervention.set_index(["name", "year"])
    # 2025: one-off GBP 1,000 + 18,100 x 20 % uptake x 1.02 growth
    assert by.loc[("DPI swap", 2025), "cost_gbp"] == pytest.approx(1000 + 18100 * 0.2 * 1.02)
    assert by.loc[("DPI swap", 2026), "one_off_gbp"] == 0


def test_background_change_interpolates(store):
    s = hand_built()
    s.interventions = []
    s.background = [Background(category="energy", year=2030, multiplier=0.5)]
    traj = sc.trajectory(store, s).set_index(["year", "category"])
    # 2027: 1 + (0.5 - 1) x 3/6 = 0.75 of the factor, x 1.02^3 demand
    assert traj.loc[(2027, "energy"), "tCO2e"] == pytest.approx(1000 * 0.75 * 1.02 ** 3)
    assert traj.loc[(2027, "inhaler"), "tCO2e"] == pytest.approx(282.62 * 1.02 ** 3)  # no background for inhalers


def test_overlapping_interventions_never_go_negative(store):
    s = hand_built()
    s.interventions.append(Intervention(name="Another cut", kind="reduction", category="energy", start_year=2025,
                                        end_year=2025, target_pct=80))
    p = sc.run(store, s)
    assert (p.trajectory["tCO2e"] >= 0).all()
    assert p.overlap == ["energy"]


def test_anaesthetic_and_travel_lines(store):
    s = Scenario(name="Gases and travel", baseline_year=2024, lines=[
        Line(kind="anaesthetic", label="Desflurane", ref="desflurane", amount="10 bottle"),
        Line(kind="travel", label="Car", ref="car_petrol_average", amount="1000 km/year"),
    ])
    base = sc.baseline(store, s).set_index("label")
    # 10 bottles x 240 mL x 1.465 g/mL = 3.516 kg desflurane x GWP 1790 (AR5) = 6,293.6 kgCO2e
    assert base.loc["Desflurane", "tCO2e"] == pytest.approx(3.516 * 1790 / 1000, rel=1e-3)
    assert base.loc["Desflurane", "category"] == "anaesthetic"
    # 1000 km x 0.16272 kgCO2e per vehicle-km = 0.16272 tCO2e
    assert base.loc["Car", "tCO2e"] == pytest.approx(0.16272)


def test_a_years_travel_is_far_more_than_one_journey(store):
    # a board's year of patient travel is millions of miles: more than once round the Earth is no error here
    s = Scenario(name="Travel", baseline_year=2024, lines=[
        Line(kind="travel", label="Car", ref="car_petrol_average", amount="25000000 mile"),
        Line(kind="travel", label="Shared", ref="car_petrol_average", amount="100000 km/year", return_trip=True,
             occupancy=2),
    ])
    base = sc.baseline(store, s).set_index("label")
    # 25,000,000 mile x 1.609344 km/mile x 0.16272 kgCO2e per vehicle-km / 1000 = 6,546.8 tCO2e
    assert base.loc["Car", "tCO2e"] == pytest.approx(25e6 * 1.609344 * 0.16272 / 1000)
    assert "40,233,600 km a year" in base.loc["Car", "detail"]
    # 100,000 km x 2 (return) x 0.16272 / 2 people in the car = 16.272 tCO2e
    assert base.loc["Shared", "tCO2e"] == pytest.approx(100_000 * 2 * 0.16272 / 2 / 1000)
    for amount, why in [("3 L", "not a distance"), ("5000", "no unit"), ("-5 km", "negative")]:
        s.lines = [Line(kind="travel", label="Bad", ref="car_petrol_average", amount=amount)]
        with pytest.raises(ScenarioError, match=why):
            sc.baseline(store, s)


def test_bad_lines_are_named_and_nothing_half_done(store):
    s = hand_built()
    s.lines.append(Line(kind="factor", label="Wrong unit", ref="ventolin_evohaler", amount="3 kg"))
    s.lines.append(Line(kind="factor", label="No such factor", ref="no_such_factor", amount="3 inhaler"))
    with pytest.raises(ScenarioError) as err:
        sc.baseline(store, s)
    text = str(err.value)
    assert "baseline line 3 (Wrong unit)" in text and "inhaler" in text
    assert "baseline line 4 (No such factor)" in text and "no_such_factor" in text


@pytest.mark.parametrize("line", [
    Line(kind="factor", label="Minus", ref="ventolin_evohaler", amount="-5 inhaler"),
    Line(kind="manual", label="Minus", category="energy", amount="-100 tCO2e"),
    Line(kind="manual", label="Minus", category="energy", amount="100 tCO2e", low="-10 tCO2e", high="120 tCO2e"),
])
def test_a_negative_amount_is_named_not_subtracted(store, line):
    s = Scenario(name="Negative", baseline_year=2024, lines=[line])
    with pytest.raises(ScenarioError, match=r"baseline line 1 \(Minus\): (amount|low): '-.*' cannot be negative"):
        sc.baseline(store, s)


def test_validation_names_every_problem():
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict({
            "name": "x", "baseline_year": 2024,
            "interventions": [{"name": "a", "kind": "swap", "start_year": 2030, "end_year": 2026, "target_pct": 120}],
        })
    problems = err.value.problems
    assert any("end_year 2026 is before start_year 2030" in p for p in map(str, problems))
    assert any("target_pct 120.0 must be between 0 and 100" in p for p in map(str, problems))
    assert any("a swap needs an alternative" in p for p in map(str, problems))


def test_export_import_round_trip():
    s = hand_built()
    s.background = [Background(category="energy", year=2030, multiplier=0.5)]
    s.reference_tCO2e = {"total": 2000.0}
    for fmt, name in (("toml", "s.toml"), ("json", "s.json")):
        back = sc.read_file(sc.export(s, fmt), name)
        assert back == s


def test_import_rejects_bad_file_whole():
    bad = 'name = "x"\nbaseline_year = 2024\n[[lines]]\nkind = "manual"\nlabel = "E"\ncolour = "red"\n'
    with pytest.raises(ScenarioError, match="baseline line 1: unknown field"):
        sc.read_file(bad, "x.toml")
    with pytest.raises(ScenarioError, match="must end in .toml or .json"):
        sc.read_file("{}", "x.txt")


def test_save_load_round_trip_and_versions(store):
    s = hand_built()
    sc.save(store, s, "Alice")
    assert sc.load(store, "Hand-built") == s
    s.growth_pct = 3.0
    sc.save(store, s, "Bob")
    assert sc.load(store, "Hand-built").growth_pct == 3.0
    hist = sc.history(store, "Hand-built")
    assert hist["saved_by"].tolist() == ["Bob", "Alice"]


def test_duplicate_rename_delete(store):
    sc.save(store, hand_built(), "Alice")
    sc.duplicate(store, "Hand-built", "Copy", "Bob")
    sc.rename(store, "Copy", "Renamed")
    names = set(sc.list_scenarios(store)["name"])
    assert {"Hand-built", "Renamed"} <= names and "Copy" not in names
    assert sc.load(store, "Renamed").name == "Renamed"
    with pytest.raises(ScenarioError, match="already exists"):
        sc.rename(store, "Renamed", "Hand-built")
    assert sc.delete(store, "Renamed") is True
    assert sc.delete(store, "Renamed") is False
    with pytest.raises(ScenarioError, match="no saved scenario"):
        sc.load(store, "Renamed")


def test_two_sessions_saving_at_once_are_both_kept(store):
    """Streamlit sessions are threads sharing one store: simultaneous saves must all land."""
    errors = []
    barrier = threading.Barrier(4)

    def session(i):
        try:
            s = hand_built()
            s.name = f"Session {i % 2}"  # two pairs: different scenarios and the same scenario at once
            s.growth_pct = float(i)
            barrier.wait()
            sc.save(store, s, f"user {i}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(sc.history(store, "Session 0")) == 2 and len(sc.history(store, "Session 1")) == 2
    assert {sc.load(store, "Session 0").growth_pct, sc.load(store, "Session 1").growth_pct} <= {0.0, 1.0, 2.0, 3.0}


def test_seed_demo_is_idempotent_and_keeps_user_edits(store):
    name = sc.demo_name()
    assert name in set(sc.list_scenarios(store)["name"])
    sc.seed_demo(store)
    sc.seed_demo(store)
    assert len(sc.history(store, name)) == 1
    mine = sc.load(store, name)
    mine.growth_pct = 9.0
    sc.save(store, mine, "Alice")
    store.execute("DELETE FROM scenario_seed")  # as if the shipped file had changed
    sc.seed_demo(store)
    assert sc.load(store, name).growth_pct == 9.0  # the user's save is never overwritten
    assert len(sc.history(store, name)) == 2


def test_demo_scenario_runs(store):
    p = sc.run(store, sc.load(store, sc.demo_name()))
    tot = sc.totals(p.trajectory)
    assert tot["year"].min() == 2024 and tot["year"].max() == 2045
    assert (tot["tCO2e_low"] <= tot["tCO2e"]).all() and (tot["tCO2e"] <= tot["tCO2e_high"]).all()
    assert tot["tCO2e"].iloc[-1] < tot["tCO2e_no_action"].iloc[-1]


def test_with_settings_changes_uptake_and_growth_only():
    s = hand_built()
    s2 = sc.with_settings(s, growth_pct=0.0, uptake={"DPI swap": 20})
    assert s2.growth_pct == 0.0 and s2.interventions[0].target_pct == 20
    # costs entered for 80 % uptake scale with it: GBP 1,000 one-off x 20/80 = GBP 250
    assert s2.interventions[0].one_off_gbp == pytest.approx(250)
    assert s.interventions[0].target_pct == 80 and s.growth_pct == 2.0  # the original is untouched
    assert s.interventions[0].one_off_gbp == 1000
    # the workshop's choice of targets travels with its settings file, so `carbon report` gives its pack
    s3 = sc.with_settings(s, target_set="NHS England")
    assert s3.target_set == "NHS England" and s.target_set != "NHS England"
    assert 'target_set = "NHS England"' in sc.export(s3, "toml")


def test_catalogue_swap_uses_its_ratio_and_caveat(store):
    # Clenil 100 pMDI (17.5 kgCO2e) to Beclometasone Easyhaler 200 (0.58): one Easyhaler replaces two Clenils
    # (quantity_ratio 0.5 in factors/alternatives.csv), so 1,000 inhalers save 1000 x (17.5 - 0.5 x 0.58) kg
    s = Scenario(name="Catalogue", baseline_year=2024, lines=[
        Line(kind="factor", label="Clenil", ref="clenil_pmdi", amount="1000 inhaler")], interventions=[
        Intervention(name="To Easyhaler", kind="swap", alternative="clenil_to_easyhaler", from_factor="clenil_pmdi",
                     volume="1000 inhaler", start_year=2025, end_year=2025, target_pct=100)])
    piece = sc.run(store, s).interventions.iloc[0]
    assert piece["full_tCO2e"] == pytest.approx(1000 * (17.5 - 0.5 * 0.58) / 1000)
    assert piece["caveat"].startswith("Where clinically appropriate")
    # the catalogue row covers two products: the scenario must say which one it switches from
    s.interventions[0].from_factor = ""
    with pytest.raises(ScenarioError, match="applies to several products"):
        sc.run(store, s)
    s.interventions[0].from_factor = "ventolin_evohaler"
    with pytest.raises(ScenarioError, match="not 'ventolin_evohaler'"):
        sc.run(store, s)


def test_pathway_line_is_patients_times_the_pathway(store):
    from carbon import pathways

    name = pathways.list_pathways(store)["name"].iloc[0]
    per_patient = pathways.footprint(store, pathways.load(store, name)).groupby("category")["kgCO2e"].sum()
    s = Scenario(name="Pathway", baseline_year=2024, lines=[Line(kind="pathway", label="P", ref=name, amount="500 patient")])
    base = sc.baseline(store, s).set_index("category")
    for cat, kg in per_patient.items():
        assert base.loc[cat, "tCO2e"] == pytest.approx(kg * 500 / 1000)
    assert all(" " not in ids for ids in base["factor_ids"])


def test_prescribing_line_scales_the_months_to_a_year(store):
    from pathlib import Path

    from carbon import prescribing

    data = Path(__file__).parents[1] / "data" / "prescribing"
    prescribing.import_files(store, [data / "phs_2024_01.csv", data / "phs_2024_02.csv"])
    by_board = prescribing.footprint(store, by="board")
    s = Scenario(name="Rx", baseline_year=2024, lines=[Line(kind="prescribing", label="Rx", ref="")])
    row = sc.baseline(store, s).iloc[0]
    # two months of data x 12/2 = a year
    assert row["tCO2e"] == pytest.approx(by_board["kgCO2e"].sum() * 6 / 1000)
    assert row["category"] == "inhaler" and "2 months scaled to a year" in row["detail"]
    one = by_board.iloc[0]
    s.lines[0].ref = one["board_code"]
    assert sc.baseline(store, s).iloc[0]["tCO2e"] == pytest.approx(one["kgCO2e"] * 6 / 1000)
    # an English ICB with one month of EPD beside the two PHS months: each board over its own months
    prescribing.import_files(store, [data / "epd_2024_01.csv"])
    s.lines[0].ref = ""
    row = sc.baseline(store, s).iloc[0]
    # Scottish boards (670.988 + 145.8 kgCO2e over 2 months) x 12/2; NHS North East London 872.1528 over 1 x 12
    assert row["tCO2e"] == pytest.approx(((670.988 + 145.8) * 6 + 872.1528 * 12) / 1000)
    assert "1-2 months by board scaled to a year" in row["detail"]


def test_resolve_remembers_the_baseline_while_sliders_move(store):
    s = hand_built()
    first = sc.resolve(store, s)
    moved = sc.with_settings(s, growth_pct=5.0, uptake={"DPI swap": 10, "Energy cut": 90})
    assert sc.resolve(store, moved) is first  # uptake, growth and costs do not need the factors again
    s.lines[1].amount = "20000 inhaler"
    second = sc.resolve(store, s)
    assert second is not first and second[0].set_index("label").loc["Ventolin", "tCO2e"] == pytest.approx(565.24)
    # projecting the remembered pieces gives the same as a full run
    assert sc.project(moved, *sc.resolve(store, moved)).trajectory.equals(sc.run(store, moved).trajectory)


def test_edit_tables_round_trip_and_name_bad_cells():
    s = sc.read_file((sc.demo_dir() / "demo_board.toml").read_text(), "demo_board.toml")
    t = sc.edit_tables(s)
    meta = {k: getattr(s, k) for k in sc.META_FIELDS}
    assert sc.from_edit(meta, t["lines"], t["interventions"], t["background"]) == s
    t["interventions"].loc[0, "target_pct"] = 140
    t["interventions"].loc[1, "start_year"] = 2020
    with pytest.raises(ScenarioError) as err:
        sc.from_edit(meta, t["lines"], t["interventions"], t["background"])
    assert any("intervention 1" in p and "target_pct 140.0 must be between 0 and 100" in p for p in map(str, err.value.problems))
    assert any("intervention 2" in p and "must be after the baseline year 2024" in p for p in map(str, err.value.problems))
    t["lines"].loc[1, "label"] = None  # a blank cell in a required column
    with pytest.raises(ScenarioError, match="baseline line 2: missing 1 required positional argument: 'label'"):
        sc.from_edit(meta, t["lines"], t["interventions"], t["background"])


def test_compare_at_milestone_years(store):
    a, b = hand_built(), hand_built()
    b.name, b.growth_pct = "No growth", 0.0
    wide = sc.compare_at(sc.compare({a.name: sc.run(store, a), b.name: sc.run(store, b)}), (2024, 2030)).set_index("scenario")
    assert wide.loc["No growth", "2024 (tCO2e)"] == pytest.approx(1282.62)
    assert wide.loc["Hand-built", "2030 (tCO2e)"] > wide.loc["No growth", "2030 (tCO2e)"]


def test_an_empty_baseline_says_what_to_do(store):
    with pytest.raises(ScenarioError, match="add at least one"):
        sc.baseline(store, Scenario(name="Empty", baseline_year=2024))
