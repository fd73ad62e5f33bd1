"""Predict, then run: predictions a class records before (or during) a run, judged against what the run did.

Two kinds:

* :class:`EventPrediction` — "Colombia leaves the BRI by 2028-12: yes/no" (an event of one state by a month,
  inclusive). Right or wrong as soon as the event happens or the month has passed; pending before.
* :class:`ValuePrediction` — "the regional mean alignment in 2030-12 will be +0.05" (or the number of BRI members).
  Scored by its error (outcome minus prediction) once the run reaches the month.

Each verdict also says where the unchanged scenario's ensemble stood (:class:`~sim.dashboard.band.Band`): the share
of its runs in which the event happened, or the percentile of the guess and of the outcome among its runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.dashboard.band import Band
from sim.dashboard.explain import event_label, signed
from sim.dashboard.session import DashboardModel
from sim.reporting import labels

PREDICTABLE_EVENTS: dict[str, str] = {
    "bri_exit": "leaves the BRI",
    "bri_join": "joins the BRI",
    "recognition_switch": "switches recognition",
    "government_change": "changes government",
}
"""Event kinds a class can predict, with the phrase used in the sentence."""

QUANTITIES: dict[str, tuple[float, float, float]] = {
    "regional_mean_alignment": (-1.0, 1.0, 0.01),
    "bri_members": (0.0, 33.0, 1.0),
}
"""Quantities a class can predict: (min, max, slider step) in their units (see :mod:`sim.reporting.labels`)."""


@dataclass(frozen=True)
class Verdict:
    """The comparison of a prediction with the run: ``status`` is ``pending``, ``right``, ``wrong`` (events) or
    ``scored`` (values); ``outcome`` says what the run did; ``context`` what the unchanged scenario's runs did;
    ``error`` is outcome minus prediction (values only)."""

    status: str
    outcome: str
    context: str
    error: float | None = None


@dataclass(frozen=True)
class EventPrediction:
    """``iso3`` has (``expected=True``) or has not had event ``event`` by the end of month ``by`` (YYYY-MM).
    ``made_at`` is the month the run stood at when it was recorded (its start month: before the run)."""

    iso3: str
    event: str
    by: str
    expected: bool
    made_at: str

    def text(self, names: dict[str, str]) -> str:
        """``Colombia leaves the BRI by 2028-12: yes``."""
        return f"{names.get(self.iso3, self.iso3)} {PREDICTABLE_EVENTS[self.event]} by {self.by}: " + (
            "yes" if self.expected else "no"
        )

    def judge(self, model: DashboardModel, band: Band | None = None) -> Verdict:
        """Right, wrong or pending in ``model``'s run so far."""
        when = next((e.month for e in model.events_of(self.iso3) if e.kind == self.event and e.month <= self.by), None)
        if when is not None:
            status, outcome = ("right" if self.expected else "wrong"), f"yes: {event_label(self.event)} in {when}"
        elif model.date >= self.by:
            status, outcome = ("wrong" if self.expected else "right"), f"no: not by {self.by}"
        elif model.finished:
            status, outcome = "pending", f"the run ends in {model.end_label}, before {self.by}"
        else:
            status, outcome = "pending", f"not yet (the run is at {model.date})"
        context = ""
        if band is not None and self.by in band.dates:
            share = band.event_probability(self.iso3, self.event, self.by)
            context = f"unchanged scenario: {round(100 * share)}% of {band.replications} runs"
        return Verdict(status, outcome, context)


@dataclass(frozen=True)
class ValuePrediction:
    """``quantity`` (a key of :data:`QUANTITIES`) will be ``value`` at the end of month ``at``."""

    quantity: str
    at: str
    value: float
    made_at: str

    def text(self, names: dict[str, str] | None = None) -> str:
        """``Regional mean alignment in 2030-12: +0.05``."""
        shown = f"{self.value:.0f}" if self.quantity == "bri_members" else signed(self.value, 2)
        return f"{labels.label(self.quantity)} in {self.at}: {shown}"

    def judge(self, model: DashboardModel, band: Band | None = None) -> Verdict:
        """Scored once the run has reached ``at``; pending before."""
        if self.at not in model.dates:
            reason = f"the run ends in {model.end_label}" if model.finished else f"the run is at {model.date}"
            return Verdict("pending", f"not yet ({reason})", "")
        i = model.dates.index(self.at)
        series = model.regional_mean if self.quantity == "regional_mean_alignment" else model.bri_count
        observed = float(series[i])
        error = observed - self.value
        if self.quantity == "bri_members":
            outcome = f"{observed:.0f} members (off by {error:+.0f})".replace("-", "\u2212")
        else:
            outcome = f"{signed(observed, 3)} (off by {signed(error, 3)})"
        context = ""
        if band is not None and self.at in band.dates:
            guess = band.percentile_of(self.quantity, self.at, self.value)
            seen = band.percentile_of(self.quantity, self.at, observed)
            context = (
                f"unchanged scenario ({band.replications} runs): the guess sits at the {round(100 * guess)}th "
                f"percentile, the outcome at the {round(100 * seen)}th"
            )
        return Verdict("scored", outcome, context, error)


Prediction = EventPrediction | ValuePrediction


def made_when(p: Prediction, model: DashboardModel) -> str:
    """``before the run`` or ``during the run (2027-03)``."""
    return "before the run" if p.made_at == model.start_label else f"during the run ({p.made_at})"
