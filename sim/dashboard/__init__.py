"""Classroom dashboard: the Mesa model in the browser (Solara), offline, with predictions and a debrief.

Modules: :mod:`~sim.dashboard.session` (the session model: :class:`~sim.model.AlignmentModel` with live levers and a
record of the run), :mod:`~sim.dashboard.band` (the ensemble band of the unchanged scenario),
:mod:`~sim.dashboard.explain` (why a state moved), :mod:`~sim.dashboard.predictions` (predict, then run),
:mod:`~sim.dashboard.mapview` and :mod:`~sim.dashboard.charts` (drawing), :mod:`~sim.dashboard.report` (the
debrief), :mod:`~sim.dashboard.cards` (lesson cards), :mod:`~sim.dashboard.components` and
:mod:`~sim.dashboard.app` (the page), :mod:`~sim.dashboard.bench` (step-and-redraw timing).

Start it with ``python -m sim.dashboard`` (``make dashboard``); it listens on 127.0.0.1 only.
"""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
