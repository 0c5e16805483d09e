"""The inhaler mapping against NHSBSA's own code list (factors/bnf_presentations.csv, 5 February 2020).

Each table below lists, for a family of inhalers, the BNF code, the name NHSBSA gives it, and the
factor the mapping must give: a brand maps to its own published figure, a generic code to the
stated default of factors/bnf_inhalers.csv.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from carbon import bootstrap
from carbon import factors as fx
from carbon import prescribing as rx
from carbon.prescribing.mapping import changes_sql, refresh
from tests.unit import rx_layouts as layouts

FACTORS = Path(__file__).resolve().parents[2] / "factors"

# code, NHSBSA name (BNF Presentation), device, factor
SALBUTAMOL = [
    ("0301011R0AAAPAP", "Salbutamol_Inha 100mcg (200 D) CFF", "pmdi_hfa134a", "salbutamol_pmdi_generic"),
    ("0301011R0AABUBU", "Salbutamol_Inha B/A 100mcg (200 D) CFF", "bai", "inhaler_pmdi_saba_small"),
    ("0301011R0AABZBZ", "Salbutamol_Pdr For Inh 100mcg (200 D)", "dpi", "inhaler_dpi_generic"),
    ("0301011R0BEAIAP", "Ventolin_Evohaler 100mcg (200 D)", "pmdi_hfa134a", "ventolin_evohaler"),
    ("0301011R0BEAHAQ", "Ventolin_Accuhaler 200mcg (60 D)", "dpi", "ventolin_accuhaler"),
    ("0301011R0BIAFAP", "Salamol_Inha 100mcg (200 D) CFF (Teva)", "pmdi_hfa134a", "salamol_pmdi"),
    ("0301011R0BIAHAP", "Salamol_Inha 100mcg (200 D) CFF (Arrow)", "pmdi_hfa134a", "salamol_pmdi"),
    ("0301011R0BIAGBU", "Salamol E-Breathe_Inh 100mcg (200 D) CFF", "bai", "inhaler_pmdi_saba_small"),
    ("0301011R0BMAAAP", "Airomir_Inha 100mcg (200 D)", "pmdi_hfa134a", "inhaler_pmdi_saba_small"),
    ("0301011R0BMABBU", "Airomir_Autohaler 100mcg (200 D) CFF", "bai", "inhaler_pmdi_saba_small"),
    ("0301011R0BWAABZ", "Easyhaler_Salbutamol Sulf 100mcg (200D)", "dpi", "easyhaler"),
    ("0301011R0BTAABX", "Pulvinal Salbutamol_Inh 200mcg (100 D)", "dpi", "inhaler_dpi_generic"),
    ("0301011R0BZAAAP", "AirSalb_Inha 100mcg (200 D) CFF", "pmdi_hfa134a", "salbutamol_pmdi_generic"),
]
BECLOMETASONE = [
    ("0302000C0AABFBF", "Beclomet Diprop_Inha 100mcg (200 D) CFF", "pmdi_hfa134a", "inhaler_pmdi_beclometasone_class"),
    ("0302000C0BPABBF", "Clenil Modulite_Inha 100mcg (200D)", "pmdi_hfa134a", "clenil_pmdi"),
    ("0302000C0BPADBW", "Clenil Modulite_Inha 250mcg (200D)", "pmdi_hfa134a", "clenil_pmdi"),
    ("0302000C0BJABBF", "Qvar 100_Inha 100mcg (200 D)", "pmdi_hfa134a", "qvar_pmdi"),
    ("0302000C0BJADBH", "Qvar 100_Autohaler 100mcg (200 D)", "bai", "qvar_pmdi"),
    ("0302000C0BJAFBH", "Qvar 100 E-Breathe_Inha 100mcg (200 D)", "bai", "qvar_pmdi"),
    ("0302000C0BSABBF", "Kelhale_Inha 100mcg (200 D)", "pmdi_hfa134a", "kelhale_pmdi"),
    ("0302000C0BTACBF", "Soprobec_Inha 100mcg (200 D)", "pmdi_hfa134a", "soprobec_pmdi"),
    ("0302000C0BNAABU", "Easyhaler_Beclomet 200mcg (200 D)", "dpi", "easyhaler_beclometasone"),
    ("0302000C0BLABBN", "Pulvinal Beclomet_Inha 100mcg (100 D)", "dpi", "inhaler_dpi_generic"),
    ("0302000C0AABNBN", "Beclomet Diprop_Inha 100mcg (100 D)", "dpi", "inhaler_dpi_generic"),  # Pulvinal's generic
    ("0302000C0BQAABX", "Fostair_Inh 100mcg/6mcg (120D) CFF", "pmdi_hfa134a", "fostair_pmdi"),
    ("0302000C0BQABBZ", "Fostair_Inh 200mcg/6mcg (120D) CFF", "pmdi_hfa134a", "fostair_pmdi"),
    ("0302000C0BRAABY", "Fostair NEXThaler_Inh 100mcg/6mcg (120D)", "dpi", "fostair_nexthaler"),
    ("0302000C0AABXBX", "Beclomet Diprop/Formoterol_Inh100/6(120D", "pmdi_hfa134a", "fostair_pmdi"),
    ("0302000C0AABYBY", "Beclomet/Formoterol_Inh 100/6 (120D) Dry", "dpi", "fostair_nexthaler"),
]
BUDESONIDE_FORMOTEROL = [
    ("0302000K0BDAAAL", "Symbicort_Turbohaler 100mcg/6mcg (120 D)", "dpi", "symbicort_turbohaler"),
    ("0302000K0BDABAM", "Symbicort_Turbohaler 200mcg/6mcg (120 D)", "dpi", "symbicort_turbohaler"),
    ("0302000K0BDACAU", "Symbicort_Turbohaler 400mcg/12mcg (60 D)", "dpi", "symbicort_turbohaler"),
    ("0302000K0BDADBB", "Symbicort_Inh Pressurised 200/6mcg(120D)", "pmdi_hfa227ea", "symbicort_pmdi"),
    ("0302000K0BHAAAM", "DuoResp Spiromax_Inh 160mcg/4.5mcg(120D)", "dpi", "inhaler_dpi_generic"),
    ("0302000K0BIACAM", "Fobumix_Easyhaler 160mcg/4.5mcg (120 D)", "dpi", "easyhaler"),
    ("0302000K0BIADAL", "Fobumix_Easyhaler 80mcg/4.5mcg (120 D)", "dpi", "easyhaler"),
    # generics: 'InhaB/A' is the breath-actuated Turbohaler, a DPI (its brands say so); the pMDI's only brand is
    # Symbicort pMDI, HFA-227ea
    ("0302000K0AAAMAM", "Budesonide/Formoterol_InhaB/A 200/6(120D", "dpi", "symbicort_turbohaler"),
    ("0302000K0AABBBB", "Budesonide/Formoterol_Inha200/6(120D)CFF", "pmdi_hfa227ea", "symbicort_pmdi"),
]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    store = bootstrap.open_store(tmp_path_factory.mktemp("map") / "map.duckdb")
    refresh(store)
    return store.df("SELECT * FROM rx_code_map").set_index("bnf_code")


def _names() -> dict:
    with open(FACTORS / "bnf_presentations.csv", encoding="utf-8") as f:
        return {r["bnf_code"]: r["name"] for r in csv.DictReader(f)}


@pytest.mark.parametrize("family", [SALBUTAMOL, BECLOMETASONE, BUDESONIDE_FORMOTEROL],
                         ids=["salbutamol", "beclometasone", "budesonide-formoterol"])
def test_each_brand_maps_to_its_own_published_factor(shipped, family):
    names = _names()
    for code, name, device, factor in family:
        assert names[code] == name, f"{code} is {names[code]!r} in the NHSBSA list"
        got = shipped.loc[code, ["name", "device", "factor_id"]].tolist()
        assert got == [name, device, factor], code


def test_the_library_has_every_mapped_factor_per_inhaler(store):
    lib = fx.resolved(store)
    per_inhaler = set(lib.loc[lib["per"] == "inhaler", "id"])
    rows = pd.read_csv(FACTORS / "bnf_inhalers.csv", dtype=str)
    assert set(rows["factor_id"]) <= per_inhaler
    # every inhaler factor of the library is reached by some BNF code (the next-generation HFA-152a Ventolin is not
    # marketed, so no code prescribes it)
    reached = set(rows["factor_id"])
    assert {i for i in per_inhaler if not i.startswith("inhaler_pmdi_")} - reached == {
        "ventolin_hfa152a_nextgen", "breezhaler", "berodual_respimat"}


def test_every_mapping_row_names_its_code_as_nhsbsa_does(store):
    ref = pd.read_csv(FACTORS / "bnf_presentations.csv", dtype=str)
    names = {**dict(zip(ref["chemical_code"], ref["chemical"])), **dict(zip(ref["product_code"], ref["product"])),
             **dict(zip(ref["bnf_code"], ref["name"]))}
    rows = pd.read_csv(FACTORS / "bnf_inhalers.csv", dtype=str)
    for r in rows.itertuples():
        if r.bnf_code == "03":
            continue
        assert names.get(r.bnf_code) == r.name, (r.bnf_code, r.name)


def test_every_inhaler_presentation_in_the_list_has_a_device(shipped):
    listed = shipped[(shipped["name_source"] == "NHSBSA BNF code list (February 2020)")]
    assert len(listed) == 968
    unknown = listed[listed["form"] == "unknown"]
    # one name says nothing of its form: a Becotide starter pack
    assert unknown["name"].tolist() == ["Becotide_S/Pack 100mcg"]
    inhalers = listed[listed["inhaler"]]
    assert inhalers["device"].isin(["pmdi_hfa134a", "pmdi_hfa227ea", "bai", "dpi", "smi"]).all()
    # words that used to mislead: Pulvinal says 'Inha' (a DPI), the NebuChamber pMDI says 'Nebu'
    assert shipped.loc["0301011R0BTAABX", "device"] == "dpi"
    assert shipped.loc["0302000K0BBALAT", ["name", "device"]].tolist() == [
        "Pulmicort_Inha 200mcg (200D)+NebuChamber", "pmdi_hfa134a"]
    assert shipped.loc["0302000N0BMAAAZ", ["device", "device_from"]].tolist()[0] == "dpi"  # Stalpex, a correction
    # generic Respimat: its brand is Spiriva Respimat
    assert shipped.loc["0301020Q0AAACAC", ["device", "factor_id"]].tolist() == ["smi", "spiriva_respimat"]
    # nebules, tablets and 'Resp Soln' (a respirator solution, not Respimat) are not inhalers
    assert not shipped.loc[["0301011R0BEANAX", "0301011R0AAAXAX", "0301011R0BEARBB"], "inhaler"].any()


def test_code_changes_follow_chains_and_new_codes_take_the_listed_product(store, shipped):
    current = dict(store.execute(f"WITH {changes_sql()} SELECT old_code, current_code FROM rx_current").fetchall())
    # a chain: 2015 0301011Y0AAAAAA -> 0302000N0AABMBM, then 2017 0302000N0AABMBM -> 0302000V0AAAAAA
    assert current["0301011Y0AAAAAA"] == current["0302000N0AABMBM"] == "0302000V0AAAAAA"
    # an old code changed in two Januaries follows its first change, as OpenPrescribing's mapping does
    assert current["0301040U0AAAAAA"] == "0301040W0AAAAAA"
    assert shipped.loc["0302000C0BQAABX", "current_code"] == "0302000ABBCAAAB"  # Fostair, January 2026
    assert shipped.loc["0301011ABBBAAA0", "current_code"] == "0302000AABBAAAA"  # Trimbow, January 2025


def test_old_and_new_codes_give_the_same_footprint(store, tmp_path):
    """December 2024 under the old codes (Fostair 0302000C0BQAABX, Trimbow 0301011ABBBAAA0), January 2026 under
    the new (0302000ABBCAAAB, 0302000AABBAAAA), the same quantities: the same kgCO2e and the same product."""
    rx.import_files(store, [layouts.epd_snomed_zip(tmp_path, "202412", new_codes=False),
                            layouts.epd_snomed_zip(tmp_path, "202601", new_codes=True)])
    month = rx.footprint(store, "month").set_index("month")
    assert month.loc["2024-12", "kgCO2e"] == pytest.approx(month.loc["2026-01", "kgCO2e"])
    assert month.loc["2026-01", "kgCO2e"] == pytest.approx(10 * 11.3304 + 3 * 17.5 + 30 * 25)
    assert month["unmapped_items"].sum() == 0
    m = rx.mapping(store).set_index("bnf_code")
    assert m.loc["0302000ABBCAAAB", ["name_source", "factor_id", "product"]].tolist() == [
        "NHSBSA BNF code list, under its earlier code 0302000C0BQAABX", "fostair_pmdi", "Fostair pMDI"]
    assert m.loc["0302000AABBAAAA", "factor_id"] == m.loc["0301011ABBBAAA0", "factor_id"] == "trimbow_pmdi"
    # every chapter: the old Fostair code's rows count under the chemical of its new code
    chem = store.df("SELECT strftime(month, '%Y-%m') AS month, bnf_chemical, sum(items) AS items FROM rx_chemical_month "
                    "GROUP BY ALL").set_index(["month", "bnf_chemical"])["items"]
    assert chem[("2024-12", "0302000AB")] == chem[("2026-01", "0302000AB")] == 10


def test_a_new_code_without_a_listed_predecessor_is_reported_with_why(store, tmp_path):
    path = tmp_path / "epd_202601.csv"
    header = ("YEAR_MONTH,ICB_NAME,ICB_CODE,PRACTICE_NAME,PRACTICE_CODE,BNF_CODE,BNF_DESCRIPTION,QUANTITY,ITEMS,"
              "TOTAL_QUANTITY,NIC,ACTUAL_COST\n")
    path.write_text(header
                    + "202601,NHS X ICB,QHM,A,A81001,0302000ABBDAAAB,Luforbec 100micrograms/dose / 6micrograms/dose "
                      "inhaler,1,2,2,20.00,19.00\n"
                    + "202601,NHS X ICB,QHM,A,A81001,0302000ZZBBAAAA,,1,1,1,5.00,4.00\n")
    rx.import_files(store, [path])
    un = rx.unmapped_codes(store).set_index("bnf_code")
    assert un.loc["0302000ZZBBAAAA", "reason"].startswith("not in the NHSBSA February 2020 list")
    # named by the file, dm+d style: 'inhaler' is a pressurised inhaler; its chemical (created in 2026) has no row
    assert un.loc["0302000ABBDAAAB", "name_source"] == "the description in the imported file"
    assert un.loc["0302000ABBDAAAB", "reason"] == "no factor for a pMDI of 0302000AB in factors/bnf_inhalers.csv"
