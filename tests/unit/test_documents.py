"""Shared pathway and scenario files are read within bounds: size, encoding, nesting and element
count are checked before the content means anything, and every refusal says why in words."""

import json

import pytest

from carbon import documents
from carbon import pathways as pw
from carbon import scenarios as sc
from carbon.pathways import Activity, Pathway

GOOD = 'name = "Clinic"\ncohort = 10\n[[activity]]\nfactor = "clenil_pmdi"\nquantity = "2 inhaler"\n'


@pytest.mark.parametrize("data, name, message", [
    ("x = " + "[" * 100_000 + "]" * 100_000, "deep.toml", "nested 100,000 deep; a pathway or scenario file nests at most 8"),
    ('{"a":' * 100_000 + "1" + "}" * 100_000, "deep.json", "nested 100,000 deep"),
    ("x = '" + "a" * 1_100_000 + "'", "big.toml", "1,100,006 characters"),
    (b"x" * 1_000_001, "big.toml", "1,000,001 bytes"),
    ('name = "£10 clinic"'.encode("latin-1"), "latin.toml", "byte 8 is 0xa3, as in Latin-1"),
    (b"\x00\x01\x02binary", "scan.json", "it holds NUL bytes"),
    ("[1, 2, 3]", "list.json", r"one table of fields \(name, \.\.\.\), not a list"),
    (json.dumps({"name": "x", "activity": [{"note": str(i)} for i in range(5000)] * 11}), "many.json",
     "holds at most 50,000"),
    ("a,b", "x.csv", "must end in .toml or .json"),
])
def test_a_bad_file_is_refused_in_words(data, name, message):
    with pytest.raises(documents.DocumentError, match=message):
        documents.load(data, name)
    # the same file through the pathway and scenario readers: their own error type, the same words
    with pytest.raises(pw.PathwayError, match=message):
        pw.from_file(data, name)
    with pytest.raises(sc.ScenarioError, match=message):
        sc.read_file(data, name)


def test_utf16_with_its_mark_and_a_utf8_mark_are_read():
    assert pw.from_file(GOOD.encode("utf-16"), "clinic.toml").name == "Clinic"
    assert pw.from_file(GOOD.encode("utf-8-sig"), "clinic.toml").cohort == 10


def test_nesting_is_measured_outside_strings():
    # brackets inside a string are text: '[[[[[[[[[[' in a name is not nesting
    text = 'name = "[[[[[[[[[[ clinic"\n' + GOOD.split("\n", 1)[1]
    assert documents.depth(text) == 2  # the [[activity]] header
    assert pw.from_file(text.encode(), "c.toml").name == "[[[[[[[[[[ clinic"


def test_an_implausible_cohort_or_quantity_is_an_error_not_a_number(store):
    with pytest.raises(pw.PathwayError, match="cohort: '1,000,000,000' is more than 100,000,000 patient"):
        pw.from_json('{"name": "x", "cohort": 1e9}')
    p = Pathway(name="x", activities=[Activity(factor="clenil_pmdi", quantity="2000000 inhaler"),
                                      Activity(factor="clenil_pmdi", quantity="1e308 inhaler"),
                                      Activity(kind="anaesthetic", factor="sevoflurane", quantity="1000000 year",
                                               fgf="1000000 L/min"),
                                      Activity(kind="purchase", factor="desflurane", quantity="5000 bottle")])
    fp = pw.footprint(store, p)
    assert fp["kgCO2e"].isna().all()  # nothing computed, so nothing enters a total
    assert "is more than 1,000,000 inhaler per patient" in fp.loc[0, "error"]
    assert "is more than 1,000,000 inhaler per patient" in fp.loc[1, "error"]
    # 10^6 L/min for 10^6 years would be ~3.9e17 kgCO2e: the flow is refused (no flowmeter passes 20 L/min)
    assert "'1000000 L/min' is more than 20 L/min" in fp.loc[2, "error"]
    # 5,000 desflurane bottles for one patient: 5,000 x 629.4 kgCO2e = 3,147 t, past the 1,000 t bound
    assert "more than 1,000 tCO2e per patient" in fp.loc[3, "error"]
    assert pw.totals(fp, 1)["kgCO2e"] == 0 and len(pw.errors(fp)) == 4
