"""The factor space of a sensitivity analysis: what varies, within which bounds, and why.

A *factor* is one uncertain input with its bounds (or distribution) and a one-line justification. Names follow the
configuration keys, so a factor reads like an override (docs/sensitivity.md lists the default space):

* ``params.<name>`` — a behavioural parameter (:class:`sim.config.Params`), one value per run;
* ``us.<lever>``, ``china.<lever>`` — a lever set for every state from the scenario start (as ``us.tariff=0.25`` on
  the command line would set it); ``us.targets.<ISO3>.<lever>`` — a lever for one state only;
* ``data.<name>`` — a multiplier on an uncertain calibration figure (:data:`DATA_FACTORS`);
* ``history.standing_offer`` — China's standing push to sign the BRI between forums (the status quo of
  ``china.bri_offer`` after the present);
* ``dummy`` — read by nothing: always included; with common random numbers its indices are exactly 0 (a check of
  the analysis), with independent streams they estimate the replication-noise floor.

The space is declared in ``conf/sensitivity/space/default.yaml``. An entry is ``[lo, hi]`` or a mapping
``{bounds, dist, why, include}`` where ``bounds`` is ``[lo, hi]`` (``[lo, hi, peak]`` for ``dist: triang``,
``[lo, hi, mean, sd]`` for ``dist: truncnorm``, as SALib reads them), ``range`` (the documented range), ``ensemble``
(5-95% of the history-matching ensemble, ``conf/estimates/ensemble.csv``), ``{se: <number or calibration>, k: 2}``
(the configured, fitted value +- k standard errors; ``calibration`` reads the s.e. from docs/calibration.md) or
``{relative: [a, b]}`` (a to b times the configured value). Derived bounds are clipped to the documented range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from sim.calendar import parse_month
from sim.config import LEVER_DOCS, Params, RunConfig, param_meta, param_names
from sim.data.seeds import CELAC_ISO3
from sim.errors import SimInputError
from sim.paths import CONF_DIR, PROJECT_ROOT

DUMMY = "dummy"
"""Name of the factor the model never reads (bounds [0, 1])."""
DISTS = ("unif", "triang", "truncnorm")
"""Distributions a factor may take (SALib's names); bounded ones only, as every input has a documented range."""
ENSEMBLE_CSV = CONF_DIR / "estimates" / "ensemble.csv"
CALIBRATION_MD = PROJECT_ROOT / "docs" / "calibration.md"
ENSEMBLE_QUANTILES = (0.05, 0.95)
LEADER_MEASURES = ("us.leader_sanctions", "us.visa_bans")
"""Levers whose spells bind the person in office when they begin: settable for every state only."""


@dataclass(frozen=True)
class DataFactor:
    """A calibration figure marked as an estimate: its flows from ``since`` on are multiplied by the factor.

    ``flow`` is 0 (US aid) or 1 (Chinese finance), the axis of ``World.past_flows``; ``lever`` the lever whose
    status quo carries the figure after the present (``us.aid`` / ``china.bri_finance``).
    """

    flow: int
    lever: str
    since: str
    meaning: str


DATA_FACTORS: dict[str, DataFactor] = {
    "data.us_aid_2025": DataFactor(
        0,
        "us.aid",
        "2025-01",
        "US aid from 2025-01 on (seeds est_usaid_2025: 0.25 x the 2023 level, plausible 0.15-0.5), in the stock at "
        "the start and in the status quo after the present",
    ),
    "data.cn_finance_2022": DataFactor(
        1,
        "china.bri_finance",
        "2022-01",
        "Chinese official finance from 2022-01 on (seeds est_cn_cllac_zero, est_cn_2024_2025: CLLAC loans only, "
        "2024-2025 carried), in the stock at the start and in the status quo after the present",
    ),
}
DATA_RANGE = (0.0, 10.0)
"""Documented range of a data multiplier (1 = the figure as shipped in seeds/)."""
OFFER = "history.standing_offer"
OFFER_RANGE = (0.0, 1.0)


@dataclass(frozen=True)
class Factor:
    """One factor: name, kind (``param``, ``lever``, ``target``, ``data``, ``offer``, ``dummy``), SALib bounds and
    distribution, the interval its values fall in (``support``), its unit and the one-line justification."""

    name: str
    kind: str
    bounds: tuple[float, ...]
    dist: str
    support: tuple[float, float]
    unit: str
    why: str

    @property
    def short(self) -> str:
        """The parameter's field name (``w_trade``) for ``params.*``; the name otherwise."""
        return self.name.removeprefix("params.")

    def record(self) -> dict[str, Any]:
        """A plain dict (for study.json and the factor table)."""
        return {
            "factor": self.name,
            "kind": self.kind,
            "dist": self.dist,
            "bounds": list(self.bounds),
            "low": self.support[0],
            "high": self.support[1],
            "unit": self.unit,
            "why": self.why,
        }


def kind_of(name: str) -> str:
    """The kind of factor a name denotes (raises :class:`SimInputError` for an unknown name)."""
    parts = name.split(".")
    if name == DUMMY:
        return "dummy"
    if parts[0] == "params" and len(parts) == 2:
        if parts[1] not in param_names():
            raise SimInputError(
                f"factors.{name}",
                name,
                f"not a behavioural parameter; sim/config.py Params has {_listed(param_names())}",
            )
        return "param"
    if name in LEVER_DOCS:
        return "lever"
    if len(parts) == 4 and parts[1] == "targets" and f"{parts[0]}.{parts[3]}" in LEVER_DOCS:
        if parts[2] not in CELAC_ISO3:
            raise SimInputError(f"factors.{name}", parts[2], "expected the ISO3 code of a CELAC state (e.g. COL)")
        if f"{parts[0]}.{parts[3]}" in LEADER_MEASURES:
            raise SimInputError(
                f"factors.{name}", name, "leader sanctions and visa bans can be factors for every state only"
            )
        return "target"
    if name in DATA_FACTORS:
        return "data"
    if name == OFFER:
        return "offer"
    raise SimInputError(
        f"factors.{name}",
        name,
        "unknown factor; expected params.<parameter>, us.<lever>, china.<lever>, us.targets.<ISO3>.<lever>, "
        f"{', '.join(DATA_FACTORS)} or {OFFER}",
    )


def _listed(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def documented(name: str, kind: str) -> tuple[tuple[float, float], str]:
    """The documented range and unit of a factor (Params metadata, LEVER_DOCS, the data and offer ranges)."""
    if kind == "param":
        meta = param_meta(name.removeprefix("params."))
        return (float(meta["range"][0]), float(meta["range"][1])), str(meta["unit"])
    if kind in ("lever", "target"):
        parts = name.split(".")
        unit, lo, hi, _ = LEVER_DOCS[f"{parts[0]}.{parts[-1]}"]
        return (float(lo), float(hi)), unit
    if kind == "data":
        return DATA_RANGE, "multiple of the shipped figure"
    if kind == "offer":
        return OFFER_RANGE, "0-1 (share of a forum month's push)"
    return (0.0, 1.0), "none (never read)"


def configured(name: str, kind: str, cfg: RunConfig) -> float:
    """The value the base configuration gives a factor (the fitted or prior parameter; 1 for a data multiplier)."""
    if kind == "param":
        return float(getattr(cfg.params, name.removeprefix("params.")))
    if kind == "offer":
        return float(cfg.history.standing_offer)
    if kind == "data":
        return 1.0
    raise SimInputError(f"factors.{name}", name, "relative and s.e. bounds need a configured value (params.*)")


@cache
def _ensemble() -> dict[str, tuple[float, float]]:
    import pandas as pd

    try:
        frame = pd.read_csv(ENSEMBLE_CSV)
    except (OSError, ValueError):
        return {}
    lo, hi = ENSEMBLE_QUANTILES
    return {c: (float(frame[c].quantile(lo)), float(frame[c].quantile(hi))) for c in frame.columns}


_SE_ROW = re.compile(r"^\|\s*`(\w+)`\s*\|\s*([-+0-9.eE]+)\s*\|\s*([-+0-9.eE]+)\s*\|\s*$")


@cache
def _standard_errors() -> dict[str, float]:
    """Standard errors of the maximum-likelihood estimates, read from the tables of docs/calibration.md."""
    try:
        text = CALIBRATION_MD.read_text(encoding="utf-8")
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        match = _SE_ROW.match(line)
        if match:
            out[match.group(1)] = float(match.group(3))
    return out


def _numbers(value: Any, where: str, expected: str) -> tuple[float, ...]:
    try:
        numbers = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise SimInputError(where, value, expected) from None
    if any(v != v for v in numbers):
        raise SimInputError(where, value, expected)
    return numbers


def _derived_bounds(name: str, kind: str, spec: Any, cfg: RunConfig, where: str) -> tuple[float, float] | None:
    """Bounds from a named rule (``range``, ``ensemble``, ``{se: ..}``, ``{relative: ..}``); ``None`` if ``spec``
    is a plain list. Derived bounds are clipped to the documented range."""
    (lo, hi), _ = documented(name, kind)
    if spec == "range":
        return lo, hi
    if spec == "ensemble":
        found = _ensemble().get(name.removeprefix("params."))
        if found is None:
            raise SimInputError(where, spec, f"{name} is not a column of {ENSEMBLE_CSV.relative_to(PROJECT_ROOT)}")
        return max(lo, found[0]), min(hi, found[1])
    if isinstance(spec, Mapping) and "se" in spec:
        se = spec["se"]
        if se == "calibration":
            se = _standard_errors().get(name.removeprefix("params."))
            if se is None:
                raise SimInputError(where, spec, f"no s.e. of {name} in {CALIBRATION_MD.relative_to(PROJECT_ROOT)}")
        k = float(spec.get("k", 2.0))
        centre = configured(name, kind, cfg)
        return max(lo, centre - k * float(se)), min(hi, centre + k * float(se))
    if isinstance(spec, Mapping) and "relative" in spec:
        a, b = _numbers(spec["relative"], where, "expected {relative: [a, b]}")
        centre = configured(name, kind, cfg)
        ends = sorted((a * centre, b * centre))
        return max(lo, ends[0]), min(hi, ends[1])
    if isinstance(spec, str | Mapping):
        raise SimInputError(
            where, spec, "expected [lo, hi], range, ensemble, {se: <number|calibration>, k: 2} or {relative: [a, b]}"
        )
    return None


def make_factor(name: str, entry: Any, cfg: RunConfig, where: str, why_default: str = "") -> Factor:
    """Check one declaration and resolve its bounds (raises :class:`SimInputError` naming ``where``)."""
    kind = kind_of(name)
    if not isinstance(entry, Mapping):
        entry = {"bounds": entry}
    unknown = set(entry) - {"bounds", "dist", "why", "include"}
    if unknown:
        raise SimInputError(f"{where}.{sorted(unknown)[0]}", entry, "expected keys bounds, dist, why, include")
    dist = str(entry.get("dist", "unif"))
    if dist not in DISTS:
        raise SimInputError(f"{where}.dist", dist, f"expected one of {', '.join(DISTS)} (bounded distributions)")
    why = str(entry.get("why") or why_default).strip()
    if not why:
        raise SimInputError(f"{where}.why", None, "every factor of the space needs a one-line justification")
    (lo, hi), unit = documented(name, kind)
    spec = entry.get("bounds", "range")
    derived = _derived_bounds(name, kind, spec, cfg, f"{where}.bounds") if dist == "unif" else None
    if derived is not None:
        bounds: tuple[float, ...] = (round(derived[0], 10), round(derived[1], 10))
    else:
        size = {"unif": 2, "triang": 3, "truncnorm": 4}[dist]
        shapes = {"unif": "[lo, hi]", "triang": "[lo, hi, peak in 0..1]", "truncnorm": "[lo, hi, mean, sd]"}
        bounds = _numbers(spec, f"{where}.bounds", f"expected {shapes[dist]} for dist {dist}")
        if len(bounds) != size:
            raise SimInputError(f"{where}.bounds", list(spec), f"expected {shapes[dist]} for dist {dist}")
        if dist == "triang" and not 0.0 <= bounds[2] <= 1.0:
            raise SimInputError(f"{where}.bounds", list(spec), "the peak of a triang is a fraction of [lo, hi]")
        if dist == "truncnorm" and bounds[3] <= 0:
            raise SimInputError(f"{where}.bounds", list(spec), "the sd of a truncnorm must be positive")
    if not bounds[0] < bounds[1]:
        raise SimInputError(f"{where}.bounds", list(bounds), "expected lo < hi")
    if bounds[0] < lo or bounds[1] > hi:
        raise SimInputError(
            f"{where}.bounds", list(bounds), f"expected bounds within the documented [{lo}, {hi}] ({unit})"
        )
    return Factor(name, kind, bounds, dist, (bounds[0], bounds[1]), unit, " ".join(why.split()))


def _flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """``{params: {w_trade: {...}}}`` -> ``{"params.w_trade": {...}}``: a leaf is a list, a scalar or a mapping with a
    ``bounds`` key."""
    if not isinstance(tree, Mapping) or "bounds" in tree:
        return {prefix: tree}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        out |= _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    return out


UNDECLARED_WHY = "documented range (sim/config.py); not declared in conf/sensitivity/space: no narrower range argued"


def resolve(space: Mapping[str, Any], selection: Any, cfg: RunConfig, fixed: Sequence[str] = ()) -> list[Factor]:
    """The factors of an analysis, in a fixed order (the space's, then extensions), the dummy last.

    ``selection`` is ``None`` (every factor the space includes, plus every behavioural parameter it does not
    declare, at its documented range), a list of names (only these, at their declared bounds) or a mapping of
    declarations that extend or re-declare the space (``+factors.params.w_trade=[0, 0.01]``). ``fixed`` names keys
    the command line sets (``params.w_elite=0.01``, ``us.tariff=0.25``, and the configuration's ``pinned`` levers):
    they leave the space; naming one in ``factors`` is an error.
    """
    held = set(fixed) | set(cfg.pinned)
    declared = _flatten(space) if space else {}
    declared.pop("", None)
    extra: dict[str, Any] = {}
    if isinstance(selection, Mapping):
        extra = _flatten(selection)
    elif selection is not None and not isinstance(selection, Sequence | str):
        raise SimInputError("factors", selection, "expected null, a list of factor names or a mapping of bounds")
    names: list[str]
    if selection is None or isinstance(selection, Mapping):
        names = [n for n, e in declared.items() if not (isinstance(e, Mapping) and e.get("include") is False)]
        names += [f"params.{p}" for p in param_names() if f"params.{p}" not in declared]
        names = [n for n in names if n not in held or n in extra]
        names += [n for n in extra if n not in names]
    else:
        listed = [selection] if isinstance(selection, str) else list(selection)
        names = [str(n) for n in listed if str(n) != DUMMY]
        for n in names:
            kind_of(n)
            if n not in declared and not (kind_of(n) == "param"):
                raise SimInputError(
                    "factors", n, f"not declared in the space; add it with +space.{n}=[lo,hi] or +factors.{n}=[lo,hi]"
                )
        if len(set(names)) != len(names):
            raise SimInputError("factors", listed, "a factor is listed twice")
    factors = []
    for n in names:
        if n in extra:
            factors.append(make_factor(n, extra[n], cfg, f"factors.{n}", "given on the command line"))
        elif n in declared:
            factors.append(make_factor(n, declared[n], cfg, f"space.{n}"))
        else:
            factors.append(make_factor(n, {"bounds": "range"}, cfg, f"space.{n}", UNDECLARED_WHY))
    dummy_why = "never read: a check of the analysis"
    factors.append(Factor(DUMMY, "dummy", (0.0, 1.0), "unif", (0.0, 1.0), "none", dummy_why))
    _check_conflicts(factors, held)
    return factors


def _check_conflicts(factors: list[Factor], held: set[str]) -> None:
    names = {f.name for f in factors}
    if OFFER in names and "china.bri_offer" in names:
        raise SimInputError(
            "factors",
            "china.bri_offer",
            f"{OFFER} is the status quo of china.bri_offer after the present; china.bri_offer as a factor replaces it "
            "for every state, so the two cannot both be factors (drop one)",
        )
    for f in factors:
        if f.name in held:
            raise SimInputError(
                f.name, "set on the command line", "is also named as a factor; set it or vary it, not both"
            )
    if len(factors) < 3:
        raise SimInputError("factors", [f.name for f in factors[:-1]], "expected at least two factors besides dummy")


def data_month(name: str) -> int:
    """The first month (index) whose figures a data factor multiplies."""
    return parse_month(DATA_FACTORS[name].since, name)


def factor_table(factors: Sequence[Factor]) -> list[dict[str, Any]]:
    """Rows for docs/sensitivity.md and the analysis folder: factor, kind, bounds, unit, justification."""
    return [f.record() for f in factors]


def space_fields() -> list[str]:
    """Names of every behavioural parameter (the space must account for each)."""
    return [f"params.{f.name}" for f in fields(Params)]


def relative_path(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
