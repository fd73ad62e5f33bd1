"""The dashboard's session model: :class:`~sim.model.AlignmentModel` with live levers and a record of the run.

:class:`DashboardModel` is the Mesa model the page steps. It is an ``AlignmentModel`` (same agents, same
DataCollector, the same update function :func:`sim.dynamics.update.step`), with three additions:

* **its own copy of the lever plan** (``world.plan``, shape ``(months, levers, states)``), which the sliders write
  into: a lever set before the first step applies from the scenario's start, a lever moved during the run from the
  next month on. A value for every state replaces the scenario's plan for that lever (as ``python -m sim
  us.tariff=0.25`` does); a per-state value wins over it (as ``us.targets.COL.tariff=0.25`` does).
* **a record of the run**: the alignment and BRI membership of every state each month, each mechanism's
  contribution last month and summed since the start (``TERMS`` order, alignment units), and the events (elections,
  changes of government, BRI accessions and exits, recognition switches).
* **the settings it was made from** (:class:`Settings`: scenario, run index, levers), kept by the browser session
  so that Reset replays the same choices from the start.

Run ``run`` of scenario ``s`` is run ``run`` of ``python -m sim scenario=s`` (same random key), so with no lever
moved the live run is one replication of the scenario's ensemble.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from sim.calendar import month_label
from sim.checks import validate_run_config
from sim.config import LEVER_DOCS, RunConfig
from sim.configs import load_config
from sim.data.seeds import SeedTables, load_seeds
from sim.dynamics.alignment import TERMS
from sim.dynamics.levers import LEVER_INDEX, LEVERS
from sim.dynamics.state import State
from sim.dynamics.world import World, build_world
from sim.model import AlignmentModel
from sim.scenarios import broken_scenarios, scenarios

TARGETABLE: tuple[str, ...] = (
    "us.tariff",
    "us.sanctions",
    "us.aid",
    "us.bri_exit_pressure",
    "china.bri_finance",
    "china.bri_offer",
)
"""Levers the dashboard sets for one state at a time (tariffs, sanctions, aid, BRI finance and the BRI levers)."""

EVENT_KINDS: tuple[str, ...] = ("bri_join", "bri_exit", "recognition_switch", "election", "government_change")
"""Events recorded per state (names of :data:`sim.dynamics.update.EVENTS`)."""


@lru_cache(maxsize=1)
def seeds() -> SeedTables:
    """The shipped seeds tables (loaded once per process)."""
    return load_seeds()


@lru_cache(maxsize=32)
def scenario_setup(name: str) -> tuple[RunConfig, World]:
    """The validated configuration of ``conf/scenario/<name>.yaml`` and its world (cached; treat both as read-only)."""
    cfg = load_config(f"scenario={name}")
    validate_run_config(cfg)
    return cfg, build_world(seeds(), cfg)


def scenario_names() -> dict[str, str]:
    """Scenario name -> its one-line question, for every readable scenario file."""
    broken = broken_scenarios()
    return {name: question for name, question in scenarios().items() if name not in broken}


def check_lever(lever: str, value: float) -> float:
    """``value`` rounded to 6 decimals, or ``ValueError`` if ``lever`` is unknown or ``value`` outside its range."""
    if lever not in LEVER_DOCS:
        raise ValueError(f"unknown lever {lever!r}; expected one of {', '.join(LEVERS)}")
    unit, lo, hi, _ = LEVER_DOCS[lever]
    number = round(float(value), 6)
    if not lo <= number <= hi:
        raise ValueError(f"{lever}: got {value}; expected a number in [{lo}, {hi}] ({unit})")
    return number


@dataclass
class Settings:
    """What the class chose: the scenario, the run (random draw) and the levers set (lever values in the units of
    :data:`sim.config.LEVER_DOCS`). ``region`` applies to every state; ``targets[iso3][lever]`` to one state."""

    scenario: str = "baseline"
    run: int = 0
    region: dict[str, float] = field(default_factory=dict)
    targets: dict[str, dict[str, float]] = field(default_factory=dict)

    def clear_levers(self) -> None:
        """Forget every lever set (back to the scenario's plan)."""
        self.region.clear()
        self.targets.clear()

    def overrides(self) -> list[str]:
        """The command-line overrides that set the same levers from the start (``us.tariff=0.25``,
        ``us.targets.COL.aid=0``), sorted."""
        out = [f"{lever}={value:g}" for lever, value in self.region.items()]
        for iso3, levers in self.targets.items():
            for lever, value in levers.items():
                power, short = lever.split(".", 1)
                out.append(f"{power}.targets.{iso3}.{short}={value:g}")
        return sorted(out)

    def command(self) -> str:
        """The ``python -m sim`` command whose ensemble holds this run as replication ``run`` (levers from the start;
        moves made during the run are listed separately in the debrief)."""
        parts = ["python -m sim", f"scenario={self.scenario}", *self.overrides()]
        if self.run >= 50:
            parts.append(f"replications={self.run + 1}")
        return " ".join(parts)


@dataclass(frozen=True)
class LeverMove:
    """A lever set in the dashboard: from ``month`` (YYYY-MM) on, ``lever`` takes ``value`` for ``iso3`` (``None``:
    every state without a value of its own). ``value`` ``None`` means back to the scenario's plan; ``before`` is the
    planned value that month (median over the states concerned; NaN after the run's end)."""

    month: str
    lever: str
    iso3: str | None
    value: float | None
    before: float
    during_run: bool


@dataclass(frozen=True)
class Event:
    """Something that happened to a state in a month: ``kind`` one of :data:`EVENT_KINDS`, ``detail`` free text."""

    month: str
    iso3: str
    kind: str
    detail: str


class DashboardModel(AlignmentModel):
    """One run of a scenario for the dashboard (see the module docstring).

    Args:
        settings: scenario, run index and levers; the baseline's run 0 if omitted. The object is kept (not copied):
            moving a lever updates it, so a model made from it later replays the same choices.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings if settings is not None else Settings()
        cfg, world = scenario_setup(settings.scenario)
        super().__init__(config=cfg, run=settings.run, world=world)
        self.settings = settings
        self.initial = copy.deepcopy(settings)  # the levers in force from the start (set before the first step)
        self.scenario_name = settings.scenario
        self.scenario_plan = self.world.plan  # the scenario's own plan (shared, never written)
        self.world = replace(self.world, plan=self.world.plan.copy())
        self.moves: list[LeverMove] = []
        self.names: dict[str, str] = dict(zip(self.world.iso3, self.world.names, strict=True))
        n, k = self.world.n_states, len(TERMS)
        self.dates: list[str] = [self.date]
        self.alignment_path: list[np.ndarray] = [self.state.alignment[0].copy()]
        self.bri_path: list[np.ndarray] = [self.state.bri[0].copy()]
        self.cumulative = np.zeros((k, n))
        self.last_step = np.zeros((k, n))
        self.events: list[Event] = []
        self._apply_settings()

    # ------------------------------------------------------------------ levers

    @property
    def next_t(self) -> int:
        """Plan row of the next month to simulate (``n_months`` once the run has ended)."""
        return min(self.steps, self.world.n_months)

    @property
    def next_month(self) -> str:
        """``YYYY-MM`` of the next month to simulate (where a lever moved now starts to act)."""
        return month_label(self.world.start + self.next_t)

    @property
    def finished(self) -> bool:
        """The run has reached its last month."""
        return self.steps >= self.world.n_months

    def _columns(self, lever: str, iso3: str | None) -> list[int]:
        if iso3 is not None:
            return [self.world.iso3.index(iso3)]
        return [i for i, code in enumerate(self.world.iso3) if lever not in self.settings.targets.get(code, {})]

    def _write(self, lever: str, iso3: str | None, value: float | None, t0: int) -> float:
        """Write ``value`` (``None``: the scenario's plan) into the plan from row ``t0``; return the value planned
        at ``t0`` before (median over the states written; NaN past the end)."""
        idx, cols = LEVER_INDEX[lever], self._columns(lever, iso3)
        plan = self.world.plan
        before = float(np.median(plan[t0, idx, cols])) if t0 < len(plan) and cols else float("nan")
        if value is None:
            plan[t0:, idx, cols] = self.scenario_plan[t0:, idx, cols]
        else:
            plan[t0:, idx, cols] = value
        return before

    def _log(self, move: LeverMove) -> None:
        """Record a move; a second move of the same lever and states in the same month replaces the first."""
        last = self.moves[-1] if self.moves else None
        if last is not None and (last.month, last.lever, last.iso3) == (move.month, move.lever, move.iso3):
            move = replace(move, before=last.before)
            self.moves[-1] = move
        else:
            self.moves.append(move)

    def _apply_settings(self) -> None:
        start = month_label(self.world.start)
        for lever, value in sorted(self.settings.region.items()):
            before = self._write(lever, None, value, 0)
            self.moves.append(LeverMove(start, lever, None, value, before, during_run=False))
        for iso3, levers in sorted(self.settings.targets.items()):
            for lever, value in sorted(levers.items()):
                before = self._write(lever, iso3, value, 0)
                self.moves.append(LeverMove(start, lever, iso3, value, before, during_run=False))

    def set_lever(self, lever: str, value: float, iso3: str | None = None) -> LeverMove:
        """Set ``lever`` to ``value`` (units of ``LEVER_DOCS``) for every state (``iso3=None``) or one state, from
        the next month on, and remember it in :attr:`settings`."""
        value = check_lever(lever, value)
        if iso3 is not None and iso3 not in self.world.iso3:
            raise ValueError(f"unknown state {iso3!r}; expected the ISO3 code of a CELAC state")
        for kept in (self.settings, self.initial) if self.steps == 0 else (self.settings,):
            if iso3 is None:
                kept.region[lever] = value
            else:
                kept.targets.setdefault(iso3, {})[lever] = value
        t0 = self.next_t
        before = self._write(lever, iso3, value, t0)
        move = LeverMove(month_label(self.world.start + t0), lever, iso3, value, before, during_run=self.steps > 0)
        self._log(move)
        return move

    def clear_levers(self) -> None:
        """Put every lever back to the scenario's plan from the next month on and forget the settings."""
        t0 = self.next_t
        self.world.plan[t0:] = self.scenario_plan[t0:]
        self.settings.clear_levers()
        if self.steps == 0:
            self.initial.clear_levers()
        self._log(LeverMove(month_label(self.world.start + t0), "all", None, None, float("nan"), self.steps > 0))

    def planned(self, lever: str, iso3: str | None = None) -> float:
        """Value of ``lever`` planned for the next month (the last month once the run has ended): for one state, or
        the median over every state."""
        t = min(self.next_t, self.world.n_months - 1)
        row = self.world.plan[t, LEVER_INDEX[lever]]
        return float(row[self.world.iso3.index(iso3)] if iso3 is not None else np.median(row))

    def planned_range(self, lever: str) -> tuple[float, float]:
        """Smallest and largest value of ``lever`` planned for the next month across the states."""
        t = min(self.next_t, self.world.n_months - 1)
        row = self.world.plan[t, LEVER_INDEX[lever]]
        return float(row.min()), float(row.max())

    # ------------------------------------------------------------------ stepping and the record

    def step(self) -> None:
        """Advance one month (nothing once the run has ended) and record it."""
        if self.steps > self.world.n_months:  # Mesa has counted a step past the end: undo and stop
            self.steps -= 1
            self.running = False
            return
        before = self.state
        super().step()
        contributions = self.last_contributions[:, 0, :] if self.last_contributions is not None else 0.0
        self.last_step = np.array(contributions, dtype=float)
        self.cumulative += self.last_step
        self.dates.append(self.date)
        self.alignment_path.append(self.state.alignment[0].copy())
        self.bri_path.append(self.state.bri[0].copy())
        self._record_events(before, self.state)

    def _record_events(self, before: State, after: State) -> None:
        for kind in EVENT_KINDS:
            for col in np.flatnonzero(self.last_events[kind][0]):
                self.events.append(Event(self.date, self.world.iso3[col], kind, self._detail(kind, col, before, after)))

    def _detail(self, kind: str, col: int, before: State, after: State) -> str:
        if kind == "government_change":
            name = self.world.leader_names.get(int(after.person[0, col]))
            shift = f"government ideology {before.ideology[0, col]:+.2f} -> {after.ideology[0, col]:+.2f}"
            return f"{name} ({shift})" if name else shift
        if kind in ("bri_join", "bri_exit"):
            return f"{int(after.bri[0].sum())} BRI members now"
        if kind == "recognition_switch":
            return "now recognises Beijing" if after.prc[0, col] else "now recognises Taipei"
        return ""

    # ------------------------------------------------------------------ read-outs

    @property
    def start_label(self) -> str:
        """``YYYY-MM`` of the state the run starts from (the month before the scenario's start)."""
        return self.dates[0]

    @property
    def end_label(self) -> str:
        """``YYYY-MM`` of the run's last month."""
        return month_label(self.world.end)

    @property
    def regional_mean(self) -> np.ndarray:
        """Regional mean alignment each recorded month (unweighted mean of the 33 states)."""
        return np.array([a.mean() for a in self.alignment_path])

    @property
    def bri_count(self) -> np.ndarray:
        """Number of BRI members each recorded month."""
        return np.array([int(b.sum()) for b in self.bri_path])

    def alignment_of(self, iso3: str) -> np.ndarray:
        """Alignment of one state each recorded month."""
        col = self.world.iso3.index(iso3)
        return np.array([a[col] for a in self.alignment_path])

    def events_of(self, iso3: str) -> list[Event]:
        """The events of one state, in order."""
        return [e for e in self.events if e.iso3 == iso3]
