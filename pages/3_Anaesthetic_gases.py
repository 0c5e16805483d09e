"""Anaesthetic gases: a quick calculator for theatre teams, by fresh gas flow or from purchasing,
with TIVA and regional anaesthesia as the lower-carbon alternatives where clinically appropriate."""

import streamlit as st

from carbon import anaesthetics as an
from carbon import charts, equivalence, ui

store = ui.setup()
basis = ui.basis()

st.title("Anaesthetic gases")
st.caption(
    "What an anaesthetic vents, worked out from the physical constants and global warming potentials in "
    f"the factor library, on the **{basis}** GWP basis chosen in the sidebar. Every litre delivered is assumed "
    "to reach the atmosphere; patient uptake is ignored."
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
    st.markdown(f"**{text['carbon']}** (range {text['range']}) {equivalence.car(store, r.kgCO2e, basis)}.")
    with st.expander("How was this calculated?"):
        for line in r.steps:
            st.markdown(f"- {line}")
        st.caption("Factors and constants used: " + ", ".join(f"`{i}`" for i in r.factor_ids))


# --- by fresh gas flow -----------------------------------------------------------------------------
st.subheader("One anaesthetic")
c1, c2, c3, c4 = st.columns(4)
agent = c1.selectbox("Agent", an.AGENTS, format_func=an.AGENT_NAMES.get, key="an_agent")
fgf = c2.text_input("Fresh gas flow", "1 L/min", key="an_fgf", help="e.g. 0.5 L/min, 1 L/min, 2 L/min")
duration = c3.text_input("Duration", "1 h", key="an_duration", help="e.g. 90 min, 1.5 h")
if agent in an.VOLATILES:
    conc_help = "Blank = 1 MAC of the agent. Or a dial setting such as '2 %', or a MAC multiple such as '1.2 MAC'."
    conc_label = "Concentration or MAC"
elif agent == "n2o":
    conc_help = "Share of the fresh gas flow that is nitrous oxide. Blank = 66 % (2:1 with oxygen)."
    conc_label = "N2O share of the flow"
else:
    conc_help = "Share of the flow that is Entonox (50 % N2O / 50 % O2). Blank = 100 %."
    conc_label = "Entonox share of the flow"
concentration = c4.text_input(conc_label, "", key="an_concentration", help=conc_help, placeholder="1 MAC")

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
    st.dataframe(
        alts[["name", "kgCO2e", "saving_kgCO2e", "counted", "not_counted"]],
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn("Option", width="medium"),
            "kgCO2e": st.column_config.NumberColumn("Anaesthetic gas (kgCO2e)", format="%.3g"),
            "saving_kgCO2e": st.column_config.NumberColumn("Saving (kgCO2e)", format="%.3g"),
            "counted": st.column_config.TextColumn("What is counted", width="large"),
            "not_counted": st.column_config.TextColumn("What is not counted", width="large"),
        },
        key="an_alternatives",
    )

    st.markdown("##### The same anaesthetic with each agent")
    mac = st.slider("Depth (MAC multiple) for the comparison", 0.5, 2.0, 1.0, 0.1, key="an_compare_mac")
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
p_agent = p1.selectbox("Agent bought", an.AGENTS, format_func=an.AGENT_NAMES.get, key="buy_agent")
if p_agent in an.VOLATILES:
    amount_help = "Bottles a year (e.g. '40 bottle'), millilitres of liquid ('500 mL') or kg."
    default_amount = "40 bottle"
else:
    amount_help = "Cylinders a year (e.g. '12 cylinder'), litres of gas ('5000 L') or, for N2O, kg."
    default_amount = "12 cylinder"
amount = p2.text_input("Amount a year", default_amount, key=f"buy_amount_{p_agent in an.VOLATILES}", help=amount_help)
cylinder = None
if p_agent in an.GASES:
    sizes = an.cylinder_sizes(store, p_agent)
    default = sizes.index(an.DEFAULT_CYLINDER[p_agent]) if an.DEFAULT_CYLINDER[p_agent] in sizes else 0
    cylinder = p3.selectbox("Cylinder size", sizes, index=default, format_func=str.upper, key=f"buy_cyl_{p_agent}")

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
