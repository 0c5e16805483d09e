"""Financial years, for every year the product accepts: labels read back, wrong ends are refused,
and every day of a financial year maps back to it."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from carbon import periods

years = st.integers(min_value=periods.EARLIEST, max_value=periods.LATEST - 1)


@given(years, st.sampled_from(["{a}/{b:02d}", "{a}-{b:02d}", "FY{a}/{b:02d}", "{a}/{c}"]))
def test_every_spelling_reads_back_to_its_label(start, spelling):
    text = spelling.format(a=start, b=(start + 1) % 100, c=start + 1)
    p = periods.parse(text)
    assert p.financial and p.start_year == start and periods.parse(p.label) == p
    assert p.factor_year == start and (p.end - p.start).days in (364, 365)


@given(years, st.integers(min_value=2, max_value=9))
def test_an_end_year_other_than_the_next_is_refused(start, gap):
    text = f"{start}/{(start + gap) % 100:02d}"
    try:
        periods.parse(text)
    except periods.PeriodError as exc:
        assert "is not a financial year" in str(exc)
    else:
        raise AssertionError(f"{text} was read as a financial year")


@given(st.dates(min_value=dt.date(1991, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_day_falls_in_the_financial_year_it_maps_to(day):
    p = periods.of_date(day)
    assert p.contains(day) and not p.previous.contains(day)
