"""Factor library: search the emission factors, see where each comes from and how it is derived,
and keep local overrides with an audit trail."""

import re

import streamlit as st

from carbon import citations, ui
from carbon import factors as fx
from carbon.formatting import number

store = ui.setup()
basis = ui.basis()
lib = fx.library(store)

st.title("Factor library")
st.caption(
    "Every footprint in this tool is built from these factors. Each has a published source; derived "
    "factors show their arithmetic and follow the GWP basis chosen in the sidebar."
)

col_search, col_cat = st.columns([3, 2])
text = col_search.text_input("Search", placeholder="e.g. salbutamol, desflurane, rail", **ui.kept("factor_search"))
cats = fx.categories(store)
category = col_cat.selectbox("Category", ["All categories", *cats], **ui.kept("factor_category"))
table = citations.for_factors(fx.search(store, text, None if category == "All categories" else category, basis), lib)

st.write(f"**{len(table)}** factors on **{basis}**")
ui.table(table[["name", "value", "unit", "citation", "confidence", "low", "high", "category", "address", "basis_used",
                "derived", "overridden", "id", "source_title"]], "factor_table", pin="name",
         hide=["source_title"],
         titles={"name": "Factor", "citation": "Source", "confidence": "How sure", "basis_used": "GWP basis",
                 "id": "Id (for pathway and scenario files)"},
         extra={"citation": st.column_config.TextColumn("Source", width="large"),
                "confidence": st.column_config.TextColumn("How sure", width="medium",
                                                          help="The reference sheet's confidence, in words")})
ui.download_csv("Download these factors (CSV)", table.drop(columns=["source_title"]), f"factors_{basis}.csv",
                key="factor_download")

if table.empty:
    st.info("No factor matches. Try a shorter search or another category.")
    st.stop()

st.divider()
st.subheader("How was this calculated?")
names = dict(zip(table["id"], table["name"]))
if st.session_state.get("factor_detail") not in names:
    ui.put("factor_detail", next(iter(names)))
chosen = st.selectbox("Factor", list(names), format_func=names.get, **ui.kept("factor_detail"))
row = table.set_index("id").loc[chosen]
c1, c2 = st.columns(2)
c1.metric(f"Value on {basis}, {row['unit']}", number(row["value"]), help=row["unit"])
c2.metric(f"Range, {row['unit']}", f"{number(row['low'])} – {number(row['high'])}")
st.caption(f"Id for pathway and scenario files: `{chosen}`")
_ID = re.compile(r"(?<![\w`])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w`])")
for line in lib.explain(chosen, basis):
    # the factors a derived figure is worked out from are named by their ids, shown as ids (code)
    st.markdown("- " + _ID.sub(r"`\1`", ui.plain(line)))
if row["confidence"]:
    st.caption(f"How sure: {row['confidence']}.")
if row["notes"]:
    st.caption(f"Notes: {ui.plain(row['notes'])}")
if isinstance(row["address"], str) and row["address"]:
    st.markdown(f"Source: [{ui.plain(row['citation'])}]({row['address']})")
else:
    st.markdown(f"Source: {ui.plain(row['citation'])}")

st.subheader("Local override")
st.caption(
    "Use a local figure (for example from your supplier or your own audit) instead of the shipped one. "
    "The shipped figure is never changed; every override is recorded with who, when and why, and can be reverted."
)
if row["derived"]:
    st.info("This factor is worked out from others (see above). An override replaces the result on every GWP "
            "basis; to change one of its inputs instead (a GWP, a density, a bottle size), override that factor "
            "and this one follows.")
S = st.session_state
S.setdefault("override_saves", 0)
admin = ui.can("admin")
if not admin:
    st.info(ui.not_allowed_note("admin"))
message = S.pop("override_message", "")  # set just before the rerun that follows a save or revert
if message:
    st.success(ui.plain(message))
# Not cleared on submit: a refused override (no name, no reason) keeps what was typed. The reason box
# gets a fresh key after each save, so it is empty for the next one.
with st.form("override_form"):
    value = st.number_input(f"New value ({row['unit']})", min_value=0.0, value=float(row["value"]), format="%.6g")
    reason = st.text_input("Why (source or reason)", placeholder="e.g. supplier's 2025 product carbon footprint",
                           key=f"override_reason_{S['override_saves']}")
    submitted = st.form_submit_button("Save override", disabled=not admin)
if submitted:
    try:
        fx.set_override(store, chosen, value, reason, ui.who())
    except fx.OverrideError as exc:
        st.error(ui.plain(str(exc)))
    else:
        S["override_saves"] += 1
        S["override_message"] = f"Override saved for {names[chosen]}: {value:,.6g} {row['unit']}."
        st.rerun()

history = fx.override_history(store, chosen)
if not history.empty:
    ui.table(history[["value", "low", "high", "reason", "who", "created_at", "reverted_at", "reverted_by"]],
             "override_history", titles={"reason": "Why"})
    if row["overridden"] and st.button("Revert to the shipped figure", key="revert_override", disabled=not admin):
        fx.revert_override(store, chosen, ui.who())  # the audit trail says who reverted, as it says who overrode
        S["override_message"] = f"Reverted {names[chosen]} to the shipped figure."
        st.rerun()
