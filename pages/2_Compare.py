"""Compare: two to four pathways side by side, per patient and per year, carbon and cost together,
and what drives the gap between them."""

import streamlit as st

from carbon import charts, equivalence, formatting, ui
from carbon import pathways as pw
from carbon.formatting import co2e, gbp

store = ui.setup()
basis = ui.basis()
st.title("Compare")
st.caption("Two to four pathways side by side. The first is the reference: differences are measured from it.")

listing = pw.list_pathways(store)
names = list(listing["name"])
by_template = dict(zip(listing["template_id"], listing["name"]))
default = [by_template[t] for t in ("asthma_pmdi", "asthma_dpi") if t in by_template]
chosen = st.multiselect("Pathways (the first is the reference)", names, default=default, max_selections=4,
                        key="cmp_pick")
if len(chosen) < 2:
    st.info("Choose two to four pathways to compare.")
    st.stop()

paths = [pw.load(store, n) for n in chosen]
table = pw.compare(store, paths, basis)
for name, n in table.loc[table["errors"] > 0, ["pathway", "errors"]].itertuples(index=False):
    st.warning(f"{n} row(s) of “{name}” cannot be computed and are left out; open it on the Pathways page to fix them.")

per = st.radio("Show", ["Per patient", "Per year (cohort)"], horizontal=True, key="cmp_per")
cohort = per != "Per patient"
prefix = "cohort_" if cohort else ""
unit = "kgCO2e per year (cohort)" if cohort else "kgCO2e per patient"

cols = st.columns(len(paths))
for col, r in zip(cols, table.to_dict("records")):
    col.metric(r["pathway"], co2e(r[f"{prefix}kgCO2e"]),
               delta=None if r["pathway"] == chosen[0] else formatting.delta(r[f"{prefix}difference_kgCO2e"]),
               delta_color="inverse")
    col.caption(f"range {co2e(r[f'{prefix}kgCO2e_low'])} to {co2e(r[f'{prefix}kgCO2e_high'])}; "
                f"cost {gbp(r[f'{prefix}cost_gbp'])} (priced rows only); {r['cohort']:,.0f} patients a year")
    col.caption(equivalence.car(store, r[f"{prefix}kgCO2e"], basis))

st.altair_chart(charts.pathway_totals(table, f"{prefix}kgCO2e", unit), width="stretch")

st.markdown("##### What drives the gap")
by = st.radio("Group by", ["category", "stage"], horizontal=True, key="cmp_by", format_func=str.capitalize)
gap = pw.compare_breakdown(store, paths, basis, by)
others = gap[gap["pathway"] != chosen[0]]
st.altair_chart(charts.pathway_difference(others, by, f"{prefix}difference_kgCO2e",
                                          f"{unit}, difference from the reference"), width="stretch")
KG = st.column_config.NumberColumn
LABELS = {
    "pathway": st.column_config.TextColumn("Pathway", width="large"),
    "category": "Category",
    "stage": "Stage",
    "cohort": KG("Patients a year", format="localized"),
    "kgCO2e": KG("kgCO2e per patient", format="localized"),
    "kgCO2e_low": KG("Low (per patient)", format="localized"),
    "kgCO2e_high": KG("High (per patient)", format="localized"),
    "cost_gbp": KG("Cost per patient (£)", format="localized"),
    "cohort_kgCO2e": KG("kgCO2e a year", format="localized"),
    "cohort_kgCO2e_low": KG("Low (a year)", format="localized"),
    "cohort_kgCO2e_high": KG("High (a year)", format="localized"),
    "cohort_cost_gbp": KG("Cost a year (£)", format="localized"),
    "difference_kgCO2e": KG("Difference per patient (kgCO2e)", format="localized"),
    "cohort_difference_kgCO2e": KG("Difference a year (kgCO2e)", format="localized"),
    "difference_cost_gbp": KG("Cost difference per patient (£)", format="localized"),
    "gwp_basis": "GWP basis",
    "factor_ids": "Factors used",
}
st.dataframe(gap, hide_index=True, width="stretch", key="cmp_gap", column_config=LABELS)

st.markdown("##### Side by side")
shown = table[["pathway", "cohort", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "cost_gbp", "cohort_kgCO2e",
               "cohort_kgCO2e_low", "cohort_kgCO2e_high", "cohort_cost_gbp", "difference_kgCO2e",
               "cohort_difference_kgCO2e", "difference_cost_gbp", "gwp_basis", "factor_ids"]]
st.dataframe(shown, hide_index=True, width="stretch", key="cmp_table", column_config=LABELS)
ui.download_csv("Download the comparison (CSV)", shown, "pathway_comparison.csv", key="cmp_csv")
ui.download_csv("Download what drives the gap (CSV)", gap, "pathway_gap.csv", key="cmp_gap_csv")
st.caption("Costs count only rows whose factor has a price in factors/prices.csv. Differences are the "
           "central figures; the ranges of two pathways share factors, so they are not simply subtracted.")
