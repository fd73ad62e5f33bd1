"""The classroom dashboard without a browser: the session model, explanations, predictions, map, debrief, and the
page itself rendered by Solara (``solara.render(..., handle_error=False)`` inside a virtual kernel)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

solara = pytest.importorskip("solara", reason="the dashboard needs solara (see docs/dashboard.md)")

from sim.calendar import month_label  # noqa: E402
from sim.cli import normalise_overrides, preflight  # noqa: E402
from sim.dashboard.band import scenario_band  # noqa: E402
from sim.dashboard.explain import breakdown, summary  # noqa: E402
from sim.dashboard.mapview import colour, map_layout, map_state  # noqa: E402
from sim.dashboard.predictions import EventPrediction, ValuePrediction  # noqa: E402
from sim.dashboard.report import write_debrief  # noqa: E402
from sim.dashboard.session import DashboardModel, Settings, seeds  # noqa: E402
from sim.data.seeds import CELAC_ISO3  # noqa: E402
from sim.dynamics.alignment import TERMS  # noqa: E402
from sim.dynamics.levers import LEVER_INDEX  # noqa: E402
from sim.dynamics.world import build_world  # noqa: E402
from sim.reporting.geometry import LESSER_ANTILLES  # noqa: E402


def run_steps(model: DashboardModel, n: int) -> DashboardModel:
    for _ in range(n):
        model.step()
    return model


# ----------------------------------------------------------------------------------------------- the session model


def test_live_run_is_a_replication_of_the_scenario_ensemble():
    band = scenario_band("baseline", 4)
    model = run_steps(DashboardModel(Settings(run=2)), 24)
    np.testing.assert_allclose(model.regional_mean, band.mean_runs[:25, 2], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(model.bri_count, band.bri_runs[:25, 2])


def test_levers_set_before_the_run_are_what_the_command_line_does():
    settings = Settings(scenario="us_max_pressure")
    model = DashboardModel(settings)
    model.set_lever("us.tariff", 0.3)
    model.set_lever("us.aid", 0.0, "COL")
    model.set_lever("china.bri_finance", 2.5, "PAN")
    args = normalise_overrides([f"scenario={settings.scenario}", *settings.overrides()])
    assert settings.overrides() == ["china.targets.PAN.bri_finance=2.5", "us.targets.COL.aid=0", "us.tariff=0.3"]
    cli_world = build_world(seeds(), preflight(args).first)
    np.testing.assert_array_equal(model.world.plan, cli_world.plan)
    assert "python -m sim scenario=us_max_pressure" in settings.command()


def test_a_lever_moved_during_the_run_acts_from_the_next_month_and_targets_win():
    model = run_steps(DashboardModel(), 5)
    before = model.world.plan.copy()
    model.set_lever("us.aid", 0.0, "COL")
    model.set_lever("us.aid", 2.0)
    aid, col = LEVER_INDEX["us.aid"], model.world.iso3.index("COL")
    np.testing.assert_array_equal(model.world.plan[:5], before[:5])
    others = [i for i in range(model.world.n_states) if i != col]
    assert (model.world.plan[5:, aid, others] == 2.0).all()
    assert (model.world.plan[5:, aid, col] == 0.0).all()
    assert model.moves[-1].during_run and model.moves[-1].month == month_label(model.world.start + 5) == "2026-04"
    fresh = DashboardModel(model.settings)  # Reset: the same settings from the start
    assert (fresh.world.plan[:, aid, col] == 0.0).all() and (fresh.world.plan[:, aid, others] == 2.0).all()
    model.clear_levers()
    np.testing.assert_array_equal(model.world.plan[5:], model.scenario_plan[5:])


def test_out_of_range_lever_is_refused():
    model = DashboardModel()
    with pytest.raises(ValueError, match=r"us\.tariff"):
        model.set_lever("us.tariff", 1.5)
    with pytest.raises(ValueError, match="unknown lever"):
        model.set_lever("us.nukes", 1.0)


def test_the_model_stops_at_the_end_of_the_run():
    model = run_steps(DashboardModel(Settings(scenario="history")), 40)
    assert model.finished and not model.running
    assert model.date == model.end_label == "2025-10"
    assert len(model.dates) == model.world.n_months + 1


# ----------------------------------------------------------------------------------------------- explanations


def test_breakdown_adds_up_and_is_sorted_largest_first():
    model = run_steps(DashboardModel(), 18)
    b = breakdown(model, "COL")
    assert [r.term for r in b.rows] != list(TERMS) or len(TERMS) == 1  # sorted, not in declaration order
    totals = [abs(r.total) for r in b.rows]
    assert totals == sorted(totals, reverse=True)
    assert {r.term for r in b.rows} == set(TERMS)
    assert b.net_total == pytest.approx(sum(r.total for r in b.rows))
    assert b.net_total == pytest.approx(b.now - b.start, abs=1e-12)
    assert b.net_last == pytest.approx(model.alignment_of("COL")[-1] - model.alignment_of("COL")[-2], abs=1e-12)
    assert "Colombia" in summary(b) and model.start_label in summary(b)


def test_events_of_a_state_are_recorded_with_their_month():
    model = run_steps(DashboardModel(Settings(scenario="colombia_right_turn")), 12)
    kinds = {e.kind for e in model.events_of("COL")}
    assert {"election", "government_change"} <= kinds
    change = next(e for e in model.events_of("COL") if e.kind == "government_change")
    assert "+0.60" in change.detail and re.fullmatch(r"\d{4}-\d{2}", change.month)


# ----------------------------------------------------------------------------------------------- predictions


def test_event_prediction_is_pending_then_judged():
    model = DashboardModel(Settings(scenario="colombia_right_turn"))
    yes = EventPrediction("COL", "government_change", "2026-12", True, model.date)
    no = EventPrediction("COL", "government_change", "2026-12", False, model.date)
    assert yes.judge(model).status == "pending"
    run_steps(model, 14)
    assert yes.judge(model).status == "right" and no.judge(model).status == "wrong"
    assert yes.text(model.names) == "Colombia changes government by 2026-12: yes"


def test_value_prediction_is_scored_by_its_error():
    model = DashboardModel()
    guess = ValuePrediction("bri_members", "2026-06", 30.0, model.date)
    assert guess.judge(model).status == "pending"
    run_steps(model, 8)
    verdict = guess.judge(model, scenario_band("baseline", 4))
    assert verdict.status == "scored"
    assert verdict.error == model.bri_count[model.dates.index("2026-06")] - 30.0
    assert "percentile" in verdict.context


# ----------------------------------------------------------------------------------------------- map


def test_map_draws_every_state_and_the_lesser_antilles_inset():
    static = map_layout()
    main = {s["iso3"]: s for s in static["main"]}
    assert set(CELAC_ISO3) <= set(main) and main["USA"]["context"]
    assert all(main[c]["d"].startswith("M") for c in CELAC_ISO3)
    assert set(LESSER_ANTILLES) <= {s["iso3"] for s in static["inset"]}
    alignment = dict.fromkeys(CELAC_ISO3, 0.0) | {"COL": 0.9, "PAN": -0.9}
    props = map_state(alignment, dict.fromkeys(CELAC_ISO3, False) | {"COL": True}, "COL", {}, "2026-01")
    assert set(props["fills"]) == set(CELAC_ISO3) and props["bri"] == ["COL"]
    assert props["outline"] and all(s["iso3"] == "COL" for s in props["outline"])
    red, blue = colour(0.9), colour(-0.9)
    assert int(red[1:3], 16) > int(red[5:7], 16) and int(blue[5:7], 16) > int(blue[1:3], 16)


# ----------------------------------------------------------------------------------------------- debrief


def test_debrief_says_what_was_set_what_happened_and_judges_predictions(tmp_path: Path):
    model = DashboardModel()
    model.set_lever("us.tariff", 0.4)
    run_steps(model, 10)
    model.set_lever("china.bri_finance", 3.0, "COL")
    run_steps(model, 4)
    predictions = [
        EventPrediction("COL", "bri_exit", "2026-06", True, model.start_label),
        ValuePrediction("regional_mean_alignment", "2026-06", 0.05, model.start_label),
    ]
    out = write_debrief(model, predictions, scenario_band("baseline", 4), root=tmp_path)
    md = out.markdown.read_text()
    for heading in ("What was set", "What happened", "Which mechanisms moved which states", "Predictions and outcomes"):
        assert f"## {heading}" in md
    assert "python -m sim scenario=baseline us.tariff=0.4" in md
    assert "2026-09 (during the run)" in md and "China BRI finance" in md
    assert "Colombia leaves the BRI by 2026-06: yes" in md and "| scored |" in md
    assert out.folder.parent == tmp_path and (out.folder / "figures" / "map.png").stat().st_size > 10_000
    html = out.html_bytes.decode()
    assert html.count("data:image/png;base64,") == 3 and "http://" not in html and "https://" not in html


# ----------------------------------------------------------------------------------------------- the page


@pytest.fixture
def page():
    """The whole page rendered as the server renders it for one browser tab."""
    import ipyvuetify as v
    import solara.server.starlette  # server mode: updates batched per kernel, as in the server
    from solara.server import kernel_context

    from sim.dashboard import app

    context = kernel_context.create_dummy_context()
    with context:
        _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
        yield rc, v
        rc.close()


def _widgets(rc) -> list:
    """Every widget of the page, including those inside the grid's items (which ``rc.find`` does not enter)."""
    import ipywidgets

    root = rc.find(ipywidgets.Widget).widgets[0]
    seen: dict[int, object] = {}
    stack = [root]
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen[id(w)] = w
        for name in w.trait_names():
            value = getattr(w, name, None)
            if isinstance(value, dict):
                value = list(value.values())
            values = value if isinstance(value, list | tuple) else [value]
            stack.extend(x for x in values if isinstance(x, ipywidgets.Widget))
    return list(seen.values())


def _templates(rc) -> list:
    import ipyvuetify as v

    return [w for w in _widgets(rc) if isinstance(w, v.VuetifyTemplate)]


def _html(rc, css: str) -> str:
    texts = [w.unsafe_innerHTML or "" for w in _templates(rc) if hasattr(w, "unsafe_innerHTML")]
    found = [t for t in texts if css in t]
    assert found, f"no HTML containing {css!r}"
    return found[0]


def _map(rc):
    matches = [w for w in _templates(rc) if hasattr(w, "fills") and hasattr(w, "frame")]
    assert len(matches) == 1
    return matches[0]


def _slider(rc, *classes: str):
    """The slider inside the lever ``Div`` carrying every class in ``classes``."""
    import ipyvuetify as v

    def sliders(widget):
        if isinstance(widget, v.Slider):
            yield widget
        for child in getattr(widget, "children", None) or []:
            if hasattr(child, "children") or isinstance(child, v.Slider):
                yield from sliders(child)

    boxes = [w for w in _widgets(rc) if isinstance(w, v.Html) and set(classes) <= set((w.class_ or "").split())]
    assert len(boxes) == 1, f"{len(boxes)} lever boxes with classes {classes}"
    return next(sliders(boxes[0]))


def _button(rc, text: str):
    import ipyvuetify as v

    found = [w for w in _widgets(rc) if isinstance(w, v.Btn) and w.children == [text]]
    assert len(found) == 1, f"{len(found)} buttons {text!r}"
    return found[0]


def test_page_renders_the_map_chart_and_panels(page):
    rc, v = page
    m = _map(rc)
    assert set(m.fills) == set(CELAC_ISO3)
    import ipywidgets

    charts = [w for w in _widgets(rc) if isinstance(w, ipywidgets.Image)]
    assert len(charts) == 1
    chart = charts[0]
    assert chart.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'data-month="2025-10"' in _html(rc, "dash-head")
    assert "dash-breakdown" in _html(rc, "dash-breakdown")
    rc.find(v.Btn, children=["Step"]).assert_single()
    rc.find(v.Btn, children=["Reset"]).assert_single()


def test_moving_a_slider_and_stepping_changes_the_page(page):
    rc, v = page
    fills0 = dict(_map(rc).fills)
    slider = _slider(rc, "lever-us-tariff", "region")
    slider.v_model = 0.6
    assert "US tariff" in _html(rc, "2025-11: US tariff")
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert 'data-month="2025-11"' in _html(rc, "dash-head")
    assert _map(rc).fills != fills0
    state_slider = _slider(rc, "lever-us-aid", "target-COL")
    state_slider.v_model = 3.0
    assert "for Colombia" in _html(rc, "2025-12: US aid")


def test_clicking_a_state_explains_it_and_a_prediction_is_compared(page):
    rc, _ = page
    _map(rc)._event_callbacks["select"]("BRA")
    table = _html(rc, 'data-iso3="BRA"')
    assert table.count('class="dash-term"') == len(TERMS) and "Net change" in table
    _button(rc, "Predict: no").click()
    assert 'data-status="pending"' in _html(rc, "dash-predictions")
    _button(rc, "Run to the end").click()
    verdict = _html(rc, "dash-predictions")
    assert re.search(r'data-status="(right|wrong)"', verdict)
    assert 'data-month="2030-12"' in _html(rc, "dash-head")


def test_a_lesson_card_loads_its_scenario_state_and_prediction(page):
    import ipyvuetify as v

    from sim.dashboard.cards import lesson_cards

    rc, _ = page
    card = next(c for c in lesson_cards() if c.lesson == "hedging")
    select = next(w for w in _widgets(rc) if isinstance(w, v.Select) and w.label == "Lesson card")
    select.v_model = card.title
    assert "scenario <b>lesson_hedging</b>" in _html(rc, "dash-head")
    toggle = next(w for w in _widgets(rc) if isinstance(w, v.BtnToggle))
    assert toggle.v_model == 1  # the card proposes a regional mean: the form opens on it
    assert f'data-iso3="{card.state}"' in _html(rc, "dash-breakdown")
    assert "dash-card" in _html(rc, "dash-card")


def test_no_component_asks_for_katex_or_altair():
    source = "".join(p.read_text() for p in Path("sim/dashboard").glob("*.py"))
    assert not re.search(r"solara\.Markdown\(|MarkdownEditor\(|^\s*(import|from) altair", source, re.M)


# ----------------------------------------------------------------------------------------------- offline


def test_offline_guard_refuses_non_loopback_connections():
    code = (
        "import socket\n"
        "from sim.dashboard.offline import install_guard, is_loopback\n"
        "assert is_loopback(('127.0.0.1', 80)) and is_loopback(('::1', 80, 0, 0))\n"
        "assert not is_loopback(('8.8.8.8', 53))\n"
        "install_guard()\n"
        "srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)\n"
        "c = socket.socket(); c.connect(srv.getsockname()); c.close()\n"
        "try:\n"
        "    socket.socket().connect(('192.0.2.1', 80))\n"
        "except ConnectionRefusedError as err:\n"
        "    print('refused', err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert "refused offline guard: blocked connection to 192.0.2.1:80" in out.stdout
    assert "blocked connection to 192.0.2.1:80" in out.stderr


def test_the_server_binds_to_loopback_and_stays_offline_by_default():
    from sim.dashboard.__main__ import parse_args, solara_args

    args = parse_args([])
    assert args.host == "127.0.0.1"
    line = solara_args(args.host, args.port)
    assert line[line.index("--host") + 1] == "127.0.0.1" and "--no-check-version" in line and "--no-open" in line


def test_step_benchmark_reports_timings():
    from sim.dashboard.bench import dashboard_step_benchmark

    result = dashboard_step_benchmark(steps=4, warmup=1)
    assert result["steps"] == 4 and 0 < result["median_ms"] <= result["max_ms"]
