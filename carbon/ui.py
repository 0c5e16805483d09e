"""The thin layer between pages and the engine: the shared store, the sidebar, and small widgets.

This is the only module of ``carbon`` that imports streamlit. It computes nothing.
"""

from __future__ import annotations

import streamlit as st

from carbon import factors as fx
from carbon.store import StoreLockedError, db_path


@st.cache_resource(show_spinner="Opening the database…")
def _store(path: str):
    return fx.open_store(path)


def store():
    """The process-wide store (one DuckDB connection, a cursor per session thread)."""
    try:
        return _store(str(db_path()))
    except StoreLockedError as exc:
        st.error(str(exc))
        st.stop()
    except fx.LibraryError as exc:
        st.error("The factor library in factors/ has problems, so the app cannot start:")
        st.code("\n".join(str(p) for p in exc.problems[:30]))
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


def download_csv(label: str, df, file_name: str, key: str | None = None) -> None:
    """A download button for a frame as spreadsheet-safe CSV."""
    from carbon.reports import to_csv

    st.download_button(label, to_csv(df), file_name=file_name, mime="text/csv", key=key)
