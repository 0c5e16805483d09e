"""Compare: two to four pathways side by side, per patient and per year, carbon and cost together,
and what drives the gap between them."""

import streamlit as st

from carbon import charts, equivalence, formatting, labels, ui
from carbon import pathways as pw
from carbon.formatting import co2e, counted, gbp

store = ui.setup()
basis = ui.basis()
S = st.session_state
st.title("Compare")
st.caption("Two to four pathways side by side. The first is the reference: differences are measured from it.")

listing = pw.list_pathways(store)
names = list(listing["name"])  # every saved pathway and template
by_template = dict(zip(listing["template_id"], listing["name"]))
# first visit: the asthma template on pMDIs beside the one on DPIs; a pathway deleted elsewhere drops out
ui.settle("cmp_pick", names, [by_template[t] for t in ("asthma_pmdi", "asthma_dpi") if t in by_template], many=True)
top = st.columns([4, 1])
chosen = top[0].multiselect("Pathways (the first is the reference)", names, max_selections=4, select_all=False,
                            placeholder="Type to find any saved pathway or template", **ui.kept("cmp_pick", saved=True))
per = top[1].radio("Show", ["Per patient", "Per year (cohort)"], **ui.kept("cmp_per"))
if len(chosen) < 2:
    st.info("Choose two to four pathways to compare.")
    st.stop()

paths = [pw.load(store, n) for n in chosen]
table = pw.compare(store, paths, basis)
for name, n in table.loc[table["errors"] > 0, ["pathway", "errors"]].itertuples(index=False):
    st.warning(f"{counted(n, 'row')} of “{ui.plain(name)}” cannot be computed and are left out; open it on the Pathways page "
               "to fix them.")

cohort = per != "Per patient"
prefix = "cohort_" if cohort else ""
# one unit for the view: its headlines, its tables and its charts
unit = formatting.scale(*table[f"{prefix}kgCO2e"]) if cohort else "kg"
what = "a year (cohort)" if cohort else "per patient"

cols = st.columns(len(paths))
for col, r in zip(cols, table.to_dict("records")):
    col.metric(ui.plain(r["pathway"]), co2e(r[f"{prefix}kgCO2e"], unit=unit),
               delta=None if r["pathway"] == chosen[0] else formatting.delta(r[f"{prefix}difference_kgCO2e"], unit),
               delta_color="inverse")
    col.caption(f"range {co2e(r[f'{prefix}kgCO2e_low'], unit=unit)} to {co2e(r[f'{prefix}kgCO2e_high'], unit=unit)} · "
                f"cost {gbp(r[f'{prefix}cost_gbp'])} (priced rows only) · {r['cohort']:,.0f} patients a year · "
                f"{equivalence.fit(store, r[f'{prefix}kgCO2e'], basis, a_year=cohort)}")

shown_table = labels.in_tonnes(table) if unit == "t" else table
value = f"{prefix}{'tCO2e' if unit == 't' else 'kgCO2e'}"
st.altair_chart(charts.pathway_totals(shown_table, value, f"{unit}CO2e {what}"), width="stretch")

st.markdown("##### What drives the gap")
by = st.radio("Group by", ["category", "stage"], horizontal=True, format_func=str.capitalize, **ui.kept("cmp_by"))
gap = labels.named(pw.compare_breakdown(store, paths, basis, by))
shown_gap = labels.in_tonnes(gap) if unit == "t" else gap
others = shown_gap[shown_gap["pathway"] != chosen[0]]
difference = f"{prefix}difference_{'tCO2e' if unit == 't' else 'kgCO2e'}"
st.altair_chart(charts.pathway_difference(others, by, difference, f"{unit}CO2e {what}, difference from the reference"),
                width="stretch")
per_patient = ["kgCO2e", "kgCO2e_low", "kgCO2e_high", "cost_gbp", "difference_kgCO2e", "difference_cost_gbp"]
a_year = ["cohort_kgCO2e", "cohort_kgCO2e_low", "cohort_kgCO2e_high", "cohort_cost_gbp", "cohort_difference_kgCO2e"]
view = a_year if cohort else per_patient
difference = a_year[-1] if cohort else "difference_kgCO2e"
ui.table(gap, "cmp_gap", unit=unit, pin="pathway", first=[by, difference],
         hide=[c for c in gap.columns if c not in ["pathway", by, *view]])

st.markdown("##### Side by side")
side = table[["pathway", "cohort", *view, *(["difference_cost_gbp"] if cohort else []), "gwp_basis"]]
ui.table(side, "cmp_table", unit=unit, pin="pathway", first=[difference, *([] if cohort else ["difference_cost_gbp"])])
full = table[["pathway", "cohort", *per_patient, *a_year, "gwp_basis", "factor_ids"]]
ui.download_csv("Download the comparison (CSV)", full, "pathway_comparison.csv", key="cmp_csv")
ui.download_csv("Download what drives the gap (CSV)", gap, "pathway_gap.csv", key="cmp_gap_csv")
st.caption("Costs count only rows whose factor has a price in factors/prices.csv. Differences are the central figures; "
           "the ranges of two pathways share factors, so they are not simply subtracted.")
