"""The board pack of the shipped demo scenario: numbers, sources, HTML, PDF (rendered), CSV and Excel."""

from __future__ import annotations

import io
import re
import subprocess
import zlib
from pathlib import Path
import html as html_module
from html.parser import HTMLParser

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PIL import Image

from carbon import boardpack as bp
from carbon import equivalence
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
    assert "38,117 tCO2e a year" in html  # the baseline headline: 38,116.8 tCO2e (tests/unit/test_board.py)


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
    assert "38,117 tCO2e a year" in second and "First missed" in second
    assert "Footprint by source" in page(3) and "targets (tCO2e a year)" in page(3)


def test_write_refuses_other_formats(pack, tmp_path):
    with pytest.raises(ValueError, match=r"\.pdf, \.html, \.csv or \.xlsx"):
        pf.write(pack, tmp_path / "pack.docx")


def _page_text(path, n: int, layout: bool = True) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), "-f", str(n), "-l", str(n), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_pdf_tables_never_break_a_year_or_a_word(pack, pictures, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(pf.to_pdf(pack, pictures))
    pages = int(next(x.split()[-1] for x in subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                                                            check=True).stdout.splitlines() if x.startswith("Pages:")))
    page = next(_page_text(path, n) for n in range(1, pages + 1) if "Each milestone of the target set" in _page_text(path, n))
    words = set(page.split())
    df = bp.display(bp.tables(pack)["Targets"].drop(columns=["Id"]))
    # every word of the Targets table, its headings ("Reduction") and years ("2030") among them, is
    # printed whole: a cell wraps between words (or after a hyphen of its own), never inside one
    for text in [*df.columns, *df.to_numpy().ravel()]:
        for word in str(text).replace("−", "-").split():
            assert word in words or all(part in words for part in re.split(r"(?<=-)(?=.)", word)), word


def test_headline_equivalences_sit_beside_their_own_numbers(pack, store):
    rows = {label: (big, small) for label, big, small in bp.headline_text(pack)}
    big, small = rows["Emissions in 2045/46 with the interventions"]
    # the car equivalence is of the 2045 scenario figure, so it comes before 'no action'
    assert small.startswith(pack.equivalence) and small.index("no action") > len(pack.equivalence)
    # the tonnes abated over the years, a big number, has its own equivalence
    assert rows["Abated over the scenario"] == (bp.tonnes(pack.headline["abated_total_kg"] / 1000),
                                                pack.abated_equivalence)
    assert "in an average car" in pack.abated_equivalence
    # tens of thousands of times round the Earth is a whole number of times, not "56,715.0"
    assert re.fullmatch(r"= \d{1,3}(,\d{3})+ times round the Earth in an average car", pack.abated_equivalence)
    # one unit in the view, as in its tables: whole tonnes, never ktCO2e over a table of tCO2e
    texts = [t for row in rows.values() for t in row] + [big]
    assert not any("ktCO2e" in t or "kgCO2e" in t for t in texts), texts
    assert all(b.endswith(("tCO2e", "tCO2e a year")) for label, (b, _) in rows.items()
               if label.startswith(("Emissions", "Abated")))
    # the baseline, the biggest yearly figure, has its own: 38,116.8 tCO2e / (kgCO2e per km of the
    # average car x 1.609344 km a mile x 24,901 miles round the Earth)
    base, said = rows["Emissions in 2024/25 (baseline)"]
    assert base == "38,117 tCO2e a year" and said == pack.baseline_equivalence + " a year"
    per_km = equivalence.car_kg_per_km(store)
    times = pack.headline["baseline_kg"] / per_km / 1.609344 / 24901
    assert said == f"= {times:,.0f} times round the Earth in an average car a year"


# ---------------------------------------------------------------------------------------------
# An accessible document: the HTML's structure, the PDF's tags, fonts and Unicode
# ---------------------------------------------------------------------------------------------
class _Outline(HTMLParser):
    """What an accessibility check reads from the HTML: language, title, headings, headers, images."""

    def __init__(self):
        super().__init__()
        self.lang, self.title, self.headings, self.th, self.alts, self.items = None, "", [], [], [], 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        elif tag == "th":
            self.th.append(a.get("scope"))
        elif tag == "img":
            self.alts.append(a.get("alt", ""))
        elif tag == "li":
            self.items += 1
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


def test_html_pack_is_an_accessible_document(pack, pictures):
    html = pf.to_html(pack, pictures)
    doc = _Outline()
    doc.feed(html)
    assert doc.lang == "en-GB" and doc.title == "Board pack: Demo: a board's route to net zero"
    # one h1, and the outline never skips a level (h2 under h1, h3 under h2)
    assert doc.headings[0] == 1 and doc.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(doc.headings, doc.headings[1:])), doc.headings
    assert doc.th and all(scope == "col" for scope in doc.th)
    assert len(doc.alts) == 5 and all(alt.startswith("Chart: ") and len(alt) > 60 for alt in doc.alts)
    assert doc.items >= 5 + 6 + 8  # verdicts, gaps, caveats and the assumptions are real lists
    assert "justify" not in html  # left-aligned text, no rivers of space
    # no target or milestone id anywhere: targets are named in words (factor ids stay in the sources
    # appendix, as the way back to the factor library)
    assert "nhs_scotland" not in html and "carbon_value_" not in html and "price of " not in html


def _pdf_objects(data: bytes) -> bytes:
    """The PDF's bytes with every compressed stream (object streams included) inflated."""
    parts = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue  # not a Flate stream
    return b"\n".join(parts)


def test_pdf_is_tagged_pdf_ua_with_real_fonts_and_unicode(pack, pictures, tmp_path):
    path = tmp_path / "pack.pdf"
    data = pf.to_pdf(pack, pictures)
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info and "Title:           Board pack: Demo: a board's route to net zero" in info
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    assert 'pdfuaid:part="1"' in meta  # declares PDF/UA-1 (ISO 14289-1)
    objects = _pdf_objects(data)
    # the catalogue: a structure tree, marked content, the document's language and title shown
    for key in (b"/StructTreeRoot", b"/MarkInfo <</Marked true>>", b"/Lang (en-GB)", b"/DisplayDocTitle true"):
        assert key in objects, key
    # the structure: one title, sections, tables with header cells, lists, and each chart a figure
    # with its alternative text
    assert objects.count(b"/S /H1") == 1 and objects.count(b"/S /H2") >= 10
    assert b"/S /Table" in objects and b"/S /TH" in objects and b"/S /LI" in objects
    assert len(re.findall(rb"/S /Figure.{0,300}?/Alt \(Chart: ", objects, re.S)) == 5
    # real fonts, embedded, with a Unicode map (no core Latin-1 fonts)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(re.search(r"(Liberation|DejaVu)", f) and f.split()[-5:-2] == ["yes", "yes", "yes"]
                         for f in fonts), fonts
    first, second = _page_text(path, 1), _page_text(path, 2)
    # Unicode as typed: the middle dots of the subtitle, the en dash of an empty cell, the pound
    # sign, real bullets
    assert "· GWP basis AR5 ·" in first and "–" in first and "•" in first and "£" in second
    whole = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "nhs_scotland" not in whole


def test_pdf_first_page_is_full_and_its_charts_print_legibly(pack, pictures, tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(pf.to_pdf(pack, pictures))
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "50", "-gray", "-png", str(path), str(tmp_path / "p")],
                   check=True)
    page = np.asarray(Image.open(next(tmp_path.glob("p*.png"))))
    inked = np.flatnonzero((page < 160).any(axis=1))
    footer = inked[-1]  # the page number
    body = inked[inked < footer - 0.02 * page.shape[0]]
    # page 1 runs to the foot of the page (the board footprint, then the verdicts), not half empty
    assert body[-1] > 0.85 * page.shape[0]
    # each chart is printed at about 277 pixels an inch of its 3x image: its 12 px text is 9 pt or more
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    ppi = [int(line.split()[12]) for line in listing.splitlines()[2:] if line.split()[2] == "image"]
    assert len(ppi) == 5 and all(12 * 3 * 72 / p >= 9 for p in ppi), ppi


def test_the_document_reads_in_words_without_ids_or_raw_numbers(pack, pictures):
    page = pf.to_html(pack, pictures)
    page = re.sub(r"<style>.*?</style>|src='data:[^']*'", "", page, flags=re.S)
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", page))
    # everything before the sources appendix (whose last column is each factor's library id)
    body = text.partition("Sources of every factor used")[0]
    assert not re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b", body)  # no id (nhs_scotland_..., medicine_spend)
    assert not re.findall(r"\d\.\d{3,}|\d[eE][+-]?\d|\b(?:None|nan|NaN|True|False)\b", body)
    # kinds and categories in words; typed amounts with separators
    base = pf.plain("Baseline", bp.tables(pack)["Baseline"]).set_index("Line")
    assert base.loc["Grid electricity", ["Built from", "Category", "How"]].tolist() == [
        "Building energy", "Building energy", "30,000,000 kWh in 2024/25"]
    assert base.loc["Sevoflurane bought", ["Built from", "Category", "How"]].tolist() == [
        "Anaesthetic bought", "Anaesthetic gases", "2,400 bottle"]
    assert base.loc["Ventolin Evohaler (salbutamol pMDI)", "Built from"] == "Library factor"
    ivs = pf.plain("Interventions", bp.tables(pack)["Interventions"]).set_index("Intervention")
    assert ivs.loc["Low-flow anaesthesia", ["Kind", "Category"]].tolist() == ["Reduction", "Anaesthetic gases"]
    # the spreadsheet keeps the names a filter needs
    assert set(bp.tables(pack)["Baseline"]["Built from"]) >= {"factor", "medicine_spend"}


def test_make_and_ci_install_the_system_packages_the_pdf_needs():
    # the error a missing Pango gives names the same Debian packages make system-deps and CI install
    root = Path(__file__).resolve().parents[2]
    make = re.search(r"^PDF_DEPS := (.+)$", (root / "Makefile").read_text(), re.M).group(1).split()
    ci = re.search(r"^for pkg in (.+); do$", (root / ".ci" / "run").read_text(), re.M).group(1).split()
    assert make == ci == list(pf.PDF_SYSTEM_PACKAGES)
    # and they are installed here, as CI installs them
    for pkg in pf.PDF_SYSTEM_PACKAGES:
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True).stdout
        assert status == "install ok installed", pkg
