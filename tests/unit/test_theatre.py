"""Theatre case logs and purchasing on the real library and a real DuckDB file, totals worked by hand.

Hand arithmetic (AR5): a volatile agent's vapour (L) = fresh gas flow x dial setting x minutes; g =
L / 24.055 L/mol (20 C) x molar mass; mL = g / density; kgCO2e = kg x GWP. Sevoflurane 200.05 g/mol,
1.52 g/mL, GWP 216; desflurane 168.04, 1.465, 1790; isoflurane 184.49, 1.496, 491. Nitrous oxide:
L / 23.645 L/mol (15 C) x 44.013 g/mol x 265; piped from a manifold, / (1 - 0.82).
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from carbon import alternatives, anaesthetics, theatre
from carbon.cli import main
from carbon.theatre import caselog, purchases

DATA = Path(__file__).parent.parent / "data" / "theatre"
LOG = DATA / "case_log_two_theatres.csv"
GREIFSWALD = DATA / "greifswald_flow_vapour_settings.csv"

# one "unit" of sevoflurane: 1.2 L of vapour (e.g. 1 L/min x 2 % x 60 min)
SEVO_G = 1.2 / 24.055 * 200.05                 # 9.9797 g
DES_G = 3.6 / 24.055 * 168.04                  # 1 L/min x 6 % x 60 min: 25.148 g
ISO_G = 0.69 / 24.055 * 184.49                 # 1 L/min x 1.15 % x 60 min: 5.292 g
N2O_G_PER_L = 44.013 / 23.645                  # 1.8614 g/L at 15 C


def kg_sevo(g):
    return g / 1000 * 216


@pytest.fixture
def loaded(store):
    theatre.import_file(store, LOG)
    theatre.import_file(store, GREIFSWALD, agent="sevoflurane", theatre="Greifswald OR 2")
    return store


def test_greifswald_sample_imports_unedited_with_its_8002_dial(store):
    r = theatre.import_file(store, GREIFSWALD, agent="sevoflurane", theatre="Greifswald OR 2")
    assert (r.format, r.cases, r.rows_kept) == ("flow_vapour", 4, 46)
    steps = caselog.steps(store)
    # the real logged reading 8.002 % (the top of the dial) is taken as logged, not refused
    assert ((steps["vaporiser"] - 0.08002).abs() < 1e-12).sum() == 4
    c = theatre.cases(store).set_index("case_id")
    # case 4: 0.2 L/min x (8.002 x 21 + 4.622 x 1 + 2.542 x 15 + 3.052 x 41 + 3.522 x 6) % min = 0.7141 L of vapour
    vapour = 0.2 * (8.002 * 21 + 4.622 + 2.542 * 15 + 3.052 * 41 + 3.522 * 6) / 100
    assert vapour == pytest.approx(0.714116)
    g = vapour / 24.055 * 200.05                                   # 5.939 g
    assert c.loc["4", "liquid_ml"] == pytest.approx(g / 1.52, rel=1e-4)   # 3.907 mL
    assert c.loc["4", "kgCO2e"] == pytest.approx(kg_sevo(g), rel=1e-4)
    assert c.loc["4", "minutes"] == 84 and c.loc["4", "method"] == "vaporiser setting"
    # the four cases: sum of flow x dial x minutes = 163.53, 212.90, 207.05, 71.41 L % min (654.89 in all)
    assert c["liquid_ml"].sum() == pytest.approx(6.548866 / 24.055 * 200.05 / 1.52, rel=1e-4)   # 35.83 mL


def test_case_log_of_21_cases_totals_by_hand(loaded):
    cases = theatre.cases(loaded)
    assert len(cases) == 21
    by = theatre.summary(loaded, "theatre").set_index("theatre")
    # Theatre A: sevoflurane 11.5 units modelled (A1 2, A2 1.5 by average flow: 2 L/min x 90 min x 2 % x 0.50,
    # A3 1, A4 2, A7 2, A9 1, A10 2) + A8 recorded 13.13 mL x 1.52 g/mL; desflurane A5 3.6 L; isoflurane A11
    # 0.69 L; nitrous oxide A7 60 L through a manifold
    a_sevo_g = 11.5 * SEVO_G + 13.13 * 1.52
    a_n2o = 60 * N2O_G_PER_L / 0.18 / 1000 * 265                  # 164.43 kgCO2e
    a = kg_sevo(a_sevo_g) + DES_G / 1000 * 1790 + ISO_G / 1000 * 491 + a_n2o
    assert a == pytest.approx(241.14, abs=0.01)
    assert by.loc["Theatre A", "kgCO2e"] == pytest.approx(a, rel=1e-4)
    assert by.loc["Theatre A", "cases"] == 11
    assert by.loc["Theatre A", "hours"] == pytest.approx((80 + 90 + 60 + 120 + 60 + 45 + 60 + 60 + 30 + 130 + 60) / 60)
    # Theatre B: sevoflurane B1 3 units (3 L/min x 2 %), B2 1, B4 1, B5 recorded 6.57 mL; desflurane B3 by
    # average flow 1 L/min x 60 x 6 % x 0.50 = 1.8 L; N2O B1 120 L from a cylinder, B6 60 L through a manifold
    b = (kg_sevo(5 * SEVO_G + 6.57 * 1.52) + DES_G / 2 / 1000 * 1790 + 120 * N2O_G_PER_L / 1000 * 265 + a_n2o)
    assert b == pytest.approx(259.06, abs=0.01)
    assert by.loc["Theatre B", "kgCO2e"] == pytest.approx(b, rel=1e-4)
    greifswald = kg_sevo(6.548866 / 24.055 * 200.05)
    assert by.loc["Greifswald OR 2", "kgCO2e"] == pytest.approx(greifswald, rel=1e-4)
    assert by["kgCO2e"].sum() == pytest.approx(a + b + greifswald, rel=1e-4)
    assert (by["kgCO2e_low"] <= by["kgCO2e"]).all() and (by["kgCO2e"] <= by["kgCO2e_high"]).all()
    assert "n2o_manifold_loss_share" in by.loc["Theatre A", "factor_ids"]
    assert "volatile_average_flow_ratio" in by.loc["Theatre B", "factor_ids"]


def test_per_month_and_per_agent_tables(loaded):
    month = theatre.summary(loaded, "month").set_index("month")
    # March: A1-A8 and B1-B3 (11 cases); April: A9-A11, B4-B6 and the 4 Greifswald cases (10)
    assert month["cases"].to_dict() == {"2024-03": 11, "2024-04": 10}
    march = (kg_sevo((2 + 1.5 + 1 + 2 + 2 + 3 + 1) * SEVO_G + 13.13 * 1.52) + 1.5 * DES_G / 1000 * 1790
             + 120 * N2O_G_PER_L / 1000 * 265 + 60 * N2O_G_PER_L / 0.18 / 1000 * 265)
    assert month.loc["2024-03", "kgCO2e"] == pytest.approx(march, rel=1e-4)
    april = (kg_sevo((1 + 2 + 1) * SEVO_G + 6.57 * 1.52 + 6.548866 / 24.055 * 200.05) + ISO_G / 1000 * 491
             + 60 * N2O_G_PER_L / 0.18 / 1000 * 265)
    assert month.loc["2024-04", "kgCO2e"] == pytest.approx(april, rel=1e-4)
    agent = theatre.summary(loaded, "agent").set_index("agent_name")
    assert agent.loc["Desflurane", "kgCO2e"] == pytest.approx(1.5 * DES_G / 1000 * 1790, rel=1e-4)   # 67.52
    assert agent.loc["Nitrous oxide, piped from a manifold", "agent_kg"] == pytest.approx(
        120 * N2O_G_PER_L / 0.18 / 1000, rel=1e-4)
    both = theatre.summary(loaded, "theatre_month")
    assert both["kgCO2e"].sum() == pytest.approx(month["kgCO2e"].sum())


def test_the_calculator_and_the_case_log_agree(store, tmp_path):
    log = tmp_path / "one.csv"
    log.write_text("case_id,theatre,start,duration_min,agent,fgf_l_min,n2o_l_min,vaporiser_percent,n2o_supply\n"
                   "X,T,2024-05-01 08:00,90,desflurane,0.7,0.5,5.5,manifold\n", encoding="utf-8")
    theatre.import_file(store, log)
    case = theatre.cases(store).iloc[0]
    vol = anaesthetics.anaesthetic(store, "desflurane", "0.7 L/min", "90 min", "5.5 %")
    gas = anaesthetics.anaesthetic(store, "n2o_manifold", "0.5 L/min", "90 min", "100 %")
    assert case["volatile_kgCO2e"] == pytest.approx(vol.kgCO2e, rel=1e-12)
    assert case["liquid_ml"] == pytest.approx(vol.liquid_ml, rel=1e-12)
    assert case["n2o_kgCO2e"] == pytest.approx(gas.kgCO2e, rel=1e-12)
    assert case["kgCO2e_high"] == pytest.approx(vol.kgCO2e_high + gas.kgCO2e_high, rel=1e-12)


def test_bad_rows_are_each_named_and_nothing_is_saved(loaded):
    before = caselog.steps(loaded)
    with pytest.raises(theatre.TheatreError) as err:
        theatre.import_file(loaded, DATA / "bad_case_log.csv")
    problems = {p.line: p.what for p in err.value.problems}
    assert set(problems) == {3, 4, 5, 6, 8} and err.value.total == 5
    assert all(p.where == "bad_case_log.csv" for p in err.value.problems)
    assert "negative duration" in problems[3]
    assert "1,000 L/min" in problems[4]
    assert "unknown agent 'halothane'" in problems[5]
    assert "30 %" in problems[6] and "top of the sevoflurane dial (8 %)" in problems[6]
    assert "out of order" in problems[8] and "line 7" in problems[8]
    assert caselog.steps(loaded).equals(before)   # the good row C1 was not saved either


def test_an_agent_given_on_import_does_not_fill_a_tiva_row_of_the_template(store):
    # the page's "agent, for a log that does not name it" is for the flow and vaporiser log only
    theatre.import_file(store, LOG, agent="sevoflurane")
    c = theatre.cases(store).set_index("case_id")
    assert c.loc["A6", "kgCO2e"] == 0 and c.loc["A6", "agent"] == ""
    assert c.loc["B6", "volatile_kgCO2e"] == 0


def test_the_excel_template_gives_the_same_figures(store, tmp_path):
    xlsx = tmp_path / "case_log.xlsx"
    pd.read_csv(LOG, dtype=str).to_excel(xlsx, index=False)
    theatre.import_file(store, xlsx)
    from_excel = theatre.summary(store, "theatre")["kgCO2e"].to_numpy()
    caselog.clear(store)
    theatre.import_file(store, LOG)
    assert theatre.summary(store, "theatre")["kgCO2e"].to_numpy() == pytest.approx(from_excel)


def test_draeger_connect_uses_the_agent_used_not_the_model(store):
    r = theatre.import_file(store, DATA / "ASDD-0099_fall_analyse_202403.csv")
    assert (r.format, r.cases, r.theatres) == ("draeger_connect", 3, ["ASDD-0099"])   # totals row skipped
    c = theatre.cases(store).set_index("case_id")
    first = c.loc["2024-03-04 07:30"]
    # 20,00 mL of liquid sevoflurane recorded: x 1.52 g/mL = 30.4 g; x 216 = 6.566 kgCO2e
    assert first["recorded_liquid_ml"] == 20 and first["kgCO2e"] == pytest.approx(0.0304 * 216)
    # the model beside it: 3 L/min average x 60 min x 2 % x 0.50 = 1.8 L -> 14.97 g -> 9.848 mL
    assert first["model_liquid_ml"] == pytest.approx(1.8 / 24.055 * 200.05 / 1.52, rel=1e-4)
    assert c.loc["2024-03-05 08:00", "minutes"] == 1050            # '1.050' is 1,050 minutes
    assert c.loc["2024-03-04 09:00", "kgCO2e"] == 0 and c.loc["2024-03-04 09:00", "agent"] == ""   # TIVA


def test_purchasing_reconciled_against_the_logs(loaded):
    purchases.import_file(loaded, DATA / "purchases_march_2024.csv")
    r = purchases.reconcile(loaded).set_index("agent")
    sevo = r.loc["sevoflurane"]
    # 1 bottle x 250 mL x 1.52 g/mL = 380 g bought for Theatre A in March; used: A1-A8 (sevoflurane in A1-A4, A7: 8.5 units) + A8 13.13 mL
    used = (8.5 * SEVO_G + 13.13 * 1.52) / 1000
    assert sevo["bought_kg"] == pytest.approx(0.380) and sevo["used_kg"] == pytest.approx(used, rel=1e-4)
    assert sevo["gap_kg"] == pytest.approx(0.380 - used, rel=1e-4) and sevo["cases"] == 6
    assert sevo["gap_kgCO2e"] == pytest.approx((0.380 - used) * 216, rel=1e-4)
    # piped N2O: one size E cylinder (1,800 L) for every theatre in March; delivered A7 60 L + B1 120 L
    gas = r.loc["n2o_manifold"]
    assert gas["gap_share"] == pytest.approx(1 - 180 / 1800, rel=1e-6)
    des = r.loc["desflurane"]
    # 240 mL x 1.465 = 351.6 g bought; used A5 3.6 L and B3 1.8 L of vapour
    assert des["gap_kg"] == pytest.approx(0.3516 - 1.5 * DES_G / 1000, rel=1e-4)


def test_bad_purchasing_rows_are_named(store, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("site,period_start,period_end,agent,quantity,unit\n"
                 "all,2024-03-01,2024-02-01,sevoflurane,1,bottle\nall,2024-03-01,2024-03-31,xenon,1,bottle\n"
                 "all,2024-03-01,2024-03-31,desflurane,2,cylinder\n", encoding="utf-8")
    with pytest.raises(theatre.TheatreError) as err:
        purchases.import_file(store, f)
    lines = {p.line: p.what for p in err.value.problems}
    assert "ends" in lines[2] and "unknown agent 'xenon'" in lines[3] and "does not fit desflurane" in lines[4]
    assert purchases.stored(store).empty


def test_decommissioning_the_manifold_saves_its_losses(store):
    s = alternatives.volume_saving(store, "120 cylinder", "n2o_manifold_decommission")
    # 120 size G cylinders (121,415 L / 13.5 = 8,993.7 L each) of N2O, all emitted; after: only the 18 % that
    # reached patients is bought, in point-of-use cylinders
    litres = 120 * 121415 / 13.5
    total = litres * N2O_G_PER_L / 1000 * 265
    assert s["saving_kgCO2e"] == pytest.approx(0.82 * total, rel=1e-3)
    assert "clinically appropriate" in s["caveat"]
    assert "n2o_manifold_decommission" in set(alternatives.scenario_choices(store)["id"])


def test_vaporiser_tolerance_and_flow_bound_in_the_calculator(store):
    assert anaesthetics.anaesthetic(store, "sevoflurane", "0.2 L/min", "13 min", "8.002 %").kgCO2e > 0
    with pytest.raises(anaesthetics.AnaestheticError, match="above the highest vaporiser setting"):
        anaesthetics.anaesthetic(store, "sevoflurane", "1 L/min", "1 h", "8.2 %")
    with pytest.raises(anaesthetics.AnaestheticError, match="more than 20"):
        anaesthetics.anaesthetic(store, "sevoflurane", "1000 L/min", "1 h")


def test_cli_import_report_and_a_bad_file(capsys, store):
    assert main(["theatre", "import", str(LOG), str(DATA / "purchases_march_2024.csv")]) == 0
    capsys.readouterr()
    assert main(["theatre", "report", "--by", "theatre", "--format", "json"]) == 0
    rows = {r["theatre"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["Theatre B"]["kgCO2e"] == pytest.approx(259.06, abs=0.01)
    assert main(["theatre", "reconcile", "--format", "csv"]) == 0
    assert "n2o_manifold" in capsys.readouterr().out
    assert main(["theatre", "import", str(DATA / "bad_case_log.csv")]) == 2
    err = capsys.readouterr().err
    assert "bad_case_log.csv:3: a case of negative duration" in err and "bad_case_log.csv:8: time step" in err
    assert main(["theatre", "template"]) == 0
    assert capsys.readouterr().out.startswith("case_id,theatre,start,duration_min")
