"""Pathways: pick a template or a saved pathway, edit its activities, see its footprint per patient
and per year, and the lower-carbon swaps that fit it (where clinically appropriate)."""

from dataclasses import replace

import streamlit as st

from carbon import alternatives as al
from carbon import charts, equivalence, ui
from carbon import pathways as pw
from carbon.formatting import co2e, gbp

store = ui.setup()
basis = ui.basis()
st.title("Pathways")
st.caption("A care pathway is what is done for one patient, activity by activity; the cohort is how many "
           "patients a year follow it. Every figure names its emission factor and source.")

S = st.session_state
S.setdefault("pw_version", 0)


def _open(p: pw.Pathway, message: str | None = None) -> None:
    """Make ``p`` the working copy: fills the name, condition and cohort, resets the editor."""
    S["pw_base"] = p
    S["pw_name"], S["pw_condition"], S["pw_cohort"] = p.name, p.condition, float(p.cohort)
    S["pw_version"] += 1
    if message is not None:
        S["pw_message"] = message


listing = pw.list_pathways(store)
names = list(listing["name"])
if "pw_pending" in S:  # a pathway just saved, duplicated or created as a variant
    S["pw_pick"] = S.pop("pw_pending")
if S.get("pw_pick") not in names:
    S["pw_pick"] = next((n for n, t in zip(listing["name"], listing["template_id"]) if t == "asthma_pmdi"), names[0])
templates = set(listing.loc[listing["is_template"], "name"])

left, right = st.columns([3, 2])
with left:
    pick = st.selectbox("Pathway", names, key="pw_pick",
                        format_func=lambda n: f"{n} (template)" if n in templates else n,
                        help="Templates ship with the calculator and state their assumptions; save your own "
                             "version under a new name.")
with right:
    upload = st.file_uploader("Import a pathway file (TOML or JSON)", type=["toml", "json"], key="pw_import")

if upload is not None and S.get("pw_imported") != upload.file_id:
    S["pw_imported"] = upload.file_id
    try:
        _open(pw.from_file(upload.getvalue(), upload.name), f"Imported {upload.name}: not saved yet.")
    except pw.PathwayError as exc:
        ui.show_error(exc, "That file cannot be imported")
elif S.get("pw_loaded") != pick:
    _open(pw.load(store, pick))
S["pw_loaded"] = pick

message = S.pop("pw_message", "")  # shown once, after the action that set it
if message:
    st.success(message)
base: pw.Pathway = S["pw_base"]
if base.description:
    st.markdown(base.description)
if base.assumptions:
    with st.expander("Assumptions and what is not counted"):
        st.markdown("\n".join(f"- {a}" for a in base.assumptions))

c1, c2, c3 = st.columns([3, 3, 1])
c1.text_input("Name", key="pw_name", max_chars=pw.MAX_NAME)
c2.text_input("Condition or population", key="pw_condition")
c3.number_input("Patients a year", key="pw_cohort", min_value=1.0, step=1.0, format="%g",
                help="The cohort: how many patients a year follow this pathway.")

st.markdown("##### Activities (per patient)")
st.caption("Kinds: **factor** = quantity × a library factor (`7.3 inhaler/year` for `1 year`); **travel** = "
           "number of journeys (`3 appointment`) × `distance` by a travel mode; **anaesthetic** = time (`90 min`) "
           "of an agent at a fresh gas flow (`fgf`, e.g. `1 L/min`) and `concentration` (blank = 1 MAC); "
           "**purchase** = agent bought (`0.2 bottle`). Units are read by pint: `18 mile` and `28.97 km` are the "
           "same.")
edited = st.data_editor(
    base.activities_frame(),
    key=f"pw_editor_{S['pw_version']}",
    num_rows="dynamic",
    width="stretch",
    column_config={
        "stage": "Stage",
        "activity": "Activity",
        "kind": st.column_config.SelectboxColumn("Kind", options=list(pw.kind_labels()), default="factor", required=True),
        "factor": st.column_config.TextColumn("Factor", help="A factor id (see the Factor library page), an "
                                              "anaesthetic agent or a travel mode"),
        "quantity": st.column_config.TextColumn("Quantity", help="With a unit: '2 inhaler/month', '3 appointment', "
                                                "'90 min'"),
        "duration": st.column_config.TextColumn("Duration", help="For a rate: '12 month', '1 year'"),
        "distance": st.column_config.TextColumn("Distance (one way)", help="Travel: '18 mile' or '28.97 km'"),
        "return_trip": st.column_config.CheckboxColumn("Return", default=False),
        "occupancy": st.column_config.TextColumn("People in vehicle", help="Travel by car or taxi: shares it"),
        "fgf": st.column_config.TextColumn("Fresh gas flow", help="Anaesthetic: '1 L/min'"),
        "concentration": st.column_config.TextColumn("Concentration", help="Anaesthetic: '2 %' or '1.2 MAC'; "
                                                     "blank = 1 MAC"),
        "note": "Note",
        "source": st.column_config.TextColumn("Source", help="A source id from factors/sources.csv"),
    },
)

work = pw.Pathway(name=S["pw_name"].strip(), condition=S["pw_condition"], cohort=S["pw_cohort"],
                  description=base.description, assumptions=base.assumptions).with_activities(edited)
fp = pw.footprint(store, work, basis)
problems = pw.errors(fp)
for pos, problem in fp.loc[fp["error"] != "", ["position", "error"]].itertuples(index=False):
    st.error(f"Row {pos}: {problem}")

t = pw.totals(fp, work.cohort, basis)
st.markdown("##### Footprint")
if problems:
    st.caption("Rows with a problem are left out of the totals until they are fixed.")
m1, m2, m3 = st.columns(3)
m1.metric("Per patient", co2e(t["kgCO2e"]), help="Central figure; the range comes from the factors' published ranges.")
m1.caption(f"range {co2e(t['kgCO2e_low'])} to {co2e(t['kgCO2e_high'])}")
m1.caption(equivalence.car(store, t["kgCO2e"], basis))
m2.metric(f"Per year ({t['cohort']:,.0f} patients)", co2e(t["cohort_kgCO2e"]))
m2.caption(f"range {co2e(t['cohort_kgCO2e_low'])} to {co2e(t['cohort_kgCO2e_high'])}")
m2.caption(equivalence.car(store, t["cohort_kgCO2e"], basis))
m3.metric("Cost per patient", gbp(t["cost_gbp"]) if t["priced_rows"] else "not priced",
          help="Only rows whose factor has a price in factors/prices.csv are costed.")
m3.caption(f"{t['priced_rows']} of {t['rows']} rows priced; per year {gbp(t['cohort_cost_gbp'])}")

tab_cat, tab_stage, tab_rows = st.tabs(["By category", "By stage", "Row by row"])
with tab_cat:
    by_cat = pw.breakdown(fp, "category", work.cohort)
    if len(by_cat):
        st.altair_chart(charts.pathway_breakdown(by_cat, "category"), width="stretch")
with tab_stage:
    by_stage = pw.breakdown(fp, "stage", work.cohort)
    if len(by_stage):
        st.altair_chart(charts.pathway_breakdown(by_stage, "stage"), width="stretch")
with tab_rows:
    shown = fp.rename(columns={"error": "problem"})
    st.dataframe(shown[["position", "stage", "category", "activity", "quantity_text", "kgCO2e", "kgCO2e_low",
                        "kgCO2e_high", "cost_gbp", "gwp_basis", "factor_ids", "problem"]],
                 hide_index=True, width="stretch", key="pw_rows",
                 column_config={
                     "position": "Row", "stage": "Stage", "category": "Category", "activity": "Activity",
                     "quantity_text": "Quantity (per patient)",
                     "kgCO2e": st.column_config.NumberColumn("kgCO2e per patient", format="%.4g"),
                     "kgCO2e_low": st.column_config.NumberColumn("Low", format="%.4g"),
                     "kgCO2e_high": st.column_config.NumberColumn("High", format="%.4g"),
                     "cost_gbp": st.column_config.NumberColumn("Cost per patient (£)", format="%.2f"),
                     "gwp_basis": "GWP basis", "factor_ids": "Factors used", "problem": "Problem",
                 })
    with st.expander("How was each row calculated?"):
        for pos, act, steps in fp[["position", "activity", "steps"]].itertuples(index=False):
            st.markdown(f"**Row {pos}: {act}**")
            st.text(steps or "(not computed)")
    ui.download_csv("Download the footprint (CSV)", fp, "pathway_footprint.csv", key="pw_csv")

st.markdown("##### Lower-carbon swaps, where clinically appropriate")
swaps = al.applicable(store, work, basis)
saving = al.savings(swaps)
if saving.empty:
    st.info("No swap in the catalogue (factors/alternatives.csv) fits this pathway.")
else:
    st.altair_chart(charts.swap_savings(saving), width="stretch")
    st.dataframe(al.display_table(saving), hide_index=True, width="stretch", key="pw_swaps",
                 column_config={
                     "name": st.column_config.TextColumn("Swap", width="large"),
                     "positions": "Rows",
                     "per_patient": "Saving per patient",
                     "range": "Range",
                     "per_year": "Saving a year (cohort)",
                     "pounds_saved_per_year": "Money saved a year",
                     "caveat": st.column_config.TextColumn("Caveat", width="large"),
                 })
    by_id = saving.set_index("swap")
    choice = st.selectbox("Swap", list(by_id.index), key="pw_swap",
                          format_func=lambda s: f"{by_id.loc[s, 'name']}: saves "
                          f"{co2e(by_id.loc[s, 'saving_kgCO2e'])} per patient")
    row = by_id.loc[choice]
    st.warning(f"{al.join_caveats([row['caveat']])} (Source: {row['source_title']}.)")
    st.caption(row["detail"])
    st.markdown(f"For {t['cohort']:,.0f} patients a year this saves **{co2e(row['cohort_saving_kgCO2e'])}** a year "
                f"{equivalence.car(store, row['cohort_saving_kgCO2e'], basis)}.")
    st.caption("Pounds saved: negative where the swap costs more; blank where a product has no price.")
    if problems:
        st.info("Fix the rows with a problem before creating a variant.")
    if st.button("Create the variant pathway with this swap", key="pw_make_variant", type="primary",
                 disabled=bool(problems) or not ui.can("edit")):
        variant = al.apply(store, work, row["swaps"])
        variant = pw.save(store, replace(variant, name=al.free_name(store, variant.name)), ui.who(), basis)
        S["pw_pending"] = variant.name
        S["pw_message"] = f"Saved the variant “{variant.name}”: compare it with the original on the Compare page."
        S.pop("pw_loaded", None)
        st.rerun()

st.markdown("##### Save, duplicate, export, delete")
if not ui.can("edit"):
    st.info(ui.not_allowed_note("edit"))
b1, b2, b3 = st.columns(3)
with b1:
    if st.button("Save", key="pw_save", type="primary", disabled=not ui.can("edit")):
        try:
            saved = pw.save(store, work, ui.who(), basis, opened=base)
        except pw.PathwayError as exc:
            ui.show_error(exc)
        else:
            S["pw_pending"] = saved.name
            S.pop("pw_loaded", None)
            S["pw_message"] = f"Saved “{saved.name}”."
            st.rerun()
    st.caption("Saves under the name above; a template is never overwritten (give it a new name).")
with b2:
    new_name = st.text_input("Duplicate as", key="pw_dup_name", placeholder="new pathway name")
    if st.button("Duplicate", key="pw_duplicate", disabled=not ui.can("edit")):
        try:
            copy = None if pw.exists(store, new_name.strip()) else pw.save(
                store, replace(work, name=new_name.strip()), ui.who(), basis, opened=replace(base, name=""))
        except pw.PathwayError as exc:
            copy = None
            ui.show_error(exc)
        else:
            if copy is None:
                st.error(f"There is already a pathway called “{new_name.strip()}”; choose another name.")
            else:
                S["pw_pending"] = copy.name
                S.pop("pw_loaded", None)
                S["pw_message"] = f"Duplicated as “{copy.name}”."
                st.rerun()
with b3:
    st.download_button("Export TOML", pw.to_toml(work), file_name="pathway.toml", mime="application/toml",
                       key="pw_toml")
    st.download_button("Export JSON", pw.to_json(work), file_name="pathway.json", mime="application/json",
                       key="pw_json")
    if pick in templates:
        st.caption("Templates cannot be deleted.")
    else:
        sure = st.checkbox(f"Yes, delete “{pick}”", key="pw_confirm_delete")
        if st.button("Delete", key="pw_delete", disabled=not sure or not ui.can("admin"),
                     help=None if ui.can("admin") else ui.not_allowed_note("admin")):
            pw.delete(store, pick)
            S.pop("pw_pick", None)
            S.pop("pw_loaded", None)
            S["pw_message"] = f"Deleted “{pick}”."
            st.rerun()
