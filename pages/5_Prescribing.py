"""Prescribing: import real prescribing files as published, see the inhaler footprint by board and practice,
its trend, reliever use beside carbon, the practices that stand out for their size, and what switching would
save where clinically appropriate."""

import streamlit as st

from carbon import charts, equivalence, ui
from carbon import prescribing as rx
from carbon.prescribing import chapters as rx_chapters
from carbon.formatting import co2e, gbp

store = ui.setup()
basis = ui.basis()


@st.cache_data(show_spinner="Working out the footprint…", max_entries=64)
def cached(fn: str, token: str, *args, **kwargs):
    """``carbon.prescribing.<fn>(store, ...)``, kept until the data, list sizes or factors change."""
    return getattr(rx, fn)(store, *args, **kwargs)


NUM = st.column_config.NumberColumn
TEXT = st.column_config.TextColumn
COLUMNS = {  # plain-English headings for every table on the page (a column a table lacks is ignored)
    "id": NUM("Import", format="%d"), "file": TEXT("File", width=260), "format": "Format",
    "layout": TEXT("Layout recognised", width=300), "encoding": "Text encoding",
    "rows_read": NUM("Rows read", format="%,d"), "rows_kept": NUM("Chapter 3 rows kept", format="%,d"),
    "chemical_rows": NUM("Summed into (month x practice x chemical rows)", format="%,d"),
    "bytes": NUM("Size read (bytes)", format="%,d"), "fingerprint": TEXT("Fingerprint (size:hash)", width=200),
    "months": "Months", "imported_at": "Imported at", "imported_by": "Imported by",
    "where": TEXT("File", width=200),
    "line": NUM("Line", format="%d", width=60, help="Line in the file; the header is line 1 (empty: the whole file)"),
    "what": TEXT("What is wrong", width=680), "fix": "How to fix it",
    "reason": TEXT("Why it has no footprint", width=420), "name_source": TEXT("Name from", width=240),
    "board_code": "Board code", "board": "Board", "practice": "Practice", "practice_name": "Practice name",
    "month": "Month", "product": "Product", "device": "Device", "bnf_code": "BNF code", "description": "BNF name",
    "items": NUM("Items", format="%,.0f"),
    "bnf_chapter": NUM("BNF chapter", format="%d", width=90), "chapter_name": TEXT("Chapter", width=300),
    "method": TEXT("Counted by", width=220), "note": TEXT("How the pounds were priced", width=520),
    "inhalers": NUM("Inhalers", format="%,.0f"),
    "kgCO2e": NUM("kgCO2e", format="%,.1f"),
    "kgCO2e_low": NUM("kgCO2e low", format="%,.1f"),
    "kgCO2e_high": NUM("kgCO2e high", format="%,.1f"),
    "low_carbon_share": NUM("Low-carbon share", format="percent"),
    "reliever_inhalers": NUM("Reliever inhalers", format="%,.0f"),
    "reliever_share": NUM("Reliever share", format="percent"),
    "cost_gbp": NUM("Cost (£)", format="%,.2f"),
    "unmapped_items": NUM("Unmapped items", format="%,.0f"),
    "months_of_data": NUM("Months of data", format="%d"),
    "patients": NUM("Registered patients", format="%,.0f"), "list_size_month": "List sizes of",
    "kgCO2e_per_1000_patients_year": NUM("kgCO2e per 1,000 patients a year", format="%,.1f"),
    "relievers_per_1000_patients_year": NUM("Relievers per 1,000 patients a year", format="%,.0f"),
    "factor_ids": "Factors",
    "rank": NUM("Rank", format="%d"), "z": NUM("Standard errors from all practices (z)", format="%.2f"),
    "flag": "Against the limits",
    "lower95": NUM("95% lower limit", format="%.3f"), "upper95": NUM("95% upper limit", format="%.3f"),
    "lower998": NUM("99.8% lower limit", format="%.3f"), "upper998": NUM("99.8% upper limit", format="%.3f"),
    "kg_per_inhaler": NUM("kgCO2e per inhaler", format="%.2f"),
    "benchmark_kg_per_inhaler": NUM("Best quartile, kgCO2e per inhaler", format="%.2f"),
    "saving_benchmark_kgCO2e": NUM("Best quartile: saving (kgCO2e)", format="%,.1f"),
    "saving_benchmark_tCO2e": NUM("Best quartile: saving (tCO2e)", format="%,.2f"),
    "cost_change_benchmark_gbp": NUM("Best quartile: cost change (£)", format="%+,.0f"),
    "propellant_inhalers": NUM("Propellant inhalers", format="%,.0f"),
    "matched_inhalers": NUM("With a DPI / soft-mist match", format="%,.0f"),
    "switched_inhalers": NUM("Inhalers switched", format="%,.0f"),
    "saving_switch_kgCO2e": NUM("Switching: saving (kgCO2e)", format="%,.1f"),
    "saving_switch_kgCO2e_low": NUM("Switching: saving low (kgCO2e)", format="%,.1f"),
    "saving_switch_kgCO2e_high": NUM("Switching: saving high (kgCO2e)", format="%,.1f"),
    "saving_switch_tCO2e": NUM("Switching: saving (tCO2e)", format="%,.2f"),
    "cost_change_switch_gbp": NUM("Switching: cost change (£)", format="%+,.0f"),
    "unpriced_inhalers": NUM("Switched without a price", format="%,.0f"),
    "switch_factor_ids": "Switches (factor > equivalent)",
    "eq_description": TEXT("Priced as (DPI / soft mist)", width=300), "eq_product": "Equivalent product",
    "match": TEXT("Match", width=300), "inhaler_ratio": NUM("Equivalents per inhaler", format="%.2f"),
    "kg_per_inhaler_match": NUM("kgCO2e per inhaler", format="%.2f"),
    "eq_kg_per_inhaler": NUM("Equivalent: kgCO2e per inhaler", format="%.2f"),
    "cost_per_inhaler": NUM("£ per inhaler", format="%.2f"),
    "eq_cost_per_inhaler": NUM("Equivalent: £ per inhaler", format="%.2f"), "eq_price_basis": "Equivalent priced at",
    "special_cause": "Special cause", "mean": NUM("Mean", format="%,.0f"),
    "lower": NUM("Lower process limit", format="%,.0f"), "upper": NUM("Upper process limit", format="%,.0f"),
    "carbon_measure": "Carbon measure", "carbon": NUM("Carbon", format="%,.1f"),
    "hot_spot": st.column_config.CheckboxColumn("High carbon and high reliever use"),
}
def shown(df):
    """A table as a person reads it: a name the files do not give (PHS has no practice names) shows as a dash."""
    text = [c for c in ("practice_name", "board", "product", "description", "eq_description", "eq_product",
                        "match", "eq_price_basis", "factor_ids", "switch_factor_ids") if c in df.columns]
    return df.fillna({c: "–" for c in text})


HIDE = {"eq_code": None, "moving_range": None, "pooled_reliever_share": None, "pooled_carbon": None, "volume": None,
        "value": None}

st.title("Prescribing")
st.caption(
    "Inhaler carbon from Public Health Scotland's *Prescriptions in the Community* files and NHS England's "
    f"*English Prescribing Dataset*, on the **{basis}** GWP basis chosen in the sidebar. Each BNF code takes its "
    "device and product from NHSBSA's own BNF code list (names, brands, code changes) and its factor from the "
    "library; paid quantity becomes inhalers (more than 9 units per item are doses, divided by the doses per inhaler)."
)

# --- import ----------------------------------------------------------------------------------------
with st.expander("Import prescribing data", expanded=not rx.has_data(store)):
    c1, c2 = st.columns([3, 1])
    pick = c2.radio("Choose", ["Files", "A folder"], key="rx_pick", horizontal=True)
    fmt = c2.selectbox("Format", ["auto", "phs", "epd"], key="rx_format",
                       format_func={"auto": "Detect from the header", "phs": "Public Health Scotland",
                                    "epd": "NHS England EPD"}.get)
    uploads = c1.file_uploader(
        "Monthly prescribing files as downloaded (CSV, .csv.gz, ZIP or Parquet)", type=["csv", "gz", "zip", "parquet"],
        accept_multiple_files="directory" if pick == "A folder" else True, key=f"rx_upload_{pick}",
        help="Load the files unchanged: every BNF chapter is read and checked. A file with any bad row imports "
        "nothing, and the rows and reasons are listed. Importing a month again replaces it.")
    if not ui.can("edit"):
        st.info(ui.not_allowed_note("edit"))
    if st.button("Import", key="rx_import", type="primary", disabled=not uploads or not ui.can("edit")):
        bar = st.progress(0.0, text="Starting…")
        try:
            report = rx.import_uploads(store, [(u.name, u.getvalue()) for u in uploads], fmt,
                                       progress=lambda f, m: bar.progress(f, text=m), who=ui.who())
        except rx.PrescribingImportError as exc:
            bar.empty()
            st.error(f"Nothing was imported: {exc.total} problem(s). Fix the file(s) and import again.")
            st.dataframe(rx.problems_frame(exc), hide_index=True, width="stretch", key="rx_problems",
                         column_config=COLUMNS)
        else:
            st.success(report.summary())
    lc1, lc2 = st.columns([3, 1])
    sizes = lc1.file_uploader("Practice list sizes (optional: gives kgCO2e per 1,000 patients a year)",
                              type=["csv", "gz", "parquet"], key="rx_sizes_upload",
                              help="NHS England 'Patients Registered at a GP Practice' or the PHS practice list sizes, "
                                   "as downloaded: the total row (ALL/ALL, Sex = All) is used.")
    if lc2.button("Load list sizes", key="rx_sizes", disabled=sizes is None or not ui.can("edit")):
        try:
            n = rx.import_list_sizes_upload(store, sizes.name, sizes.getvalue(), ui.who())
        except rx.PrescribingImportError as exc:
            st.error(f"No list sizes were loaded: {exc.total} problem(s).")
            st.dataframe(rx.problems_frame(exc), hide_index=True, width="stretch", column_config=COLUMNS)
        else:
            st.success(f"Loaded list sizes for {n:,} practices.")
    log = rx.imports(store)
    if len(log):
        st.dataframe(log, hide_index=True, width="stretch", key="rx_log", column_config=COLUMNS)

if not rx.has_data(store):
    st.info("No prescribing data yet: import a PHS or EPD file above (the test fixtures in "
            "`tests/data/prescribing/` are small examples of both).")
    st.stop()

# --- headline and coverage ---------------------------------------------------------------------
token = rx.data_token(store)
tot = cached("totals", token, basis=basis)
cov = cached("coverage", token)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Inhaler carbon", co2e(tot["kgCO2e"]), help=f"range {co2e(tot['kgCO2e_low'])} – {co2e(tot['kgCO2e_high'])}")
m2.metric("Inhalers", f"{tot['inhalers']:,.0f}", help=f"{tot['items']:,.0f} items")
m3.metric("Low-carbon share", f"{tot['low_carbon_share'] or 0:.0%}", help="dry-powder and soft-mist inhalers")
m4.metric("Cost", gbp(tot["cost_gbp"]))
st.markdown(f"**{co2e(tot['kgCO2e'])}** from {tot['practices']:,} practices in {tot['boards']:,} boards over "
            f"{tot['months']} month(s) {equivalence.car(store, tot['kgCO2e'], basis)}.")
st.caption(f"Coverage: {cov['items_share']:.1%} of inhaler items and {cov['cost_share']:.1%} of inhaler cost are "
           f"mapped to a factor; {cov['unmapped_codes']} code(s) are not, and their items are counted as "
           f"unmapped, never as zero. Of the {cov['list_inhalers']:,} inhalers in NHSBSA's BNF 3.1/3.2 list, "
           f"{cov['list_inhalers_with_factor']:,} have a factor.")
unmapped = cached("unmapped_codes", token)
if len(unmapped):
    with st.expander(f"Inhaler codes without a footprint ({len(unmapped)}), and why"):
        st.dataframe(shown(unmapped), hide_index=True, width="stretch", key="rx_unmapped", column_config=COLUMNS)
        ui.download_csv("Download unmapped codes (CSV)", unmapped, "unmapped_codes.csv", key="rx_unmapped_dl")
has_sizes = rx.has_list_sizes(store)
if has_sizes:
    loaded = rx.list_sizes(store)
    months = ", ".join(sorted({m for m in loaded["month"] if isinstance(m, str)})) or "a month not stated"
    st.caption(f"Per 1,000 patients a year: each practice's footprint over its own months of data "
               f"({tot['months']} month(s) imported) scaled to twelve months, over its registered patients "
               f"(list sizes of {months}).")

# --- footprint -------------------------------------------------------------------------------------
st.subheader("Footprint")
tabs = st.tabs(["By board", "By practice", "By month", "By product"])
for tab, by, label in zip(tabs, rx.GROUPS, ["board", "practice", "month", "product"]):
    with tab:
        df = cached("footprint", token, by, basis=basis).rename(columns={"months": "months_of_data"})
        if by == "board":
            st.altair_chart(charts.ranked_bars(df, "board"), width="stretch", key="rx_board_chart")
        elif by == "month":
            trend = cached("footprint", token, ["month", "board"], basis=basis)
            st.altair_chart(charts.footprint_trend(trend), width="stretch", key="rx_trend_chart")
        elif by == "product":
            st.altair_chart(charts.ranked_bars(df, "product"), width="stretch", key="rx_product_chart")
        table = df.assign(device=df["device"].map(rx.DEVICES).fillna(df["device"])) if "device" in df else df
        st.dataframe(shown(table), hide_index=True, width="stretch", column_config=COLUMNS, key=f"rx_fp_{by}")
        ui.download_csv(f"Download by {label} (CSV)", df, f"inhaler_footprint_by_{by}_{basis}.csv",
                        key=f"rx_fp_dl_{by}")

# --- all of prescribing, by BNF chapter -------------------------------------------------------------
st.subheader("All prescribing, by BNF chapter")
chapters = cached("footprint_by_chapter", token, basis)
if len(chapters):
    whole = rx_chapters.summary(chapters)
    c1, c2, c3 = st.columns(3)
    c1.metric("All prescribing carbon", co2e(whole["kgCO2e"]),
              help=f"range {co2e(whole['kgCO2e_low'])} – {co2e(whole['kgCO2e_high'])}")
    c2.metric("Inhalers (product footprints)", co2e(whole["product_kgCO2e"]))
    c3.metric("Everything else (by spend)", co2e(whole["spend_kgCO2e"]), help=f"cost {gbp(whole['cost_gbp'])}")
    st.caption("Inhalers the mapping can place are counted by their product footprints; every other pound of "
               "prescribing (the rest of chapter 3, and every other chapter, dressings and appliances included) by "
               "its chapter's spend factor (NHS SDU reporting factors, the range up to Defra's supply-chain factors), "
               "its pounds first brought to the factor's price year with the ONS GDP deflator. No pound is counted "
               "twice: the mapped inhalers' spend is taken out of chapter 3's before it is priced.")
    st.altair_chart(charts.prescribing_chapters(chapters), width="stretch")
    st.dataframe(shown(chapters.drop(columns=["factor_ids"])), hide_index=True, width="stretch",
                 column_config=COLUMNS, key="rx_chapters")
    ui.download_csv("Download by chapter (CSV)", chapters, f"prescribing_by_chapter_{basis}.csv", key="rx_chapters_dl")

# --- trend as SPC ------------------------------------------------------------------------------------
st.subheader("Each board month by month (SPC)")
spc = cached("trend", token, basis=basis)
boards = sorted(spc["board"].dropna().unique())
board = st.selectbox("Board", boards, key="rx_spc_board")
one = spc[spc["board"] == board]
st.altair_chart(charts.spc_chart(one), width="stretch", key="rx_spc_chart")
special = one[one["special_cause"] != "common cause"]
st.caption("An XmR chart, as NHS England's *Making Data Count* draws them: process limits at the mean ± 2.66 × the "
           "mean moving range; a special cause is a point outside the limits, 7 points rising or falling, 2 of 3 near "
           "a limit, or 7 on one side of the mean. "
           + (f"{len(special)} month(s) of {board} show a special cause." if len(special) else
              f"Every month of {board} is common-cause variation." if len(one) >= 2 else
              "One month is not yet a trend."))
if len(special):
    st.dataframe(special[["month", "kgCO2e", "mean", "lower", "upper", "special_cause"]], hide_index=True,
                 width="stretch", column_config=COLUMNS, key="rx_spc_special")

# --- quality beside carbon ---------------------------------------------------------------------------
st.subheader("Reliever use beside carbon")
spots = cached("hot_spots", token, basis=basis)
if len(spots):
    measure = spots["carbon_measure"].iloc[0]
    both = int(spots["hot_spot"].sum())
    st.altair_chart(charts.reliever_quadrant(spots, measure), width="stretch", key="rx_quality_chart")
    st.markdown(f"**{both}** practice(s) have both a reliever share and {measure} above all practices pooled "
                f"({spots['pooled_reliever_share'].iloc[0]:.0%} and {spots['pooled_carbon'].iloc[0]:,.1f}): "
                "where high carbon and poorly controlled asthma may coincide.")
    st.caption(rx.RELIEVER_NOTE)
    st.dataframe(shown(spots), hide_index=True, width="stretch", key="rx_quality",
                 column_config={**COLUMNS, **HIDE})
    ui.download_csv("Download reliever use by practice (CSV)", spots, "relievers_by_practice.csv",
                    key="rx_quality_dl")

# --- variation -------------------------------------------------------------------------------------
st.subheader("Unwarranted variation: practices against their peers")
metrics = ["low_carbon_share", "reliever_share"] + (["kgCO2e_per_1000_patients_year"] if has_sizes else [])
metric = st.radio("Indicator", metrics, format_func=rx.METRICS.get, key="rx_metric", horizontal=True)
if not has_sizes:
    st.caption("Load practice list sizes above to compare kgCO2e per 1,000 patients a year.")
f = cached("funnel", token, metric, basis=basis)
ranked = rx.ranked(f)
st.altair_chart(charts.funnel_plot(f.points, f.curve, f.target, f.value_label, f.volume_label,
                                   percent=f.kind == "proportion"), width="stretch", key="rx_funnel")
st.caption(f.method + " The green line is all practices pooled. Points outside the 99.8% limits are very "
           "unlikely to be chance alone; they are worth a conversation, not a verdict.")
out = rx.outliers(f, "95%")
st.markdown(f"**{len(out)}** practice(s) outside the 95% limits. The table ranks practices by how many standard "
            "errors they sit from all practices pooled, furthest on the wrong side first, so a small practice is not "
            "first only because a few prescriptions swing its figure.")
st.dataframe(shown(ranked), hide_index=True, width="stretch", key="rx_ranked",
             column_config={**COLUMNS, "value": NUM(f.value_label, format="percent" if f.kind == "proportion"
                                                    else "%,.1f"),
                            "volume": NUM(f.volume_label, format="%,.0f")})
ui.download_csv("Download the ranked practices (CSV)", ranked, f"practices_{metric}.csv", key="rx_ranked_dl")

# --- switching -------------------------------------------------------------------------------------
st.subheader("What switching would save")
st.warning("Where clinically appropriate: " + rx.SWITCH_CAVEAT)
pct = st.slider("Share of propellant inhalers (pMDI, breath-actuated) switched to the DPI / soft-mist equivalent",
                0, 100, 20, 5, format="%d%%", key="rx_share")
sw = cached("switching_opportunity", token, f"{pct} %", basis=basis)
s1, s2, s3, s4 = st.columns(4)
s1.metric("Best quartile: saving", co2e(sw.totals["saving_benchmark_kgCO2e"]),
          help=f"if every practice above {sw.benchmark_kg_per_inhaler:.1f} kgCO2e per inhaler matched it")
s2.metric("Best quartile: cost change", gbp(sw.totals["cost_change_benchmark_gbp"], signed=True))
low, high = co2e(sw.totals["saving_switch_kgCO2e_low"]), co2e(sw.totals["saving_switch_kgCO2e_high"])
s3.metric(f"Switching {pct}%: saving", co2e(sw.totals["saving_switch_kgCO2e"]), help=f"range {low} – {high}")
s4.metric(f"Switching {pct}%: cost change", gbp(sw.totals["cost_change_switch_gbp"], signed=True))
unmatched = sw.totals["propellant_inhalers"] - sw.totals["matched_inhalers"]
st.markdown(f"Switching {pct}% would save **{co2e(sw.totals['saving_switch_kgCO2e'])}** "
            f"{equivalence.car(store, sw.totals['saving_switch_kgCO2e'], basis)}; every practice matching the best quartile, "
            f"**{co2e(sw.totals['saving_benchmark_kgCO2e'])}** {equivalence.car(store, sw.totals['saving_benchmark_kgCO2e'], basis)}. "
            "Cost change: + is dearer, − is cheaper."
            + (f" {unmatched:,.0f} propellant inhaler(s) have no dry-powder or soft-mist inhaler of the same "
               "molecule(s) and are not switched." if unmatched > 0.5 else ""))
st.altair_chart(charts.ranked_bars(sw.by_board, "board", "saving_switch_tCO2e", f"tCO2e saved by switching {pct}%"),
                width="stretch", key="rx_switch_chart")
matches = cached("matches", token, basis=basis)
st.markdown("**The match each switch is priced at**: the dry-powder (or soft-mist) inhaler of the same molecule(s), "
            "the same strength where there is one, named from NHSBSA's BNF list; one propellant inhaler becomes "
            "*equivalents per inhaler* of it (the same total dose), at its own cost per inhaler in the data, else its "
            "list price.")
st.dataframe(shown(matches), hide_index=True, width="stretch", key="rx_matches",
             column_config={**COLUMNS, **HIDE, "kg_per_inhaler": NUM("kgCO2e per inhaler", format="%.2f")})
b_tab, p_tab = st.tabs(["By board", "By practice"])
with b_tab:
    st.dataframe(shown(sw.by_board), hide_index=True, width="stretch", key="rx_switch_board", column_config=COLUMNS)
    ui.download_csv("Download savings by board (CSV)", sw.by_board, f"switching_by_board_{pct}pct.csv",
                    key="rx_switch_board_dl")
with p_tab:
    st.dataframe(shown(sw.by_practice), hide_index=True, width="stretch", key="rx_switch_practice",
                 column_config=COLUMNS)
    ui.download_csv("Download savings by practice (CSV)", sw.by_practice, f"switching_by_practice_{pct}pct.csv",
                    key="rx_switch_practice_dl")
