"""Financial and calendar years: what people type, what is refused, which DESNZ year each uses."""

import datetime as dt

import pandas as pd
import pytest

from carbon import periods


@pytest.mark.parametrize("text", ["2024/25", "2024-25", "FY2024/25", "fy 2024-25", "2024/2025", "2024–25", " 2024/25 "])
def test_financial_year_spellings(text):
    p = periods.parse(text)
    assert (p.label, p.kind, p.start, p.end) == ("2024/25", "financial", dt.date(2024, 4, 1), dt.date(2025, 3, 31))


@pytest.mark.parametrize("text", ["2024", 2024, "CY2024", 2024.0])
def test_calendar_years(text):
    p = periods.parse(text)
    assert (p.label, p.kind, p.start, p.end) == ("2024", "calendar", dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_the_turn_of_the_century():
    assert periods.parse("1999/00").end == dt.date(2000, 3, 31)
    assert periods.parse("1999/2000").label == "1999/00"


@pytest.mark.parametrize("text, says", [
    ("2024/26", "so 2024 is followed by 25"),
    ("2024/2026", "so 2024 is followed by 2025"),
    ("2024/24", "so 2024 is followed by 25"),
    ("24/25", "is not a financial year or a calendar year"),
    ("next year", "is not a financial year or a calendar year"),
    ("1066", "outside 1990-2100"),
])
def test_what_cannot_be_a_period_is_refused_with_the_reason(text, says):
    with pytest.raises(periods.PeriodError) as err:
        periods.parse(text, where="baseline line 2", line=None)
    assert says in str(err.value)
    assert err.value.problems[0].where == "baseline line 2"


def test_2024_26_suggests_2024_25():
    with pytest.raises(periods.PeriodError) as err:
        periods.parse("2024/26")
    assert err.value.problems[0].fix == "type 2024/25"


def test_desnz_majority_rule_picks_the_factor_year():
    # DESNZ 2024 condensed set, Introduction: data for 01/04/24 - 31/03/25 use the 2024 factors.
    assert periods.factor_year("2024/25") == 2024
    assert periods.factor_year("2020/21") == 2020
    assert periods.factor_year(2025) == 2025


def test_the_financial_year_of_a_day():
    assert periods.of_date("2025-03-31").label == "2024/25"
    assert periods.of_date("2025-04-01").label == "2025/26"
    assert periods.of_date(dt.date(2025, 4, 1), financial=False).label == "2025"
    assert periods.parse("2024/25").contains(dt.date(2025, 1, 15))
    assert periods.parse("2024/25").previous.label == "2023/24"


def test_financial_year_labels_of_a_column_of_months():
    months = pd.Series(pd.to_datetime(["2024-03-01", "2024-04-01", "2025-02-01", "2025-04-01"]))
    assert periods.financial_year_labels(months).tolist() == ["2023/24", "2024/25", "2024/25", "2025/26"]


def test_parse_many_reads_each_value_and_names_every_bad_row():
    df = periods.parse_many(pd.Series(["2024/25", "2023-24", 2025]))
    assert df.to_dict("list") == {"period": ["2024/25", "2023/24", "2025"],
                                  "kind": ["financial", "financial", "calendar"],
                                  "start_year": [2024, 2023, 2025], "factor_year": [2024, 2023, 2025]}
    with pytest.raises(periods.PeriodError) as err:
        periods.parse_many(pd.Series(["2024/25", "2024/26", "2024/25", "soon"]), where="line")
    assert [p.where for p in err.value.problems] == ["line 2", "line 4"]
    assert err.value.total == 2
