"""Workshop: the presenter's view of a scenario for a finance director's planning session.

Moving a slider re-projects the cached baseline (``scenarios.resolve`` remembers the factor
look-ups), so the page reruns in a fraction of a second.
"""

from functools import partial
from itertools import cycle

import streamlit as st

from carbon import board, boardpack, charts, equivalence, pack_files, ui
from carbon import finance as fin
from carbon import scenarios as sc
from carbon import targets as tg
from carbon.formatting import co2e, gbp

store = ui.setup()
basis = ui.basis()

st.title("Workshop")
st.caption(
    "Move the sliders to see how uptake of each change and the growth in demand move the trajectory against the "
    "target and the cost per tonne. Nothing here is saved: save a version on the Scenarios page, or download the "
    "settings below."
)

saved = sc.list_scenarios(store)
if saved.empty:
    st.info("No saved scenario yet: build one on the Scenarios page.")
    st.stop()
names = saved["name"].tolist()
demo = sc.demo_name()
ui.settle("ws_scenario", names, demo if demo in names else names[0])
top = st.columns([3, 2, 2])
name = top[0].selectbox("Scenario", names, **ui.kept("ws_scenario", saved=True))
try:  # a version saved before today's checks (or edited by hand) is named here, never the page's end
    scenario = sc.load(store, name)
except ValueError as exc:
    ui.show_error(exc, f"“{name}” cannot be opened (choose another scenario)")
    st.stop()
sets = tg.target_sets(store)
if st.session_state.get("ws_targets_of") != name:  # another scenario opened: its own target set
    st.session_state["ws_targets_of"] = name
    ui.put("ws_targets", scenario.target_set if scenario.target_set in sets else sets[0])
target_set = top[1].selectbox("Targets", sets, **ui.kept("ws_targets"))
saved_growth = float(scenario.growth_pct)  # the slider's range always holds the saved growth (-50 to 50 allowed)
growth = top[2].slider("Growth in demand (% a year)", min(-2.0, saved_growth), max(5.0, saved_growth), saved_growth, 0.1,
                       **ui.kept(f"ws_growth::{name}"), help="Compounding from the baseline year: more patients, more care.")

try:
    base, pieces = sc.resolve(store, scenario, basis)
except ValueError as exc:
    ui.show_error(exc, "This scenario cannot be run")
    st.stop()
headline = st.container()  # the big numbers above the sliders that move them (filled once they are read)

uptake = {}
if scenario.interventions:
    st.markdown("**Uptake of each change by the end of its ramp (%)**")
    for iv, col in zip(scenario.interventions, cycle(st.columns(4))):
        uptake[iv.name] = col.slider(
            ui.plain(iv.name), 0, 100, int(round(iv.target_pct)), 5, **ui.kept(f"ws_uptake::{name}::{iv.name}"),
            help=f"Ramps up from {iv.start_year} to reach this share by {iv.end_year}." + (
                f" Where clinically appropriate: {ui.plain(iv.caveat)}" if iv.caveat else ""))

current = sc.with_settings(scenario, growth, uptake, target_set)
pack = boardpack.build(store, current, basis, target_set, projection=sc.project(current, base, pieces))
h, money = pack.headline, pack.money
final = tg.gap_at(pack.assessment.gaps, "total")

changed = (growth != saved_growth or target_set != scenario.target_set
           or any(uptake[iv.name] != int(round(iv.target_pct)) for iv in scenario.interventions))
with headline:
    ui.unsaved(changed, saved_note="As saved")
    row1, row2 = st.columns(2), st.columns(2)  # two by two: each number has room to be read whole
    m = [*row1, *row2]  # tonnes a year, as the tables and the trajectory's axis
    m[0].metric(f"Emissions in {current.label(h['baseline_year'])}", co2e(h["baseline_kg"], unit="t"),
                help="tCO2e a year in the baseline year")
    m[1].metric(f"Emissions in {current.label(h['end_year'])}", co2e(h["end_kg"], unit="t"),
                help=f"range {co2e(h['end_low_kg'], unit='t')} – {co2e(h['end_high_kg'], unit='t')}; "
                     f"with no action {co2e(h['end_no_action_kg'], unit='t')}")
    m[1].caption(equivalence.fit(store, h["end_kg"], basis, a_year=True))
    if final is not None:
        m[2].metric(f"Gap to {target_set}'s {final['year']} target", co2e(final["gap_kg"], unit="t"),
                    help="Projected minus target, tCO2e a year (zero or below: met)")
        m[2].caption("Met." if final["met"] else equivalence.fit(store, final["gap_kg"], basis, a_year=True))
    else:
        m[2].metric("Gap to target", "–", help="No milestone of this set falls in the scenario's years")
    m[3].metric("Net present cost", gbp(money["npc_gbp"]), help="Discounted (HM Treasury Green Book unless set)")
    m[3].caption(fin.per_tonne_words(money["cost_per_tCO2e"], money["abated_tCO2e"]) + ".")
    st.markdown(f"**{tg.describe_miss(pack.miss, target_set)}**")
    st.markdown(fin.package_words(money))

left, right = st.columns(2)
path = pack.totals[["year", "target_tCO2e"]].dropna()
total_gaps = pack.assessment.gaps[pack.assessment.gaps["applies_to"] == "total"]
left.markdown(f"#### Trajectory against {target_set}'s targets")
left.altair_chart(charts.trajectory_vs_target(pack.totals, path, total_gaps), width="stretch", key="ws_trajectory")
right.markdown("#### Marginal abatement cost curve")
if pack.macc.empty:
    right.info("No intervention abates anything at these settings.")
else:
    right.altair_chart(charts.macc(pack.macc), width="stretch", key="ws_macc")
right.caption(boardpack.chart_note("Marginal abatement"))

st.markdown("#### Cost and carbon, change by change")
st.caption("Tonnes saved over the appraisal period beside what each change costs in net present terms "
           "(discounted; below zero saves money), cheapest per tonne first.")
changes = fin.side_by_side(pack.appraisal)
ui.table(changes, "ws_changes", pin="name", first=["abated_tCO2e", "npc_gbp", "cost_per_tCO2e", "per_tonne"],
         hide=["caveat"], extra={"name": st.column_config.TextColumn("Change", width="medium")})
ui.download_csv("Download cost and carbon by change (CSV)", changes, "workshop_cost_and_carbon.csv", key="ws_changes_csv")

st.markdown("#### Gap at each milestone")
ui.table(pack.assessment.gaps[["year", "milestone", "applies_to", "reduction_pct", "target_tCO2e", "projected_tCO2e",
                                "gap_tCO2e", "met", "reference"]], "ws_gaps", pin="year",
         first=["milestone", "met", "gap_tCO2e", "target_tCO2e", "projected_tCO2e"],
         extra={"milestone": st.column_config.TextColumn("Milestone", width="medium")})

bv = pack.board
st.markdown(f"#### Footprint by source, {bv.year} beside {bv.previous}")
st.dataframe(boardpack.display(board.display_table(bv)), hide_index=True, width="stretch", key="ws_board",
             placeholder="–")
with st.expander("Against each target, in words"):
    for line in board.verdicts(bv):
        st.markdown(f"- {ui.plain(line)}")
    st.caption(ui.plain(" ".join(bv.notes)))

caveats = pack.appraisal[pack.appraisal["caveat"].fillna("") != ""]
if len(caveats):
    with st.container(border=True):
        st.markdown("**Swaps only where clinically appropriate.** Care decisions stay shared decisions:")
        for r in caveats.itertuples():
            st.markdown(f"- *{ui.plain(r.name)}*: {ui.plain(r.caveat)}")

st.markdown("#### Board pack")
st.caption("For the settings on screen: charts, tables, assumptions and the source of every factor. "
           "`carbon report FILE --out pack.pdf` gives the same from the settings file.")
d = st.columns(5)
stem = "board_pack"
files = [  # built only when clicked; no rerun on a click, so one download never spoils the next
    ("Board pack (PDF)", partial(pack_files.to_pdf, pack), f"{stem}.pdf", "application/pdf", "ws_pdf"),
    ("Board pack (HTML)", partial(pack_files.to_html, pack), f"{stem}.html", "text/html", "ws_html"),
    ("Numbers (CSV)", partial(pack_files.to_numbers_csv, pack), f"{stem}_numbers.csv", "text/csv", "ws_csv"),
    ("Numbers (Excel)", partial(pack_files.to_xlsx, pack), f"{stem}_numbers.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ws_xlsx"),
    ("These settings (TOML)", sc.export(current), "workshop_scenario.toml", "application/toml", "ws_toml"),
]
for col, (label, data, file_name, mime, key) in zip(d, files):
    col.download_button(label, data, file_name, mime, key=key, on_click="ignore")
