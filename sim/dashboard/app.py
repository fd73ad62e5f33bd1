"""The dashboard page: a Mesa ``SolaraViz`` of :class:`~sim.dashboard.session.DashboardModel`.

Run it with ``python -m sim.dashboard`` (``make dashboard``), which serves this module on 127.0.0.1, offline, or
with Solara's own command::

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=False solara run sim.dashboard.app --host 127.0.0.1 --no-check-version --no-open

Mesa's SolaraViz gives the page its frame: the title bar, the Controls card (Reset, Play/Pause, Step, the play and
render intervals) and the grid of components, each redrawn after every step. This module adds the sidebar panels
(scenario, lesson cards, levers) and four components: the map, the time series against the ensemble band, the
country panel and predict-then-run with the debrief.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # Solara's usage statistics would go online

import mesa.visualization.solara_viz as solara_viz
import solara
import solara.server.settings
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.dashboard.components import (
    CountryPanel,
    LeverPanel,
    MapPanel,
    PredictPanel,
    ScenarioPanel,
    SeriesPanel,
    Ui,
)
from sim.dashboard.session import DashboardModel, Settings

solara.server.settings.telemetry.mixpanel_enable = False

TITLE = "CELAC between Washington and Beijing: classroom dashboard"
PLAY_INTERVAL_MS = 300

#: Grid of the four components (12 columns; rows of 30 px): map and chart side by side, then the country panel and
#: predictions. Mesa lays every component out 6 wide and 10 high, too low for a map; this replaces its initial
#: layout (the user can still drag and resize the cells).
GRID = (
    {"i": 0, "x": 0, "y": 0, "w": 6, "h": 17},
    {"i": 1, "x": 6, "y": 0, "w": 6, "h": 17},
    {"i": 2, "x": 0, "y": 17, "w": 6, "h": 19},
    {"i": 3, "x": 6, "y": 17, "w": 6, "h": 19},
)


def grid_layout(n: int) -> list[dict[str, Any]]:
    """Initial layout of ``n`` components: :data:`GRID`, then Mesa's 6 x 10 cells for any further one."""
    out = [dict(cell, moved=False) for cell in GRID[:n]]
    for i in range(len(out), n):
        out.append({"i": i, "x": 6 * (i % 2), "y": 36 + 10 * (i // 2), "w": 6, "h": 10, "moved": False})
    return out


if hasattr(solara_viz, "make_initial_grid_layout"):
    solara_viz.make_initial_grid_layout = grid_layout


def make_components(ui: Ui) -> list[tuple[Any, int]]:
    """Mesa components (functions of the model) for page 0."""
    panels = (MapPanel, SeriesPanel, CountryPanel, PredictPanel)
    # Each runs inside Mesa's wrapper, which re-renders after every step; ``tick`` (Mesa's update counter) makes the
    # panel itself re-render then, as its other arguments (the model, the session) stay the same objects.
    # The prediction form starts afresh (with a lesson card's suggestion) for each new model: keyed by the model.
    return [
        (lambda m, panel=panel: panel(m, ui, tick=update_counter.value).key(f"{panel.__name__}-{id(m)}"), 0)
        for panel in panels
    ]


@solara.component
def Page() -> None:  # noqa: N802
    """The whole page (one per browser tab): session state, sidebar panels and the SolaraViz."""
    settings = solara.use_memo(Settings, [])
    first = solara.use_memo(lambda: DashboardModel(settings), [])
    model = solara.use_reactive(first)
    ui = Ui(
        model=model,
        settings=settings,
        selected=solara.use_reactive("COL"),
        predictions=solara.use_reactive([]),
        card=solara.use_reactive(None),
        debrief=solara.use_reactive(None),
        levers_version=solara.use_reactive(0),
    )
    components = solara.use_memo(lambda: make_components(ui), [])
    solara.Title(TITLE)
    with solara.Sidebar():
        ScenarioPanel(ui)
        LeverPanel(ui)
    SolaraViz(
        model,
        components=components,
        model_params={"settings": settings},
        name=TITLE,
        play_interval=PLAY_INTERVAL_MS,
    )


page = Page
