"""The board pack as files: PDF, HTML, CSV and Excel, all written from one ``boardpack.Pack``.

The HTML is the document: ``lang``, one ``h1`` and a heading outline without gaps, tables with
``th scope="col"`` headers, real lists, figures with alternative text, print CSS for A4 (page 1
the board footprint and a verdict against each target; numbered pages). The PDF is that HTML
rendered by WeasyPrint as PDF/UA-1: tagged (a structure tree of headings, paragraphs, lists,
tables and figures), its language and title set, with real fonts embedded (Liberation Sans or
DejaVu Sans from the system, so any Unicode the text holds is drawn). Charts are the app's own Altair
charts, drawn to PNG by vl-convert. No id appears in the document but in the last appendix, where
each factor's library id is how a figure is traced back to ``factors/``.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd

from carbon import board, kinds
from carbon.boardpack import (Pack, chart_note, display, figures, gap_sentences, headline_text,
                              numbers, tables)
from carbon.errors import CarbonError, Problem
from carbon.reports import to_csv, to_excel

#: What the PDF is: PDF/UA-1 (ISO 14289-1), which makes WeasyPrint tag it.
PDF_VARIANT = "pdf/ua-1"
LANG = "en-GB"
#: Debian's packages WeasyPrint needs (the Makefile's PDF_DEPS and .ci/run install them).
PDF_SYSTEM_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-liberation",
                       "fonts-dejavu-core")


def to_numbers_csv(pack: Pack) -> str:
    return to_csv(numbers(pack))


def to_xlsx(pack: Pack) -> bytes:
    """A workbook: the tidy numbers, then one sheet per table of the pack."""
    return to_excel({"Numbers": numbers(pack), **tables(pack)})


def png(chart, scale: float = 3.0) -> bytes:
    """A chart as PNG bytes (vl-convert, no browser needed); ``scale`` 3 prints at about 270 dpi."""
    import vl_convert as vlc  # here, not at the top: it takes a second to load and only files need it

    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)


def images(pack: Pack) -> dict[str, bytes]:
    return {title: png(chart) for title, chart in figures(pack).items()}


def subtitle(pack: Pack) -> str:
    s = pack.scenario
    return (f"Generated {pack.generated} · GWP basis {pack.basis} · baseline {s.baseline_period.label} to "
            f"{s.label(s.end_year)} · demand growth {s.growth_pct:g}% a year · targets: {pack.assessment.target_set}")


def board_heading(pack: Pack) -> str:
    bv = pack.board
    return f"Footprint by source, {bv.year} beside {bv.previous}"


# ---------------------------------------------------------------------------------------------
# The document's tables: which are shown, without which columns
# ---------------------------------------------------------------------------------------------
#: Tables shown in the HTML and PDF (the year-by-category detail and the MACC's are in the CSV and
#: Excel files), with the columns the document leaves to those files (ids and factor lists).
SHOWN = {"Headline": (), "Targets": ("Id",), "Interventions": (), "Baseline": ("Factors",), "Trajectory": ()}
#: Tables set on landscape pages (wide).
WIDE = ("Interventions", "Baseline", "Sources")
SOURCE_COLUMNS = ["Used as", "Name", "Value", "Unit", "Publisher", "Title", "Year", "Address", "Id"]
#: Rows of the appendix that are rows of the factor library (``carbon factors show ID`` finds them).
LIBRARY_ROWS = ("emission factor", "constant", "GWP", "price")


#: An intervention's kind in words.
INTERVENTION_KINDS = {"swap": "Swap", "reduction": "Reduction"}


def kind_label(kind: str) -> str:
    """A kind of baseline line in a few words: its label up to the first bracket or colon
    ("Library factor (quantity × factor)" -> "Library factor")."""
    label = kinds.labels().get(kind, kind.replace("_", " ").capitalize())
    return re.split(r" \(|: ", label, maxsplit=1)[0]


def category_label(category: str) -> str:
    """A scenario category in the board footprint's words ("inhaler" -> "Inhalers")."""
    return board.LABELS[board.source_of(pd.Series([category])).iloc[0]]


def _separated(text: str) -> str:
    """Typed amounts with thousands separators ("30000000 kWh" -> "30,000,000 kWh", "2400 bottle" ->
    "2,400 bottle"); a year ("in 2024/25", "by 2030") is left as it is."""
    return re.sub(r"(?<![\d.,])(?:\d{5,}|(?<!in )(?<!by )\d{4}(?= [A-Za-z]))(?![\d,])",
                  lambda m: f"{int(m.group()):,}", text)


def plain(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """A table of the pack as the document shows it: kinds and categories in words, typed amounts
    separated (the CSV and Excel files keep the names a filter needs)."""
    out = df.copy()
    if "Category" in out:
        out["Category"] = out["Category"].astype(str).map(category_label)
    if name == "Interventions":
        out["Kind"] = out["Kind"].map(lambda k: INTERVENTION_KINDS.get(k, str(k).capitalize()))
    if name == "Baseline":
        out["Built from"] = out["Built from"].astype(str).map(kind_label)
        out["How"] = out["How"].fillna("").astype(str).map(_separated)
    return out


def _numeric(col: str) -> bool:
    return any(k in col for k in ("(tCO2e)", "(GBP)", "(%)", "tCO2e)", "GBP)")) or col in ("Year", "Start", "Full by",
                                                                                          "Value")


NUM = " class='num'"


def _cell(col: str, text: str) -> str:
    # a hyphen-minus, not U+2212, so a number copied from the pack into a spreadsheet is a number
    text = text.replace("−", "-") if _numeric(col) else text
    cls = NUM if _numeric(col) else {"Address": " class='url'", "Target": " class='keep'"}.get(col, "")
    return f"<td{cls}>{html.escape(text)}</td>"


def html_table(df: pd.DataFrame, caption: str = "", total_row: bool = False, widths: list[int] | None = None) -> str:
    """A table with a caption, column headers (``th scope="col"``) and numbers aligned right;
    ``total_row``: the last row is the total (bold, ruled above); ``widths``: each column's % of the width."""
    shown = display(df)
    head = "".join(f"<th scope='col'{NUM if _numeric(c) else ''}>{html.escape(c)}</th>" for c in shown.columns)
    rows = []
    for i, values in enumerate(shown.itertuples(index=False)):
        cls = " class='total'" if total_row and i == len(shown) - 1 else ""
        rows.append(f"<tr{cls}>" + "".join(_cell(c, v) for c, v in zip(shown.columns, values)) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    if widths:
        cap += "<colgroup>" + "".join(f"<col style='width:{w}%'>" for w in widths) + "</colgroup>"
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


# ---------------------------------------------------------------------------------------------
# HTML: the document
# ---------------------------------------------------------------------------------------------
_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-left { content: string(packname); font-size: 8pt; color: #444 }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #444 } }
@page wide { size: A4 landscape; margin: 14mm 14mm 16mm 14mm }
html { font-family: "Liberation Sans", "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1a1a1a;
  font-size: 10pt; line-height: 1.4; text-align: left; hyphens: manual }
@media screen { body { max-width: 1000px; margin: 2em auto; padding: 0 1em; font-size: 11pt } }
h1 { font-size: 20pt; margin: 0 0 2mm; string-set: packname content() }
h2 { font-size: 14pt; margin: 5mm 0 2mm; break-after: avoid }
h3 { font-size: 11.5pt; margin: 5mm 0 1.5mm; break-after: avoid }
p { margin: 0 0 2mm }
.lede { font-size: 11pt; margin-bottom: 1mm }
.meta, .unit { color: #444; font-size: 9pt }
ul, ol { margin: 1mm 0 3mm; padding-left: 6mm }
ul { list-style-type: disc }
li { margin: 0 0 1.3mm; padding-left: 1mm }
.notes li { font-size: 8pt; line-height: 1.3; color: #333; margin-bottom: 0.5mm }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9pt }
caption { text-align: left; font-weight: bold; margin-bottom: 1.5mm; caption-side: top }
th, td { border-bottom: 0.5pt solid #b0b0b0; padding: 1.6mm 2mm; text-align: left; vertical-align: top }
thead th { background: #e8edf3; border-bottom: 1.2pt solid #1a1a1a; font-weight: bold }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums }
thead th.num { white-space: normal }
td.url { overflow-wrap: anywhere; font-size: 7.5pt }
td.keep { white-space: nowrap }
tr.total td { font-weight: bold; border-top: 1.2pt solid #1a1a1a }
tr { break-inside: avoid }
.board table { font-size: 9.5pt; margin-bottom: 2mm }
.board th, .board td { padding: 1mm 1.6mm }
.charts, .tables { break-before: page }
.tables + .tables { break-before: auto }
.boxes { display: grid; grid-template-columns: 1fr 1fr; gap: 2.5mm; margin: 2mm 0 3mm }
.box { border: 0.75pt solid #9a9a9a; border-radius: 2mm; padding: 1.8mm 3mm; break-inside: avoid }
.box p { margin: 0 }
.box .n { font-size: 15pt; font-weight: bold; margin: 0.6mm 0 }
.box .s { font-size: 8.5pt; color: #333; margin: 0 }
figure { margin: 0 0 5mm; break-inside: avoid }
figure img { width: 100%; display: block }
figcaption { font-size: 8.5pt; color: #333; margin-top: 1.5mm }
section.chart { break-inside: avoid }
section.chart:nth-of-type(odd) { break-before: page }
section.chart:first-of-type { break-before: auto }
.caveats { border-left: 1.5mm solid #D55E00; padding: 0.5mm 0 1mm 4mm; margin: 4mm 0 }
.caveats h2 { margin-top: 1mm }
.wide { page: wide; break-before: page }
.wide table { font-size: 8pt }
.wide th, .wide td { padding: 1mm 1.4mm }
@media screen { img { max-width: 100% } .boxes { grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)) } }
"""


def _e(text) -> str:
    return html.escape(str(text))


def _alt(title: str) -> str:
    """A chart's alternative text: what it shows and where its figures are in words and numbers."""
    return (f"Chart: {title}. {chart_note(title)} The figures are in this pack's tables "
            f"and in its CSV and Excel files.")


def to_html(pack: Pack, pictures: dict[str, bytes] | None = None) -> str:
    """A self-contained HTML document (charts embedded as PNG): the pack to read on screen, and the
    source of the PDF."""
    pictures = images(pack) if pictures is None else pictures
    s, t, bv = pack.scenario, tables(pack), pack.board
    out = [f"<!doctype html><html lang='{LANG}'><head><meta charset='utf-8'>"
           f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
           f"<title>Board pack: {_e(s.name)}</title><meta name='author' content='Care-pathway carbon calculator'>"
           f"<meta name='description' content='{_e(s.description)}'><style>{_CSS}</style></head><body>",
           "<header>", f"<h1>Board pack: {_e(s.name)}</h1>"]
    if s.description:
        out.append(f"<p class='lede'>{_e(s.description)}</p>")
    out += [f"<p class='meta'>{_e(subtitle(pack))}</p>", "</header><main>",
            # page 1: the board footprint, and a verdict against each target in words
            "<section class='board'>", f"<h2>{_e(board_heading(pack))}</h2>",
            f"<p class='unit'>Tonnes CO2e a year, by source; targets: {_e(bv.target_set)}.</p>",
            html_table(board.display_table(bv), total_row=True, widths=[19, 10, 10, 8, 32, 10, 11]),
            "<h3>Against each target</h3><ul class='verdicts'>",
            *[f"<li>{_e(v)}</li>" for v in board.verdicts(bv)], "</ul>",
            "<h3>How to read this page</h3><ul class='notes'>", *[f"<li>{_e(n)}</li>" for n in bv.notes],
            "</ul></section>",
            "<section class='scenario'><h2>The scenario</h2><div class='boxes'>"]
    out += [f"<div class='box'><p>{_e(a)}</p><p class='n'>{_e(b)}</p>" + (f"<p class='s'>{_e(c)}</p>" if c else "")
            + "</div>" for a, b, c in headline_text(pack)]
    out += ["</div><h3>Against the targets</h3><ul>", *[f"<li>{_e(x)}</li>" for x in gap_sentences(pack, ids=False)],
            "</ul></section><div class='charts'>"]
    for title, data in pictures.items():
        out.append(f"<section class='chart'><h2>{_e(title)}</h2><figure><img alt='{_e(_alt(title))}' "
                   f"src='data:image/png;base64,{base64.b64encode(data).decode()}'>"
                   f"<figcaption>{_e(chart_note(title))}</figcaption></figure></section>")
    out.append("</div>")
    caveats = [(r.name, r.caveat) for r in pack.appraisal.itertuples() if isinstance(r.caveat, str) and r.caveat]
    if caveats:
        out += ["<section class='caveats'><h2>Swaps only where clinically appropriate</h2><ul>",
                *[f"<li><strong>{_e(n)}</strong>: {_e(c)}</li>" for n, c in caveats], "</ul></section>"]
    for name, dropped in SHOWN.items():
        cls = "wide" if name in WIDE else "tables"
        out.append(f"<section class='{cls}'><h2>{_e(name)}</h2>"
                   + html_table(plain(name, t[name].drop(columns=list(dropped))), _CAPTIONS.get(name, ""),
                                widths=_WIDTHS.get(name))
                   + "</section>")
    out.append("<section class='tables'><h2>Assumptions</h2><ol>"
               + "".join(f"<li>{_e(a)}</li>" for a in pack.assumptions) + "</ol></section>")
    src = t["Sources"][SOURCE_COLUMNS].copy()
    # only a row of the factor library has an id to look up; a target, carbon value or rate is named in words
    src.loc[~src["Used as"].isin(LIBRARY_ROWS), "Id"] = ""
    src = src.rename(columns={"Id": "Factor library id"})
    out.append("<section class='wide'><h2>Sources of every factor used</h2>"
               "<p>Each factor, constant, GWP, target, carbon value, discount rate and price the pack used, with "
               "its published source. The last column is a factor's id in the factor library, to look it up "
               "(<code>carbon factors show ID</code>).</p>"
               + html_table(src, widths=[8, 16, 6, 7, 12, 21, 5, 14, 11]) + "</section>")
    out.append("</main></body></html>")
    return "\n".join(out)


_CAPTIONS = {
    "Headline": "Total emissions in the baseline, milestone and end years (tCO2e a year).",
    "Targets": "Each milestone of the target set: its level, the scenario's projection and the gap.",
    "Interventions": "Each intervention over the appraisal period, with its caveat.",
    "Baseline": "The lines that make the baseline year's emissions.",
    "Trajectory": "Total emissions year by year (tCO2e a year).",
}


#: Column widths (% of the page) where the automatic layout squeezes the words.
_WIDTHS = {"Targets": [21, 10, 6, 9, 8, 9, 8, 5, 24], "Baseline": [23, 19, 14, 7, 6, 6, 25]}


# ---------------------------------------------------------------------------------------------
# PDF: the HTML, rendered and tagged
# ---------------------------------------------------------------------------------------------
def to_pdf(pack: Pack, pictures: dict[str, bytes] | None = None) -> bytes:
    """A4 PDF/UA-1 of the HTML document: tagged, with its language, title and fonts embedded."""
    try:
        from weasyprint import HTML  # here, not at the top: it takes a second to load and only a PDF needs it
    except OSError as exc:  # WeasyPrint loads Pango when imported
        raise CarbonError(Problem("PDF board pack", None, f"WeasyPrint cannot load its system libraries ({exc})",
                                  "run `make system-deps`, or apt-get install " + " ".join(PDF_SYSTEM_PACKAGES)
                                  + "; the HTML, CSV and Excel packs need none of them")) from exc
    return HTML(string=to_html(pack, pictures)).write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True,
                                                          custom_metadata=True)


def write(pack: Pack, path) -> str:
    """Write the pack to ``path`` in the format its suffix names (.pdf, .html, .csv, .xlsx); returns it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        path.write_bytes(to_pdf(pack))
    elif suffix in (".html", ".htm"):
        path.write_text(to_html(pack), encoding="utf-8")
    elif suffix == ".csv":
        path.write_text(to_numbers_csv(pack), encoding="utf-8")
    elif suffix == ".xlsx":
        path.write_bytes(to_xlsx(pack))
    else:
        raise ValueError(f"{path.name}: the board pack can be written as .pdf, .html, .csv or .xlsx")
    return str(path)
