"""`carbon pathway` on the real library and a real database file (seeded with the templates)."""

import csv
import io
import json

import pytest

from carbon.cli import main

MILE_KM = 1.609344
ASTHMA_PMDI = 7.3 * 17.5 + 4 * 28.262 + 6 * MILE_KM * 0.16272  # AR5: Clenil, Ventolin, 3 miles each way
ASTHMA_DPI = 3.65 * 0.580 + 4 * 0.8 + 6 * MILE_KM * 0.16272


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_the_templates(capsys, store):
    code, out, _ = run(capsys, "pathway", "list", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert len(rows) >= 8 and {"asthma_pmdi", "asthma_dpi"} <= {r["template_id"] for r in rows}


def test_footprint_json(capsys, store):
    code, out, _ = run(capsys, "pathway", "footprint", "asthma_pmdi", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["kgCO2e"] == pytest.approx(ASTHMA_PMDI)
    assert data["kgCO2e_low"] == pytest.approx(7.3 * 10 + 4 * 28.262 + 6 * MILE_KM * 0.16272)
    assert data["kgCO2e_high"] == pytest.approx(7.3 * 25 + 4 * 28.262 + 6 * MILE_KM * 0.16272)
    assert data["cohort_kgCO2e"] == pytest.approx(1000 * ASTHMA_PMDI)
    assert data["gwp_basis"] == "AR5"
    assert data["factor_ids"] == ["car_petrol_average", "clenil_pmdi", "ventolin_evohaler"]
    assert len(data["activities"]) == 3


def test_footprint_cohort_and_csv(capsys, store):
    code, out, _ = run(capsys, "pathway", "footprint", "Asthma: preventer and reliever on pMDIs", "--cohort", "20",
                       "--format", "json")
    assert code == 0 and json.loads(out)["cohort_kgCO2e"] == pytest.approx(20 * ASTHMA_PMDI)
    code, out, _ = run(capsys, "pathway", "footprint", "asthma_pmdi", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and sum(float(r["kgCO2e"]) for r in rows) == pytest.approx(ASTHMA_PMDI)


def test_footprint_of_a_file_in_km(capsys, store, tmp_path):
    f = tmp_path / "clinic.toml"
    f.write_text('name = "Clinic"\ncohort = 50\n[[activity]]\nkind = "travel"\nfactor = "car_petrol_average"\n'
                 'quantity = "3 appointment"\ndistance = "28.968 km"\n')
    code, out, _ = run(capsys, "pathway", "footprint", str(f), "--format", "json")
    assert code == 0
    assert json.loads(out)["kgCO2e"] == pytest.approx(3 * 28.968 * 0.16272)
    assert json.loads(out)["cohort_kgCO2e"] == pytest.approx(50 * 3 * 28.968 * 0.16272)


def test_a_bad_unit_is_one_line_not_a_traceback(capsys, store, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"name": "Bad", "activity": [{"factor": "clenil_pmdi", "quantity": "3 L"}]}))
    code, out, err = run(capsys, "pathway", "footprint", str(f))
    assert code == 2 and "cannot be converted" in err and "Traceback" not in err
    code, _, err = run(capsys, "pathway", "footprint", "no such pathway")
    assert code == 2 and "no pathway called" in err


def test_compare(capsys, store):
    code, out, _ = run(capsys, "pathway", "compare", "asthma_pmdi", "asthma_dpi", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["pathway"] for r in rows][1] == "Asthma: preventer and reliever on DPIs"
    assert rows[1]["kgCO2e"] == pytest.approx(ASTHMA_DPI)
    assert rows[1]["difference_kgCO2e"] == pytest.approx(ASTHMA_DPI - ASTHMA_PMDI)
    assert rows[1]["cohort_difference_kgCO2e"] == pytest.approx(1000 * (ASTHMA_DPI - ASTHMA_PMDI))
    code, _, err = run(capsys, "pathway", "compare", "asthma_pmdi")
    assert code == 2 and "two to four" in err


def test_swaps(capsys, store):
    code, out, _ = run(capsys, "pathway", "swaps", "asthma_pmdi", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert rows[0]["swap"] == "every: Propellant inhaler to dry-powder inhaler"
    assert rows[0]["saving_kgCO2e"] == pytest.approx(ASTHMA_PMDI - ASTHMA_DPI)
    # every swap, from any catalogue row, is offered only where clinically appropriate, with its caveat
    assert all(r["caveat"].startswith("Where clinically appropriate: ") and len(r["caveat"]) > 40 for r in rows)
