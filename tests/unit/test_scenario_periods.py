"""Financial years in scenarios: the baseline year and each line's period, what the projection uses,
the DESNZ year of each line, and bad periods named."""

from __future__ import annotations

import pytest

from carbon import scenarios as sc
from carbon.scenarios import Intervention, Line, Scenario, ScenarioError


def board(**kw) -> Scenario:
    kw.setdefault("baseline_year", "2024/25")
    kw.setdefault("lines", [
        Line(kind="manual", label="Reported energy", category="energy", amount="1000 tCO2e"),
        Line(kind="manual", label="Reported energy", category="energy", amount="1200 tCO2e", period="2023/24"),
        Line(kind="factor", label="Ventolin", ref="ventolin_evohaler", amount="10000 inhaler"),
    ])
    return Scenario(name="Board", **kw)


def test_a_financial_baseline_year_is_read_labelled_and_written_back():
    s = board()
    s.validate()
    assert (s.baseline_year, s.period_kind, s.financial) == (2024, "financial", True)
    assert s.baseline_period.label == "2024/25" and s.label(2030) == "2030/31"
    assert "financial years" in s.years_note() and "2030/31" in s.years_note()
    text = s.to_toml()
    assert 'baseline_year = "2024/25"' in text and "period_kind" not in text
    back = sc.read_file(text, "board.toml")
    assert back == s and back.financial
    # other spellings of the same year; a calendar year stays a calendar year
    for typed in ("2024-25", "FY2024/25", "2024/2025"):
        assert Scenario.from_dict({"name": "x", "baseline_year": typed, "lines": []}).baseline_period.label == "2024/25"
    cal = Scenario.from_dict({"name": "x", "baseline_year": 2024, "lines": []})
    assert (cal.financial, cal.baseline_period.label, cal.label(2030)) == (False, "2024", "2030")
    assert "calendar years" in cal.years_note()


def test_a_year_that_is_no_financial_year_is_named():
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict({"name": "x", "baseline_year": "2024/26", "lines": []})
    assert ("baseline_year: '2024/26' is not a financial year: a financial year runs from 1 April to 31 March, so "
            "2024 is followed by 25 (type 2024/25)") in str(err.value)
    s = board()
    s.lines.append(Line(kind="manual", label="Typo", category="waste", amount="5 tCO2e", period="2023/26"))
    with pytest.raises(ScenarioError, match=r"baseline line 4 \(Typo\): period: '2023/26' is not a financial year"):
        s.validate()


def test_line_periods_are_of_the_scenarios_kind_and_not_after_its_baseline():
    s = board()
    s.lines.append(Line(kind="manual", label="Later", category="waste", amount="5 tCO2e", period="2025/26"))
    s.lines.append(Line(kind="manual", label="Calendar", category="waste", amount="5 tCO2e", period="2023"))
    s.lines.append(Line(kind="manual", label="Ventolin", category="inhaler", amount="5 tCO2e"))
    with pytest.raises(ScenarioError) as err:
        s.validate()
    text = str(err.value)
    assert "baseline line 4 (Later): period 2025/26 is after the baseline year 2024/25" in text
    assert ("baseline line 5 (Calendar): period 2023 is a calendar year but the baseline year 2024/25 is a financial "
            "one; every year of a scenario is of one kind (write 2023/24)") in text
    # the same label in two years is a board's record of each year; twice in one year is an error
    assert "baseline line 6 (Ventolin): label 'Ventolin' is used twice in 2024/25" in text
    assert "line 2 " not in text


def test_the_projection_starts_from_the_baseline_years_lines(store):
    s = board()
    every = sc.recorded(store, s).set_index(["label", "period"])
    assert every.loc[("Reported energy", "2023/24"), "tCO2e"] == 1200
    assert every.loc[("Reported energy", "2024/25"), "tCO2e"] == 1000
    base = sc.baseline(store, s)
    assert set(base["period"]) == {"2024/25"} and len(base) == 2
    # 1,000 tCO2e of energy and 10,000 x 28.262 kgCO2e of Ventolin: the 2023/24 line is history only
    traj = sc.trajectory(store, s).set_index(["year", "category"])
    assert traj.loc[(2024, "energy"), "tCO2e"] == 1000
    assert traj.loc[(2024, "inhaler"), "tCO2e"] == pytest.approx(282.62)
    assert s.recorded_periods() == ["2023/24", "2024/25"]


def test_each_lines_desnz_year_follows_its_period(store):
    s = Scenario(name="Estates", baseline_year="2025/26", lines=[
        Line(kind="energy", label="Electricity", ref="electricity", amount="1000000 kWh"),
        Line(kind="energy", label="Electricity", ref="electricity", amount="1000000 kWh", period="2024/25"),
    ])
    every = sc.recorded(store, s).set_index("period")
    # 2025/26 takes DESNZ 2025: 1,000,000 kWh x (0.177 + 0.01853) = 195.53 tCO2e
    assert every.loc["2025/26", "tCO2e"] == pytest.approx(195.53)
    assert every.loc["2025/26", "factor_ids"] == "grid_electricity_kwh_2025,grid_td_kwh_2025"
    # 2024/25 takes DESNZ 2024: 1,000,000 kWh x (0.20705 + 0.0183) = 225.35 tCO2e
    assert every.loc["2024/25", "tCO2e"] == pytest.approx(225.35)


def test_a_baseline_year_with_no_lines_and_a_reduction_of_a_history_line_are_named(store):
    s = board(lines=[Line(kind="manual", label="Old", category="energy", amount="5 tCO2e", period="2023/24")])
    with pytest.raises(ScenarioError, match=r"the baseline year 2024/25 has no lines \(the lines record 2023/24\)"):
        sc.baseline(store, s)
    s = board(interventions=[Intervention(name="Cut", kind="reduction", line="Old", start_year=2025, end_year=2026,
                                          target_pct=50)])
    s.lines.append(Line(kind="manual", label="Old", category="waste", amount="5 tCO2e", period="2023/24"))
    with pytest.raises(ScenarioError, match="no baseline line is labelled 'Old'"):
        s.validate()


def test_the_pages_form_takes_a_financial_year_as_text():
    s = board()
    t = sc.edit_tables(s)
    assert {"period", "factor_year"} <= set(t["lines"].columns)
    meta = {k: getattr(s, k) for k in sc.META_FIELDS}
    assert sc.from_edit(meta, t["lines"], t["interventions"], t["background"]) == s
    meta["baseline_year"] = "2024/25"
    assert sc.from_edit(meta, t["lines"], t["interventions"], t["background"]).baseline_period.label == "2024/25"
