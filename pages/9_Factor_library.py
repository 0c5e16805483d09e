"""Factor library: search the emission factors, see where each comes from and how it is derived,
and keep local overrides with an audit trail."""

import streamlit as st

from carbon import factors as fx
from carbon import ui

store = ui.setup()
basis = ui.basis()

st.title("Factor library")
st.caption(
    "Every footprint in this tool is built from these factors. Each has a published source; derived "
    "factors show their arithmetic and follow the GWP basis chosen in the sidebar."
)

col_search, col_cat = st.columns([3, 2])
text = col_search.text_input("Search", placeholder="e.g. salbutamol, desflurane, rail", key="factor_search")
cats = fx.categories(store)
category = col_cat.selectbox("Category", ["All categories", *cats], key="factor_category")
table = fx.search(store, text, None if category == "All categories" else category, basis)

st.write(f"**{len(table)}** factors on **{basis}**")
st.dataframe(
    table[["name", "category", "value", "low", "high", "unit", "basis_used", "derived", "overridden", "source_title", "address", "id"]],
    hide_index=True,
    width="stretch",
    column_config={
        "name": st.column_config.TextColumn("Factor", width="large"),
        "category": "Category",
        "value": st.column_config.NumberColumn("Value", format="%.4g"),
        "low": st.column_config.NumberColumn("Low", format="%.4g"),
        "high": st.column_config.NumberColumn("High", format="%.4g"),
        "unit": "Unit",
        "basis_used": "GWP basis",
        "derived": st.column_config.CheckboxColumn("Derived"),
        "overridden": st.column_config.CheckboxColumn("Local override"),
        "source_title": st.column_config.TextColumn("Source", width="large"),
        "address": st.column_config.LinkColumn("Link", display_text="open"),
        "id": "Id",
    },
    key="factor_table",
)
ui.download_csv("Download these factors (CSV)", table, f"factors_{basis}.csv", key="factor_download")

if table.empty:
    st.info("No factor matches. Try a shorter search or another category.")
    st.stop()

st.divider()
st.subheader("How was this calculated?")
names = dict(zip(table["id"], table["name"]))
chosen = st.selectbox("Factor", list(names), format_func=lambda i: f"{names[i]} ({i})", key="factor_detail")
lib = fx.library(store)
row = table.set_index("id").loc[chosen]
c1, c2, c3 = st.columns(3)
c1.metric(f"Value on {basis}", f"{row['value']:,.4g}", help=row["unit"])
c2.metric("Range", f"{row['low']:,.4g} – {row['high']:,.4g}")
c3.metric("Unit", row["unit"])
for line in lib.explain(chosen, basis):
    st.markdown(f"- {line}")
if isinstance(row["notes"], str) and row["notes"]:
    st.caption(f"Notes: {row['notes']}")
if isinstance(row["address"], str) and row["address"]:
    st.markdown(f"Source: [{row['source_title']}]({row['address']})")

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
    st.success(message)
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
        st.error(str(exc))
    else:
        S["override_saves"] += 1
        S["override_message"] = f"Override saved for {names[chosen]}: {value:,.6g} {row['unit']}."
        st.rerun()

history = fx.override_history(store, chosen)
if not history.empty:
    st.dataframe(
        history[["value", "low", "high", "reason", "who", "created_at", "reverted_at", "reverted_by"]],
        hide_index=True,
        width="stretch",
        column_config={"value": st.column_config.NumberColumn("Value", format="%.6g"),
                       "low": st.column_config.NumberColumn("Low", format="%.6g"),
                       "high": st.column_config.NumberColumn("High", format="%.6g"),
                       "reason": st.column_config.TextColumn("Why", width="large"), "who": "Who",
                       "created_at": "Set at", "reverted_at": "Reverted at", "reverted_by": "Reverted by"},
        key="override_history",
    )
    if row["overridden"] and st.button("Revert to the shipped figure", key="revert_override", disabled=not admin):
        fx.revert_override(store, chosen, ui.who())  # the audit trail says who reverted, as it says who overrode
        S["override_message"] = f"Reverted {names[chosen]} to the shipped figure."
        st.rerun()
