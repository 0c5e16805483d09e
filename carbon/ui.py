"""The thin layer between pages and the engine: the shared store, the sidebar, and small widgets.

This is the only module of ``carbon`` that imports streamlit. It computes nothing.
"""

from __future__ import annotations

import re

import streamlit as st

from carbon import bootstrap
from carbon import factors as fx
from carbon.errors import CarbonError
from carbon.reports import to_csv
from carbon.store import StoreLockedError, db_path


@st.cache_resource(show_spinner="Opening the database…")
def _store(path: str):
    return bootstrap.open_store(path)


def store():
    """The process-wide store (one DuckDB connection, a cursor per session thread)."""
    try:
        return _store(str(db_path()))
    except StoreLockedError as exc:
        st.error(str(exc))
        st.stop()
    except fx.LibraryError as exc:
        show_error(exc, "The factor library in factors/ has problems, so the app cannot start")
        st.stop()


def setup():
    """Call first on every page: the shared sidebar, and the store.

    Each page draws the sidebar itself (rather than app.py) so that its widgets belong to the
    page run; the choices live in their own session keys, so they survive moving between pages.
    """
    s = store()
    _sidebar(s)
    return s


def _keep(widget_key: str, state_key: str) -> None:
    st.session_state[state_key] = st.session_state[widget_key]


def _sidebar(s) -> None:
    """Controls every page shares: the GWP basis, who you are (for the audit trail), the data set."""
    bases = fx.bases(s)
    labels = dict(zip(bases["id"], bases["label"]))
    preferred = ("AR5", "AR6", "AR4", "SA2012")
    order = [b for b in preferred if b in labels] + [b for b in labels if b not in preferred]
    st.session_state.setdefault("gwp_basis", fx.DEFAULT_BASIS if fx.DEFAULT_BASIS in order else order[0])
    st.session_state.setdefault("who", "")
    # Widgets get their own keys, seeded from the lasting ones, so a page switch loses nothing.
    st.session_state["_gwp_basis"] = st.session_state["gwp_basis"]
    st.session_state["_who"] = st.session_state["who"]
    with st.sidebar:
        st.selectbox(
            "GWP basis",
            order,
            format_func=lambda b: f"{b}: {labels[b]}",
            key="_gwp_basis",
            on_change=_keep,
            args=("_gwp_basis", "gwp_basis"),
            help="Global warming potentials used for derived factors (inhaler propellants, anaesthetic "
            "gases). AR5 matches DESNZ and NHS reporting; published mixed-gas figures (travel, waste) "
            "stay on the basis they were published on.",
        )
        st.text_input(
            "Your name (for the audit trail)",
            key="_who",
            on_change=_keep,
            args=("_who", "who"),
            placeholder="e.g. A. Clinician",
        )
        n = s.execute("SELECT count(*) FROM factor").fetchone()[0]
        st.caption(f"Data set: `{s.path.name}` · {n} factors · schema v{s.schema_version()}")


def basis() -> str:
    return st.session_state.get("gwp_basis", fx.DEFAULT_BASIS)


def who() -> str:
    return (st.session_state.get("who") or "").strip()


#: Characters that would make text into markdown: links and images ([ ] !), emphasis (* ~), code,
#: maths ($), HTML (< >), tables and headings. An underscore inside a word is never emphasis.
_MARKDOWN = re.compile(r"([\\`*\[\]#!|<>~$])")


def plain(text) -> str:
    """Text to show as it is: markdown characters escaped, so a name or a message never becomes a link."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def show_error(exc: Exception, intro: str = "") -> None:
    """An engine error the same way on every page: the headline, then each problem on its own line."""
    lines = exc.lines() if isinstance(exc, CarbonError) else [str(exc)]
    head = intro or (exc.headline[:1].upper() + exc.headline[1:] if isinstance(exc, CarbonError) and exc.headline
                     else "")
    if len(lines) == 1 and not head:
        st.error(plain(lines[0]))
    elif len(lines) == 1:
        st.error(f"{plain(head)}: {plain(lines[0])}")
    else:
        st.error((plain(head) + ":\n\n" if head else "") + "\n".join(f"- {plain(line)}" for line in lines))


def download_csv(label: str, df, file_name: str, key: str | None = None) -> None:
    """A download button for a frame as spreadsheet-safe CSV."""
    st.download_button(label, to_csv(df), file_name=file_name, mime="text/csv", key=key)
