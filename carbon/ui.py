"""The thin layer between pages and the engine: the shared store, who is signed in, the sidebar, and
small widgets.

This is the only module of ``carbon`` that imports streamlit. It computes nothing.
"""

from __future__ import annotations

import re

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from carbon import auth, bootstrap
from carbon import factors as fx
from carbon.errors import CarbonError
from carbon.reports import to_csv
from carbon.store import StoreLockedError, db_path


@st.cache_resource(show_spinner="Opening the database…")
def _store(path: str):
    s = bootstrap.open_store(path)
    s.yield_to_others = True  # a `carbon` command waiting for the file goes before new reruns
    s.guard = _guard  # every write checks the signed-in person's role, whichever page asks
    return s


def store():
    """The process-wide store (one DuckDB connection while reruns use it, a cursor per session thread)."""
    try:
        return _store(str(db_path()))
    except StoreLockedError as exc:
        st.error(str(exc))
        st.stop()
    except fx.LibraryError as exc:
        show_error(exc, "The factor library in factors/ has problems, so the app cannot start")
        st.stop()


# -- who is using the app ------------------------------------------------------------------------
def signing_in() -> bool:
    """Whether sign-in is configured (an [auth] section in the secrets): the shared-server mode."""
    return "is_logged_in" in st.user


def identity() -> auth.Identity:
    """The person this session works for: the signed-in account (role from the roles file), or in
    local mode the operating-system account running the app."""
    if not signing_in():
        return auth.local_identity()
    if not st.user.get("is_logged_in"):
        return auth.ANONYMOUS
    return auth.signed_in(st.user.to_dict(), auth.load_roles())


def _guard(needs: str) -> None:
    """``Store.guard``: refuse a write from a browser session whose person may not make it."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return  # not a browser session's thread: start-up work
    auth.require(identity(), needs)


def can(needs: str) -> bool:
    """Whether this session's person may do an action needing ``needs`` ("edit" or "admin")."""
    try:
        return identity().can(needs)
    except auth.RolesFileError:
        return False


def not_allowed_note(needs: str) -> str:
    """Why a button is greyed out, in words."""
    me = identity()
    need = "an editor or an admin" if needs == "edit" else "an admin"
    return (f"Signed in as {_plain(me.describe())} with the {me.role or 'no'} role: only {need} may "
            f"{'save or import' if needs == 'edit' else 'delete or change factors'} here.")


def door() -> bool:
    """Whether this session may see the pages: always in local mode; in server mode, once signed in
    with a role. app.py shows ``door_page`` instead of the pages when it is False.

    Local mode on a non-loopback address (the app listening on the network with no sign-in set up)
    is refused too.
    """
    if not signing_in():
        return not _listens_beyond_loopback()
    if not st.user.get("is_logged_in"):
        return False
    try:
        return identity().role is not None
    except auth.RolesFileError:
        return False


def door_page() -> None:
    """What someone outside the door sees: why, and how to get in."""
    st.title("Care-pathway carbon calculator")
    if not signing_in():
        st.error("This app is listening on the network but sign-in is not set up, so it will not open. "
                 "Use `make serve` with an [auth] section in .streamlit/secrets.toml (README: Running on a "
                 "shared server), or `make run` to use it on this computer only.")
        return
    if not st.user.get("is_logged_in"):
        st.write("Sign in with your organisation's account to continue.")
        st.button("Sign in", type="primary", key="sign_in", on_click=st.login)
        return
    try:
        me = identity()
    except auth.RolesFileError:  # its lines name people, so they are not shown here
        st.error("The roles file has problems, so nobody can be let in until an admin fixes it "
                 "(`python -m carbon.auth check` on the server lists them).")
        return
    st.warning(f"You are signed in as {_plain(me.describe())}, but this account has no role here. "
               "Ask an admin to add you to the roles file.")
    st.button("Sign out", key="sign_out_refused", on_click=st.logout)


def _listens_beyond_loopback() -> bool:
    address = (st.get_option("server.address") or "").strip()
    return address not in ("127.0.0.1", "localhost", "::1") and not address.startswith("127.")


def setup():
    """Call first on every page: the shared sidebar, and the store.

    Each page draws the sidebar itself (rather than app.py) so that its widgets belong to the
    page run; the choices live in their own session keys, so they survive moving between pages.
    """
    if not door():  # a page reached without passing app.py's door (a deep link): nothing is shown
        door_page()
        st.stop()
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
    # Widgets get their own keys, seeded from the lasting ones, so a page switch loses nothing.
    st.session_state["_gwp_basis"] = st.session_state["gwp_basis"]
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
        _who_box()
        n = s.execute("SELECT count(*) FROM factor").fetchone()[0]
        st.caption(f"Data set: `{s.path.name}` · {n} factors · schema v{s.schema_version()}")


def _who_box() -> None:
    """Who the audit trail will name: shown, never typed."""
    me = identity()
    if me.source == "local":
        st.caption(f"Working as **{_plain(me.name)}** (this computer's account): saves and overrides are recorded "
                   f"as “{_plain(me.audit)}”. Local mode, for one person on this computer; a shared server signs "
                   "people in (README).")
        return
    st.caption(f"Signed in as **{_plain(me.name)}**" + (f" ({_plain(me.email)})" if me.email and me.email != me.name
                                                          else "")
               + f" · role: **{me.role}**. Saves are recorded under {_plain(me.audit)}.")
    st.button("Sign out", key="sign_out", on_click=st.logout)


def _plain(text: str) -> str:
    """A name from outside shown as text, not markdown."""
    return "".join("\\" + c if c in "\\`*_[]<>#|~$" else c for c in str(text))


def basis() -> str:
    return st.session_state.get("gwp_basis", fx.DEFAULT_BASIS)


def who() -> str:
    """What the audit trail records for this session: the signed-in address, or the local account."""
    return identity().audit


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
