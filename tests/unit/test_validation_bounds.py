"""Every number and name that enters by a form, a file or the CLI is checked against one table of
plausible bounds (factors/bounds.csv): a typing error is a clear error naming the field, never a
result (issue 11)."""

import csv
import json
import math

import pytest

from carbon import bounds
from carbon import overrides
from carbon import pathways as pw
from carbon import scenarios as sc
from carbon.pathways import Activity, Pathway
from carbon.store import PROJECT_DIR

DEMO = (PROJECT_DIR / "factors" / "scenarios" / "demo_board.toml").read_text()


def test_the_bounds_table_gives_every_row_a_reason_and_sane_limits():
    with (PROJECT_DIR / "factors" / "bounds.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(bounds.table()) >= 15
    for r in rows:
        assert r["why"].strip(), r["field"]
        lo, hi = (float(r["low"]) if r["low"] else -math.inf), (float(r["high"]) if r["high"] else math.inf)
        assert lo < hi, r["field"]


@pytest.mark.parametrize("change, named", [
    ({"end_year": 1_000_000_000}, "end_year 1000000000 must be between 2000 and 2100"),
    ({"end_year": 3000}, "end_year 3000 must be between 2000 and 2100"),
    ({"baseline_year": 1850}, "baseline_year 1850 must be between 2000 and 2100"),
    ({"growth_pct": 80}, "growth_pct 80.0 must be between -20 and 20"),
    ({"discount_pct": 95}, "discount_pct 95.0 must be between 0 and 20"),
    ({"name": "Demo\x00board"}, "name holds control characters (U+0000)"),
])
def test_a_scenario_past_its_bounds_is_refused_whole(change, named):
    data = sc.read_file(DEMO, "demo.toml").to_dict()
    data.update(change)
    with pytest.raises(sc.ScenarioError) as err:
        sc.Scenario.from_dict(json.loads(json.dumps(data)))
    assert any(named in str(p) for p in err.value.problems), err.value.problems


def test_intervention_money_shares_and_background_within_bounds():
    data = sc.read_file(DEMO, "demo.toml").to_dict()
    data["interventions"][0]["one_off_gbp"] = 1e400  # JSON's 1e400 is infinity
    data["interventions"][0]["target_pct"] = 101
    data["background"] = [{"category": "energy", "year": 2030, "multiplier": 50}]
    with pytest.raises(sc.ScenarioError) as err:
        sc.Scenario.from_dict(data)
    text = "\n".join(map(str, err.value.problems))
    assert "one_off_gbp: inf is not a number" in text
    assert "target_pct 101.0 must be between 0 and 100" in text
    assert "multiplier 50.0 must be between 0 and 10" in text


def test_a_scenario_naming_a_target_set_that_does_not_exist_is_not_saved(store):
    s = sc.read_file(DEMO, "demo.toml")
    s.name, s.target_set = "Nowhere", "NHS Atlantis"
    with pytest.raises(sc.ScenarioError, match="target_set 'NHS Atlantis' is not a set of targets"):
        sc.save(store, s, "me")
    assert not sc.exists(store, "Nowhere")


def test_an_absurd_override_is_refused_and_nothing_is_written(store):
    before = store.execute("SELECT count(*) FROM factor_override").fetchone()[0]
    for value in (1e308, 5000):  # rail_national is 0.03546 kgCO2e per passenger-km
        with pytest.raises(overrides.OverrideError, match="times the published 0.03546"):
            overrides.set_override(store, "rail_national", value, "supplier figure", "me")
    with pytest.raises(overrides.OverrideError, match="control characters"):
        overrides.set_override(store, "rail_national", 0.04, "supplier\x00figure", "me")
    assert store.execute("SELECT count(*) FROM factor_override").fetchone()[0] == before
    overrides.set_override(store, "rail_national", 0.04, "supplier figure", "me")  # a plausible one is kept


def test_a_name_with_a_nul_byte_is_not_saved(store):
    p = Pathway(name="Clinic\x00", activities=[Activity(activity="Pre\x07venter", factor="clenil_pmdi",
                                                          quantity="2 inhaler")])
    problems = [str(x) for x in pw.validate(store, p)]
    assert any("the name holds control characters (U+0000)" in x for x in problems)
    assert any("row 1: activity holds control characters (U+0007)" in x for x in problems)
    with pytest.raises(pw.PathwayError):
        pw.save(store, p, "me")
    assert not pw.exists(store, "Clinic\x00")


def test_the_readme_lists_every_bound():
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    for field in bounds.table():
        assert f"| `{field}` |" in readme, f"README's bounds table lacks {field}"
