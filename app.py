"""Streamlit entry point: the door (sign-in, in server mode), navigation over pages/ and the store.

Run with ``make run`` (this computer only) or ``make serve`` (a shared server with sign-in); see the
README. Pages are discovered from ``pages/`` in file-name order; a page's title comes from its file
name. Each page draws the shared sidebar through ``carbon.ui.setup()``.

Every rerun gives the database file back when it ends (``store.release()``), so the ``carbon``
command can use the same file while the app is open, and the next rerun sees what it wrote.

No traceback reaches a page: the page runs inside ``ui.last_resort``, which logs an unexpected error
with a reference and shows a plain message with that reference instead.
"""

from pathlib import Path

import streamlit as st

from carbon import auth, ui
from carbon.store import StoreLockedError

st.set_page_config(page_title="Care-pathway carbon calculator", page_icon="🌿", layout="wide")

PAGES_DIR = Path(__file__).parent / "pages"
store = ui.store()
try:
    if ui.door():
        ui.last_resort(st.navigation([st.Page(str(p)) for p in sorted(PAGES_DIR.glob("[0-9]*.py"))]).run)
    else:  # in server mode, before signing in: one page, no navigation, no data
        st.navigation([st.Page(ui.door_page, title="Sign in", url_path="sign-in")], position="hidden").run()
except auth.NotAllowed as exc:  # a write the signed-in person's role does not allow: refused by the store
    st.error(f"Refused: {exc}")
except StoreLockedError as exc:
    st.error(f"The database is busy: {exc}")
finally:
    store.release()
