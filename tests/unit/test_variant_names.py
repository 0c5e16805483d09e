"""A variant says truly what it is (alternatives.apply): the words for what was swapped away are
replaced only when every such activity was swapped; its description names the original and each swap."""

from dataclasses import replace

from carbon import alternatives as al
from carbon import pathways as pw


def test_every_inhaler_to_a_dpi_is_on_dpis(store):
    p = pw.load(store, "asthma_pmdi")
    v = al.apply(store, p, "clenil_to_easyhaler,ventolin_evohaler_to_dpi")
    assert v.name == "Asthma: preventer and reliever on DPIs (switched from pMDIs)"
    assert v.description == (
        "A variant of “Asthma: preventer and reliever on pMDIs” with, where clinically appropriate: Clenil Modulite "
        "100 pMDI to Beclometasone Easyhaler 200 (row 1); Ventolin Evohaler to a salbutamol 100 microgram DPI (row 2).")
    assert "pressurised metered-dose" not in v.description and v.cohort == p.cohort


def test_one_inhaler_swapped_keeps_the_pmdi_name_and_names_the_swap(store):
    v = al.apply(store, pw.load(store, "asthma_pmdi"), "ventolin_evohaler_to_dpi")
    assert v.name == ("Asthma: preventer and reliever on pMDIs "
                      "(swap: Ventolin Evohaler to a salbutamol 100 microgram DPI)")  # Clenil is still a pMDI


def test_a_name_of_ones_own(store):
    mine = replace(pw.load(store, "copd_triple_pmdi"), name="Our COPD clinic on pMDIs", cohort=250)
    v = al.apply(store, mine, "trimbow_to_trelegy,salbutamol_pmdi_to_dpi")
    assert v.name == "Our COPD clinic on DPIs (switched from pMDIs)" and v.cohort == 250
    theatre = al.apply(store, pw.load(store, "hip_ga_desflurane"), "desflurane_to_sevoflurane")
    assert theatre.name == "Primary hip replacement: GA with sevoflurane (switched from desflurane)"
    video = al.apply(store, pw.load(store, "outpatient_f2f"), "face_to_face_to_virtual")
    assert video.name == "Outpatient follow-up: virtual (switched from face-to-face)"
