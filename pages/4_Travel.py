"""Travel: one journey by any mode, and a service's patient travel against a virtual-consultation share."""

import pandas as pd
import streamlit as st

from carbon import charts, equivalence, labels, travel, ui
from carbon.formatting import co2e

store = ui.setup()
basis = ui.basis()

st.title("Travel")
st.caption(
    "Patient and staff journeys with the UK government (DESNZ 2025) conversion factors. Distances can be "
    "in miles or km; a car's emissions can be shared among the people in it."
)

modes = travel.modes(store, basis)
names = dict(zip(modes["id"], modes["name"]))
per = dict(zip(modes["id"], modes["per"]))
ids = list(names)

# --- one journey -----------------------------------------------------------------------------------
st.subheader("A journey")
c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
mode = c1.selectbox("Mode", ids, index=ids.index("car_unknown_average") if "car_unknown_average" in ids else 0,
                    format_func=names.get, **ui.kept("tr_mode"))
distance = c2.text_input("Distance (one way)", "20 mile", help="e.g. 20 mile or 32 km", **ui.kept("tr_distance"))
return_trip = c3.checkbox("Return", value=True, **ui.kept("tr_return"))
occupancy = None
if per.get(mode) == "vehicle":
    occupancy = c4.number_input("People in vehicle", min_value=1, max_value=60, value=1, step=1,
                                **ui.kept("tr_occupancy"))
else:
    c4.caption("Already per passenger")

try:
    trip = travel.journey(store, mode, distance, return_trip, occupancy, basis)
except ValueError as exc:
    ui.show_error(exc, "Cannot calculate")
else:
    m1, m2 = st.columns(2)
    m1.metric("Carbon per traveller", co2e(trip.kgCO2e),
              help=f"range {co2e(trip.kgCO2e_low)} to {co2e(trip.kgCO2e_high)} (from the factor's published range)")
    m1.caption(equivalence.fit(store, trip.kgCO2e, basis))
    m2.metric("Distance travelled", f"{trip.distance_km:,.1f} km", help="Both ways for a return journey.")
    with st.expander("How was this calculated?"):
        for line in trip.steps:
            st.markdown(f"- {line}")

st.divider()

# --- the service view ------------------------------------------------------------------------------
st.subheader("A service's patient travel")
st.caption(
    "Appointments a year × how patients travel × the average distance, and what holding a share of "
    "appointments virtually would save. Each patient travels alone (occupancy 1)."
)
s1, s2 = st.columns(2)
appointments = s1.number_input("Appointments a year", min_value=0, value=1200, step=100,
                               **ui.kept("svc_appointments"))
svc_distance = s2.text_input("Average distance to the clinic (one way)", "12 mile", **ui.kept("svc_distance"))
st.markdown("How patients travel to face-to-face appointments (shares must add up to 100 %):")
default_mix = pd.DataFrame({  # modes by name, as people know them; the engine takes a name or an id
    "mode": [names[m] for m in ("car_unknown_average", "bus_local_average", "taxi_regular", "walk_cycle") if m in ids],
})
default_mix["share_pct"] = [70.0, 15.0, 5.0, 10.0][: len(default_mix)]
mix = ui.editor(
    "svc_mix",
    default_mix,
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    column_config={
        "mode": st.column_config.SelectboxColumn("Mode", options=list(names.values()), required=True, width="large"),
        "share_pct": st.column_config.NumberColumn("Share (%)", min_value=0.0, max_value=100.0, step=1.0),
    },
)
virtual = st.slider("Share of appointments held virtually (%)", 0, 100, 25, 5, **ui.kept("svc_virtual"))

try:
    svc = travel.service(store, appointments, mix, svc_distance, f"{virtual} %", basis)
except ValueError as exc:
    ui.show_error(exc, "Cannot calculate")
else:
    totals = travel.service_summary(svc)
    unit = "kg"  # one unit for the figures, the table and the chart (charts.travel_by_mode draws kgCO2e)
    t1, t2, t3 = st.columns(3)
    t1.metric("Face-to-face travel a year", co2e(totals["travel_kgCO2e"], unit=unit),
              help=f"range {co2e(totals['travel_kgCO2e_low'], unit=unit)} – {co2e(totals['travel_kgCO2e_high'], unit=unit)}")
    t2.metric("Saved by virtual appointments", co2e(totals["saving_kgCO2e"], unit=unit))
    t3.metric("If every appointment were face to face", co2e(totals["all_face_to_face_kgCO2e"], unit=unit))
    st.markdown(
        f"Virtual appointments save **{co2e(totals['saving_kgCO2e'], unit=unit)}** a year "
        f"{equivalence.fit(store, totals['saving_kgCO2e'], basis)}."
    )
    st.caption(
        "Where clinically appropriate: a virtual appointment suits some reviews and not others (examination, "
        "tests, people without a device or a private space). The footprint of the call itself is not counted."
    )
    st.altair_chart(charts.travel_by_mode(svc), width="stretch", key="svc_chart")
    shown = svc[["name", "share", "journeys", "distance_km", "kgCO2e", "kgCO2e_low", "kgCO2e_high", "factor_ids"]]
    ui.table(labels.in_tonnes(shown) if unit == "t" else shown, "svc_table", unit=unit, pin="name",
             first=["kgCO2e" if unit == "kg" else "tCO2e"],
             titles={"name": "Mode", "kgCO2e": "Carbon a year (kgCO2e)", "tCO2e": "Carbon a year (tCO2e)"})
    ui.download_csv("Download the service view (CSV)", svc, "service_travel.csv", key="svc_download")
