"""The lessons (experiments/lessons/): each runs on a small budget, fills every number of its README from the runs,
draws its figures, and ships a config, a README template and a dashboard card."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from sim.cli import normalise_overrides, preflight
from sim.paths import CONF_DIR, PROJECT_ROOT

LESSONS_DIR = PROJECT_ROOT / "experiments" / "lessons"
THEORIES = (
    "balancing vs bandwagoning",
    "coercion and reactance",
    "complex interdependence",
    "two-level games",
    "hedging",
)


def _module():
    spec = importlib.util.spec_from_file_location("make_lessons", LESSONS_DIR / "make_lessons.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_lessons"] = module
    spec.loader.exec_module(module)
    return module


make_lessons = _module()
LESSONS = sorted(make_lessons.LESSONS)


def test_at_least_five_lessons_cover_the_five_theories():
    assert len(LESSONS) >= 5
    text = " ".join((LESSONS_DIR / name / "README.template.md").read_text().lower() for name in LESSONS)
    for theory in THEORIES:
        assert theory in text, theory


@pytest.mark.parametrize("lesson", LESSONS)
def test_template_quotes_no_hand_typed_result(lesson: str):
    template = (LESSONS_DIR / lesson / "README.template.md").read_text()
    outside = make_lessons.PLACEHOLDER.sub("", template)
    outside = re.sub(r"```.*?```", "", outside, flags=re.S)
    assert not re.findall(r"(?<![\w.-])\d+\.\d+(?![\w.-])", outside), "a decimal number typed into the template"
    assert not [p for p in re.findall(r"\d+%", outside) if p != "95%"], "a percentage typed into the template"
    for heading in ("## Run it", "## What the model says", "## What to look for", "## Discussion questions"):
        assert heading in template


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_on_a_small_budget(lesson: str, tmp_path: Path):
    readme = make_lessons.make_lesson(lesson, 6, tmp_path / lesson)
    text = readme.read_text()
    assert "{{" not in text and "}}" not in text
    images = re.findall(r"\]\(figures/([^)]+)\)", text)
    assert len(images) >= 2
    for name in images:
        data = (tmp_path / lesson / "figures" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    assert "6 runs per configuration" in text
    commands = re.findall(r"^python -m sim (.+) replications=6$", text, flags=re.M)
    assert commands, "the README gives the exact commands"
    for args in commands:
        preflight(normalise_overrides(args.split()))  # each command is valid as written


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_has_a_config_and_a_dashboard_card(lesson: str):
    from sim.dashboard.cards import read_card

    card = read_card(LESSONS_DIR / lesson / "card.yaml")
    assert card.scenario.startswith("lesson_") and (CONF_DIR / "scenario" / f"{card.scenario}.yaml").is_file()
    assert card.steps and card.look_for and card.predict
    assert f"lesson: experiments/lessons/{lesson}" in (CONF_DIR / "scenario" / f"{card.scenario}.yaml").read_text()


def test_render_refuses_a_placeholder_without_value():
    with pytest.raises(KeyError, match="missing_one"):
        make_lessons.render("a {{missing_one}} b", {})
