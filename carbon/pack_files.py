"""The board pack as files: PDF, HTML, CSV and Excel, all written from one ``boardpack.Pack``.

Page 1 (the top of the HTML) is the board footprint: the table by source for the reporting year
beside the year before, and a plain-words verdict against each target. Charts are the app's own
Altair charts, drawn to PNG by vl-convert; the PDF is laid out with fpdf2 in its core fonts (text
is mapped to Latin-1).
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from carbon import board
from carbon.boardpack import (Pack, chart_note, display, figures, gap_sentences, headline_text,
                              numbers, tables)
from carbon.reports import to_csv, to_excel


def to_numbers_csv(pack: Pack) -> str:
    return to_csv(numbers(pack))


def to_xlsx(pack: Pack) -> bytes:
    """A workbook: the tidy numbers, then one sheet per table of the pack."""
    return to_excel({"Numbers": numbers(pack), **tables(pack)})


def png(chart, scale: float = 2.0) -> bytes:
    """A chart as PNG bytes (vl-convert, no browser needed)."""
    import vl_convert as vlc  # here, not at the top: it takes a second to load and only files need it

    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)


def images(pack: Pack) -> dict[str, bytes]:
    return {title: png(chart) for title, chart in figures(pack).items()}


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
_CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:1000px;color:#222}
h1{margin-bottom:0}.sub{color:#555}
.boxes{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}
.box{border:1px solid #ccc;border-radius:6px;padding:.7em 1em;min-width:200px;flex:1}
.box .n{font-size:1.8em;font-weight:bold}.box .s{font-size:.85em;color:#555}
.notes{font-size:.8em;color:#555}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}
img{max-width:100%}.caveat{background:#fff7e0;padding:.5em 1em;border-left:4px solid #E69F00}
"""

#: Tables shown in the HTML and PDF (the year-by-category detail is in the CSV and Excel files).
SHOWN = ("Headline", "Targets", "Interventions", "Baseline", "Trajectory")


def subtitle(pack: Pack) -> str:
    s = pack.scenario
    return (f"Generated {pack.generated} · GWP basis {pack.basis} · baseline {s.baseline_period.label} to "
            f"{s.label(s.end_year)} · demand growth {s.growth_pct:g}% a year · targets: {pack.assessment.target_set}")


def board_heading(pack: Pack) -> str:
    bv = pack.board
    return f"Footprint by source, {bv.year} beside {bv.previous}"


def to_html(pack: Pack, pictures: dict[str, bytes] | None = None) -> str:
    """A self-contained HTML page (charts embedded as PNG)."""
    pictures = images(pack) if pictures is None else pictures
    s = pack.scenario
    e = html.escape
    t = tables(pack)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Board pack: {e(s.name)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>Board pack: {e(s.name)}</h1>",
             f"<p class='sub'>{e(s.description)}</p>",
             f"<p class='sub'>{e(subtitle(pack))}</p>",
             f"<h2>{e(board_heading(pack))}</h2>",
             display(t["Board footprint"]).to_html(index=False, escape=True, border=0),
             "<h3>Against each target</h3><ul>", *[f"<li>{e(v)}</li>" for v in board.verdicts(pack.board)], "</ul>",
             "<ul class='notes'>", *[f"<li>{e(n)}</li>" for n in pack.board.notes], "</ul>",
             "<h2>The scenario</h2><div class='boxes'>"]
    parts += [f"<div class='box'><div>{e(a)}</div><div class='n'>{e(b)}</div><div class='s'>{e(c)}</div></div>"
              for a, b, c in headline_text(pack)]
    parts.append("</div><h2>Against the targets</h2><ul>")
    parts += [f"<li>{e(x)}</li>" for x in gap_sentences(pack)]
    parts.append("</ul>")
    for title, data in pictures.items():
        parts.append(f"<h2>{e(title)}</h2><img alt='{e(title)}' src='data:image/png;base64,"
                     f"{base64.b64encode(data).decode()}'><p class='sub'>{e(chart_note(title))}</p>")
    caveats = [(r.name, r.caveat) for r in pack.appraisal.itertuples() if isinstance(r.caveat, str) and r.caveat]
    if caveats:
        parts.append("<h2>Swaps only where clinically appropriate</h2><div class='caveat'><ul>")
        parts += [f"<li><b>{e(n)}</b>: {e(c)}</li>" for n, c in caveats]
        parts.append("</ul></div>")
    for name in SHOWN:
        parts.append(f"<h2>{e(name)}</h2>" + display(t[name]).to_html(index=False, escape=True, border=0))
    parts.append("<h2>Assumptions</h2><ol>" + "".join(f"<li>{e(a)}</li>" for a in pack.assumptions) + "</ol>")
    src = t["Sources"].copy()
    parts.append("<h2>Sources of every factor used</h2>" + display(src).to_html(index=False, escape=True, border=0))
    parts.append("</body></html>")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------
_LATIN1 = str.maketrans({"−": "-", "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
                         "≤": "<=", "≥": ">=", "₂": "2", "·": "-", "→": "->", "\u00a0": " "})


def _t(text) -> str:
    """Text the PDF core fonts can draw (Latin-1)."""
    return str(text).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def to_pdf(pack: Pack, pictures: dict[str, bytes] | None = None) -> bytes:
    """A4 PDF: headline and gaps, the charts, the tables, assumptions and sources."""
    from fpdf import FPDF  # here, not at the top: only a PDF needs it, and it is slow to load

    pictures = images(pack) if pictures is None else pictures
    s = pack.scenario
    t = tables(pack)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_t(f"Board pack: {s.name}"))
    pdf.set_author("Care-pathway carbon calculator")
    pdf.add_page()
    width = pdf.epw

    def heading(text, size=13):
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, 7, _t(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def para(text, size=9, style=""):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, 4.5, _t(text), new_x="LMARGIN", new_y="NEXT")

    heading(f"Board pack: {s.name}", 16)
    para(s.description, 8)
    para(subtitle(pack), 7, "I")
    pdf.ln(2)
    # page 1: the board footprint and a verdict against each target
    heading(board_heading(pack), 12)
    _table(pdf, display(t["Board footprint"]), _t, font=7.5, bold_last=True)
    pdf.ln(2)
    heading("Against each target", 11)
    for line in board.verdicts(pack.board):
        para("- " + line, 8)
    pdf.ln(1)
    for note in pack.board.notes:
        para(note, 6.5, "I")
    pdf.add_page()
    heading("The scenario", 13)
    for label, big, small in headline_text(pack):
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(width * 0.45, 8, _t(label))
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(width * 0.55, 8, _t(big), new_x="LMARGIN", new_y="NEXT")
        if small:
            para(small, 8, "I")
    pdf.ln(2)
    heading("Against the targets")
    for line in gap_sentences(pack):
        para("- " + line)
    for i, (title, data) in enumerate(pictures.items()):
        if i % 2 == 0:
            pdf.add_page()
        heading(title)
        pdf.image(io.BytesIO(data), w=width)
        para(chart_note(title), 8, "I")
        pdf.ln(3)
    caveats = [(r.name, r.caveat) for r in pack.appraisal.itertuples() if isinstance(r.caveat, str) and r.caveat]
    if caveats:
        pdf.ln(3)
        heading("Swaps only where clinically appropriate", 11)
        for n, c in caveats:
            para(f"{n}: {c}", 8)
    for name in SHOWN:
        wide = name in ("Interventions", "Baseline")
        if wide or name == SHOWN[0] or pdf.cur_orientation == "L":
            pdf.add_page(orientation="L" if wide else "P")
        else:
            pdf.ln(4)
        heading(name)
        _table(pdf, display(t[name]), _t)
    pdf.add_page(orientation="P")
    heading("Assumptions")
    for i, a in enumerate(pack.assumptions, 1):
        para(f"{i}. {a}")
    pdf.add_page(orientation="L")
    heading("Sources of every factor used")
    src = display(t["Sources"][["Used as", "Id", "Value", "Unit", "Publisher", "Title", "Year", "Address"]])
    _table(pdf, src, _t, font=6)
    return bytes(pdf.output())


def _table(pdf, df: pd.DataFrame, clean, font: float = 7, bold_last: bool = False) -> None:
    """A table that fits the page width; long text wraps inside its cell (``bold_last``: a total row)."""
    from fpdf.fonts import FontFace  # here, not at the top: only a PDF needs fpdf, and it is slow to load

    pdf.set_font("Helvetica", "", font)
    widths = _col_widths(pdf, df, clean)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=font * 0.5, width=pdf.epw,
                   first_row_as_headings=True) as table:
        head = table.row()
        for c in df.columns:
            head.cell(clean(c))
        for i, values in enumerate(df.itertuples(index=False)):
            style = FontFace(emphasis="BOLD") if bold_last and i == len(df) - 1 else None
            row = table.row(style=style)
            for v in values:
                row.cell(clean(v))


def _col_widths(pdf, df: pd.DataFrame, clean) -> list[float]:
    """Column widths (mm) for ``df`` at the current font: each column at least as wide as its
    longest word (so ``2028`` and ``Reduction`` are never broken mid-word), the rest of the page
    width shared in proportion to how much longer each column's text is (cut at 60 characters)."""
    pad = 2.5  # mm: the cell's padding on both sides and its rules
    cap = pdf.epw * 0.3  # a URL is one long word: let it wrap rather than take the page

    def measure(text: str) -> tuple[float, float]:
        text = clean(text)
        words = text.split() or [""]
        return max(pdf.get_string_width(w) for w in words), pdf.get_string_width(text[:60])

    least, want = [], []
    for c in df.columns:
        sizes = [measure(str(c))] + [measure(str(v)) for v in df[c]]
        head_word = sizes[0][0] * 1.12  # headings are bold
        least.append(min(max([head_word] + [w for w, _ in sizes[1:]]) + pad, cap))
        want.append(max(f for _, f in sizes) + pad)
    spare = pdf.epw - sum(least)
    if spare <= 0:
        return [w * pdf.epw / sum(least) for w in least]
    extra = [max(w - m, 0.0) for w, m in zip(want, least)]
    room = sum(extra)
    if room <= spare:  # everything fits on one line: share what is left evenly
        return [m + e + (spare - room) / len(least) for m, e in zip(least, extra)]
    return [m + spare * e / room for m, e in zip(least, extra)]


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
