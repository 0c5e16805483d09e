"""Sources as citations and the library's confidence tags in words, for anything a person reads.

``factors/sources.csv`` keeps each title as the reference sheet wrote it: a bracketed author and
title before the journal (``[McGain F, et al. Carbon footprint of ...] Anesthesiology 2021;135:976``),
or a bracketed description of a web page. ``cite`` writes it as a citation (``McGain F, et al.
Carbon footprint of .... Anesthesiology 2021;135:976. American Society of Anesthesiologists, 2021``).
Two of the sources are not documents: the project's reference sheet of figures *not* found in a
primary source, and the calculator's own modelling conventions. Neither is shown as a citation;
``confidence`` says what they mean instead.

Every factor's notes start with the reference sheet's confidence tag (factors/README.md):
``V`` read in the original, ``V2`` in a secondary source, ``D`` derived, ``R`` commonly quoted but
unconfirmed, ``Convention`` the calculator's own. ``confidence`` says it in words and ``notes``
gives the notes without the tag, so no page shows "V2:" as if it were part of a source.
"""

from __future__ import annotations

import re

import pandas as pd

#: Sources that are not documents: what each means in place of a citation.
NOT_DOCUMENTS = {
    "project_reference_sheet": "no primary source (a commonly quoted figure that could not be confirmed)",
    "calculator_convention": "a modelling convention of this calculator (see the notes)",
}
CONFIDENCE = {
    "V": "Read in the original publication",
    "V2": "Read in a secondary source quoting the original",
    "D": "Derived from published figures",
    "R": "Commonly quoted, not confirmed in a primary source (range widened)",
    "Convention": "A modelling convention of this calculator",
}
_TAG = re.compile(r"^\s*(V2|V|D|R|Convention)\b[\s:.,;]*")
_BRACKETED = re.compile(r"^\[(?P<inner>[^\]]*)\]\s*(?P<rest>.*)$")


def cite(publisher: str, title: str, year=None) -> str:
    """A source as a citation: the title without the sheet's brackets, then who published it and when."""
    title = (title or "").strip()
    publisher = (publisher or "").strip()
    when = "" if year is None or pd.isna(year) else f", {int(year)}"
    m = _BRACKETED.match(title)
    if m:
        inner, rest = m.group("inner").strip().rstrip("."), m.group("rest").strip()
        title = f"{inner}. {rest}" if rest else inner
    title = title.replace("[", "").replace("]", "").strip().rstrip(".")
    return f"{title}. {publisher}{when}" if publisher else f"{title}{when}"


def source(lib, sid: str) -> str:
    """The citation of source id ``sid`` in library ``lib`` (``factors.library(store)``), or what a
    non-document source means."""
    if sid in NOT_DOCUMENTS:
        return NOT_DOCUMENTS[sid]
    sources = lib.sources
    if sid not in sources.index:
        return sid
    s = sources.loc[sid]
    return cite(s["publisher"], s["title"], s["year"])


def sources(lib, ids) -> str:
    """Several source ids (a list, or text separated by commas) as citations, one after another."""
    if isinstance(ids, str):
        ids = [i.strip() for i in ids.split(",")]
    return " ".join(source(lib, i) for i in dict.fromkeys(i for i in ids if i))


def tag(notes) -> str:
    """The confidence tag a factor's notes start with ("" if none)."""
    m = _TAG.match(notes) if isinstance(notes, str) else None
    return m.group(1) if m else ""


def confidence(notes, sid: str = "") -> str:
    """A factor's confidence in words, from its notes' tag (or its source, for the reference sheet)."""
    if sid == "project_reference_sheet":
        return CONFIDENCE["R"]
    if sid == "calculator_convention" and not tag(notes):
        return CONFIDENCE["Convention"]
    return CONFIDENCE.get(tag(notes), "")


def notes(text) -> str:
    """A factor's notes without the confidence tag at the start."""
    if not isinstance(text, str):
        return ""
    rest = _TAG.sub("", text, count=1)
    return rest[:1].upper() + rest[1:] if rest else ""


def for_factors(df: pd.DataFrame, lib) -> pd.DataFrame:
    """A frame of factors (``factors.search``) with ``citation``, ``confidence`` and ``notes`` in words."""
    cited = {sid: (lambda c: c[:1].upper() + c[1:])(source(lib, sid)) for sid in df["source"].dropna().unique()}
    return df.assign(citation=df["source"].map(cited),
                     confidence=[confidence(n, s) for n, s in zip(df["notes"], df["source"])],
                     notes=df["notes"].map(notes))
