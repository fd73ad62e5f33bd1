"""Human labels for every column, quantity, mechanism, event and configuration key shown in figures and tables.

One registry, one entry per name: ``Entry(label, unit, meaning)`` where ``meaning`` is one line that includes the
sign convention and the range. Lever entries are built from :data:`sim.config.LEVER_DOCS` and parameter entries
from the metadata of :class:`sim.config.Params` (unit, range, doc), so numbers are never copied here.

Unknown names never break a figure: they get a readable fallback (``"lock_in_v2"`` -> ``"Lock in v2"``), so the
model's mechanism list can gain or lose terms freely. No label contains a raw ``snake_case`` name.

Functions: :func:`label`, :func:`unit`, :func:`label_with_unit`, :func:`describe`, :func:`entry`,
:func:`data_dictionary`, :func:`humanise`, :func:`run_footer`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Literal

from sim.config import LEVER_DOCS, Params

MINUS = "\u2212"
ALIGNMENT_UNIT = f"{MINUS}1 US \u2026 +1 China side"
CHANGE_UNIT = "alignment units, + toward China"

Kind = Literal["auto", "column", "mechanism", "event", "key", "outcome"]


@dataclass(frozen=True)
class Entry:
    """A name's human label, its unit (may be empty) and a one-line meaning with sign convention and range."""

    name: str
    label: str
    unit: str
    meaning: str
    known: bool = True  # False: a fallback built from the name alone


# --------------------------------------------------------------------------- static registries

#: Columns of the run's tables and quantities derived from them: name -> (label, unit, meaning).
COLUMNS: dict[str, tuple[str, str, str]] = {
    "replication": ("Replication", "index", "replication number within the ensemble (0, 1, …); each its own draws"),
    "date": ("Month", "YYYY-MM", "calendar month of the recorded state; the first row is the month before the start"),
    "iso3": ("State", "ISO 3166-1 alpha-3", "one of the 33 CELAC member states"),
    "alignment": (
        "Alignment",
        ALIGNMENT_UNIT,
        f"where the state's UN votes place it: {MINUS}1 where the US votes, 0 the UN's median member, + the other "
        f"side (China's own votes sit near +0.15, Cuba's near +0.4); range [{MINUS}1, +1]",
    ),
    "bri_member": ("BRI member", "0/1", "1 = a Belt and Road memorandum is in force, 0 = not a member"),
    "recognizes_prc": (
        "Recognises Beijing",
        "0/1",
        "1 = recognises the People's Republic of China (Beijing), 0 = recognises the Republic of China (Taipei)",
    ),
    "gov_ideology": (
        "Government ideology",
        f"left{MINUS}right, {MINUS}1 \u2026 +1",
        f"position of the government in office: {MINUS}1 far left, 0 centre, +1 far right; range [{MINUS}1, +1]",
    ),
    "elite_attitude": (
        "Elite attitude",
        ALIGNMENT_UNIT,
        f"attitude of elites and opposition, shaped by hosted visits: + toward China, {MINUS} toward the US; "
        f"range [{MINUS}1, +1]",
    ),
    "finance_stock": (
        "Chinese finance stock",
        "% of GDP",
        "accumulated Chinese official finance (loans and aid), decaying; % of GDP, \u2265 0",
    ),
    "aid_stock": ("US aid stock", "% of GDP", "accumulated US aid, decaying; % of GDP, \u2265 0"),
    "export_us": (
        "Exports to the US",
        "share of goods exports",
        "share of the state's goods exports going to the US; range [0, 1]",
    ),
    "export_cn": (
        "Exports to China",
        "share of goods exports",
        "share of the state's goods exports going to China; range [0, 1]",
    ),
    "regional_mean_alignment": (
        "Regional mean alignment",
        ALIGNMENT_UNIT,
        f"unweighted mean of the states' alignment (one state, one vote); range [{MINUS}1, +1], + toward China",
    ),
    "bri_members": (
        "BRI members",
        "number of states",
        "count of CELAC states with a Belt and Road memorandum in force; a whole number from 0 to 33",
    ),
    "bri_member_count": (
        "BRI members",
        "number of states",
        "count of CELAC states with a Belt and Road memorandum in force; a whole number from 0 to 33",
    ),
    "alignment_change": (
        "Change of alignment",
        CHANGE_UNIT,
        f"alignment at the end minus alignment at the start; + toward China, {MINUS} toward the US; "
        f"range [{MINUS}2, +2]",
    ),
    "net_change": (
        "Net change of alignment",
        CHANGE_UNIT,
        f"sum of every mechanism's pull since the start; + toward China, {MINUS} toward the US",
    ),
    "cumulative_contribution": (
        "Cumulative pull",
        CHANGE_UNIT,
        f"sum of a mechanism's monthly contributions since the start; + toward China, {MINUS} toward the US",
    ),
    "term": ("Mechanism", "", "named term of the monthly alignment update (see the mechanism entries)"),
    "value": (
        "Contribution",
        "alignment units per month",
        f"a mechanism's part of the month's change of alignment; + toward China, {MINUS} toward the US",
    ),
    "mean": ("Ensemble mean", "", "mean over the replications of the ensemble"),
    "p05": ("5th percentile", "", "5th percentile over the replications (lower end of the 5\u201395% band)"),
    "p95": ("95th percentile", "", "95th percentile over the replications (upper end of the 5\u201395% band)"),
    "event": ("Event", "", "kind of discrete event (see the event entries)"),
    "detail": ("Detail", "", "free-text detail of an event (e.g. the ideology before and after an election)"),
    "outcome": ("Outcome", "", "scalar outcome of an ensemble (see the outcome entries)"),
    "status": ("Job status", "", "done, failed or missing"),
    "error": ("Error", "", "one-line error of a failed sweep job"),
    "probability": ("Probability", "0 \u2026 1", "share of replications in which the event happens at least once"),
}

#: Scalar outcomes of an ensemble (``outcomes.csv``, ``sweep_results.csv``).
OUTCOMES: dict[str, tuple[str, str, str]] = {
    "regional_mean_alignment_end": (
        "Regional mean alignment at the end",
        ALIGNMENT_UNIT,
        f"unweighted mean alignment of the states in the last month; range [{MINUS}1, +1], + toward China",
    ),
    "regional_mean_alignment_change": (
        "Change of the regional mean alignment",
        CHANGE_UNIT,
        f"regional mean alignment at the end minus in the month before the start; + toward China, "
        f"{MINUS} toward the US; range [{MINUS}2, +2]",
    ),
    "bri_members_end": (
        "BRI members at the end",
        "number of states",
        "number of CELAC states in the Belt and Road Initiative in the last month; 0 to 33",
    ),
}

#: Mechanisms of the monthly update (``sim.dynamics.terms.TERMS``); contributions in alignment units per month.
MECHANISMS: dict[str, tuple[str, str]] = {
    "trade": (
        "Economic dependence",
        "trade with China against trade with and remittances from the US; toward the partner the state depends on",
    ),
    "finance": ("Official finance", "stock of Chinese loans against stock of US aid; toward the larger; either sign"),
    "coercion": (
        "US pressure",
        f"compliance pulls toward the US ({MINUS}), resistance away from it (+), by the state's US dependence",
    ),
    "ideology": (
        "Ideological affinity",
        "toward the power whose administration is ideologically nearer the government; either sign",
    ),
    "regime": ("Regime type", f"autocracies pulled away from the US (+), democracies toward it ({MINUS})"),
    "security": (
        "Security ties",
        f"toward the state's arms suppliers and allies: the US ({MINUS}) or China/Russia (+)",
    ),
    "neighbours": ("Regional diffusion", "toward the neighbours' mean alignment; either sign"),
    "institutions": (
        "Commitments",
        f"BRI membership pulls away from the US (+), recognising Taipei toward it ({MINUS})",
    ),
    "elite": ("Elite networks", "attitudes of elites courted with hosted visits; toward the side that courted them"),
    "state_effect": (
        "State's own position",
        "toward the state's estimated own position (what the mechanisms leave unexplained on 1991-2012)",
    ),
    "shock": ("Random shocks", "idiosyncratic monthly shocks, mean 0; either sign"),
}

#: Discrete events (``events.csv``).
EVENTS: dict[str, tuple[str, str]] = {
    "bri_join": ("Joins the BRI", "the state signs a Belt and Road memorandum"),
    "bri_exit": ("Leaves the BRI", "the state withdraws from the Belt and Road Initiative"),
    "recognition_switch": ("Switches recognition", "the state switches diplomatic recognition (Taipei / Beijing)"),
    "election": ("Election", "a national election is held"),
    "government_change": ("Change of government", "a new head of government takes office"),
}

#: Top-level configuration keys (Hydra overrides) other than levers and parameters.
KEYS: dict[str, tuple[str, str, str]] = {
    "scenario": ("Scenario", "", "named scenario of conf/scenario/ (levers and time window)"),
    "scenario_name": ("Scenario", "", "named scenario of conf/scenario/ (levers and time window)"),
    "replications": ("Replications", "runs", "number of replications of the ensemble"),
    "seed": ("Seed", "", "random seed of the ensemble; same seed, same results"),
    "start": ("Start month", "YYYY-MM", "first month the scenario's levers apply"),
    "end": ("End month", "YYYY-MM", "last simulated month (the horizon)"),
    "dtype": ("Floating-point precision", "", "float64 or float32"),
    "focus": ("Focus state", "ISO3", "state(s) whose mechanism breakdown is drawn"),
    "plots": ("Draw figures", "", "true or false"),
    "job": ("Sweep job", "index", "number of the job within a sweep"),
}

#: Tokens kept in a fixed spelling when a name is turned into words.
_TOKENS = {
    "us": "US",
    "usa": "USA",
    "cn": "China",
    "china": "China",
    "bri": "BRI",
    "prc": "PRC",
    "gdp": "GDP",
    "pct": "%",
    "iso3": "ISO3",
    "un": "UN",
    "unga": "UNGA",
    "nato": "NATO",
    "lac": "LAC",
    "celac": "CELAC",
    "usd": "USD",
    "fta": "FTA",
    "sd": "s.d.",
    "lockin": "lock-in",
    "cpu": "CPU",
    "id": "ID",
}


# --------------------------------------------------------------------------- building entries


def humanise(name: str) -> str:
    """Readable words from an identifier: ``"us.bri_exit_pressure"`` -> ``"US BRI exit pressure"``.

    Underscores, dots, colons and hyphens become spaces; known abbreviations keep their spelling; a leading
    ``w`` (weight) or ``beta`` (steepness) moves to the end (``"w_coercion"`` -> ``"Coercion weight"``); the first
    letter is capitalised.
    """
    words = [w for w in re.split(r"[_.:\-\s]+", str(name).strip()) if w]
    if not words:
        return str(name)
    if len(words) > 1 and words[0].lower() == "w":
        words = [*words[1:], "weight"]
    elif len(words) > 1 and words[0].lower() == "beta":
        words = [*words[1:], "steepness"]
    out = []
    for w in words:
        low = w.lower()
        if low in _TOKENS:
            out.append(_TOKENS[low])
        elif w.isupper() and len(w) <= 4:
            out.append(w)  # ISO3 codes and other acronyms stay as they are
        else:
            out.append(low)
    text = " ".join(out)
    return text[0].upper() + text[1:]


def _range_text(lo: float, hi: float) -> str:
    return f"range [{lo:g}, {hi:g}]".replace("-", MINUS)


@lru_cache(maxsize=1)
def _param_meta() -> dict[str, dict[str, object]]:
    return {f.name: dict(f.metadata) for f in fields(Params) if f.metadata}


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    from sim.reporting import geometry  # local: labels stay importable without the asset

    return geometry.country_names()


def _lever_entry(name: str) -> Entry | None:
    """``us.tariff`` or a per-state target ``us.targets.COL.tariff`` (from ``LEVER_DOCS``)."""
    parts = name.split(".")
    target = None
    if len(parts) == 4 and parts[1] == "targets":
        target, parts = parts[2], [parts[0], parts[3]]
    key = ".".join(parts)
    if key not in LEVER_DOCS:
        return None
    unit_, lo, hi, meaning = LEVER_DOCS[key]
    text = humanise(key)
    if target is not None:
        country = _country_names().get(target.upper(), target.upper())
        text = f"{text} on {country}"
        meaning = f"{meaning} (this state only)"
    return Entry(name, text, unit_, f"{meaning}; {_range_text(lo, hi)}")


def _param_entry(name: str) -> Entry | None:
    """``params.w_coercion`` or ``w_coercion`` (from the ``Params`` field metadata)."""
    short = name.removeprefix("params.")
    meta = _param_meta().get(short)
    if meta is None:
        return None
    lo, hi = meta["range"]  # type: ignore[misc]
    return Entry(name, humanise(short), str(meta["unit"]), f"{meta['doc']}; {_range_text(lo, hi)}")


def _outcome_entry(name: str) -> Entry | None:
    if name in OUTCOMES:
        return Entry(name, *OUTCOMES[name])
    prefix, _, iso3 = name.partition(":")
    if prefix == "alignment_end" and iso3:
        country = _country_names().get(iso3.upper(), iso3.upper())
        return Entry(
            name,
            f"Alignment of {country} at the end",
            ALIGNMENT_UNIT,
            f"{country}'s alignment in the last month; range [{MINUS}1, +1], + toward China",
        )
    return None


def _mechanism_entry(name: str) -> Entry | None:
    if name not in MECHANISMS:
        return None
    text, meaning = MECHANISMS[name]
    return Entry(name, text, "alignment units per month", f"{meaning}; + toward China, {MINUS} toward the US")


def _fallback(name: str, kind: Kind) -> Entry:
    what = {"mechanism": "mechanism", "event": "event"}.get(kind, "quantity")
    return Entry(name, humanise(name), "", f"{what} '{name}' (no description recorded in sim.reporting.labels)", False)


def entry(name: str, kind: Kind = "auto") -> Entry:
    """The registry entry of ``name``; ``kind`` picks a namespace when a name is both a column and a mechanism
    (``security_ties``): ``"auto"`` looks in columns, outcomes, configuration keys, mechanisms, then events.

    Never raises: an unknown name gets a readable fallback with ``known=False``.
    """
    name = str(name)
    finders = {
        "column": [lambda n: Entry(n, *COLUMNS[n]) if n in COLUMNS else None],
        "outcome": [_outcome_entry],
        "key": [lambda n: Entry(n, *KEYS[n]) if n in KEYS else None, _lever_entry, _param_entry],
        "mechanism": [_mechanism_entry],
        "event": [lambda n: Entry(n, *EVENTS[n][:1], "", EVENTS[n][1]) if n in EVENTS else None],
    }
    order = ["column", "outcome", "key", "mechanism", "event"] if kind == "auto" else [kind]
    for k in order:
        for find in finders[k]:
            found = find(name)
            if found is not None:
                return found
    return _fallback(name, kind)


def label(name: str, kind: Kind = "auto") -> str:
    """Short human label, e.g. ``label("gov_ideology") == "Government ideology"``."""
    return entry(name, kind).label


def unit(name: str, kind: Kind = "auto") -> str:
    """Unit of ``name`` (empty string if it has none or is unknown)."""
    return entry(name, kind).unit


def label_with_unit(name: str, kind: Kind = "auto") -> str:
    """Label and unit, e.g. ``"Alignment (−1 US … +1 China)"``; the bare label when there is no unit."""
    e = entry(name, kind)
    return f"{e.label} ({e.unit})" if e.unit else e.label


def describe(name: str, kind: Kind = "auto") -> str:
    """One line: label, unit and meaning (sign convention and range)."""
    e = entry(name, kind)
    return f"{label_with_unit(name, kind)}: {e.meaning}"


def data_dictionary(names: Iterable[str], kind: Kind = "auto") -> list[dict[str, str]]:
    """Rows ``{name, label, unit, meaning}`` for ``names`` (e.g. a table's columns), in the given order."""
    rows = []
    for n in names:
        e = entry(n, kind)
        rows.append({"name": e.name, "label": e.label, "unit": e.unit, "meaning": e.meaning})
    return rows


def value_text(key: str, value: object) -> str:
    """``"US tariff = 0.25"`` for a swept key and its value (numbers in short form, typographic minus)."""
    try:
        number = float(str(value))
    except ValueError:
        shown = humanise(str(value)) if key in ("scenario", "scenario_name") else str(value)
    else:
        shown = f"{number:g}".replace("-", MINUS)
    return f"{label(key, 'key')} = {shown}"


def run_footer(
    scenario: str = "",
    overrides: Mapping[str, object] | Sequence[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    extra: str = "",
) -> str:
    """The identification line drawn under every figure of a run, e.g.
    ``"scenario us_max_pressure · us.tariff=0.25 · 50 replications · seed 20251031"``.

    ``overrides`` are the non-default command-line overrides, as ``key=value`` strings or a mapping; they are shown
    as typed so the run can be repeated. Empty parts are left out.
    """
    parts = []
    if scenario:
        parts.append(f"scenario {scenario}")
    items = [f"{k}={v}" for k, v in overrides.items()] if isinstance(overrides, Mapping) else list(overrides)
    parts.extend(str(i) for i in items if str(i))
    if replications is not None:
        parts.append(f"{replications} replication{'s' if replications != 1 else ''}")
    if seed is not None:
        parts.append(f"seed {seed}")
    if extra:
        parts.append(extra)
    return " \u00b7 ".join(parts)


__all__ = [
    "ALIGNMENT_UNIT",
    "CHANGE_UNIT",
    "COLUMNS",
    "EVENTS",
    "KEYS",
    "MECHANISMS",
    "OUTCOMES",
    "Entry",
    "data_dictionary",
    "describe",
    "entry",
    "humanise",
    "label",
    "label_with_unit",
    "run_footer",
    "unit",
    "value_text",
]
