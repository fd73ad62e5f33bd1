"""The dashboard in a real browser: Debian's chromium driven by Playwright against ``python -m sim.dashboard`` served
on a free loopback port. Skipped (with the reason) where chromium or Playwright is missing; CI installs chromium.

Checks: the page loads with no failed request, no HTTP error and no request to a host other than 127.0.0.1; the map
(33 states) and the chart appear; moving a slider and pressing Step changes what is shown; clicking a state shows
its breakdown into the mechanisms; a prediction is recorded and, after the run, compared with the outcome; the
debrief is written; the server never tried to connect anywhere (its offline guard reports nothing). The test takes
screenshots of the dashboard into a temporary folder; with ``SIM_SCREENSHOTS=docs`` (``make docs``) they replace the
README's (docs/img/dashboard_*.png), so running the suite never changes tracked files.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sim.dynamics.alignment import TERMS
from sim.paths import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium on PATH (CI installs Debian's: apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
pytest.importorskip("solara", reason="the dashboard needs solara")

ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DOCS_IMG = PROJECT_ROOT / "docs" / "img"
LOOPBACK = {"127.0.0.1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """``python -m sim.dashboard`` on a free loopback port; yields (url, stderr log path)."""
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim.dashboard", "--port", str(port)],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def head_month(page) -> str:
    return page.get_attribute(".dash-head", "data-month")


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go: the README's images with SIM_SCREENSHOTS=docs, else a temporary folder."""
    return DOCS_IMG if os.environ.get("SIM_SCREENSHOTS") == "docs" else tmp_path


def test_dashboard_in_a_real_browser(server, shots):
    url, log = server
    requests: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(url)

        # the map (every state) and the chart appear
        page.wait_for_selector(".lac-main path.lac-state[data-iso3=COL]", timeout=90_000)
        assert page.locator(".lac-main path.lac-state").count() == 33
        assert page.locator(".lac-inset path.lac-state").count() >= 8
        page.wait_for_function(
            "() => { const i = document.querySelector('.dash-series img'); return i && i.naturalWidth > 300; }",
            timeout=30_000,
        )
        start = head_month(page)
        all_fills = "ps => ps.map(p => p.getAttribute('fill'))"
        fills0 = page.eval_on_selector_all(".lac-main path.lac-state", all_fills)
        chart0 = page.get_attribute(".dash-series img", "src")
        page.screenshot(path=str(shots / "dashboard_start.png"))

        # moving a slider, then Step, changes what is shown
        tariff = page.locator(".lever-us-tariff.region [role=slider]").first
        tariff.focus()
        for _ in range(20):
            page.keyboard.press("ArrowRight")
        wanted = f"US tariff (fraction ad valorem) = {float(tariff.get_attribute('aria-valuenow')):g}"
        page.wait_for_function(  # every key press has reached the server and set the lever
            f"(document.querySelector('.dash-moves') || {{}}).innerText?.includes({wanted!r})", timeout=20_000
        )
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(f"document.querySelector('.dash-head').dataset.month !== '{start}'", timeout=30_000)
        assert head_month(page) > start
        page.wait_for_function(
            f"document.querySelector('.dash-series img').getAttribute('src') !== {chart0!r}", timeout=30_000
        )
        page.wait_for_function(
            f"JSON.stringify(Array.from(document.querySelectorAll('.lac-main path.lac-state'))"
            f".map(p => p.getAttribute('fill'))) !== {json.dumps(json.dumps(fills0, separators=(',', ':')))}",
            timeout=30_000,
        )
        fills = page.eval_on_selector_all(".lac-main path.lac-state", all_fills)
        assert len(set(fills)) > 5 and fills != fills0

        # clicking a state shows its breakdown into the named mechanisms
        page.click(".lac-main path.lac-state[data-iso3=BRA]")
        page.wait_for_selector("table.dash-breakdown[data-iso3=BRA]", timeout=30_000)
        assert page.locator("table.dash-breakdown tr.dash-term").count() == len(TERMS)
        assert "Net change" in page.inner_text("table.dash-breakdown")

        # predict, then run: the prediction is recorded, then compared with the outcome
        page.click(".dash-yes")
        page.wait_for_selector("tr.dash-prediction[data-status=pending]", timeout=30_000)
        page.click(".dash-run-end")
        page.wait_for_function("document.querySelector('.dash-head').dataset.month === '2030-12'", timeout=60_000)
        page.wait_for_selector("tr.dash-prediction[data-status=right], tr.dash-prediction[data-status=wrong]")
        page.locator(".dash-head").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "dashboard_end.png"))
        page.locator(".dash-country").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "dashboard_country.png"))

        # the debrief is written and offered for download
        page.click(".dash-debrief")
        page.wait_for_selector(".dash-saved", timeout=60_000)
        saved = Path(page.inner_text(".dash-saved").removeprefix("Saved: ").strip())
        assert (saved / "debrief.html").is_file() and (saved / "debrief.md").is_file()
        assert page.get_by_text("Download the debrief (HTML)").count() == 1
        browser.close()

    hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts == LOOPBACK, f"requests to other hosts: {hosts - LOOPBACK}"
    assert not failed, failed
    assert not errors, errors
    assert "offline guard: blocked" not in log.read_text()
