"""Prescribing files in the real published layouts, written by the tests that use them.

* NHSBSA "EPD with SNOMED code": a ZIP archive holding one Latin-1 CSV of 27 columns, the ICB
  generation's 26 with ``BNF_PRESENTATION_CODE``/``BNF_PRESENTATION_NAME`` in place of
  ``BNF_CODE``/``BNF_DESCRIPTION`` and ``SNOMED_CODE`` beside them (the layout OpenPrescribing's
  ingester reads: ``COLUMNS('(BNF_CODE|BNF_PRESENTATION_CODE)')``, ``SNOMED_CODE``);
* PHS Prescriptions in the Community, the 2015 ``HBT2014`` generation and the dm+d generation
  (``DMDCode``, ``PrescribedType``) of 2023 on.

BNF codes and names are NHSBSA's; the newer codes are those of the January 2025 and 2026 code
changes (``factors/bnf_code_changes.csv``), named as dm+d names them, as the SNOMED files do.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

EPD_SNOMED_HEADER = [
    "YEAR_MONTH", "REGIONAL_OFFICE_NAME", "REGIONAL_OFFICE_CODE", "ICB_NAME", "ICB_CODE", "PCO_NAME", "PCO_CODE",
    "PRACTICE_NAME", "PRACTICE_CODE", "ADDRESS_1", "ADDRESS_2", "ADDRESS_3", "ADDRESS_4", "POSTCODE",
    "BNF_CHEMICAL_SUBSTANCE", "CHEMICAL_SUBSTANCE_BNF_DESCR", "BNF_PRESENTATION_CODE", "BNF_PRESENTATION_NAME",
    "SNOMED_CODE", "BNF_CHAPTER_PLUS_CODE", "QUANTITY", "ITEMS", "TOTAL_QUANTITY", "ADQUSAGE", "NIC", "ACTUAL_COST",
    "UNIDENTIFIED"]
ICB = ["NORTH EAST AND YORKSHIRE", "Y63", "NHS NORTH EAST AND NORTH CUMBRIA INTEGRATED CARE BOARD", "QHM",
       "NHS NORTH EAST AND NORTH CUMBRIA ICB - 00P", "00P", "CAFÉ QUARTER SURGERY", "A81001", "1 CAFÉ ROW", "",
       "SUNDERLAND", "", "SR1 1AA"]

# (code in December 2024, code in January 2026, chemical, name, SNOMED, quantity per item, items, NIC)
PRODUCTS = [
    ("0302000C0BQAABX", "0302000ABBCAAAB", "Beclometasone dipropionate",
     "Fostair 100micrograms/dose / 6micrograms/dose inhaler", "13537011000001104", 1, 10, 293.20),
    ("0301011ABBBAAA0", "0302000AABBAAAA", "Beclometasone/formoterol/glycopyrronium",
     "Trimbow 87micrograms/dose / 5micrograms/dose / 9micrograms/dose inhaler", "34949711000001106", 1, 3, 132.00),
    ("0301011R0AAAPAP", "0301011R0AAAPAP", "Salbutamol", "Salbutamol 100micrograms/dose inhaler CFC free",
     "35936411000001109", 1, 20, 30.00),
    ("0301011R0AAAPAP", "0301011R0AAAPAP", "Salbutamol", "Salbutamol 100micrograms/dose inhaler CFC free",
     "3283511000001107", 2, 5, 7.50),
    ("21300000100", "21300000100", "Eye products", "Oxyal Sodium hyaluronate 0.15% eye drops", "4086011000001103",
     1, 3, 24.90),
    ("0407010H0AAAMAM", "0407010H0AAAMAM", "Paracetamol", "Paracetamol 500mg tablets", "42109611000001109", 32, 12,
     9.60),
]


def epd_snomed_zip(folder: Path, month: str, new_codes: bool) -> Path:
    """``EPD_SNOMED_<month>.zip`` holding ``EPD_SNOMED_<month>.csv`` in Latin-1 (the practice's name and
    address have an É). ``new_codes`` uses the codes of January 2026 (Fostair, Trimbow moved)."""
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\r\n")
    w.writerow(EPD_SNOMED_HEADER)
    for old, new, chem_name, name, snomed, per_item, items, nic in PRODUCTS:
        code = new if new_codes else old
        chapter = code[:2]
        w.writerow([month, *ICB, code[:9] if len(code) == 15 else code[:4], chem_name, code, name, snomed,
                    f"{chapter}: chapter", f"{per_item:.1f}", items, f"{per_item * items:.1f}", "0.0", f"{nic:.2f}",
                    f"{nic * 0.93:.5f}", "N"])
    path = folder / f"EPD_SNOMED_{month}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"EPD_SNOMED_{month}.csv", text.getvalue().encode("latin-1"))
    return path


def phs_dmd(folder: Path) -> Path:
    """A PHS month of the dm+d generation: the same BNF item twice, prescribed generically (VMP) and by brand
    (AMP), which is two rows, not a duplicate."""
    path = folder / "pitc202406.csv"
    path.write_text(
        "HBT,GPPractice,DMDCode,BNFItemCode,BNFItemDescription,PrescribedType,NumberOfPaidItems,PaidQuantity,"
        "GrossIngredientCost,PaidDateMonth\n"
        "S08000024,10002,35936411000001109,0301011R0AAAPAP,SALBUTAMOL 100MICROGRAMS/DOSE INHALER CFC FREE,VMP,"
        "10,10,15.00,202406\n"
        "S08000024,10002,3283511000001107,0301011R0AAAPAP,SALBUTAMOL 100MICROGRAMS/DOSE INHALER CFC FREE,AMP,"
        "4,4,6.00,202406\n"
        "S08000024,10002,12345711000001107,0302000C0BPABBF,CLENIL MODULITE 100MICROGRAMS/DOSE INHALER,AMP,"
        "2,2,14.84,202406\n"
        "S08000024,10002,39732311000001104,0407010H0AAAMAM,PARACETAMOL 500MG TABLETS,VMP,30,1920,24.00,202406\n")
    return path


def phs_hbt2014(folder: Path) -> Path:
    """A PHS month of the first generation (October 2015): ``HBT2014``, no class or dm+d columns."""
    path = folder / "pitc201510.csv"
    path.write_text(
        "HBT2014,GPPractice,BNFItemCode,BNFItemDescription,NumberOfPaidItems,PaidQuantity,GrossIngredientCost,"
        "PaidDateMonth\n"
        "S08000024,10002,0301011R0AAAPAP,SALBUTAMOL_INHA 100MCG (200 D) CFF,7,7,10.50,201510\n"
        "S08000024,10002,0302000N0BCABAY,SERETIDE 250_ACCUHALER 250MCG/50MCG(60D),1,1,35.00,201510\n")
    return path
