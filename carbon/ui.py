"""The thin layer between pages and the engine: the shared store, who is signed in, the sidebar, what
the user is doing now (kept across pages), tables and downloads in the one vocabulary, and errors.

This is the only module of ``carbon`` that imports streamlit. It computes nothing.

**Work is kept.** Every input a person sets on a page keeps its value while they visit other pages
and come back, for as long as the browser session lasts: widgets take ``**ui.kept(key)``; a picker
that names saved work (a pathway, a scenario) takes ``ui.kept(key, saved=True)``, which also puts
the choice in the page's address, so a refresh (a new session) reopens the same saved work; tables
people edit go through ``ui.editor``. Unsaved edits are marked with ``ui.unsaved``.
"""

from __future__ import annotations

import logging
import os
import re
import uuid

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from carbon import auth, bootstrap, labels
from carbon import factors as fx
from carbon.errors import CarbonError
from carbon.reports import to_csv, to_excel
from carbon.store import StoreLockedError, db_path

log = logging.getLogger("carbon.app")


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
    return (f"Signed in as {plain(me.describe())} with the {me.role or 'no'} role: only {need} may "
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
    st.warning(f"You are signed in as {plain(me.describe())}, but this account has no role here. "
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
    st.html(_STYLE)
    _sidebar(s)
    return s


#: Headline figures that fit their column from a 1024 px screen up: the metric's big number shrinks
#: with the window (Streamlit's own 2.25rem at 1440 px and wider) instead of being cut short.
_STYLE = """<style>
[data-testid="stMetricValue"] { font-size: clamp(1.35rem, 2.45vw, 2.25rem); }
</style>"""


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
        st.caption(f"Working as **{plain(me.name)}** (this computer's account): saves and overrides are recorded "
                   f"as “{plain(me.audit)}”. Local mode, for one person on this computer; a shared server signs "
                   "people in (README).")
        return
    st.caption(f"Signed in as **{plain(me.name)}**" + (f" ({plain(me.email)})" if me.email and me.email != me.name
                                                          else "")
               + f" · role: **{me.role}**. Saves are recorded under {plain(me.audit)}.")
    st.button("Sign out", key="sign_out", on_click=st.logout)


def basis() -> str:
    return st.session_state.get("gwp_basis", fx.DEFAULT_BASIS)


def who() -> str:
    """What the audit trail records for this session: the signed-in address, or the local account."""
    return identity().audit


#: Characters that would make text into markdown: links and images ([ ] !), emphasis (* ~), code,
#: maths ($), HTML (< >), tables and headings. An underscore inside a word is never emphasis.
_MARKDOWN = re.compile(r"([\\`*\[\]#!|<>~$])")
#: What GitHub-flavoured markdown turns into a link by itself: an address (``https://``, ``www.``) or
#: an e-mail address; an escaped colon, dot or at sign leaves the text as it is, unlinked.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<=\bwww)(\.)|(@)(?=[\w-]+\.)")


def plain(text) -> str:
    """Text from a file or another person (a name, a description, a caveat, an assumption, a message)
    shown exactly as it is: markdown characters escaped, so it never becomes a link, an image, a
    heading or HTML, and an address in it stays words, never a link."""
    escaped = _MARKDOWN.sub(r"\\\1", "" if text is None else str(text))
    return _AUTOLINK.sub(lambda m: "\\" + m.group(0), escaped)


def text(body, caption: bool = False) -> None:
    """Show user text (``plain``) as a paragraph, or a caption."""
    (st.caption if caption else st.markdown)(plain(body))


def bullets(lines) -> None:
    """Show user sentences (assumptions, caveats) as a list, each ``plain``."""
    items = [plain(line) for line in lines if str(line).strip()]
    if items:
        st.markdown("\n".join(f"- {line}" for line in items))


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


def last_resort(page) -> None:
    """Run ``page`` (app.py's page run) so that no traceback ever reaches the page: an unexpected
    error is logged with its detail and a reference, and the page shows a plain message with the
    reference. Streamlit's own stop and rerun pass through (they are not errors)."""
    try:
        page()
    except (auth.NotAllowed, StoreLockedError):
        raise  # app.py says these in words of their own
    except Exception:  # the last resort: anything the page did not expect
        if os.environ.get("CARBON_DEBUG"):  # a developer (and the AppTests) see the traceback
            raise
        ref = uuid.uuid4().hex[:8]
        log.exception("page failed (reference %s)", ref)
        st.error(f"Something went wrong on this page, and it could not be shown. Nothing you saved is lost, and "
                 f"what you typed on other pages is kept. Try again, or go back a step; if it happens again, tell "
                 f"whoever runs this app the reference **{ref}**: the details are in the app's log.")


# -- what the user is doing now, kept across pages and reruns -------------------------------------------------
def kept(key: str, saved: bool = False) -> dict:
    """Keyword arguments for a widget whose value outlives its page for the browser session:
    ``st.text_input("Name", **ui.kept("pw_name"))``. With ``saved=True`` (a picker naming saved work)
    the choice is also in the page's address, so a refresh reopens it."""
    return {"key": key, "persist_state": "session", **({"bind": "query-params"} if saved else {})}


def settle(key: str, options, default, many: bool = False) -> None:
    """Before a kept picker is drawn: keep its choice if it is still an option (a pathway deleted in
    another session is not), else the choice in the page's address (a refresh), else ``default``."""
    options = list(options)
    if many:
        now = st.session_state.get(key)
        if now is None:
            now = st.query_params.get_all(key) or default
        put(key, [o for o in now if o in options])
        return
    now = st.session_state.get(key)
    if now in options:
        return
    asked = st.query_params.get(key)
    put(key, asked if asked in options else default)


def put(key: str, value) -> None:
    """Set what a kept widget will show on its next run (open a pathway, pick a new variant)."""
    st.session_state[key] = value


_EDITORS = "_kept_editors"


def editor(name: str, data: pd.DataFrame, version=None, **kwargs) -> pd.DataFrame:
    """``st.data_editor`` whose edits outlive its page. ``data`` is the table it starts from for this
    ``version`` (another version, e.g. another pathway opened, starts again from its ``data``, under a
    widget key of its own: ``name`` or ``name_version``). Coming back to the page, the editor starts
    from the table as it was left. Returns the edited table."""
    key = name if version is None else f"{name}_{version}"
    memory = st.session_state.setdefault(_EDITORS, {})
    was = memory.get(name)
    if was is None or was[0] != version:
        start = data
    elif key not in st.session_state:  # left the page: its edits went with the widget, the result did not
        start = was[2]
    else:
        start = was[1]
    edited = st.data_editor(start, key=key, **kwargs)
    memory[name] = (version, start, edited)
    return edited


def forget_editor(name: str) -> None:
    """Drop what an editor remembers (when its table is replaced)."""
    st.session_state.get(_EDITORS, {}).pop(name, None)


def unsaved(changed: bool, saved_note: str = "Saved", where=None) -> None:
    """Mark work as unsaved (an orange badge) or as saved, next to what it describes."""
    place = where or st
    if changed:
        place.badge("Unsaved changes", icon=":material/edit:", color="orange")
    elif saved_note:
        place.badge(saved_note, icon=":material/check:", color="green")


# -- tables and downloads in the one vocabulary (carbon/labels.py) ----------------------------------------------
#: How a number column of each of the vocabulary's formats reads on a page (carbon columns: ``_column``).
_NUMBER_FORMATS = {"gbp": "£%,.2f", "count": "%,.0f", "number": "%,.4g", "share": "percent", "pct": "%g%%",
                   "year": "%d"}


def _column(name: str, spec: labels.Label | None, unit: str | None, title: str | None):
    if spec is None:
        return title  # a heading already in words, or a page's own title
    head = title or spec.heading(unit)
    width = spec.width or None
    helptext = spec.help or None
    cc = st.column_config
    fmt = spec.format
    if fmt in labels.HIDDEN:
        return None
    if fmt in ("co2e", "t"):
        return cc.NumberColumn(head, format="%,.2f" if fmt == "co2e" and unit != "t" else "%,.1f", width=width,
                               help=helptext)
    if fmt in _NUMBER_FORMATS:
        return cc.NumberColumn(head, format=_NUMBER_FORMATS[fmt], width=width, help=helptext)
    if fmt == "flag":
        return cc.CheckboxColumn(head, width=width, help=helptext)
    if fmt == "link":
        return cc.LinkColumn(head, display_text="open", width=width, help=helptext)
    return cc.TextColumn(head, width=width, help=helptext)


def columns(df: pd.DataFrame, unit: str | None = None, titles: dict | None = None, hide=()) -> dict:
    """The column settings of ``df`` from the vocabulary: headings with units, number formats, widths,
    help; the library's ids and working columns hidden (still in downloads). ``titles`` renames a
    column for this table (``{"kgCO2e": "Carbon per patient (kgCO2e)"}``)."""
    titles = titles or {}
    config = {}
    for c in df.columns:
        if c in hide:
            config[c] = None
            continue
        spec = None if labels.is_plain(c) else labels.spec(c)
        config[c] = _column(c, spec, unit, titles.get(c))
    return config


def _in_tonnes(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with a tonnes column beside each kilogram carbon column (``cohort_kgCO2e`` gets
    ``cohort_tCO2e``), for a view in tonnes; the kilogram columns stay (hidden) for what reads them."""
    out = {}
    for c in df.columns:
        out[c] = df[c]
        spec = None if labels.is_plain(c) else labels.spec(c)
        if spec is not None and spec.format == "co2e" and "kgCO2e" in str(c):
            t = str(c).replace("kgCO2e", "tCO2e")
            if t not in df.columns:
                out[t] = pd.to_numeric(df[c], errors="coerce") / 1000
    return pd.DataFrame(out, index=df.index)


def table(df: pd.DataFrame, key: str, unit: str | None = None, first=(), titles: dict | None = None, hide=(),
          pin: str | None = None, alt: str | None = None, extra: dict | None = None, **kwargs) -> None:
    """A table as people read it: the vocabulary's headings and formats, a dash for nothing, the
    ``first`` columns straight after the name column (``pin``, shown first) so the figures that
    matter are in view without scrolling sideways. In a view in tonnes (``unit="t"``) each kilogram carbon
    column is shown as tonnes (``first`` may name either). ``extra`` sets a column of this table only
    (a heading that depends on what the table shows)."""
    if unit == "t":
        before = set(df.columns)
        df = _in_tonnes(df)
        twins = {c: str(c).replace("kgCO2e", "tCO2e") for c in before if "kgCO2e" in str(c)
                 and str(c).replace("kgCO2e", "tCO2e") in df.columns and not labels.is_plain(c)}
        hide = [*hide, *twins, *[t for c, t in twins.items() if c in hide and t not in before]]
        first = [str(c).replace("kgCO2e", "tCO2e") for c in first]
        titles = {str(k).replace("kgCO2e", "tCO2e"): str(v).replace("kgCO2e", "tCO2e") for k, v in (titles or {}).items()}
    config = {**columns(df, unit, titles, hide), **(extra or {})}
    shown = [c for c in df.columns if config.get(c, "") is not None]
    order = list(dict.fromkeys([*([pin] if pin in shown else []), *[c for c in first if c in shown], *shown]))
    st.dataframe(df, hide_index=True, width="stretch", key=key, column_config=config, column_order=order,
                 placeholder="–", alt=alt, **kwargs)


def download_csv(label: str, df, file_name: str, key: str | None = None, unit: str | None = None) -> None:
    """A download button for a frame as spreadsheet-safe CSV with plain headings and sensible precision."""
    st.download_button(label, to_csv(labels.export(df, unit)), file_name=file_name, mime="text/csv", key=key)


def download_excel(label: str, sheets: dict, file_name: str, key: str | None = None, where=None) -> None:
    """A download button for frames as an Excel workbook, one sheet each, in the vocabulary."""
    (where or st).download_button(label, to_excel({n: labels.export(f) for n, f in sheets.items()}), file_name,
                                  mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=key)
