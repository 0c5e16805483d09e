"""Streamlit entry point: navigation over pages/ and the sidebar every page shares.

Run with ``make run`` (or ``streamlit run app.py``). Pages are discovered from ``pages/``
in file-name order; a page's title comes from its file name. Each page draws the shared
sidebar through ``carbon.ui.setup()``.
"""

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="Care-pathway carbon calculator", page_icon="🌿", layout="wide")

PAGES_DIR = Path(__file__).parent / "pages"
pages = [st.Page(str(p)) for p in sorted(PAGES_DIR.glob("[0-9]*.py"))]
st.navigation(pages).run()
