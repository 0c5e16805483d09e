"""The factor library page through AppTest, on the real app and the real database."""

import getpass

import pytest

from carbon import factors as fx

PAGE = "pages/9_Factor_library.py"
ME = f"{getpass.getuser()} (local account)"


def test_search_finds_salbutamol_inhalers(open_page):
    at = open_page(PAGE)
    at.text_input(key="factor_search").input("ventolin").run()
    table = at.dataframe[0].value
    assert {"ventolin_evohaler", "ventolin_accuhaler"} <= set(table["id"])
    assert (table["source_title"].str.len() > 0).all()
    at.text_input(key="factor_search").input("no such thing at all").run()
    assert at.dataframe[0].value.empty
    assert any("No factor matches" in i.value for i in at.info)


def test_filter_by_category(open_page, store):
    at = open_page(PAGE)
    at.selectbox(key="factor_category").select("travel").run()
    table = at.dataframe[0].value
    assert set(table["category"]) == {"travel"}
    assert len(table) == int(store.execute("SELECT count(*) FROM factor WHERE category='travel'").fetchone()[0])


def test_gwp_switch_recomputes_derived_factors(open_page):
    at = open_page(PAGE)
    at.text_input(key="factor_search").input("desflurane").run()
    at.selectbox(key="factor_detail").select("desflurane_bottle").run()
    ar5 = at.dataframe[0].value.set_index("id").loc["desflurane_bottle", "value"]
    at.sidebar.selectbox(key="_gwp_basis").select("SA2012").run()
    sa = at.dataframe[0].value.set_index("id").loc["desflurane_bottle", "value"]
    # 240 mL x 1.465 g/mL = 351.6 g of desflurane; x 1790 (AR5) and x 2540 (SA2012) kgCO2e/kg
    assert ar5 == pytest.approx(0.3516 * 1790, rel=1e-6)
    assert sa == pytest.approx(0.3516 * 2540, rel=1e-6)
    text = " ".join(m.value for m in at.markdown)
    assert "2,540 kgCO2e/kg on SA2012" in text
    # overriding a derived figure fixes it on every basis: the page says so, and how to change an input
    assert any("replaces the result on every GWP basis" in i.value for i in at.info)


def test_override_and_revert(open_page, store):
    at = open_page(PAGE)
    at.text_input(key="factor_search").input("rail").run()
    at.selectbox(key="factor_detail").select("rail_national").run()
    assert not any("every GWP basis" in i.value for i in at.info)  # a published figure, not derived
    at.number_input[0].set_value(0.05)
    at.text_input[1].input("Scotrail 2025 traction data")
    at.button[0].click().run()
    assert not at.exception
    row = at.dataframe[0].value.set_index("id").loc["rail_national"]
    assert row["value"] == pytest.approx(0.05) and bool(row["overridden"])
    hist = at.dataframe[1].value
    # local mode: the audit trail names this computer's account, which the sidebar shows; nobody types a name
    assert hist["who"].iloc[0] == ME and hist["reason"].iloc[0] == "Scotrail 2025 traction data"
    assert any(ME in c.value for c in at.sidebar.caption)
    assert any(s.value.startswith("Override saved for") for s in at.success)  # said after the rerun
    assert at.text_input(key="override_reason_1").value == ""  # ready for the next override
    at.button(key="revert_override").click().run()
    row = at.dataframe[0].value.set_index("id").loc["rail_national"]
    assert row["value"] == pytest.approx(0.03546) and not bool(row["overridden"])
    assert any(s.value.startswith("Reverted") for s in at.success)
    assert fx.override_history(store, "rail_national")["reverted_by"].iloc[0] == ME


def test_override_without_a_reason_is_refused(open_page, store):
    at = open_page(PAGE)
    at.text_input(key="factor_search").input("rail").run()
    at.selectbox(key="factor_detail").select("rail_national").run()
    at.number_input[0].set_value(0.05)
    at.button[0].click().run()
    assert any("needs a reason" in e.value for e in at.error)
    assert fx.override_history(store).empty
    # the value typed is still there: give a reason and save again
    at.text_input(key="override_reason_0").input("a reason")
    at.button[0].click().run()
    assert not at.error and fx.override_history(store, "rail_national")["reason"].iloc[0] == "a reason"


def test_a_factor_cites_its_source_as_a_citation(open_page):
    """Ventolin Evohaler's source, sources.csv's janson_2020_thorax, is shown as a citation: the sheet's
    brackets gone, then the publisher and year, linked to its DOI; its confidence tag in words."""
    at = open_page(PAGE)
    at.text_input(key="factor_search").input("ventolin evohaler").run()
    table = at.dataframe[0].value.set_index("id")
    cited = ("Janson C, et al. Carbon footprint of the choice of inhalers for asthma and COPD. Thorax 2020;75(1):82-84, "
             "supplementary material (GSK PCF certificate CERT-12506). BMJ Publishing Group (Thorax), 2020")
    assert table.loc["ventolin_evohaler", "citation"] == cited
    assert table.loc["ventolin_evohaler", "confidence"] == "Read in the original publication"
    at.selectbox(key="factor_detail").select("ventolin_evohaler").run()
    source = [m.value for m in at.markdown if m.value.startswith("Source: ")]
    assert source == [f"Source: [{cited}](https://doi.org/10.1136/thoraxjnl-2019-213744)"]  # a link, its text the citation
    assert any(c.value == "How sure: Read in the original publication." for c in at.caption)
    assert not any(c.value.startswith("Notes: V") for c in at.caption)  # the tag is said in words, not as "V."


def test_a_figure_with_no_primary_source_says_so(open_page, store):
    """A factor sourced to the project's reference sheet (a commonly quoted figure not found in a primary
    source) is not shown as if the sheet were a publication."""
    lib = fx.library(store)
    fid = lib.factors.index[lib.factors["source"] == "project_reference_sheet"][0]
    at = open_page(PAGE)
    at.text_input(key="factor_search").input(lib.factors.loc[fid, "name"]).run()
    row = at.dataframe[0].value.set_index("id").loc[fid]
    assert row["citation"].startswith("No primary source") and "Reference sheet" not in row["citation"]
    assert row["confidence"].startswith("Commonly quoted, not confirmed")
