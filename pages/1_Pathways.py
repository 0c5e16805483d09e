"""Pathways: pick a template or a saved pathway, edit its activities, see its footprint per patient
and per year, and the lower-carbon swaps that fit it (where clinically appropriate).

What the person is doing (the pathway open, its name, condition, cohort and every edit) is kept by
``carbon.ui`` while they visit other pages; the pathway open is in the page's address, so a refresh
reopens it; edits not yet saved are marked as such."""

from dataclasses import replace

import streamlit as st

from carbon import alternatives as al
from carbon import charts, citations, equivalence, labels, ui
from carbon import factors as fx
from carbon import pathways as pw
from carbon.formatting import co2e, gbp, scale

store = ui.setup()
basis = ui.basis()
S = st.session_state
S.setdefault("pw_version", 0)

st.title("Pathways")
st.caption("What is done for one patient, activity by activity; the cohort is how many patients a year follow it. "
           "Every figure names its emission factor and source.")


def _open(p: pw.Pathway, message: str | None = None) -> None:
    """Make ``p`` the working copy: fills the name, condition and cohort and starts the editor from it."""
    S["pw_base"] = p
    ui.put("pw_name", p.name)
    ui.put("pw_condition", p.condition)
    ui.put("pw_cohort", float(p.cohort))
    S["pw_version"] += 1
    S.pop("pw_variant_ask", None)
    S.pop("pw_swap", None)  # the largest saving of the pathway opened is offered first
    if message is not None:
        S["pw_message"] = message


def _opened_saved(name: str, message: str) -> None:
    """After a save: open ``name`` from the store on the next run and say ``message`` there."""
    S["pw_pending"] = name
    S.pop("pw_loaded", None)
    S["pw_message"] = message


listing = pw.list_pathways(store)
names = list(listing["name"])
templates = set(listing.loc[listing["is_template"], "name"])
if "pw_pending" in S:  # a pathway just saved, duplicated or created as a variant
    ui.put("pw_pick", S.pop("pw_pending"))
# first visit (or the pathway open was deleted elsewhere): the one in the address, else the asthma template
ui.settle("pw_pick", names, next((n for n, t in zip(listing["name"], listing["template_id"]) if t == "asthma_pmdi"),
                                  names[0]))

pick = st.selectbox("Pathway", names, **ui.kept("pw_pick", saved=True),
                    format_func=lambda n: f"{n} (template)" if n in templates else n,
                    help="Templates ship with the calculator and state their assumptions; save your own version "
                         "under a new name. Import or export a file at the bottom of the page.")
if "pw_import_pending" in S:  # a file just imported: the working copy until saved
    _open(S.pop("pw_import_pending"), S.pop("pw_import_message", None))
elif S.get("pw_loaded") != pick:
    _open(pw.load(store, pick))
S["pw_loaded"] = pick

message = S.pop("pw_message", "")  # shown once, after the action that set it
if message:
    st.success(ui.plain(message))
    if S.pop("pw_show_compare", False):
        st.page_link("pages/2_Compare.py", label="Open the Compare page", icon=":material/compare_arrows:")
base: pw.Pathway = S["pw_base"]

c1, c2, c3 = st.columns([3, 3, 1])
c1.text_input("Name", max_chars=pw.MAX_NAME, **ui.kept("pw_name"))
c2.text_input("Condition or population", **ui.kept("pw_condition"))
c3.number_input("Patients a year", min_value=1.0, step=1.0, format="%g", **ui.kept("pw_cohort"),
                help="The cohort: how many patients a year follow this pathway.")
about, badge = st.columns([6, 1], vertical_alignment="center")
if base.description:
    about.caption(ui.plain(base.description))
footprint_area = st.container()  # the figures first (above the fold), worked out from the editor below

ACTIVITY_COLUMNS = {
    "stage": "Stage",
    "activity": st.column_config.TextColumn("Activity", width="large"),
    "kind": st.column_config.SelectboxColumn("Kind", options=list(pw.kind_labels()), default="factor", required=True),
    "factor": st.column_config.TextColumn("Factor", help="A factor id (see the Factor library page), an anaesthetic "
                                          "agent or a travel mode"),
    "quantity": st.column_config.TextColumn("Quantity", help="With a unit: '2 inhaler/month', '3 appointment', '90 min'"),
    "duration": st.column_config.TextColumn("Duration", help="For a rate: '12 month', '1 year'"),
    "distance": st.column_config.TextColumn("Distance (one way)", help="Travel: '18 mile' or '28.97 km'"),
    "return_trip": st.column_config.CheckboxColumn("Return", default=False),
    "occupancy": st.column_config.TextColumn("People in vehicle", help="Travel by car or taxi: shares it"),
    "fgf": st.column_config.TextColumn("Fresh gas flow", help="Anaesthetic: '1 L/min'"),
    "concentration": st.column_config.TextColumn("Concentration", help="Anaesthetic: '2 %' or '1.2 MAC'; blank = 1 MAC"),
    "note": "Note",
    "source": st.column_config.TextColumn("Source", help="A source id from factors/sources.csv"),
}
st.markdown("##### Activities (per patient)")
st.caption("Kinds: **factor** = quantity × a library factor (`7.3 inhaler/year` for `1 year`); **travel** = number "
           "of journeys (`3 appointment`) × `distance` by a travel mode; **anaesthetic** = time (`90 min`) of an agent "
           "at a fresh gas flow (`fgf`, e.g. `1 L/min`) and `concentration` (blank = 1 MAC); **purchase** = agent "
           "bought (`0.2 bottle`). Units are read by pint: `18 mile` and `28.97 km` are the same.")
edited = ui.editor("pw_editor", base.activities_frame(), version=S["pw_version"], num_rows="dynamic",
                   width="stretch", column_config=ACTIVITY_COLUMNS)
if base.assumptions:
    with st.expander("Assumptions and what is not counted"):
        ui.bullets(base.assumptions)

work = pw.Pathway(name=S["pw_name"].strip(), condition=S["pw_condition"], cohort=S["pw_cohort"],
                  description=base.description, assumptions=base.assumptions).with_activities(edited)
as_opened = base.with_activities(base.activities_frame())
changed = (work.name, work.condition, float(work.cohort), work.activities) != (
    as_opened.name, as_opened.condition, float(as_opened.cohort), as_opened.activities)
if base.saved_at is None:
    badge.badge("Not saved yet", icon=":material/edit:", color="orange")
elif base.is_template and not changed:
    badge.badge("Template", icon=":material/description:", color="gray")
else:
    ui.unsaved(changed, where=badge)

fp = pw.footprint(store, work, basis)
problems = pw.errors(fp)
t = pw.totals(fp, work.cohort, basis)

with footprint_area:
    for pos, problem in fp.loc[fp["error"] != "", ["position", "error"]].itertuples(index=False):
        st.error(f"Row {pos}: {ui.plain(problem)}")
    if problems:
        st.caption("Rows with a problem are left out of the totals until they are fixed.")
    year_unit = scale(t["cohort_kgCO2e"])
    m1, m2, m3 = st.columns(3)
    m1.metric("Per patient", co2e(t["kgCO2e"], unit="kg"),
              help="Central figure; the range comes from the factors' published ranges.")
    m1.caption(f"range {co2e(t['kgCO2e_low'], unit='kg')} to {co2e(t['kgCO2e_high'], unit='kg')} · "
               f"{equivalence.fit(store, t['kgCO2e'], basis)}")
    m2.metric(f"Per year ({t['cohort']:,.0f} patients)", co2e(t["cohort_kgCO2e"], unit=year_unit))
    m2.caption(f"range {co2e(t['cohort_kgCO2e_low'], unit=year_unit)} to "
               f"{co2e(t['cohort_kgCO2e_high'], unit=year_unit)} · "
               f"{equivalence.fit(store, t['cohort_kgCO2e'], basis, a_year=True)}")
    m3.metric("Cost per patient", gbp(t["cost_gbp"]) if t["priced_rows"] else "not priced",
              help="Only rows whose factor has a price in factors/prices.csv are costed.")
    m3.caption(f"{t['priced_rows']} of {t['rows']} rows priced · {gbp(t['cohort_cost_gbp'])} a year")

tab_cat, tab_stage, tab_rows = st.tabs(["By category", "By stage", "Row by row"])
with tab_cat:
    by_cat = labels.named(pw.breakdown(fp, "category", work.cohort))
    if len(by_cat):
        st.altair_chart(charts.pathway_breakdown(by_cat, "category"), width="stretch")
with tab_stage:
    by_stage = pw.breakdown(fp, "stage", work.cohort)
    if len(by_stage):
        st.altair_chart(charts.pathway_breakdown(by_stage, "stage"), width="stretch")
with tab_rows:
    rows = labels.named(fp).rename(columns={"error": "problem"})[
        ["position", "stage", "category", "activity", "quantity_text", "kgCO2e", "kgCO2e_low", "kgCO2e_high",
         "cost_gbp", "factor_name", "gwp_basis", "factor_ids", "problem"]]
    ui.table(rows, "pw_rows", pin="position", titles={"kgCO2e": "Carbon per patient (kgCO2e)",
                                                      "cost_gbp": "Cost per patient (£)"})
    with st.expander("How was each row calculated?"):
        for pos, act, steps in fp[["position", "activity", "steps"]].itertuples(index=False):
            st.markdown(f"**Row {pos}: {ui.plain(act)}**")
            st.text(steps or "(not computed)")
    ui.download_csv("Download the footprint (CSV)", fp.drop(columns=["steps"]), "pathway_footprint.csv", key="pw_csv")

st.markdown("##### Lower-carbon swaps, where clinically appropriate")
swaps = al.applicable(store, work, basis)
saving = al.savings(swaps)
if saving.empty:
    st.info("No swap in the catalogue (factors/alternatives.csv) fits this pathway.")
else:
    st.altair_chart(charts.swap_savings(saving), width="stretch")
    swaps_shown = al.display_table(saving).assign(  # per patient in kg, a year in the unit of the figures above
        per_patient=saving["saving_kgCO2e"].map(lambda v: co2e(v, unit="kg")).values,
        per_year=saving["cohort_saving_kgCO2e"].map(lambda v: co2e(v, unit=year_unit)).values,
        range=[f"{co2e(lo, unit='kg')} to {co2e(hi, unit='kg')}"
               for lo, hi in zip(saving["saving_kgCO2e_low"], saving["saving_kgCO2e_high"])])
    ui.table(swaps_shown, "pw_swaps", pin="name", first=["per_patient", "per_year"],
             titles={"name": "Swap", "per_patient": "Saving per patient", "per_year": "Saving a year (cohort)",
                     "range": "Range per patient"})
    by_id = saving.set_index("swap")
    if S.get("pw_swap") not in by_id.index:
        ui.put("pw_swap", by_id.index[0])
    choice = st.selectbox("Swap", list(by_id.index), **ui.kept("pw_swap"),
                          format_func=lambda s: f"{by_id.loc[s, 'name']}: saves "
                          f"{co2e(by_id.loc[s, 'saving_kgCO2e'], unit='kg')} per patient")
    row = by_id.loc[choice]
    st.warning(f"{ui.plain(al.join_caveats([row['caveat']]))} (Source: "
               f"{ui.plain(citations.sources(fx.library(store), row['source']))}.)")
    st.caption(ui.plain(row["detail"]))
    st.markdown(f"For {t['cohort']:,.0f} patients a year this saves "
                f"**{co2e(row['cohort_saving_kgCO2e'], unit=year_unit)}** a year "
                f"{equivalence.fit(store, row['cohort_saving_kgCO2e'], basis, a_year=True)}.")
    st.caption("Pounds saved: negative where the swap costs more; a dash where a product has no price.")
    if problems:
        st.info("Fix the rows with a problem before creating a variant.")

    def _save_variant(variant: pw.Pathway) -> None:
        saved = pw.save(store, variant, ui.who(), basis)
        original = base.name if base.saved_at else None
        ui.put("cmp_pick", [n for n in (original, saved.name) if n])  # Compare opens on the two
        _opened_saved(saved.name, f"Saved the variant “{saved.name}”"
                      + (f": it is on the Compare page beside “{original}”"
                         + (" as saved (your edits to it are not saved)." if changed else ".") if original else "."))
        S["pw_show_compare"] = True
        st.rerun()

    if st.button("Create the variant pathway with this swap", key="pw_make_variant", type="primary",
                 disabled=bool(problems) or not ui.can("edit")):
        variant = al.apply(store, replace(work, name=work.name or base.name), row["swaps"])
        if pw.exists(store, variant.name):
            S["pw_variant_ask"] = {"swaps": row["swaps"], "name": variant.name}
        else:
            _save_variant(variant)
    ask = S.get("pw_variant_ask")
    if ask and ask["swaps"] == row["swaps"]:
        again = al.free_name(store, ask["name"])
        st.warning(f"There is already a pathway called “{ui.plain(ask['name'])}”: this swap may have been made "
                   "before. Open that one, or save another copy?")
        a1, a2, a3 = st.columns(3)
        if a1.button("Open the saved variant", key="pw_variant_open"):
            _opened_saved(ask["name"], f"Opened the saved variant “{ask['name']}”.")
            st.rerun()
        if a2.button(f"Save another copy as “{again}”", key="pw_variant_copy", disabled=not ui.can("edit")):
            _save_variant(replace(al.apply(store, replace(work, name=work.name or base.name), ask["swaps"]),
                                  name=again))
        if a3.button("Cancel", key="pw_variant_cancel"):
            S.pop("pw_variant_ask", None)
            st.rerun()

st.markdown("##### Save, duplicate, import, export, delete")
if not ui.can("edit"):
    st.info(ui.not_allowed_note("edit"))
b1, b2, b3, b4 = st.columns(4)
with b1:
    if st.button("Save", key="pw_save", type="primary", disabled=not ui.can("edit")):
        try:
            saved = pw.save(store, work, ui.who(), basis, opened=base)
        except pw.PathwayError as exc:
            ui.show_error(exc)
        else:
            _opened_saved(saved.name, f"Saved “{saved.name}”.")
            st.rerun()
    st.caption("Saves under the name above; a template is never overwritten (give it a new name).")
with b2:
    new_name = st.text_input("Duplicate as", placeholder="new pathway name", **ui.kept("pw_dup_name"))
    if st.button("Duplicate", key="pw_duplicate", disabled=not ui.can("edit")):
        try:
            copy = None if pw.exists(store, new_name.strip()) else pw.save(
                store, replace(work, name=new_name.strip()), ui.who(), basis, opened=replace(base, name=""))
        except pw.PathwayError as exc:
            copy = None
            ui.show_error(exc)
        else:
            if copy is None:
                st.error(f"There is already a pathway called “{ui.plain(new_name.strip())}”; choose another name.")
            else:
                _opened_saved(copy.name, f"Duplicated as “{copy.name}”.")
                st.rerun()
with b3:
    upload = st.file_uploader("Import a pathway file (TOML or JSON)", type=["toml", "json"], key="pw_import")
    if upload is not None and S.get("pw_imported") != upload.file_id:
        S["pw_imported"] = upload.file_id
        try:
            imported = pw.from_file(upload.getvalue(), upload.name)
        except pw.PathwayError as exc:
            ui.show_error(exc, "That file cannot be imported")
        else:
            S["pw_import_pending"], S["pw_import_message"] = imported, f"Imported {upload.name}: not saved yet."
            st.rerun()
with b4:
    st.download_button("Export TOML", pw.to_toml(work), file_name="pathway.toml", mime="application/toml",
                       key="pw_toml")
    st.download_button("Export JSON", pw.to_json(work), file_name="pathway.json", mime="application/json",
                       key="pw_json")
    if pick in templates:
        st.caption("Templates cannot be deleted.")
    else:
        sure = st.checkbox(f"Yes, delete “{ui.plain(pick)}”", key="pw_confirm_delete")
        if st.button("Delete", key="pw_delete", disabled=not sure or not ui.can("admin"),
                     help=None if ui.can("admin") else ui.not_allowed_note("admin")):
            pw.delete(store, pick)
            S.pop("pw_pick", None)
            S.pop("pw_loaded", None)
            S["pw_message"] = f"Deleted “{pick}”."
            st.rerun()
