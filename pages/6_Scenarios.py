"""Scenarios: build a baseline and the changes to it, see the trajectory against the targets and the
money, the board's footprint by source for a reporting year, import estates returns, save versions,
and compare scenarios on one chart."""

import streamlit as st

from carbon import board, boardpack, charts, desnz, equivalence, estates, ui
from carbon import factors as fx
from carbon import finance as fin
from carbon import scenarios as sc
from carbon import targets as tg
from carbon.formatting import co2e, counted, gbp

store = ui.setup()
basis = ui.basis()

st.title("Scenarios")
st.caption(
    "A baseline year's emissions by category, the growth in demand, and changes whose uptake ramps over the years, "
    "projected to 2045 with the range from factor uncertainty. Every save keeps a version."
)

NEW = "(start a new scenario)"
saved = sc.list_scenarios(store)
names = saved["name"].tolist()
demo = sc.demo_name()
# first visit: the one in the address (a refresh), else the demo; one deleted or renamed elsewhere: a new one
ui.settle("sc_pick", [NEW, *names], demo if demo in names and "sc_pick" not in st.session_state else NEW)
top = st.columns([6, 1], vertical_alignment="bottom")
choice = top[0].selectbox("Scenario", [NEW, *names], help="Open a saved scenario to edit, run or copy it.",
                          **ui.kept("sc_pick", saved=True))
if st.session_state.get("sc_loaded") != choice:
    try:  # a version saved before today's checks (or edited by hand) is named here, never the page's end
        st.session_state["sc_doc"] = (sc.new() if choice == NEW else sc.load(store, choice)).to_json()
    except ValueError as exc:
        ui.show_error(exc, f"“{choice}” cannot be opened (choose another scenario, or start a new one)")
        st.stop()
    st.session_state["sc_loaded"] = choice
working = sc.Scenario.from_json(st.session_state["sc_doc"])
rev = choice  # editors are keyed by the scenario open, so opening another one resets them
for kind, text in st.session_state.pop("sc_messages", []):
    getattr(st, kind)(ui.plain(text))
headline = st.container()  # the scenario's big numbers, above the tabs (filled once it has run)


def _table(df, key: str) -> None:
    """A pack table (plain headings with units, from boardpack.tables) with its numbers grouped."""
    config = {c: st.column_config.NumberColumn(format="%d" if c in ("Year", "Start", "Full by", "Line") else "%,.0f")
              for c in df.columns if df[c].dtype.kind in "if"}
    config.update({c: st.column_config.NumberColumn(format="%,.2f") for c in df.columns
                   if c.startswith("Cost per") and df[c].dtype.kind == "f"})
    st.dataframe(df, hide_index=True, width="stretch", key=key, column_config=config, placeholder="–")


def _act(action, *args, then: str | None = None, done: str = "") -> None:
    """Run a save/copy/rename/delete from a button's callback (before the page reruns) and open ``then``."""
    try:
        action(*args)
    except ValueError as exc:
        st.session_state["sc_messages"] = [("error", str(exc))]
        return
    if then is not None:
        st.session_state["sc_pick"] = then
        st.session_state.pop("sc_loaded", None)
    st.session_state["sc_messages"] = [("success", done)] if done else []


def _named(action, name: str, key: str, with_who: bool) -> None:
    """Duplicate or rename ``name`` to the name typed in the text box ``key`` (read when clicked)."""
    target = (st.session_state.get(key) or "").strip()
    _act(action, store, name, target, *((ui.who(),) if with_who else ()), then=target)


# keyed, so a save, copy or rename (which shows its message above) leaves the user on the tab they were on
build_tab, result_tab, board_tab, money_tab, compare_tab, files_tab = st.tabs(
    ["Build", "Trajectory", "Board footprint and estates", "Money", "Compare", "Save and files"],
    key="sc_tab", on_change="rerun")

# --- build -------------------------------------------------------------------------------------------
with build_tab:
    c = st.columns([3, 1, 1, 1])
    meta = {
        "name": c[0].text_input("Name", working.name, **ui.kept(f"sc_name_{rev}")),
        "baseline_year": c[1].text_input(
            "Baseline year", working.baseline_period.label, **ui.kept(f"sc_by_{rev}"),
            help="A financial year (2024/25, 1 April to 31 March) or a calendar year (2024): every year of the "
                 "scenario is then of that kind."),
        "end_year": c[2].number_input("Project to", 2000, 2100, working.end_year, **ui.kept(f"sc_end_{rev}")),
        "growth_pct": c[3].number_input("Demand growth (% a year)", -50.0, 50.0, float(working.growth_pct), 0.1,
                                        **ui.kept(f"sc_growth_{rev}")),
    }
    meta["description"] = st.text_input("Description", working.description, **ui.kept(f"sc_desc_{rev}"))
    sets = tg.target_sets(store)
    c = st.columns([2, 1, 1])
    meta["target_set"] = c[0].selectbox("Measure against", sets, index=sets.index(working.target_set)
                                        if working.target_set in sets else 0, **ui.kept(f"sc_set_{rev}"))
    green_book = c[1].checkbox("Green Book discount rate", working.discount_pct is None, **ui.kept(f"sc_gb_{rev}"),
                               help="HM Treasury Green Book rates (factors/appraisal.csv; see the Money tab)")
    green_book_rate = float(fin.discount_schedule(store)["value"].iloc[0])
    meta["discount_pct"] = None if green_book else c[2].number_input(
        "Flat discount rate (% a year)", 0.0, 20.0, working.discount_pct or green_book_rate, 0.5,
        **ui.kept(f"sc_rate_{rev}"))
    meta["reference_tCO2e"] = working.reference_tCO2e
    meta["appraisal_start"] = working.appraisal_start

    tables = sc.edit_tables(working)
    st.markdown("**Baseline: emissions in the baseline year**")
    st.caption(
        "Each line is one of: `manual` (a reported figure, amount like `18000 tCO2e`), `factor` (a library factor × "
        "a year's activity, e.g. `ventolin_evohaler` and `180000 inhaler`), `purchase` (an agent and what was "
        "bought, e.g. `sevoflurane`, `2400 bottle`), `travel` (a travel mode and a year's distance), `pathway` (a "
        "saved pathway's name and patients a year), `prescribing` (a board code or name from the imported data, "
        "blank for all), `energy` (a fuel and its kWh, litres or tonnes, e.g. `natural_gas`, `60000000 kWh`), "
        "`water` (`water_supply` or `water_treatment`, m3), `waste` (a route such as `landfill`, tonnes), "
        "`refrigerant` (`r410a` ... `sf6`, kg topped up), `medicine_spend` (a BNF chapter and its pounds, e.g. `4`, "
        "`£20,000,000`) or `estates` (an imported estates return: the organisation's code). A line with a period "
        "records that earlier year (the history the board footprint compares with); blank is the baseline year. "
        "Estates lines take the DESNZ factors of their period, or the year in *DESNZ year*.")
    lines = ui.editor(
        "sc_lines", tables["lines"], rev, num_rows="dynamic", hide_index=True, width="stretch", placeholder="",
        column_config={
            "kind": st.column_config.SelectboxColumn("Kind", options=sc.line_kinds(), required=True),
            "label": st.column_config.TextColumn("Label", required=True, width="medium"),
            "period": st.column_config.TextColumn("Period", help="Blank: the baseline year; else an earlier year "
                                                                 "of the same kind, e.g. 2023/24"),
            "factor_year": st.column_config.NumberColumn(
                "DESNZ year", format="%d", help="Estates lines only: a DESNZ factor year to use instead of the "
                                                "period's own (the library holds " +
                                                ", ".join(map(str, desnz.years(store))) + ")"),
            "category": "Category", "ref": "Factor / agent / mode / pathway / board / item", "amount": "Amount a year",
            "low": "Low", "high": "High", "return_trip": "Return trip",
            "occupancy": st.column_config.NumberColumn("Occupancy", min_value=1.0),
            "note": st.column_config.TextColumn("Note", width="large"),
        })
    st.markdown("**Interventions**")
    st.caption(
        "A `swap` names a row of the alternatives catalogue (or a from and a to factor) and the volume a year of the "
        "product switched from; a `reduction` cuts a share of a category or of one baseline line. Uptake ramps from "
        "the start year to the target share by the end year; costs in pounds (negative saves money).")
    try:
        swaps = sc.swap_choices(store)
    except ValueError as exc:
        swaps = None
        st.warning(f"The alternatives catalogue cannot be read: {exc}")
    options = [""] + (swaps["id"].tolist() if swaps is not None else [])
    swap_names = dict(zip(swaps["id"], swaps["name"])) if swaps is not None else {}
    factor_ids = sorted(set(fx.resolved(store, basis)["id"]))
    factor_name = dict(zip(fx.resolved(store, basis)["id"], fx.resolved(store, basis)["name"]))
    interventions = ui.editor(
        "sc_ivs", tables["interventions"], rev, num_rows="dynamic", hide_index=True, width="stretch", placeholder="",
        column_config={
            "name": st.column_config.TextColumn("Name", required=True, width="medium"),
            "kind": st.column_config.SelectboxColumn("Kind", options=list(sc.INTERVENTION_KINDS), required=True),
            "alternative": st.column_config.SelectboxColumn("Catalogue swap", options=options, width="medium",
                                                            format_func=lambda i: swap_names.get(i, i)),
            "from_factor": st.column_config.SelectboxColumn("From factor", options=["", *factor_ids], width="medium",
                                                            format_func=lambda i: factor_name.get(i, i)),
            "to_factor": st.column_config.SelectboxColumn("To factor", options=["", *factor_ids], width="medium",
                                                          format_func=lambda i: factor_name.get(i, i)),
            "volume": "Volume a year",
            "category": "Category (reduction)", "line": "Baseline line (reduction)",
            "start_year": st.column_config.NumberColumn("Start", format="%d"),
            "end_year": st.column_config.NumberColumn("Full by", format="%d"),
            "target_pct": st.column_config.NumberColumn("Uptake (%)", min_value=0.0, max_value=100.0),
            "one_off_gbp": st.column_config.NumberColumn("One-off (£)", format="%,.0f"),
            "yearly_gbp": st.column_config.NumberColumn("Yearly (£)", format="%,.0f"),
            "use_prices": "Add price difference", "caveat": st.column_config.TextColumn("Caveat", width="large"),
            "note": st.column_config.TextColumn("Note", width="large"),
        })
    if swaps is not None:
        with st.expander("Swaps in the catalogue: only where clinically appropriate"):
            ui.table(swaps[["name", "quantity_ratio", "caveat", "id"]], "sc_catalogue", pin="name",
                     titles={"name": "Swap", "id": "Id (for scenario files)"})
    with st.expander("Background change in factors (e.g. the grid decarbonising)"):
        st.caption("A category's factors relative to the baseline year (1 = unchanged) at a later year; straight "
                   "lines between the points, flat after the last.")
        background = ui.editor(
            "sc_bg", tables["background"], rev, num_rows="dynamic", hide_index=True, width="stretch", placeholder="",
            column_config={"category": st.column_config.TextColumn("Category"),
                           "year": st.column_config.NumberColumn("Year", format="%d"),
                           "multiplier": st.column_config.NumberColumn("Multiplier", min_value=0.0),
                           "note": st.column_config.TextColumn("Note")})

try:
    edited = sc.from_edit(meta, lines, interventions, background)
    projection = sc.project(edited, *sc.resolve(store, edited, basis))
    pack = boardpack.build(store, edited, basis, projection=projection)
    problem = None
except ValueError as exc:
    edited, pack, problem = None, None, exc
if problem is not None:
    with build_tab:
        ui.show_error(problem, "The scenario cannot be run yet")
if pack is not None:
    with headline:
        hl = pack.headline
        st.markdown(f"**{co2e(hl['baseline_kg'], unit='t')}** a year in {edited.label(hl['baseline_year'])} → "
                    f"**{co2e(hl['end_kg'], unit='t')}** a year in {edited.label(hl['end_year'])} with the changes "
                    f"(no action: {co2e(hl['end_no_action_kg'], unit='t')}). "
                    f"{tg.describe_miss(pack.miss, pack.assessment.target_set)}")
if choice == NEW:
    top[1].badge("Not saved yet", icon=":material/edit:", color="orange")
else:
    ui.unsaved(edited is None or edited.to_json() != working.to_json(), where=top[1])

# --- results -----------------------------------------------------------------------------------------
with result_tab:
    if pack is None:
        st.info("Fix the problems shown under *Build* to see the trajectory.")
    else:
        h = pack.headline
        final = tg.gap_at(pack.assessment.gaps, "total")
        st.caption(edited.years_note())
        m = st.columns(3)  # tonnes, as the tables and charts below
        m[0].metric(f"Emissions in {edited.label(h['baseline_year'])}", co2e(h["baseline_kg"], unit="t") + " a year")
        m[0].caption(equivalence.fit(store, h["baseline_kg"], basis, a_year=True))
        m[1].metric(f"Emissions in {edited.label(h['end_year'])}", co2e(h["end_kg"], unit="t") + " a year",
                    help=f"range {co2e(h['end_low_kg'], unit='t')} – {co2e(h['end_high_kg'], unit='t')}")
        m[1].caption(f"with no action: {co2e(h['end_no_action_kg'], unit='t')} a year")
        if final is not None:
            m[2].metric(f"Gap to the {final['year']} target", co2e(final["gap_kg"], unit="t") + " a year")
        st.markdown(f"**{tg.describe_miss(pack.miss, pack.assessment.target_set)}**")
        path = pack.totals[["year", "target_tCO2e"]].dropna()
        gaps = pack.assessment.gaps
        st.altair_chart(charts.trajectory_vs_target(pack.totals, path, gaps[gaps["applies_to"] == "total"]),
                        width="stretch", key="sc_chart")
        st.caption(boardpack.chart_note("Emissions against"))
        st.altair_chart(charts.trajectory_by_category(pack.projection.trajectory), width="stretch", key="sc_cats")
        pack_tables = boardpack.tables(pack)
        st.markdown("**Gap at each milestone** (tCO2e a year; positive = missed)")
        _table(pack_tables["Targets"], "sc_gaps")
        for note in pack.assessment.skipped:
            st.caption(f"Not assessed: {ui.plain(note)}")
        if pack.projection.overlap:
            st.warning("Interventions abate more than there is in: " + ", ".join(pack.projection.overlap)
                       + ". The trajectory stops at zero there; check they do not double count.")
        st.markdown("**Baseline**")
        _table(pack_tables["Baseline"], "sc_baseline")
        ui.download_csv("Download the trajectory by category (CSV)", pack.projection.trajectory,
                        "scenario_trajectory.csv", key="sc_traj_csv")

# --- board footprint and estates ----------------------------------------------------------------------
with board_tab:
    st.markdown("**The board's footprint by source**")
    if pack is None:
        st.info("Fix the problems shown under *Build* to see the board footprint.")
    else:
        recorded = edited.recorded_periods()
        year = st.selectbox("Reporting year", recorded[::-1], key=f"sc_board_year_{rev}",
                            help="A year the scenario's lines record; the year before is shown beside it.")
        try:
            bv = pack.board if year == pack.board.year else board.view(store, edited, year, basis, pack.assessment)
        except ValueError as exc:
            bv = None
            ui.show_error(exc, "No board footprint")
        if bv is not None:
            # as text, rounded for reading, so a source with no figure shows a dash, not "None"
            st.dataframe(boardpack.display(board.display_table(bv)), hide_index=True, width="stretch",
                         key="sc_board_table")
            st.altair_chart(charts.board_footprint(bv.table[bv.table["source"] != board.TOTAL], bv.year, bv.previous),
                            width="stretch", key="sc_board_chart")
            st.caption(boardpack.chart_note("Footprint by source"))
            st.markdown("**Against each target**")
            for line in board.verdicts(bv):
                st.markdown(f"- {ui.plain(line)}")
            for note in bv.notes:
                st.caption(note)
            ui.download_csv("Download the board footprint (CSV)",
                            bv.table.assign(year=bv.year, previous_year=bv.previous), "board_footprint.csv",
                            key="sc_board_csv")

    st.divider()
    st.markdown("**Estates returns**")
    st.caption(
        "Import NHS England's estates return (ERIC, `$`-delimited, as published) or the plain estates template a "
        "board fills from its own records: one row per site, financial year, stream (energy, water, waste, "
        "refrigerant) and item, with a quantity and its unit. A file with a bad row imports nothing and names the "
        "row. A return is then a baseline line of kind `estates` (its organisation code as the reference, the "
        "return's year as the period).")
    st.download_button("Download the estates template (CSV)", estates.TEMPLATE.read_text(encoding="utf-8"),
                       "estates_return_template.csv", "text/csv", key="sc_estates_template")
    c = st.columns([3, 1, 1])
    return_file = c[0].file_uploader("Estates return (ERIC or the template, CSV)", type=["csv", "txt"],
                                     key="sc_estates_file")
    return_year = c[1].text_input("Financial year", "", key="sc_estates_year", placeholder="e.g. 2016/17",
                                  help="For an ERIC file whose name does not say its year; template rows without a "
                                       "year take it too.")
    return_format = c[2].selectbox("Format", ["auto", "eric", "template"], key="sc_estates_format")
    if st.button("Import the return", disabled=return_file is None, key="sc_estates_import"):
        try:
            report = estates.import_upload(store, return_file.name, return_file.getvalue(), return_format,
                                           return_year.strip() or None)
        except ValueError as exc:
            ui.show_error(exc, f"{return_file.name} was not imported")
        else:
            st.success(ui.plain(report.summary()))
    orgs = estates.organisations(store)
    if orgs.empty:
        st.info("No estates return has been imported yet.")
    else:
        ui.table(orgs, "sc_estates_orgs", pin="organisation_code")
        c = st.columns([2, 1, 1])
        org_names = dict(zip(orgs["organisation_code"], orgs["organisation_name"]))
        org = c[0].selectbox("Organisation", list(org_names), key="sc_estates_org",
                             format_func=lambda code: f"{code}: {org_names[code]}")
        held = orgs.set_index("organisation_code").loc[org, "periods"].split(", ")
        period = c[1].selectbox("Year", held[::-1], key="sc_estates_period")
        own = "the year's own (DESNZ's rule)"
        factor_year = c[2].selectbox("DESNZ factors", [own, *desnz.years(store)], key="sc_estates_factor_year",
                                     help="The library holds DESNZ sets for these years only; an earlier year needs "
                                          "one of them, named in the result.")
        try:
            by_source = board.estates_return(store, org, period, basis, None if factor_year == own else int(factor_year))
        except ValueError as exc:
            ui.show_error(exc, f"No footprint for {org} in {period}")
        else:
            ui.table(by_source, "sc_estates_by_source", pin="Source", hide=["Factors"])
            st.caption(f"To use it in the scenario, add a baseline line: kind `estates`, reference `{ui.plain(org)}`, "
                       f"period `{ui.plain(period)}`.")

with money_tab:
    if pack is None:
        st.info("Fix the problems shown under *Build* to see the money.")
    else:
        money = pack.money
        m = st.columns(3)
        m[0].metric("Abated over the appraisal period", co2e(money["abated_kg"], unit="t"))
        m[0].caption(equivalence.fit(store, money["abated_kg"], basis))
        m[1].metric("Net present cost", gbp(money["npc_gbp"]))
        m[2].metric("Cost per tCO2e abated", gbp(money["cost_per_tCO2e"]))
        _table(boardpack.tables(pack)["Interventions"], "sc_appraisal")
        if len(pack.macc):
            st.markdown("**Marginal abatement cost curve** (cheapest per tonne first)")
            st.altair_chart(charts.macc(pack.macc), width="stretch", key="sc_macc")
            st.caption(boardpack.chart_note("Marginal abatement"))
        st.markdown("**Cumulative budget impact** (GBP, undiscounted)")
        st.altair_chart(charts.cumulative_budget(pack.budget), width="stretch", key="sc_budget")
        st.caption(boardpack.chart_note("Cumulative budget"))
        for a in pack.assumptions:
            st.caption(a)
        ui.download_csv("Download the appraisal (CSV)", pack.appraisal, "scenario_appraisal.csv", key="sc_money_csv")

# --- compare -----------------------------------------------------------------------------------------
with compare_tab:
    ui.settle("sc_compare", names, names[:2], many=True)
    picked = st.multiselect("Scenarios to compare (saved versions)", names, **ui.kept("sc_compare"))
    if len(picked) < 2:
        st.info("Choose two or more saved scenarios.")
    else:
        runs, failed = {}, []
        for n in picked:  # a handful of saved scenarios, each resolved once and remembered
            try:
                s = sc.load(store, n)
                runs[n] = sc.project(s, *sc.resolve(store, s, basis))
            except ValueError as exc:
                failed.append((n, exc))
        for n, exc in failed:
            ui.show_error(exc, n)
        if len(runs) >= 2:
            compared = sc.compare(runs)
            first = next(iter(runs.values()))
            a = tg.assess(store, first.scenario, first.trajectory)
            path = a.path[a.path["applies_to"] == "total"]
            st.altair_chart(charts.scenario_comparison(compared, path), width="stretch", key="sc_compare_chart")
            st.caption(f"Black dashed: {a.target_set}'s target path for the first scenario's baseline.")
            at_years = sc.compare_at(compared, (first.scenario.baseline_year, 2030, 2035, 2040, 2045))
            ui.table(at_years, "sc_compare_table", pin="scenario",
                     extra={"scenario": st.column_config.TextColumn("Scenario", pinned=True),
                            **{c: st.column_config.NumberColumn(c, format="%,.0f")
                               for c in at_years.columns if c != "scenario"}})
            ui.download_csv("Download the comparison (CSV)", compared, "scenario_comparison.csv", key="sc_compare_csv")

# --- save and files ----------------------------------------------------------------------------------
with files_tab:
    who, editor = ui.who(), ui.can("edit")
    if not editor:
        st.info(ui.not_allowed_note("edit"))
    st.button("Save a new version", type="primary", disabled=edited is None or not editor, key="sc_save",
              on_click=_act, args=(sc.save, store, edited, who),
              kwargs={"then": edited.name if edited else None, "done": f"Saved “{edited.name if edited else ''}”."})
    if choice != NEW:
        hist = sc.history(store, choice)
        st.caption(f"“{ui.plain(choice)}”: {counted(len(hist), 'saved version')}; the newest is the one opened.")
        ui.table(hist, "sc_history", pin="version_id")
        c = st.columns(2)
        copy_name = c[0].text_input("Name of the copy", f"{choice} (copy)", **ui.kept(f"sc_copy_name_{rev}"))
        c[0].button("Duplicate", disabled=not editor, key="sc_duplicate", on_click=_named,
                    args=(sc.duplicate, choice, f"sc_copy_name_{rev}", True))
        new_name = c[1].text_input("New name", choice, **ui.kept(f"sc_new_name_{rev}"))
        c[1].button("Rename", disabled=not editor, key="sc_rename", on_click=_named, args=(sc.rename, choice, f"sc_new_name_{rev}", False))
        sure = st.checkbox(f"Yes, delete “{ui.plain(choice)}” and all its saved versions", key=f"sc_delete_sure_{rev}")
        st.button("Delete", disabled=not sure or not ui.can("admin"), key="sc_delete", on_click=_act,
                  args=(sc.delete, store, choice), help=None if ui.can("admin") else ui.not_allowed_note("admin"),
                  kwargs={"then": NEW, "done": f"Deleted “{choice}”."})
    st.divider()
    if edited is not None:
        c = st.columns(2)
        c[0].download_button("Export as TOML", sc.export(edited, "toml"), "scenario.toml", "application/toml",
                             key="sc_export_toml")
        c[1].download_button("Export as JSON", sc.export(edited, "json"), "scenario.json", "application/json",
                             key="sc_export_json")
    upload = st.file_uploader("Import a scenario file (.toml or .json)", type=["toml", "json"], key="sc_import")
    if upload is not None:
        try:
            imported = sc.read_file(upload.getvalue(), upload.name)
            sc.check_targets(store, imported)  # what saving it would refuse, said now
            sc.recorded_cached(store, imported, basis)  # every line of every year resolves, or nothing is saved
        except (ValueError, UnicodeDecodeError) as exc:
            ui.show_error(exc, f"{upload.name} cannot be imported")
        else:
            st.success(f"Read “{ui.plain(imported.name)}”: {counted(len(imported.lines), 'baseline line')}, "
                       f"{counted(len(imported.interventions), 'intervention')}.")
            st.button("Save the imported scenario", disabled=not editor, key="sc_import_save", on_click=_act,
                      args=(sc.save, store, imported, who), kwargs={"then": imported.name})
    st.caption("The board pack (PDF, HTML, CSV, Excel) is on the Workshop page, or from a terminal: "
               "`carbon report NAME --out pack.pdf`.")
