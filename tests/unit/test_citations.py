"""Sources as citations, confidence in words (carbon/citations.py), on the shipped library."""

from carbon import citations
from carbon import factors as fx


def test_citations_drop_the_sheets_brackets(store):
    lib = fx.library(store)
    assert citations.source(lib, "mcgain_2021") == (
        "McGain F, et al. Carbon footprint of general, spinal and combined anaesthesia for total knee replacement. "
        "Anesthesiology 2021;135:976. American Society of Anesthesiologists (Anesthesiology), 2021")
    assert citations.source(lib, "desnz_ghg_2025") == (
        "Greenhouse gas reporting: conversion factors 2025. Department for Energy Security and Net Zero, 2025")
    every = [citations.source(lib, sid) for sid in lib.sources.index]
    assert not [c for c in every if "[" in c or "]" in c]


def test_the_reference_sheet_is_not_a_citation(store):
    lib = fx.library(store)
    text = citations.source(lib, "project_reference_sheet")
    assert "Reference sheet" not in text and text.startswith("no primary source")
    table = citations.for_factors(fx.search(store, "", None), lib)
    assert not table["citation"].str.contains("Reference sheet of published factors").any()
    sheet = table[table["source"] == "project_reference_sheet"]
    assert len(sheet) and (sheet["confidence"] == citations.CONFIDENCE["R"]).all()


def test_confidence_tags_in_words_and_notes_without_them(store):
    assert citations.confidence("V2: McGain et al., Anesthesiology") == "Read in a secondary source quoting the original"
    assert citations.confidence("D (judgement default)") == "Derived from published figures"
    assert citations.notes("V2: McGain et al., Anesthesiology") == "McGain et al., Anesthesiology"
    assert citations.notes("R unconfirmed: no product footprint") == "Unconfirmed: no product footprint"
    table = citations.for_factors(fx.search(store, "", None), fx.library(store))
    assert not table["notes"].str.match(r"^(V2|V|D|R)\b[:.]").any()
    assert (table["confidence"] != "").mean() > 0.9  # nearly every shipped factor carries a tag
