"""Prescribing: import real prescribing files as published, see the inhaler footprint by board and practice,
its trend, reliever use beside carbon, the practices that stand out for their size, and what switching would
save where clinically appropriate."""

import streamlit as st

from carbon import charts, equivalence, labels, ui
from carbon import prescribing as rx
from carbon.formatting import co2e, counted, gbp, number, plural, scale, share
from carbon.prescribing import chapters as rx_chapters
from carbon.prescribing import demo

store = ui.setup()
basis = ui.basis()


@st.cache_data(show_spinner="Working out the footprint…", max_entries=64)
def cached(fn: str, token: str, *args, **kwargs):
    """``carbon.prescribing.<fn>(store, ...)``, kept until the data, list sizes or factors change."""
    return getattr(rx, fn)(store, *args, **kwargs)


#: Headings this page words its own way (everything else comes from carbon/labels.csv).
TITLES = {"rows_kept": "Chapter 3 rows kept", "where": "File", "reason": "Why it has no footprint",
          "method": "Counted by", "note": "How the pounds were priced", "flag": "Against the limits",
          "kg_per_inhaler": "Carbon per inhaler (kgCO2e)"}
#: Working columns of the engine's frames that a person does not need to see.
HIDE = ["eq_code", "moving_range", "pooled_reliever_share", "pooled_carbon", "volume", "value", "factor_ids",
        "switch_factor_ids"]


def shown(df):
    """A table as a person reads it: a name the files do not give (PHS has no practice names) shows as a dash,
    a device in words."""
    text = [c for c in ("practice_name", "board", "product", "description", "eq_description", "eq_product",
                        "match", "eq_price_basis") if c in df.columns]
    out = df.fillna({c: "–" for c in text})
    return out.assign(device=out["device"].map(rx.DEVICES).fillna(out["device"])) if "device" in out else out


st.title("Prescribing")
st.caption(
    "Inhaler carbon from Public Health Scotland's *Prescriptions in the Community* files and NHS England's "
    f"*English Prescribing Dataset*, on the **{basis}** GWP basis chosen in the sidebar. Each BNF code takes its "
    "device and product from NHSBSA's own BNF code list (names, brands, code changes) and its factor from the "
    "library; paid quantity becomes inhalers (more than 9 units per item are doses, divided by the doses per inhaler)."
)

# --- import ----------------------------------------------------------------------------------------
def _load_demo() -> None:
    bar = st.progress(0.0, text="Writing the demonstration files…")
    report = demo.load(store, ui.who(), progress=lambda f, m: bar.progress(f, text=m))
    bar.empty()
    st.session_state["rx_message"] = ("Loaded the demonstration board: " + report.summary()
                                      + ". Remove it under Import prescribing data when you import your own.")
    st.rerun()


if not rx.has_data(store):
    st.info("No prescribing data yet. Import the monthly files your publisher releases (below), or look round the "
            "page first with a demonstration board: a year of made-up prescribing for 24 practices, in Public Health "
            "Scotland's own file layout, loaded through the same import.")
    if st.button("Load the demonstration data", key="rx_demo", type="primary", disabled=not ui.can("edit")):
        _load_demo()
if st.session_state.get("rx_message"):
    st.success(ui.plain(st.session_state.pop("rx_message")))
if demo.is_loaded(store):
    st.warning("This is the **demonstration board**: made-up practices (99001 to 99024) and quantities under NHS "
               "Borders' board code, in the real file layout. It is not NHS Borders' prescribing. Remove it under "
               "*Import prescribing data* before you import your own files.")

with st.expander("Import prescribing data", expanded=not rx.has_data(store)):
    c1, c2 = st.columns([3, 1])
    pick = c2.radio("Choose", ["Files", "A folder"], horizontal=True, **ui.kept("rx_pick"))
    fmt = c2.selectbox("Format", ["auto", "phs", "epd"], **ui.kept("rx_format"),
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
            st.error(f"Nothing was imported: {counted(exc.total, 'problem')}. Fix the files and import again.")
            ui.table(rx.problems_frame(exc), "rx_problems", titles=TITLES)
        else:
            st.success(ui.plain(report.summary()))
    lc1, lc2 = st.columns([3, 1])
    sizes = lc1.file_uploader("Practice list sizes (optional: gives kgCO2e per 1,000 patients a year)",
                              type=["csv", "gz", "parquet"], key="rx_sizes_upload",
                              help="NHS England 'Patients Registered at a GP Practice' or the PHS practice list sizes, "
                                   "as downloaded: the total row (ALL/ALL, Sex = All) is used.")
    if lc2.button("Load list sizes", key="rx_sizes", disabled=sizes is None or not ui.can("edit")):
        try:
            n = rx.import_list_sizes_upload(store, sizes.name, sizes.getvalue(), ui.who())
        except rx.PrescribingImportError as exc:
            st.error(f"No list sizes were loaded: {counted(exc.total, 'problem')}.")
            ui.table(rx.problems_frame(exc), "rx_sizes_problems", titles=TITLES)
        else:
            st.success(f"Loaded list sizes for {n:,} practices.")
    log = rx.imports(store)
    if len(log):
        ui.table(log, "rx_log", pin="file", titles=TITLES)
    d1, d2 = st.columns(2)
    if demo.is_loaded(store):
        if d1.button("Remove the demonstration data", key="rx_demo_remove", disabled=not ui.can("edit")):
            n = demo.remove(store)
            st.session_state["rx_message"] = f"Removed the demonstration board ({n} files)."
            st.rerun()
    elif rx.has_data(store) and d1.button("Load the demonstration data too", key="rx_demo_more",
                                          disabled=not ui.can("edit")):
        _load_demo()

if not rx.has_data(store):
    st.stop()

# --- headline and coverage ---------------------------------------------------------------------
token = rx.data_token(store)
tot = cached("totals", token, basis=basis)
cov = cached("coverage", token)
unit = scale(tot["kgCO2e"])  # the footprint's view: its headline, tables and bar charts in one unit
(m1, m2), (m3, m4) = st.columns(2), st.columns(2)  # two by two: every figure read whole from 1024 px up
m1.metric("Inhaler carbon", co2e(tot["kgCO2e"], unit=unit),
          help=f"range {co2e(tot['kgCO2e_low'], unit=unit)} – {co2e(tot['kgCO2e_high'], unit=unit)}")
m2.metric("Inhalers", f"{tot['inhalers']:,.0f}", help=f"{tot['items']:,.0f} items")
m3.metric("Low-carbon share", f"{tot['low_carbon_share'] or 0:.0%}", help="dry-powder and soft-mist inhalers")
m4.metric("Cost", gbp(tot["cost_gbp"]))
st.markdown(f"**{co2e(tot['kgCO2e'], unit=unit)}** from {counted(tot['practices'], 'practice')} in {counted(tot['boards'], 'board')} "
            f"over {counted(tot['months'], 'month')} {equivalence.fit(store, tot['kgCO2e'], basis)}.")
st.caption(f"Coverage: {cov['items_share']:.1%} of inhaler items and {cov['cost_share']:.1%} of inhaler cost are "
           f"mapped to a factor; {counted(cov['unmapped_codes'], 'code')} {plural(cov['unmapped_codes'], 'is', 'are')} not, and their items are counted as "
           f"unmapped, never as zero. Of the {cov['list_inhalers']:,} inhalers in NHSBSA's BNF 3.1/3.2 list, "
           f"{cov['list_inhalers_with_factor']:,} have a factor.")
unmapped = cached("unmapped_codes", token)
if len(unmapped):
    with st.expander(f"Inhaler codes without a footprint ({len(unmapped)}), and why"):
        ui.table(shown(unmapped), "rx_unmapped", pin="bnf_code", titles=TITLES)
        ui.download_csv("Download unmapped codes (CSV)", unmapped, "unmapped_codes.csv", key="rx_unmapped_dl")
has_sizes = rx.has_list_sizes(store)
if has_sizes:
    loaded = rx.list_sizes(store)
    months = ", ".join(sorted({m for m in loaded["month"] if isinstance(m, str)})) or "a month not stated"
    st.caption(f"Per 1,000 patients a year: each practice's footprint over its own months of data "
               f"({counted(tot['months'], 'month')} imported) scaled to twelve months, over its registered patients "
               f"(list sizes of {months}).")

# --- footprint -------------------------------------------------------------------------------------
st.subheader("Footprint")
tabs = st.tabs(["By board", "By practice", "By month", "By product"])
for tab, by, label in zip(tabs, rx.GROUPS, ["board", "practice", "month", "product"]):
    with tab:
        df = cached("footprint", token, by, basis=basis).rename(columns={"months": "months_of_data"})
        tonnes = labels.in_tonnes(df) if unit == "t" else df
        value = "tCO2e" if unit == "t" else "kgCO2e"
        if by == "board":
            st.altair_chart(charts.ranked_bars(tonnes, "board", value, f"{value} (inhalers)"), width="stretch",
                            key="rx_board_chart")
        elif by == "month":
            trend = cached("footprint", token, ["month", "board"], basis=basis)
            st.altair_chart(charts.footprint_trend(trend), width="stretch", key="rx_trend_chart")
        elif by == "product":
            st.altair_chart(charts.ranked_bars(tonnes, "product", value, f"{value} (inhalers)"), width="stretch",
                            key="rx_product_chart")
        pin = label
        ui.table(shown(df), f"rx_fp_{by}", unit=unit, pin=pin, titles=TITLES,
                 first=[c for c in ("practice_name", "board", "kgCO2e", "kgCO2e_per_1000_patients_year",
                                    "low_carbon_share", "reliever_share") if c in df.columns and c != pin])
        ui.download_csv(f"Download by {label} (CSV)", df, f"inhaler_footprint_by_{by}_{basis}.csv",
                        key=f"rx_fp_dl_{by}")

# --- all of prescribing, by BNF chapter -------------------------------------------------------------
st.subheader("All prescribing, by BNF chapter")
chapters = cached("footprint_by_chapter", token, basis)
if len(chapters):
    whole = rx_chapters.summary(chapters)
    whole_unit = scale(whole["kgCO2e"])
    c1, c2, c3 = st.columns(3)
    c1.metric("All prescribing carbon", co2e(whole["kgCO2e"], unit=whole_unit),
              help=f"range {co2e(whole['kgCO2e_low'], unit=whole_unit)} – {co2e(whole['kgCO2e_high'], unit=whole_unit)}")
    c2.metric("Inhalers (product footprints)", co2e(whole["product_kgCO2e"], unit=whole_unit))
    c3.metric("Everything else (by spend)", co2e(whole["spend_kgCO2e"], unit=whole_unit),
              help=f"cost {gbp(whole['cost_gbp'])}")
    st.caption("Inhalers the mapping can place are counted by their product footprints; every other pound of "
               "prescribing (the rest of chapter 3, and every other chapter, dressings and appliances included) by "
               "its chapter's spend factor (NHS SDU reporting factors, the range up to Defra's supply-chain factors), "
               "its pounds first brought to the factor's price year with the ONS GDP deflator. No pound is counted "
               "twice: the mapped inhalers' spend is taken out of chapter 3's before it is priced.")
    st.altair_chart(charts.prescribing_chapters(chapters), width="stretch")
    ui.table(shown(chapters), "rx_chapters", unit=whole_unit, pin="bnf_chapter", titles=TITLES,
             first=["chapter_name", "method", "kgCO2e"])
    ui.download_csv("Download by chapter (CSV)", chapters, f"prescribing_by_chapter_{basis}.csv", key="rx_chapters_dl")

# --- trend as SPC ------------------------------------------------------------------------------------
st.subheader("Each board month by month (SPC)")
spc = cached("trend", token, basis=basis)
boards = sorted(spc["board"].dropna().unique())
board = st.selectbox("Board", boards, **ui.kept("rx_spc_board"))
one = spc[spc["board"] == board]
st.altair_chart(charts.spc_chart(one), width="stretch", key="rx_spc_chart")
special = one[one["special_cause"] != "common cause"]
st.caption("An XmR chart, as NHS England's *Making Data Count* draws them: process limits at the mean ± 2.66 × the "
           "mean moving range; a special cause is a point outside the limits, 7 points rising or falling, 2 of 3 near "
           "a limit, or 7 on one side of the mean. "
           + (f"{counted(len(special), 'month')} of {board} {plural(len(special), 'shows', 'show')} a special cause." if len(special) else
              f"Every month of {board} is common-cause variation." if len(one) >= 2 else
              "One month is not yet a trend."))
if len(special):
    ui.table(special[["month", "kgCO2e", "mean", "lower", "upper", "special_cause"]], "rx_spc_special", pin="month",
             titles={"mean": "Mean (kgCO2e)", "lower": "Lower process limit (kgCO2e)",
                     "upper": "Upper process limit (kgCO2e)"})

# --- quality beside carbon ---------------------------------------------------------------------------
st.subheader("Reliever use beside carbon")
spots = cached("hot_spots", token, basis=basis)
if len(spots):
    measure = spots["carbon_measure"].iloc[0]
    both = int(spots["hot_spot"].sum())
    st.altair_chart(charts.reliever_quadrant(spots, measure), width="stretch", key="rx_quality_chart")
    st.markdown(f"**{counted(both, 'practice')}** {plural(both, 'has', 'have')} both a reliever share and {measure} above all practices pooled "
                f"({share(spots['pooled_reliever_share'].iloc[0])} and {number(spots['pooled_carbon'].iloc[0])} {measure}): "
                "where high carbon and poorly controlled asthma may coincide.")
    st.caption(rx.RELIEVER_NOTE)
    ui.table(shown(spots), "rx_quality", pin="practice", hide=HIDE, titles={**TITLES, "carbon": measure},
             first=["practice_name", "hot_spot", "reliever_share", "carbon"])
    ui.download_csv("Download reliever use by practice (CSV)", spots, "relievers_by_practice.csv",
                    key="rx_quality_dl")

# --- variation -------------------------------------------------------------------------------------
st.subheader("Unwarranted variation: practices against their peers")
metrics = ["low_carbon_share", "reliever_share"] + (["kgCO2e_per_1000_patients_year"] if has_sizes else [])
if st.session_state.get("rx_metric") not in metrics:
    ui.put("rx_metric", metrics[0])
metric = st.radio("Indicator", metrics, format_func=rx.METRICS.get, horizontal=True, **ui.kept("rx_metric"))
if not has_sizes:
    st.caption("Load practice list sizes above to compare kgCO2e per 1,000 patients a year.")
f = cached("funnel", token, metric, basis=basis)
ranked = rx.ranked(f)
st.altair_chart(charts.funnel_plot(f.points, f.curve, f.target, f.value_label, f.volume_label,
                                   percent=f.kind == "proportion"), width="stretch", key="rx_funnel")
st.caption(f.method + " The green line is all practices pooled. Points outside the 99.8% limits are very "
           "unlikely to be chance alone; they are worth a conversation, not a verdict.")
out = rx.outliers(f, "95%")
st.markdown(f"**{counted(len(out), 'practice')}** outside the 95% limits. The table ranks practices by how many standard "
            "errors they sit from all practices pooled, furthest on the wrong side first, so a small practice is not "
            "first only because a few prescriptions swing its figure.")
ui.table(shown(ranked.assign(indicator=ranked["value"], size=ranked["volume"])), "rx_ranked", pin="practice",
         hide=HIDE, first=["rank", "practice_name", "indicator", "z", "flag", "size"], titles=TITLES,
         extra={"indicator": st.column_config.NumberColumn(
                           f.value_label, format="percent" if f.kind == "proportion" else "%,.1f"),
                       "size": st.column_config.NumberColumn(f.volume_label, format="%,.0f")})
ui.download_csv("Download the ranked practices (CSV)", ranked, f"practices_{metric}.csv", key="rx_ranked_dl")

# --- switching -------------------------------------------------------------------------------------
st.subheader("What switching would save")
st.warning("Where clinically appropriate: " + rx.SWITCH_CAVEAT)
pct = st.slider("Share of propellant inhalers (pMDI, breath-actuated) switched to the DPI / soft-mist equivalent",
                0, 100, 20, 5, format="%d%%", **ui.kept("rx_share"))
sw = cached("switching_opportunity", token, f"{pct} %", basis=basis)
su = scale(sw.totals["saving_benchmark_kgCO2e"], sw.totals["saving_switch_kgCO2e"])  # the switching view's unit
(s1, s2), (s3, s4) = st.columns(2), st.columns(2)
s1.metric("Best quartile: saving", co2e(sw.totals["saving_benchmark_kgCO2e"], unit=su),
          help=f"if every practice above {sw.benchmark_kg_per_inhaler:.1f} kgCO2e per inhaler matched it")
s2.metric("Best quartile: cost change", gbp(sw.totals["cost_change_benchmark_gbp"], signed=True))
low, high = co2e(sw.totals["saving_switch_kgCO2e_low"], unit=su), co2e(sw.totals["saving_switch_kgCO2e_high"], unit=su)
s3.metric(f"Switching {pct}%: saving", co2e(sw.totals["saving_switch_kgCO2e"], unit=su), help=f"range {low} – {high}")
s4.metric(f"Switching {pct}%: cost change", gbp(sw.totals["cost_change_switch_gbp"], signed=True))
unmatched = sw.totals["propellant_inhalers"] - sw.totals["matched_inhalers"]
st.markdown(f"Switching {pct}% would save **{co2e(sw.totals['saving_switch_kgCO2e'], unit=su)}** "
            f"{equivalence.fit(store, sw.totals['saving_switch_kgCO2e'], basis)}; every practice matching the best "
            f"quartile, **{co2e(sw.totals['saving_benchmark_kgCO2e'], unit=su)}** "
            f"{equivalence.fit(store, sw.totals['saving_benchmark_kgCO2e'], basis)}. "
            "Cost change: + is dearer, − is cheaper."
            + (f" {counted(unmatched, 'propellant inhaler')} {plural(round(unmatched), 'has', 'have')} no dry-powder or soft-mist inhaler of the same "
               "molecule(s) and are not switched." if unmatched > 0.5 else ""))
switch_value = "saving_switch_tCO2e" if su == "t" else "saving_switch_kgCO2e"
st.altair_chart(charts.ranked_bars(sw.by_board, "board", switch_value, f"{su}CO2e saved by switching {pct}%"),
                width="stretch", key="rx_switch_chart")
matches = cached("matches", token, basis=basis)
st.markdown("**The match each switch is priced at**: the dry-powder (or soft-mist) inhaler of the same molecule(s), "
            "the same strength where there is one, named from NHSBSA's BNF list; one propellant inhaler becomes "
            "*equivalents per inhaler* of it (the same total dose), at its own cost per inhaler in the data, else its "
            "list price.")
ui.table(shown(matches), "rx_matches", pin="bnf_code", hide=HIDE, titles=TITLES,
         first=["description", "eq_description", "inhaler_ratio"])
# the savings first, in the view's unit (the engine's frames carry both kg and t of the saving)
SAVINGS = [c for c in ("saving_switch_tCO2e", "saving_benchmark_tCO2e") if su == "t"] or [
    "saving_switch_kgCO2e", "saving_benchmark_kgCO2e"]
OTHER_UNIT = (["saving_switch_kgCO2e", "saving_benchmark_kgCO2e", "saving_switch_kgCO2e_low",
               "saving_switch_kgCO2e_high"] if su == "t" else ["saving_switch_tCO2e", "saving_benchmark_tCO2e"])
b_tab, p_tab = st.tabs(["By board", "By practice"])
with b_tab:
    ui.table(shown(sw.by_board), "rx_switch_board", pin="board", hide=[*HIDE, *OTHER_UNIT], titles=TITLES,
             first=[*SAVINGS, "cost_change_switch_gbp"])
    ui.download_csv("Download savings by board (CSV)", sw.by_board, f"switching_by_board_{pct}pct.csv",
                    key="rx_switch_board_dl")
with p_tab:
    ui.table(shown(sw.by_practice), "rx_switch_practice", pin="practice", hide=[*HIDE, *OTHER_UNIT], titles=TITLES,
             first=["practice_name", *SAVINGS, "cost_change_switch_gbp"])
    ui.download_csv("Download savings by practice (CSV)", sw.by_practice, f"switching_by_practice_{pct}pct.csv",
                    key="rx_switch_practice_dl")
