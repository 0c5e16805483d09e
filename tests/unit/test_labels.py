"""The one vocabulary (carbon/labels.csv): headings with units, tonnes for a view in tonnes, and
downloads at a sensible precision with plain headings; and the one formatter's units and pounds."""

import math

import pandas as pd
import pytest

from carbon import formatting, labels


def test_every_row_of_the_vocabulary_is_well_formed():
    words = labels.vocabulary()
    assert len(words) > 200
    for column, spec in words.items():
        assert spec.label and not spec.label[0].islower() and "_" not in spec.label, column
        assert spec.format in labels.FORMATS, column
        if spec.format in ("co2e", "t"):
            assert "CO2e" in spec.unit, column  # every carbon column says its unit


def test_headings_say_the_unit_and_follow_the_view():
    assert labels.heading("cohort_difference_kgCO2e") == "Difference a year (kgCO2e)"
    assert labels.heading("cohort_difference_kgCO2e", unit="t") == "Difference a year (tCO2e)"
    assert labels.heading("cohort_tCO2e") == "Carbon a year (tCO2e)"  # a column made by in_tonnes
    assert labels.heading("cost_gbp") == "Cost (£)"
    assert labels.heading("version_id") == "Version" and labels.heading("saved_by") == "Saved by"
    assert labels.heading("Gap (tCO2e)") == "Gap (tCO2e)"  # already in words: left alone
    assert labels.unknown(["kgCO2e", "Target (tCO2e)", "no_such_column"]) == ["no_such_column"]


def test_a_view_in_tonnes_divides_its_carbon_by_a_thousand():
    df = pd.DataFrame({"pathway": ["a"], "cohort_kgCO2e": [242_369.4], "cohort_kgCO2e_low": [187_619.0],
                       "cost_gbp": [60.17]})
    t = labels.in_tonnes(df)
    assert list(t.columns) == ["pathway", "cohort_tCO2e", "cohort_tCO2e_low", "cost_gbp"]
    assert t["cohort_tCO2e"].iloc[0] == pytest.approx(242.3694) and t["cost_gbp"].iloc[0] == 60.17


def test_downloads_have_plain_headings_and_sensible_precision():
    df = pd.DataFrame({
        "pathway": ["Asthma", "COPD"], "kgCO2e": [1.5712347340800001, 242.36942], "cost_gbp": [60.166, 1234.5],
        "share": [0.123456, 0.5], "items": [12.0, 3.0], "derived": [True, False], "factor_ids": ["a,b", "c"],
        "kg_per_inhaler": [17.54321, 0.8], "version_id": [3, 4],
    })
    out = labels.export(df)
    assert list(out.columns) == ["Pathway", "Carbon (kgCO2e)", "Cost (£)", "Share (%)", "Items", "Derived",
                                 "Factors used", "Carbon per inhaler (kgCO2e)", "Version"]
    assert out["Carbon (kgCO2e)"].tolist() == [1.571, 242.369]          # to the gram
    assert out["Cost (£)"].tolist() == [60.17, 1234.5]                  # to the penny
    assert out["Share (%)"].tolist() == [0.1235, 0.5]                   # a fraction, to 0.01 %
    assert out["Items"].tolist() == [12, 3] and str(out["Items"].dtype) == "Int64"
    assert out["Derived"].tolist() == ["yes", "no"]
    assert out["Carbon per inhaler (kgCO2e)"].tolist() == [17.54, 0.8]  # four significant figures
    assert out["Factors used"].tolist() == ["a,b", "c"]                 # kept for tracing a figure


def test_the_formatter_keeps_a_view_in_one_unit_and_pounds_to_the_penny():
    assert formatting.co2e(38_116_800) == "38.12 ktCO2e"          # by size, as before
    assert formatting.co2e(38_116_800, unit="t") == "38,117 tCO2e"  # the view chose tonnes
    assert formatting.co2e(242_369.4, unit="t") == "242.37 tCO2e"
    assert formatting.co2e(242_369.4, unit="kg") == "242,369.4 kgCO2e"
    assert formatting.co2e(0.568, unit="kg") == "0.568 kgCO2e"
    assert formatting.scale(999.9, 12) == "kg" and formatting.scale(1000, 12) == "t"
    assert formatting.gbp(60.166) == "£60.17" and formatting.gbp(60166.0) == "£60,166.00"
    assert formatting.gbp(-7568.004, signed=True) == "−£7,568.00"
    assert formatting.gbp(math.nan) == "–"
    assert formatting.delta(-235_480, unit="t") == "-235.48 tCO2e"
    assert formatting.share(0.1834) == "18%" and formatting.share(0.025) == "2.5%"


def test_every_category_of_the_library_is_named_in_words(store):
    from carbon import factors as fx

    shipped = set(fx.resolved(store, "AR5")["category"])
    assert shipped <= set(labels.CATEGORIES), shipped - set(labels.CATEGORIES)
    named = labels.named(pd.DataFrame({"category": ["inhaler", "travel", "a category added later", None]}))
    assert named["category"].tolist()[:3] == ["Inhalers", "Travel", "a category added later"]
    assert named["category"].isna().tolist()[3]
