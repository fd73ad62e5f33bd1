"""Step-and-redraw timing of the dashboard, server-side.

:func:`dashboard_step_benchmark` renders the whole page (:func:`sim.dashboard.app.Page` inside Solara's app layout)
with Solara's renderer inside a virtual kernel, as the server does for a browser tab (one kernel per tab: the
components' updates after a step are batched into one render pass, as in the server), and presses Mesa's Step
button ``steps`` times.
Each press runs the model one month and redraws every component (map props, the chart's PNG, the country panel,
the predictions) before returning, so its wall time is the server's step-and-redraw time. The browser's own drawing
and the network are not included.
"""

from __future__ import annotations

import statistics
import time
from typing import Any


def _press_step(rc: Any) -> Any:
    import ipyvuetify as v

    return rc.find(v.Btn, children=["Step"]).widget


def dashboard_step_benchmark(steps: int = 40, warmup: int = 3) -> dict[str, Any]:
    """Median, 90th percentile and maximum wall time (ms) of one Step press, over ``steps`` presses after
    ``warmup`` (unmeasured) ones, and the median time of the model step alone (ms) for comparison.

    ``steps + warmup`` must not exceed the scenario's months (62 for the baseline).
    """
    import solara
    import solara.server.starlette
    from solara.server import kernel_context

    from sim.dashboard import app

    context = kernel_context.create_dummy_context()
    with context:
        return _run(solara, app, steps, warmup)


def _run(solara: Any, app: Any, steps: int, warmup: int) -> dict[str, Any]:
    page = solara.AppLayout(children=[app.Page()])
    _, rc = solara.render(page, handle_error=False)
    try:
        button = _press_step(rc)
        for _ in range(warmup):
            button.click()
        times = []
        for _ in range(steps):
            t0 = time.perf_counter()
            button.click()
            times.append(1000 * (time.perf_counter() - t0))
        model_ms = _model_step_ms(steps)
    finally:
        rc.close()
    ordered = sorted(times)
    return {
        "steps": steps,
        "median_ms": statistics.median(times),
        "p90_ms": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
        "max_ms": ordered[-1],
        "model_step_median_ms": model_ms,
    }


def _model_step_ms(steps: int) -> float:
    from sim.dashboard.session import DashboardModel

    model = DashboardModel()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        model.step()
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times)


if __name__ == "__main__":
    result = dashboard_step_benchmark()
    print(", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items()))
