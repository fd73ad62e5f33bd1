"""Structured configuration (Hydra/OmegaConf dataclasses registered in a ConfigStore).

Vocabulary follows the EMA workbench: *levers* are what Washington and Beijing pull (:class:`USLevers`,
:class:`ChinaLevers`), *parameters* are behavioural uncertainties (:class:`Params`), the *scenario* names the
question and the time window. Every parameter carries its unit, its plausible range (used for validation and as the
default bounds of a sensitivity analysis) and the reasoning behind its default in ``metadata``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from hydra.core.config_store import ConfigStore


def param(default: float, lo: float, hi: float, unit: str, doc: str, basis: str = "prior") -> Any:
    """A behavioural parameter: default, allowed range ``[lo, hi]`` (validation and sensitivity-analysis bounds), unit,
    a one-line meaning and its ``basis``: ``fitted`` (estimated by ``python -m sim.calibrate``; the fitted value is in
    ``conf/estimates/fitted.yaml``, the default here is the prior the fit starts from) or ``prior`` (not estimable from
    the 1990-2024 record: an estimate whose reasoning is given in docs/ODD.md, covered by the sensitivity analysis)."""
    return field(default=default, metadata={"range": (lo, hi), "unit": unit, "doc": doc, "basis": basis})


@dataclass
class Params:
    """Behavioural parameters of the monthly update (docs/ODD.md, "Submodels"). Rates are per month.

    Every mechanism of the alignment is a pull ``w * (target - alignment)`` toward a position its driver proposes; a
    state settles at the weighted mean of the targets. Each driver enters one term only (docs/ODD.md lists driver ->
    term). Defaults are priors; ``conf/estimates/fitted.yaml`` holds the values fitted on 1990-2012 (alignment) and
    on the 2017-2019 BRI wave, 1990-2024 recognition switches and 1990-2009 elections (hazards).
    """

    # --- alignment: economic dependence (trade and remittances)
    w_trade: float = param(0.004, 0.0, 0.05, "1/month", "pull toward the trade-dependence target", "fitted")
    beta_trade: float = param(
        10.0,
        0.0,
        60.0,
        "1/(share of GDP)",
        "steepness of tanh(beta*(T_cn - T_us - r*R)) (trade, remittances)",
        "fitted",
    )
    remittance_us_share: float = param(
        0.75, 0.2, 1.0, "fraction", "share of remittances sent from the US (KNOMAD-style bilateral estimate)"
    )
    # --- alignment: official finance stocks (Chinese finance vs US aid)
    w_finance: float = param(0.003, 0.0, 0.05, "1/month", "pull toward the finance target", "fitted")
    beta_finance: float = param(
        1.0, 0.0, 20.0, "1/(% of GDP)", "steepness of tanh(beta*(F_cn - A_us)) (decayed stocks)", "fitted"
    )
    finance_decay: float = param(0.10, 0.02, 0.5, "1/year", "depreciation of the finance and aid stocks", "fitted")
    # --- alignment: US coercion, met by compliance (toward the US) or reactance (away from it)
    w_coercion: float = param(0.010, 0.0, 0.1, "1/(month*pressure unit)", "pull per unit of US pressure", "fitted")
    compliance_base: float = param(0.0, -5.0, 5.0, "logit", "propensity to comply of a neutral, independent state")
    compliance_dependence: float = param(
        10.0, 0.0, 40.0, "logit per share of GDP", "rise of compliance with US economic dependence"
    )
    compliance_alignment: float = param(
        8.0, 0.0, 20.0, "logit per alignment unit", "fall of compliance the further the state stands from the US"
    )
    pressure_sanctions: float = param(1.0, 0.0, 2.0, "pressure units", "weight of regime-level sanctions (the unit)")
    pressure_tariff: float = param(2.0, 0.0, 5.0, "pressure per tariff fraction", "weight of US tariffs")
    pressure_leader_sanctions: float = param(0.5, 0.0, 2.0, "pressure units", "weight of sanctions on the leader")
    pressure_decertification: float = param(0.4, 0.0, 2.0, "pressure units", "weight of drug decertification")
    pressure_visa_bans: float = param(0.3, 0.0, 2.0, "pressure units", "weight of visa bans on officials")
    pressure_military_threat: float = param(0.6, 0.0, 2.0, "pressure units", "weight of military threats")
    pressure_bri_exit: float = param(0.5, 0.0, 2.0, "pressure units", "weight of pressure on members to leave the BRI")
    # --- alignment: domestic politics
    w_ideology: float = param(0.004, 0.0, 0.05, "1/month", "pull toward the ideologically closer power", "fitted")
    w_regime: float = param(0.004, 0.0, 0.05, "1/month", "pull of autocracy toward +1, democracy toward -1", "fitted")
    # --- alignment: security ties (arms suppliers, alliance status)
    w_security: float = param(0.004, 0.0, 0.05, "1/month", "pull toward the arms-supplier position", "fitted")
    # --- alignment: neighbours
    w_neighbours: float = param(0.004, 0.0, 0.1, "1/month", "pull toward the neighbourhood's mean", "fitted")
    subregion_weight: float = param(0.3, 0.0, 1.0, "fraction", "weight of the subregion vs direct neighbours")
    # --- alignment: institutional commitments (BRI membership, recognition of Taipei)
    w_institutions: float = param(
        0.004, 0.0, 0.05, "1/month", "pull of BRI membership toward +1 and of recognising Taipei toward -1", "fitted"
    )
    # --- alignment: elite diplomacy (hosted politicians; no data before 2025: a scenario mechanism)
    w_elite: float = param(0.005, 0.0, 0.05, "1/month", "pull of elite attitudes toward the power that courts them")
    elite_gain: float = param(0.002, 0.0, 0.02, "attitude per hosted politician", "attitude shift per visit")
    elite_decay: float = param(1 / 60, 0.0, 0.1, "1/month", "fading of elite attitudes")
    # --- alignment: the state's own position (estimated, shrunk toward 0) and noise
    w_state: float = param(
        0.004, 0.0, 0.1, "1/month", "pull toward the state's own position: neutral + its state effect", "fitted"
    )
    neutral: float = param(
        0.0,
        -0.5,
        0.5,
        "alignment",
        "the region's own position absent other pulls (state effects shrink to it)",
        "fitted",
    )
    shock_sd: float = param(0.008, 0.0, 0.05, "alignment/month", "s.d. of idiosyncratic monthly shocks", "fitted")
    # --- forward drivers (after the data end)
    trade_adjust_rate: float = param(1 / 24, 0.0, 0.2, "1/month", "speed at which trade shares follow the levers")
    tariff_elasticity: float = param(
        1.5, 0.0, 5.0, "share lost per tariff point", "fall of the US export share per unit of US tariff"
    )
    # --- elections (after the present)
    defeat_base: float = param(0.0, -4.0, 4.0, "logit", "incumbent camp's defeat odds (democracy, new camp)", "fitted")
    defeat_autocracy: float = param(
        -3.0, -10.0, 2.0, "logit per autocracy unit", "how much autocracy protects incumbents", "fitted"
    )
    defeat_tenure: float = param(
        0.05, -0.5, 0.5, "logit per year in power", "incumbent camp's fatigue per year in office", "fitted"
    )
    turnover_persistence: float = param(
        -0.3, -1.0, 1.0, "ideology per ideology", "new camp's ideology per unit of the ousted one", "fitted"
    )
    turnover_sd: float = param(0.4, 0.05, 1.0, "left-right units", "s.d. of a new camp's ideology", "fitted")
    successor_sd: float = param(
        0.15, 0.0, 0.5, "left-right units", "s.d. of a same-camp successor's ideology", "fitted"
    )
    us_turnover: float = param(
        0.5, 0.0, 1.0, "probability", "chance the US presidency changes party at an election after the present"
    )
    # --- BRI accession (monthly hazard = offer * sigmoid(eta)) and exit
    bri_base: float = param(-2.0, -12.0, 6.0, "logit", "accession logit at a full offer and average drivers", "fitted")
    bri_alignment: float = param(4.0, -5.0, 30.0, "logit per alignment unit", "effect of alignment", "fitted")
    bri_neighbours: float = param(1.0, -5.0, 10.0, "logit per share", "effect of neighbours' membership", "fitted")
    bri_size: float = param(
        2.0, -5.0, 15.0, "logit per size unit", "reluctance of middle powers to sign: size = GDP/(GDP + H)", "fitted"
    )
    size_gdp_half: float = param(300.0, 50.0, 2000.0, "USD bn", "GDP H at which size is one half (a middle power)")
    bri_us_pressure: float = param(3.0, 0.0, 10.0, "logit per lever unit", "deterrence by us.bri_exit_pressure")
    bri_exit_rate: float = param(
        0.3,
        0.0,
        1.0,
        "1/month",
        "exit hazard per unit of pressure to leave, at full compliance (only one exit on record)",
    )
    # --- recognition switches (monthly hazards)
    recognition_base: float = param(-7.0, -14.0, 0.0, "logit", "Taipei -> Beijing logit at average drivers", "fitted")
    recognition_alignment: float = param(4.0, -5.0, 30.0, "logit per alignment unit", "effect of alignment", "fitted")
    recognition_back: float = param(-9.0, -16.0, 0.0, "logit", "Beijing -> Taipei logit (rare)", "fitted")


@dataclass
class LeverChange:
    """A scheduled lever change: ``lever`` takes ``value`` from ``start`` (YYYY-MM) until ``end`` (exclusive).

    ``countries`` lists ISO3 codes (empty: every state). ``ramp_months`` > 0 moves linearly from the previous value.
    """

    lever: str = "???"
    value: float | None = None  # required: a missing value is an error, never a silent 0
    start: str = "???"
    end: str | None = None
    countries: list[str] = field(default_factory=list)
    ramp_months: float = 0  # a whole number of months (checked with the entry's path in the message)
    note: str = ""


@dataclass
class USReaction:
    """The US punishes drift: while a state's alignment exceeds its value at the scenario start by more than
    ``drift``, Washington adds ``tariff``, imposes ``sanctions`` (at least this level) and multiplies aid by ``aid``."""

    enabled: bool = False
    drift: float = 0.1
    tariff: float = 0.15
    sanctions: float = 0.5
    aid: float = 0.5


@dataclass
class ChinaReaction:
    """China rewards drift: while a state's alignment exceeds its value at the scenario start by more than
    ``drift``, Beijing multiplies its finance by ``bri_finance``, adds ``import_pledge`` and opens a signing
    opportunity (``bri_offer``, at least this level)."""

    enabled: bool = False
    drift: float = 0.1
    bri_finance: float = 2.0
    import_pledge: float = 0.1
    bri_offer: float = 1.0


@dataclass
class USLevers:
    """Washington's levers from the scenario's ``start`` on.

    A number applies to every state; ``null`` (the default) carries on the policy in force at the end of the
    history spin-up (late 2025). ``targets`` override per state (``{COL: {tariff: 0.25}}``); ``schedule`` dates changes.
    """

    tariff: float | None = None
    aid: float | None = None
    sanctions: float | None = None
    leader_sanctions: float | None = None
    decertification: float | None = None
    visa_bans: float | None = None
    military_threat: float | None = None
    bri_exit_pressure: float | None = None
    elite_diplomacy: float | None = None
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedule: list[LeverChange] = field(default_factory=list)
    reaction: USReaction = field(default_factory=USReaction)


@dataclass
class ChinaLevers:
    """Beijing's levers (same conventions as :class:`USLevers`)."""

    bri_finance: float | None = None
    import_pledge: float | None = None
    elite_diplomacy: float | None = None
    bri_offer: float | None = None
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedule: list[LeverChange] = field(default_factory=list)
    reaction: ChinaReaction = field(default_factory=ChinaReaction)


@dataclass
class HistoryConfig:
    """What the powers did up to the present, beyond what the panels record (``conf/history/observed.yaml``).

    Sanctions and decertification come from the yearly panels, governments and elections from ``seeds/events``. The
    schedule lists dated lever changes (each citing ``seeds/events/power_actions.csv``), none after the present.
    ``standing_offer`` is China's push to sign the BRI between forums once the BRI opened to the region
    (``offer_from``); at forums and summits the offer is 1.
    """

    present: str = "2025-10"
    offer_from: str = "2017-05"
    standing_offer: float = 0.25
    forum_months: list[str] = field(default_factory=list)
    schedule: list[LeverChange] = field(default_factory=list)


LEVER_DOCS: dict[str, tuple[str, float, float, str]] = {
    # name: (unit, min, max, meaning)
    "us.tariff": ("fraction ad valorem", 0.0, 1.0, "US tariff on the state's exports (above the 2024 level)"),
    "us.aid": (
        "multiple of the 2012-2021 mean",
        0.0,
        5.0,
        "US aid: after the data, a multiple of the 2012-2021 mean (the status quo is the 2025 level); during the "
        "data, a multiple of the observed flow",
    ),
    "us.sanctions": ("0-1", 0.0, 1.0, "US sanctions on the state (regime-level)"),
    "us.leader_sanctions": (
        "0-1",
        0.0,
        1.0,
        "US sanctions on the head of government and circle; they bind that person while in office",
    ),
    "us.decertification": (
        "0-1",
        0.0,
        1.0,
        "drug decertification: 0.5 with national-security waiver, 1 without (aid suspended)",
    ),
    "us.visa_bans": (
        "0-1",
        0.0,
        1.0,
        "visa revocations of the leader and officials; they bind that person while in office",
    ),
    "us.military_threat": ("0-1", 0.0, 1.0, "threats or hints of military action on the state's territory"),
    "us.bri_exit_pressure": ("0-1", 0.0, 1.0, "pressure to leave the BRI (members) and not to join (others)"),
    "us.elite_diplomacy": (
        "politicians hosted per year, region",
        0.0,
        5000.0,
        "US-hosted visits of LAC politicians beyond the usual exchanges",
    ),
    "china.bri_finance": (
        "multiple of the 2012-2021 mean",
        0.0,
        10.0,
        "Chinese official finance: after the data, a multiple of the 2012-2021 mean (the status quo is the 2025 "
        "level); during the data, a multiple of the observed flow",
    ),
    "china.import_pledge": ("fraction", 0.0, 1.0, "extra Chinese import demand for the state's products"),
    "china.elite_diplomacy": (
        "politicians hosted per year, region",
        0.0,
        5000.0,
        "China-hosted visits of LAC politicians beyond the usual exchanges",
    ),
    "china.bri_offer": (
        "0-1",
        0.0,
        1.0,
        "China's push to sign the BRI: history.standing_offer between forums since May 2017, 1 at a forum",
    ),
}


@dataclass
class RunConfig:
    """Top-level run configuration (``python -m sim key=value ...``)."""

    scenario_name: str = "baseline"
    question: str = ""
    start: str = "2025-11"  # first simulated month; the state at the end of the month before comes from the data
    end: str = "2030-12"
    replications: int = 50
    seed: int = 20251031
    dtype: str = "float64"
    focus: str = "COL"
    seeds_dir: str = ""  # empty: the seeds/ folder shipped with the project
    plots: bool = True
    history: HistoryConfig = field(default_factory=HistoryConfig)
    us: USLevers = field(default_factory=USLevers)
    china: ChinaLevers = field(default_factory=ChinaLevers)
    params: Params = field(default_factory=Params)
    elections: dict[str, Any] = field(default_factory=dict)  # {ISO3: ideology}: who wins the next election (what-if)
    # Each state's own position (target of the w_state pull), alignment units, estimated on 1990-2012 and shrunk toward
    # 0 (conf/estimates/fitted.yaml); a state not named has 0.
    state_effects: dict[str, float] = field(default_factory=dict)
    # What-ifs on calibration figures: {ISO3: {variable: value}} replaces that panel variable for the state from the
    # run's start on (e.g. seeds.COL.export_share_cn=0.3); recorded in the run's summary as a user override.
    seeds: dict[str, dict[str, float]] = field(default_factory=dict)
    # Replay the observed BRI membership and recognition instead of simulating them (used to fit the alignment
    # dynamics conditionally on the record); false for every scenario.
    replay_institutions: bool = False
    # Levers set on the command line ("us.tariff", "us.targets.COL.tariff"): filled in by `python -m sim` so that the
    # command line wins over the scenario file (sim/dynamics/levers.py); recorded in the run's config.yaml.
    pinned: list[str] = field(default_factory=list)


def param_names() -> list[str]:
    """Names of all behavioural parameters, in declaration order."""
    return [f.name for f in fields(Params)]


def param_meta(name: str) -> dict[str, Any]:
    """Metadata (range, unit, doc) of a behavioural parameter."""
    for f in fields(Params):
        if f.name == name:
            return dict(f.metadata)
    raise KeyError(name)


def register_configs() -> None:
    """Register the structured schema so YAML in ``conf/`` is validated against it."""
    cs = ConfigStore.instance()
    cs.store(name="run_schema", node=RunConfig)
