"""Lesson scenario cards: short YAML files (``experiments/lessons/<lesson>/card.yaml``) the dashboard can load.

A card names the scenario to run, the state to look at, levers to pre-set, a prediction to make first, what to do
and what to look for. Loading one sets the dashboard's scenario and levers and selects the state. Format::

    title: Does coercion backfire? Panama vs Colombia
    scenario: lesson_coercion          # conf/scenario/<name>.yaml
    state: COL
    levers: {}                         # lever -> value for every state, e.g. {us.tariff: 0.25}
    targets: {}                        # ISO3 -> {lever: value}
    predict: {event: bri_exit, iso3: COL, by: 2030-12}   # or {quantity: regional_mean_alignment, at: 2030-12}
    steps: [...]                       # what to do, one line each
    look_for: [...]                    # what to watch, one line each
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.dashboard.predictions import PREDICTABLE_EVENTS, QUANTITIES
from sim.dashboard.session import check_lever, scenario_names
from sim.data.seeds import CELAC_ISO3
from sim.paths import PROJECT_ROOT

LESSONS_DIR = PROJECT_ROOT / "experiments" / "lessons"


@dataclass(frozen=True)
class Card:
    """A lesson card (see the module docstring); ``lesson`` is the folder name."""

    lesson: str
    title: str
    scenario: str
    state: str
    levers: dict[str, float] = field(default_factory=dict)
    targets: dict[str, dict[str, float]] = field(default_factory=dict)
    predict: dict[str, Any] = field(default_factory=dict)
    steps: tuple[str, ...] = ()
    look_for: tuple[str, ...] = ()


def _problem(path: Path, text: str) -> ValueError:
    return ValueError(f"{path}: {text}")


def read_card(path: Path) -> Card:
    """Read and check one card; ``ValueError`` naming the file and the field if it is malformed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise _problem(path, "expected a mapping")
    for key in ("title", "scenario", "state"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _problem(path, f"{key}: expected a non-empty text")
    if data["scenario"] not in scenario_names():
        raise _problem(path, f"scenario: {data['scenario']!r} is not a readable file of conf/scenario/")
    if data["state"] not in CELAC_ISO3:
        raise _problem(path, f"state: {data['state']!r} is not a CELAC ISO3 code")
    levers = {str(k): check_lever(str(k), v) for k, v in (data.get("levers") or {}).items()}
    targets: dict[str, dict[str, float]] = {}
    for iso3, values in (data.get("targets") or {}).items():
        if iso3 not in CELAC_ISO3:
            raise _problem(path, f"targets: {iso3!r} is not a CELAC ISO3 code")
        targets[iso3] = {str(k): check_lever(str(k), v) for k, v in values.items()}
    predict = dict(data.get("predict") or {})
    if predict and predict.get("event") not in PREDICTABLE_EVENTS and predict.get("quantity") not in QUANTITIES:
        raise _problem(path, f"predict: expected an event ({', '.join(PREDICTABLE_EVENTS)}) or a quantity")
    return Card(
        lesson=path.parent.name,
        title=data["title"],
        scenario=data["scenario"],
        state=data["state"],
        levers=levers,
        targets=targets,
        predict=predict,
        steps=tuple(str(s) for s in data.get("steps") or ()),
        look_for=tuple(str(s) for s in data.get("look_for") or ()),
    )


def lesson_cards(root: Path = LESSONS_DIR) -> list[Card]:
    """Every lesson card under ``root``, in folder order."""
    return [read_card(p) for p in sorted(root.glob("*/card.yaml"))]
