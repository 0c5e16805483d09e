"""Anaesthetic gases: a quick calculator for theatre teams, by fresh gas flow or from purchasing,
with TIVA and regional anaesthesia as the lower-carbon alternatives where clinically appropriate."""

import streamlit as st

from carbon import anaesthetics as an
from carbon import charts, equivalence, labels, theatre, ui
from carbon.formatting import counted
from carbon.errors import CarbonError
from carbon.theatre import caselog, purchases

store = ui.setup()
basis = ui.basis()

st.title("Anaesthetic gases")
st.caption(
    "What an anaesthetic vents, worked out from the physical constants and global warming potentials in "
    f"the factor library, on the **{basis}** GWP basis chosen in the sidebar. Everything delivered is counted as "
    "emitted: what the patient takes up is breathed out later, mostly in recovery, so it reaches the atmosphere too."
)


def show_result(r: an.AnaestheticResult, when: str = "") -> None:
    """Liquid, mass and kgCO2e of a result, the car equivalence and the arithmetic."""
    text = an.display(r)
    c1, c2, c3 = st.columns(3)
    c1.metric(f"Carbon{when}", text["carbon"], help=f"range {text['range']}")
    if text["liquid"]:
        c2.metric(f"Liquid agent used{when}", text["liquid"])
    elif text["gas"]:
        c2.metric(f"Gas delivered{when}", text["gas"])
    c3.metric(f"Agent released{when}", text["mass"])
    st.markdown(f"**{text['carbon']}** (range {text['range']}) {equivalence.fit(store, r.kgCO2e, basis)}.")
    note = an.range_note(store, r)
    if note:
        st.caption(note)
    with st.expander("How was this calculated?"):
        for line in r.steps:
            st.markdown(f"- {line}")
        st.caption("Factors and constants used: " + labels.factor_names(store, r.factor_ids) + ".")


# --- by fresh gas flow -----------------------------------------------------------------------------
st.subheader("One anaesthetic")
c1, c2, c3, c4 = st.columns(4)
agent = c1.selectbox("Agent", an.AGENTS, format_func=an.AGENT_NAMES.get, **ui.kept("an_agent"))
fgf = c2.text_input("Fresh gas flow", "1 L/min", help="e.g. 0.5 L/min, 1 L/min, 2 L/min", **ui.kept("an_fgf"))
duration = c3.text_input("Duration", "1 h", help="e.g. 90 min, 1.5 h", **ui.kept("an_duration"))
if agent in an.VOLATILES:
    conc_help = "Blank = 1 MAC of the agent. Or a dial setting such as '2 %', or a MAC multiple such as '1.2 MAC'."
    conc_label = "Concentration or MAC"
elif agent == "n2o":
    conc_help = "Share of the fresh gas flow that is nitrous oxide. Blank = 66 % (2:1 with oxygen)."
    conc_label = "N2O share of the flow"
else:
    conc_help = "Share of the flow that is Entonox (50 % N2O / 50 % O2). Blank = 100 %."
    conc_label = "Entonox share of the flow"
concentration = c4.text_input(conc_label, "", help=conc_help, placeholder="1 MAC", **ui.kept("an_concentration"))

result = None
try:
    result = an.anaesthetic(store, agent, fgf, duration, concentration.strip() or None, basis)
except ValueError as exc:
    ui.show_error(exc, "Cannot calculate")
if result is not None:
    show_result(result)

    st.markdown("##### Lower-carbon alternatives")
    st.info(an.ALTERNATIVES_CAVEAT)
    alts = an.alternatives(result)
    ui.table(alts[["name", "kgCO2e", "saving_kgCO2e", "counted", "not_counted"]], "an_alternatives", pin="name",
             titles={"name": "Option", "kgCO2e": "Anaesthetic gas (kgCO2e)"})

    st.markdown("##### The same anaesthetic with each agent")
    mac = st.slider("Depth (MAC multiple) for the comparison", 0.5, 2.0, 1.0, 0.1, **ui.kept("an_compare_mac"))
    try:
        compared = an.compare_agents(store, fgf, duration, mac, basis)
    except ValueError as exc:
        ui.show_error(exc, "Cannot compare")
    else:
        st.altair_chart(charts.agent_comparison(compared), width="stretch", key="an_compare_chart")
        st.caption(
            f"Each volatile agent at {mac:g} MAC, {fgf} fresh gas flow for {duration}, on {basis}. "
            "TIVA and regional anaesthesia vent no anaesthetic gas (their other footprint is not counted here)."
        )
        ui.download_csv("Download the comparison (CSV)", compared, f"anaesthetic_agents_{basis}.csv",
                        key="an_compare_download")

st.divider()

# --- from purchasing -------------------------------------------------------------------------------
st.subheader("From purchasing: a year at one site")
st.caption(
    "Everything bought is assumed to be vented in time. For piped nitrous oxide most of the supply can be "
    "lost in the manifold before it reaches a patient, so purchasing is the better measure of what is emitted."
)
p1, p2, p3 = st.columns(3)
p_agent = p1.selectbox("Agent bought", an.AGENTS, format_func=an.AGENT_NAMES.get, **ui.kept("buy_agent"))
if p_agent in an.VOLATILES:
    amount_help = "Bottles a year (e.g. '40 bottle'), millilitres of liquid ('500 mL') or kg."
    default_amount = "40 bottle"
else:
    amount_help = "Cylinders a year (e.g. '12 cylinder'), litres of gas ('5000 L') or, for N2O, kg."
    default_amount = "12 cylinder"
amount = p2.text_input("Amount a year", default_amount, help=amount_help,
                       **ui.kept(f"buy_amount_{p_agent in an.VOLATILES}"))
cylinder = None
if p_agent in an.GASES:
    sizes = an.cylinder_sizes(store, p_agent)
    default = sizes.index(an.DEFAULT_CYLINDER[p_agent]) if an.DEFAULT_CYLINDER[p_agent] in sizes else 0
    cylinder = p3.selectbox("Cylinder size", sizes, index=default, format_func=str.upper, **ui.kept(f"buy_cyl_{p_agent}"))

bought = None
try:
    bought = an.purchased(store, p_agent, amount, basis, cylinder)
except ValueError as exc:
    ui.show_error(exc, "Cannot calculate")
if bought is not None:
    show_result(bought, " a year")
    if p_agent in an.VOLATILES:
        st.caption(
            "Where clinically appropriate, moving this volume of anaesthesia to TIVA or regional techniques "
            "would avoid this anaesthetic-gas emission (the drugs and equipment they use are not counted here)."
        )

st.divider()

# --- theatre records -------------------------------------------------------------------------------
st.subheader("Theatre records: case logs and purchasing")
st.caption(
    "Import what the anaesthetic machines and the pharmacy record: a case log (one row per case or per time step: "
    "fresh gas flow, vaporiser setting, agent used where the machine recorded it), and the bottles and cylinders "
    "bought. The footprint is worked out with the same arithmetic as the calculator above, case by case."
)
has_cases = not caselog.steps(store).empty
with st.expander("Import case logs or purchasing", expanded=not has_cases):
    files = st.file_uploader("Case logs (the template as CSV or Excel, a flow and vaporiser log, a Draeger Connect "
                             "case analysis) or purchasing files (CSV)", accept_multiple_files=True, key="th_files")
    t1, t2 = st.columns(2)
    th_agent = t1.selectbox("Agent, for a log that does not name it", an.VOLATILES, index=1,
                            format_func=an.AGENT_NAMES.get, **ui.kept("th_agent"))
    th_theatre = t2.text_input("Theatre, for a log that does not name it", "", **ui.kept("th_theatre"),
                               help="Blank: the device in a Draeger Connect file name, else the file name")
    d1, d2, d3 = st.columns(3)
    d1.download_button("Case log template (CSV)", caselog.TEMPLATE.read_bytes(), caselog.TEMPLATE.name,
                       mime="text/csv", key="th_template")
    d2.download_button("Purchasing template (CSV)", purchases.TEMPLATE.read_bytes(), purchases.TEMPLATE.name,
                       mime="text/csv", key="th_purchases_template")
    if d3.button("Import", type="primary", key="th_import", disabled=not files):
        bar = st.progress(0.0, text="Importing")
        for i, f in enumerate(files):
            try:
                if f.name.lower().endswith(".csv") and b"period_start" in f.getvalue()[:2000].lower():
                    report = purchases.import_upload(store, f.name, f.getvalue())
                else:
                    report = theatre.import_upload(store, f.name, f.getvalue(), agent=th_agent, theatre=th_theatre)
            except CarbonError as exc:
                ui.show_error(exc, f"{f.name}: nothing was imported")
            else:
                st.success(ui.plain(report.summary()))
            bar.progress((i + 1) / len(files), text=f"Imported {i + 1} of {len(files)}")
        has_cases = not caselog.steps(store).empty

if has_cases:
    by_theatre = theatre.summary(store, "theatre", basis)
    by_month = theatre.summary(store, "month", basis)
    by_agent = theatre.summary(store, "agent", basis)
    both = theatre.summary(store, "theatre_month", basis)
    cases = theatre.cases(store, basis)
    st.markdown(f"**{len(cases):,} cases** in {counted(len(by_theatre), 'theatre')}, on {basis}.")
    tab_theatre, tab_month, tab_agent, tab_case = st.tabs(["By theatre", "By month", "By agent", "By case"])
    with tab_theatre:
        ui.table(by_theatre, "th_by_theatre", pin="theatre", first=["kgCO2e"])
    with tab_month:
        ui.table(by_month, "th_by_month", pin="month", first=["kgCO2e"])
    with tab_agent:
        ui.table(by_agent, "th_by_agent", pin="agent_name", first=["kgCO2e"])
    with tab_case:
        ui.table(cases.drop(columns=["start"]), "th_cases", pin="case_id", first=["theatre", "kgCO2e"],
                 titles={"steps": "Rows", "method": "How the agent was found"})
    st.altair_chart(charts.theatre_months(both), width="stretch", key="th_chart")
    st.caption("How each case's agent is found: the agent used where the machine recorded it; else the vaporiser "
               "setting x fresh gas flow x time; no vapour in an emergence step with no setting; for a case recorded "
               "only as its average flow, 1 MAC x that flow x 0.50 (weighed bottles show 1 MAC of the average flow "
               "is twice the agent used); else 1 MAC. Piped nitrous oxide is counted with what the manifold loses "
               "before the patient (82 %, range 75-95 %).")
    recon = purchases.reconcile(store, basis)
    if not recon.empty:
        st.markdown("##### Purchasing reconciled with the case logs")
        ui.table(recon.drop(columns=["agent"]), "th_recon", pin="site", first=["agent_name", "gap_share"])
        st.caption("Agent bought and not accounted for by the case logs: spills, bottles opened and not finished, "
                   "stock on the shelf, and for piped nitrous oxide what the manifold and pipework lose.")
    e1, e2 = st.columns(2)
    with e1:
        ui.download_csv("Download the cases (CSV)", cases, f"theatre_cases_{basis}.csv", key="th_download_cases")
    sheets = {"By theatre": by_theatre, "By month": by_month, "By agent": by_agent, "Cases": cases}
    if not recon.empty:
        sheets["Purchasing"] = recon
    ui.download_excel("Download every table (Excel)", sheets, f"theatre_footprint_{basis}.xlsx", key="th_download_xlsx",
                      where=e2)
