"""Solara components of the dashboard page.

Grid cells (one per Mesa component, redrawn after every step): :func:`MapPanel`, :func:`SeriesPanel`,
:func:`CountryPanel`, :func:`PredictPanel`. Sidebar: :func:`ScenarioPanel`, :func:`LeverPanel`. They share a
:class:`Ui` (the browser session's reactive state). Text goes through ``solara.Text`` or ``solara.HTML`` (never
``solara.Markdown``, which would ask for KaTeX), charts are PNG made by matplotlib, the map is SVG.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import solara
from mesa.visualization.utils import force_update

from sim.config import LEVER_DOCS
from sim.dashboard.band import scenario_band
from sim.dashboard.cards import Card, lesson_cards
from sim.dashboard.charts import SeriesChart
from sim.dashboard.explain import Breakdown, breakdown, event_label, signed, summary
from sim.dashboard.mapview import MapSvg, map_layout, map_state
from sim.dashboard.predictions import (
    PREDICTABLE_EVENTS,
    EventPrediction,
    Prediction,
    ValuePrediction,
    made_when,
)
from sim.dashboard.report import Debrief, write_debrief
from sim.dashboard.session import TARGETABLE, DashboardModel, Settings, scenario_names
from sim.dynamics.levers import LEVERS
from sim.reporting import labels
from sim.reporting.figures import CHINA_RED, US_BLUE

CELL = "height: 100%; overflow-y: auto; padding: 4px 8px"
SMALL = "font-size: 0.82em; color: #555"


@dataclass
class Ui:
    """The browser session's state: the model (reactive), the settings it is made from, the selected state, the
    predictions, the lesson card loaded, the last debrief and a counter bumped when levers move."""

    model: solara.Reactive[DashboardModel]
    settings: Settings
    selected: solara.Reactive[str]
    predictions: solara.Reactive[list[Prediction]]
    card: solara.Reactive[Card | None]
    debrief: solara.Reactive[Debrief | None]
    levers_version: solara.Reactive[int]

    def reload(self) -> None:
        """A fresh model from the settings (as Mesa's Reset does)."""
        self.model.value = DashboardModel(self.settings)
        self.debrief.value = None


def lever_label(lever: str) -> str:
    """``US tariff (fraction ad valorem)``."""
    return labels.label_with_unit(lever, "key")


def lever_step(lever: str) -> float:
    """Slider step: a hundredth of the lever's range, rounded to a readable number."""
    _, lo, hi, _ = LEVER_DOCS[lever]
    raw = (hi - lo) / 100
    return float(f"{raw:.1g}")


def css_class(lever: str) -> str:
    """``lever-us-tariff``: the class of a lever's slider (for browser tests and styling)."""
    return "lever-" + lever.replace(".", "-").replace("_", "-")


# ----------------------------------------------------------------------------------------------- grid cells


def head_html(model: DashboardModel) -> str:
    """One line above the map: month, scenario, run, regional mean and BRI members."""
    mean, bri = model.regional_mean[-1], model.bri_count[-1]
    status = " (end of the run)" if model.finished else ""
    return (
        f'<div class="dash-head" data-month="{model.date}"><b style="font-size:1.25em">{model.date}</b>{status} '
        f"&middot; scenario <b>{html.escape(model.scenario_name)}</b> &middot; run {model.run_index} &middot; "
        f"{labels.label('regional_mean_alignment').lower()} <b>{signed(float(mean), 3)}</b> &middot; "
        f"<b>{bri}</b> BRI members</div>"
    )


@solara.component
def MapPanel(model: DashboardModel, ui: Ui, tick: int = 0) -> None:  # noqa: N802
    """The map of the region coloured by alignment; clicking a state selects it."""
    iso3 = model.world.iso3
    alignment = dict(zip(iso3, model.state.alignment[0].tolist(), strict=True))
    bri = dict(zip(iso3, model.state.bri[0].tolist(), strict=True))
    props = map_state(alignment, bri, ui.selected.value, model.names, model.date)
    with solara.Column(style=CELL, classes=["dash-map"]):
        solara.HTML(tag="div", unsafe_innerHTML=head_html(model))
        MapSvg(**map_layout(), **props, event_select=ui.selected.set)
        solara.Text(
            labels.describe("alignment") + ". Hatched: BRI members. Click a state to see why it moved.", style=SMALL
        )


@solara.component
def SeriesPanel(model: DashboardModel, ui: Ui, tick: int = 0) -> None:  # noqa: N802
    """Regional mean alignment and BRI members: the live run over the unchanged scenario's band."""
    chart = solara.use_memo(lambda: SeriesChart(model, scenario_band(model.scenario_name)), [model])
    chart.update(ui.predictions.value)
    with solara.Column(style=CELL, classes=["dash-series"]):
        solara.Image(chart.png(), format="png")
        solara.Text(
            f"Band: 5\u201395% and median of {chart.band.replications} runs of scenario {model.scenario_name} with "
            "no lever moved (seed as python -m sim). Black: this run. Stars: predictions.",
            style=SMALL,
        )


def _bar(value: float, scale: float) -> str:
    width = 0 if scale <= 0 else min(50.0, 50.0 * abs(value) / scale)
    colour = CHINA_RED if value > 0 else US_BLUE
    left = 50.0 if value > 0 else 50.0 - width
    return (
        '<div style="position:relative;height:12px;width:130px;background:#f3f3f3">'
        '<div style="position:absolute;left:50%;top:0;bottom:0;border-left:1px solid #888"></div>'
        f'<div style="position:absolute;left:{left:.1f}%;width:{width:.1f}%;top:2px;bottom:2px;'
        f'background:{colour}"></div></div>'
    )


def breakdown_html(b: Breakdown) -> str:
    """The country panel's table: net change, then each mechanism (largest first), last month and since the start."""
    scale_last = max([abs(r.last) for r in b.rows] + [1e-12])
    scale_total = max([abs(r.total) for r in b.rows] + [1e-12])
    head = (
        f'<table class="dash-breakdown" data-iso3="{b.iso3}" style="border-collapse:collapse;font-size:0.86em">'
        "<thead><tr><th style='text-align:left'>Mechanism</th>"
        f"<th colspan=2>Last month ({b.month})</th><th colspan=2>Since {b.start_month}</th></tr></thead><tbody>"
        f'<tr class="dash-net" style="font-weight:bold;border-bottom:1px solid #999"><td>Net change</td>'
        f"<td>{_bar(b.net_last, scale_last)}</td><td>{signed(b.net_last)}</td>"
        f"<td>{_bar(b.net_total, scale_total)}</td><td>{signed(b.net_total)}</td></tr>"
    )
    rows = "".join(
        f'<tr class="dash-term" data-term="{r.term}"><td title="{html.escape(r.meaning)}">{html.escape(r.label)}</td>'
        f"<td>{_bar(r.last, scale_last)}</td><td>{signed(r.last)}</td>"
        f"<td>{_bar(r.total, scale_total)}</td><td>{signed(r.total)}</td></tr>"
        for r in b.rows
    )
    return head + rows + "</tbody></table>"


def state_options(model: DashboardModel) -> dict[str, str]:
    """``Colombia (COL)`` -> ``COL``, alphabetical by name."""
    return {f"{name} ({code})": code for code, name in sorted(model.names.items(), key=lambda kv: kv[1])}


@solara.component
def CountryPanel(model: DashboardModel, ui: Ui, tick: int = 0) -> None:  # noqa: N802
    """Why the selected state moved: its change split into the mechanisms, and its events."""
    iso3 = ui.selected.value
    options = state_options(model)
    by_code = {v: k for k, v in options.items()}
    b = breakdown(model, iso3)
    events = model.events_of(iso3)
    with solara.Column(style=CELL, classes=["dash-country"]):
        solara.Select(
            "State (or click the map)",
            values=list(options),
            value=by_code[iso3],
            on_value=lambda label: ui.selected.set(options[label]),
            style="flex: none",
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f'<p class="dash-summary" style="margin:4px 0">{html.escape(summary(b))}</p>' + breakdown_html(b)
            ),
        )
        solara.Text(
            f"Alignment units, + toward China, \u2212 toward the US; the rows add up to the net change. "
            f"Alignment now {signed(b.now, 3)} (start {signed(b.start, 3)}).",
            style=SMALL,
        )
        items = "".join(
            f"<li><b>{e.month}</b> {html.escape(event_label(e.kind))}"
            + (f": {html.escape(e.detail)}" if e.detail else "")
            + "</li>"
            for e in events
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f'<div class="dash-events"><b>Events of {html.escape(b.name)}</b>'
                + (f"<ul style='margin:2px 0'>{items}</ul>" if items else "<p style='margin:2px 0'>none yet</p>")
                + "</div>"
            ),
        )


def horizon_months(model: DashboardModel) -> list[str]:
    """Months a prediction can be about: every December of the run, and its last month."""
    months = [d for d in model_dates(model) if d.endswith("-12")]
    if model.end_label not in months:
        months.append(model.end_label)
    return months


def model_dates(model: DashboardModel) -> list[str]:
    """Every month of the run, the start state's included."""
    from sim.calendar import month_label

    return [month_label(m) for m in range(model.world.first, model.world.end + 1)]


def predictions_html(model: DashboardModel, predictions: list[Prediction]) -> str:
    """The table of predictions against the run's outcomes."""
    if not predictions:
        return '<p class="dash-predictions-empty">No prediction recorded yet.</p>'
    band = scenario_band(model.scenario_name)
    colours = {"right": "#1b7837", "wrong": "#b2182b", "scored": "#2166ac", "pending": "#777777"}
    rows = []
    for p in predictions:
        v = p.judge(model, band)
        rows.append(
            f'<tr class="dash-prediction" data-status="{v.status}"><td>{html.escape(p.text(model.names))}</td>'
            f"<td>{html.escape(made_when(p, model))}</td><td>{html.escape(v.outcome)}</td>"
            f'<td style="color:{colours.get(v.status, "#333")};font-weight:bold">{v.status}</td>'
            f"<td style='{SMALL}'>{html.escape(v.context)}</td></tr>"
        )
    return (
        '<table class="dash-predictions" style="border-collapse:collapse;font-size:0.85em">'
        "<thead><tr><th>Prediction</th><th>Made</th><th>Outcome</th><th>Verdict</th><th>Unchanged scenario</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


@solara.component
def PredictPanel(model: DashboardModel, ui: Ui, tick: int = 0) -> None:  # noqa: N802
    """Predict, then run: record a prediction, see it judged; fast-forward; write the debrief."""
    options = state_options(model)
    by_code = {v: k for k, v in options.items()}
    card = ui.card.value
    suggested = card.predict if card is not None and card.scenario == model.scenario_name else {}
    first_kind = {"regional_mean_alignment": "Regional mean", "bri_members": "BRI members"}.get(
        str(suggested.get("quantity")), "Event"
    )
    kind, set_kind = solara.use_state(first_kind)
    state, set_state = solara.use_state(suggested.get("iso3", ui.selected.value))
    event, set_event = solara.use_state(suggested.get("event", "bri_exit"))
    months = horizon_months(model)
    by, set_by = solara.use_state(str(suggested.get("by", months[-1])))
    at, set_at = solara.use_state(str(suggested.get("at", months[-1])))
    mean_guess, set_mean_guess = solara.use_state(round(float(model.regional_mean[-1]), 2))
    bri_guess, set_bri_guess = solara.use_state(int(model.bri_count[-1]))
    if by not in months:
        by = months[-1]
    if at not in months:
        at = months[-1]

    def record(p: Prediction) -> None:
        ui.predictions.value = [*ui.predictions.value, p]

    def record_event(expected: bool) -> None:
        record(EventPrediction(state, event, by, expected, model.date))

    def record_value() -> None:
        if kind == "Regional mean":
            record(ValuePrediction("regional_mean_alignment", at, round(float(mean_guess), 2), model.date))
        else:
            record(ValuePrediction("bri_members", at, float(bri_guess), model.date))

    def run_to_end() -> None:
        while not model.finished:
            model.step()
        model.running = False
        force_update()

    def debrief() -> None:
        ui.debrief.value = write_debrief(model, ui.predictions.value, scenario_band(model.scenario_name))

    with solara.Column(style=CELL, classes=["dash-predict"]):
        solara.HTML(tag="div", unsafe_innerHTML="<b>Predict, then run</b>")
        solara.ToggleButtonsSingle(value=kind, values=["Event", "Regional mean", "BRI members"], on_value=set_kind)
        if kind == "Event":
            with solara.Row():
                solara.Select(
                    "State", values=list(options), value=by_code[state], on_value=lambda s: set_state(options[s])
                )
                phrases = {v: k for k, v in PREDICTABLE_EVENTS.items()}
                solara.Select(
                    "Event",
                    values=list(phrases),
                    value=PREDICTABLE_EVENTS[event],
                    on_value=lambda s: set_event(phrases[s]),
                )
                solara.Select("By (end of)", values=months, value=by, on_value=set_by)
            with solara.Row(classes=["dash-record"]):
                solara.Button(
                    "Predict: yes", color="primary", on_click=lambda: record_event(True), classes=["dash-yes"]
                )
                solara.Button("Predict: no", color="primary", on_click=lambda: record_event(False), classes=["dash-no"])
        else:
            with solara.Row():
                if kind == "Regional mean":
                    solara.SliderFloat(
                        "Expected regional mean",
                        value=mean_guess,
                        min=-1.0,
                        max=1.0,
                        step=0.01,
                        on_value=set_mean_guess,
                    )
                else:
                    solara.SliderInt("Expected BRI members", value=bri_guess, min=0, max=33, on_value=set_bri_guess)
                solara.Select("In", values=months, value=at, on_value=set_at)
            solara.Button("Record prediction", color="primary", on_click=record_value, classes=["dash-record-value"])
        solara.HTML(tag="div", unsafe_innerHTML=predictions_html(model, ui.predictions.value))
        with solara.Row():
            solara.Button("Run to the end", on_click=run_to_end, disabled=model.finished, classes=["dash-run-end"])
            solara.Button("Write debrief", color="secondary", on_click=debrief, classes=["dash-debrief"])
        report = ui.debrief.value
        if report is not None:
            solara.FileDownload(
                report.html_bytes,
                filename=report.html.name.replace("debrief", f"debrief_{model.scenario_name}"),
                label="Download the debrief (HTML)",
                mime_type="text/html",
            )
            solara.Text(f"Saved: {report.folder}", style=SMALL + "; word-break: break-all", classes=["dash-saved"])


# ----------------------------------------------------------------------------------------------- sidebar


@lru_cache(maxsize=1)
def _cards() -> tuple[Card, ...]:
    return tuple(lesson_cards())


def load_card(ui: Ui, card: Card) -> None:
    """Load a lesson card: its scenario and levers, its state selected; a fresh run."""
    ui.settings.scenario = card.scenario
    ui.settings.clear_levers()
    ui.settings.region.update(card.levers)
    for iso3, levers in card.targets.items():
        ui.settings.targets[iso3] = dict(levers)
    ui.card.value = card
    ui.selected.value = card.state
    ui.reload()


@solara.component
def ScenarioPanel(ui: Ui) -> None:  # noqa: N802
    """Scenario picker, lesson cards and the run (random draw)."""
    model = ui.model.value
    names = scenario_names()
    cards = _cards()
    titles = {c.title: c for c in cards}

    def choose(name: str) -> None:
        ui.settings.scenario = name
        ui.settings.clear_levers()
        ui.card.value = None
        ui.reload()

    def choose_card(title: str) -> None:
        if title in titles:
            load_card(ui, titles[title])

    def choose_run(run: int) -> None:
        ui.settings.run = int(run)
        ui.reload()

    card = ui.card.value
    with solara.Card("Scenario", classes=["dash-scenario"]):
        solara.Select("Scenario", values=list(names), value=model.scenario_name, on_value=choose)
        solara.Text(names.get(model.scenario_name, ""), style=SMALL)
        solara.Select(
            "Lesson card", values=["(none)", *titles], value=card.title if card else "(none)", on_value=choose_card
        )
        if card is not None:
            items = "".join(f"<li>{html.escape(s)}</li>" for s in card.steps)
            look = "".join(f"<li>{html.escape(s)}</li>" for s in card.look_for)
            solara.HTML(
                tag="div",
                unsafe_innerHTML=(
                    f'<div class="dash-card" style="font-size:0.86em"><b>Do</b><ol style="margin:0">{items}</ol>'
                    f'<b>Look for</b><ul style="margin:0">{look}</ul></div>'
                ),
            )
        solara.SliderInt("Run (random draw)", value=ui.settings.run, min=0, max=99, on_value=choose_run)
        solara.Text(
            "A new scenario, card or run starts from its first month; Reset replays the levers set.", style=SMALL
        )


def _lever_slider(ui: Ui, lever: str, iso3: str | None, on_moved: Callable[[], None]) -> None:
    model = ui.model.value
    _, lo, hi, _ = LEVER_DOCS[lever]
    if iso3 is None:
        value = ui.settings.region.get(lever, model.planned(lever))
    else:
        value = ui.settings.targets.get(iso3, {}).get(lever, model.planned(lever, iso3))

    step = lever_step(lever)
    shown = round(round(float(value) / step) * step, 6)  # on the slider's grid: the slider does not snap and report it

    def moved(v: float) -> None:
        if abs(v - shown) < step / 2:
            return  # not a move: the value already shown
        ui.model.value.set_lever(lever, v, iso3)
        on_moved()

    set_here = lever in (ui.settings.region if iso3 is None else ui.settings.targets.get(iso3, {}))
    note = "set" if set_here else ("planned, median of the states" if iso3 is None else "planned")
    with solara.Div(classes=[css_class(lever), "dash-lever", f"target-{iso3}" if iso3 else "region"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f'<div style="font-size:0.84em;margin-bottom:-10px">{html.escape(lever_label(lever))}: '
                f'<b class="lever-value">{value:.3g}</b> <span style="color:#777">({note})</span></div>'
            ),
        )
        solara.SliderFloat("", value=shown, min=lo, max=hi, step=step, on_value=moved)


@solara.component
def LeverPanel(ui: Ui) -> None:  # noqa: N802
    """Sliders for every lever (every state) and for one state's tariffs, sanctions, aid and BRI levers."""
    version = ui.levers_version.value
    model = ui.model.value
    iso3 = ui.selected.value

    def bump() -> None:
        ui.levers_version.value = version + 1

    def clear() -> None:
        ui.model.value.clear_levers()
        bump()

    note = "from the start" if model.steps == 0 else f"from {model.next_month} on"
    with solara.Card("Washington's levers", classes=["dash-levers-us"]):
        solara.Text(f"Every state; a move applies {note}.", style=SMALL)
        for lever in LEVERS:
            if lever.startswith("us."):
                _lever_slider(ui, lever, None, bump)
    with solara.Card("Beijing's levers", classes=["dash-levers-china"]):
        for lever in LEVERS:
            if lever.startswith("china."):
                _lever_slider(ui, lever, None, bump)
    with solara.Card(f"One state: {model.names[iso3]}", classes=["dash-levers-state"]):
        solara.Text("Values for this state win over the sliders above. Pick the state on the map.", style=SMALL)
        for lever in TARGETABLE:
            _lever_slider(ui, lever, iso3, bump)
    with solara.Card("Levers set", classes=["dash-moves"]):
        moves = list(model.moves)
        if moves:
            lines = "".join(
                f"<li>{m.month}: {html.escape(lever_label(m.lever) if m.lever != 'all' else 'every lever')} "
                f"{'= ' + format(m.value, 'g') if m.value is not None else 'back to the scenario'}"
                f"{' for ' + html.escape(model.names[m.iso3]) if m.iso3 else ''}</li>"
                for m in moves
            )
            solara.HTML(tag="div", unsafe_innerHTML=f'<ul style="font-size:0.82em;margin:0">{lines}</ul>')
        else:
            solara.Text("None: the scenario's own plan.", style=SMALL)
        solara.Button("Back to the scenario's levers", on_click=clear, disabled=not moves, text=True)


__all__ = [
    "CountryPanel",
    "LeverPanel",
    "MapPanel",
    "PredictPanel",
    "ScenarioPanel",
    "SeriesPanel",
    "Ui",
    "breakdown_html",
    "load_card",
]
