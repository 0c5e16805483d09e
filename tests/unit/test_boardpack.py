"""The board pack of the shipped demo scenario: numbers, sources, HTML, PDF (rendered), CSV and Excel."""

from __future__ import annotations

import io
import subprocess

import openpyxl
import pandas as pd
import pytest
from PIL import Image

from carbon import boardpack as bp
from carbon import pack_files as pf
from carbon import scenarios as sc


@pytest.fixture
def pack(store):
    return bp.build(store, sc.load(store, sc.demo_name()))


@pytest.fixture
def pictures(pack):
    return pf.images(pack)


def test_headline_numbers_come_from_the_trajectory(pack, store):
    tot = sc.totals(sc.run(store, sc.load(store, sc.demo_name())).trajectory).set_index("year")
    head = bp.headline_rows(pack).set_index("year")
    assert head.index.tolist() == [2024, 2030, 2040, 2045]
    for year in head.index:
        assert head.loc[year, "tCO2e"] == pytest.approx(tot.loc[year, "tCO2e"])
    # the baseline's Ventolin line: 180,000 inhalers x 28.262 kgCO2e = 5,087.16 tCO2e a year
    base = pack.projection.baseline.set_index("label")
    assert base.loc["Ventolin Evohaler (salbutamol pMDI)", "tCO2e"] == pytest.approx(5087.16)
    assert head.loc[2024, "tCO2e"] == pytest.approx(base["tCO2e"].sum())
    # the target path for the total starts at the baseline and reaches 0 at net zero (2040)
    assert head.loc[2024, "target_tCO2e"] == pytest.approx(head.loc[2024, "tCO2e"])
    assert head.loc[2040, "target_tCO2e"] == 0


def test_every_factor_used_has_its_source(pack):
    src = pack.sources.set_index("id")
    used = {i for s in pd.concat([pack.projection.baseline["factor_ids"], pack.projection.interventions["factor_ids"]])
            for i in s.split(",") if i}
    assert used <= set(src.index)
    # derived factors bring what they rest on: Ventolin's propellant is re-based with HFA-134a's GWP (AR5)
    assert "gwp_hfa134a_ar5" in src.index and src.loc["gwp_hfa134a_ar5", "used_for"] == "GWP"
    assert {"target", "carbon value", "discount rate", "price"} <= set(src["used_for"])
    assert src["title"].notna().all() and (src["title"].str.len() > 0).all()


def test_tables_and_numbers_agree(pack):
    t = bp.tables(pack)
    assert list(t) == ["Board footprint", "Headline", "Targets", "Trajectory", "By category", "Interventions", "MACC",
                       "Budget", "Baseline", "Assumptions", "Sources"]
    assert list(t["Board footprint"].columns) == ["Source", "2023/24 (tCO2e)", "2024/25 (tCO2e)", "Change (%)", "Target",
                                                  "Target level (tCO2e)", "Gap (tCO2e)"]
    nums = bp.numbers(pack)
    energy = nums[(nums["section"] == "board footprint") & (nums["item"] == "Building energy")
                  & (nums["measure"] == "tCO2e")].set_index("year")["value"]
    # 30 GWh x 0.22535 + 60 GWh x 0.1829 + 100,000 L x 2.75541 (DESNZ 2024), and 2023/24 beside it
    assert energy[2024] == pytest.approx(18_010.041) and energy[2023] == pytest.approx(18_966.991)
    total_2030 = nums[(nums["section"] == "trajectory") & (nums["measure"] == "tCO2e") & (nums["year"] == 2030)]
    assert total_2030["value"].iloc[0] == pytest.approx(pack.totals.set_index("year").loc[2030, "tCO2e"])
    gap = nums[(nums["section"] == "targets") & (nums["measure"] == "gap_tCO2e")
               & (nums["item"] == "nhs_scotland_net_zero_2040")]["value"].iloc[0]
    assert gap == pytest.approx(pack.totals.set_index("year").loc[2040, "tCO2e"])  # net zero: the gap is all of it
    csv_back = pd.read_csv(io.StringIO(pf.to_numbers_csv(pack)))
    assert len(csv_back) == len(nums) and set(csv_back["section"]) == set(nums["section"])


def test_excel_has_a_sheet_per_table(pack):
    wb = openpyxl.load_workbook(io.BytesIO(pf.to_xlsx(pack)))
    assert wb.sheetnames == ["Numbers", *bp.tables(pack)]
    ws = wb["Headline"]
    assert ws.cell(1, 1).value == "Year" and ws.cell(2, 1).value == 2024


def test_html_has_charts_tables_assumptions_and_sources(pack, pictures):
    html = pf.to_html(pack, pictures)
    assert html.count("<img") == 5 == html.count("data:image/png;base64,")  # the board footprint's chart first
    for text in ("Board pack: Demo", "Against the targets", "Swaps only where clinically appropriate",
                 "Assumptions", "Green Book", "Sources of every factor used", "Janson C", "gwp_hfa134a_ar5",
                 "Years are financial years"):
        assert text in html, text
    # the page starts with the board footprint: its table and a verdict against each target
    top = html[:html.index("The scenario</h2>")]
    assert "Footprint by source, 2024/25 beside 2023/24" in top and "Against each target" in top
    assert "<td>Building energy</td>" in top and "no target for this source" in top
    assert "nhs_scotland" not in top  # no ids on the first page
    assert "38.12 ktCO2e" in html  # the baseline headline: 38,116.8 tCO2e (tests/unit/test_board.py)


def test_charts_render_as_images(pictures):
    for title, data in pictures.items():
        img = Image.open(io.BytesIO(data))
        assert img.format == "PNG" and img.width >= 700, title


def test_pdf_opens_and_its_first_page_is_not_blank(pack, pictures, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(pf.to_pdf(pack, pictures))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 6
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "60", "-png", str(path), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    grey = Image.open(png).convert("L")
    dark = sum(grey.histogram()[:200])  # pixels darker than light grey
    assert dark > 0.01 * grey.width * grey.height  # text and numbers, not a blank page
    def page(n: int) -> str:
        return subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True,
                              text=True, check=True).stdout

    first = page(1)
    # page 1 is the board footprint table and a plain-words verdict against each target, no ids
    assert "Board pack: Demo" in first and "Footprint by source, 2024/25 beside 2023/24" in first
    assert "Building energy" in first and "18,010" in first and "18,967" in first and "-5.0" in first
    assert "no target for this source" in first and "Against each target" in first
    assert "Total" in first and "38,117" in first and "Net zero by 2040 (NHS Scotland)" in first
    assert "nhs_scotland" not in first
    second = page(2)
    assert "38.12 ktCO2e" in second and "First missed" in second
    assert "Footprint by source" in page(3) and "targets (tCO2e a year)" in page(3)


def test_write_refuses_other_formats(pack, tmp_path):
    with pytest.raises(ValueError, match=r"\.pdf, \.html, \.csv or \.xlsx"):
        pf.write(pack, tmp_path / "pack.docx")


def test_pdf_tables_never_break_a_year_or_a_word(pack):
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 7)
    df = bp.display(bp.tables(pack)["Targets"])
    widths = pf._col_widths(pdf, df, pf._t)
    assert sum(widths) == pytest.approx(pdf.epw)
    for col, w in zip(df.columns, widths):
        # the column holds its longest word ("2030", "Reduction") with its 2.5 mm of padding
        longest = max(pdf.get_string_width(word) for text in [col, *df[col]] for word in str(text).split())
        assert w >= longest + 2.5 - 1e-9, col


def test_headline_equivalences_sit_beside_their_own_numbers(pack):
    rows = {label: (big, small) for label, big, small in bp.headline_text(pack)}
    big, small = rows["Emissions in 2045/46 with the interventions"]
    # the car equivalence is of the 2045 scenario figure, so it comes before 'no action'
    assert small.startswith(pack.equivalence) and small.index("no action") > len(pack.equivalence)
    # the tonnes abated over the years, a big number, has its own equivalence
    assert rows["Abated over the scenario"] == (bp.co2e(pack.headline["abated_total_kg"]), pack.abated_equivalence)
    assert "in an average car" in pack.abated_equivalence
