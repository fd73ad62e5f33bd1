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


def param(default: float, lo: float, hi: float, unit: str, doc: str) -> Any:
    """A behavioural parameter with its unit, allowed range ``[lo, hi]`` and a one-line description."""
    return field(default=default, metadata={"range": (lo, hi), "unit": unit, "doc": doc})


@dataclass
class Params:
    """Behavioural parameters of the monthly update (see docs/ODD.md, "Submodels").

    Defaults are estimates (no direct measurement exists); the ranges are the bounds used for validation and for
    global sensitivity analysis. Rates are per month.
    """

    # (a) economic dependence
    w_economic: float = param(0.010, 0.0, 0.05, "1/month", "pull toward the economic-dependence target")
    beta_economic: float = param(8.0, 0.0, 30.0, "1/(GDP share)", "steepness of tanh(beta*(D_cn - D_us))")
    trade_adjust_rate: float = param(1 / 36, 0.0, 0.2, "1/month", "speed at which trade shares follow levers")
    tariff_elasticity: float = param(
        1.5, 0.0, 4.0, "share lost per tariff point", "export-share response to US tariffs"
    )
    alignment_trade_tilt: float = param(
        0.15, 0.0, 0.5, "relative share per alignment unit", "trade diversion toward the partner one aligns with"
    )
    # (b) aid and unconditional finance
    w_aid: float = param(0.005, 0.0, 0.03, "1/month", "pull toward the aid-versus-finance target")
    beta_aid: float = param(3.0, 0.0, 20.0, "1/(% of GDP)", "steepness of tanh(beta*(F_cn - A_us))")
    bri_finance_bonus: float = param(0.5, 0.0, 2.0, "relative", "extra Chinese finance flowing to BRI members")
    # (c) coercion
    w_coercion: float = param(0.030, 0.0, 0.1, "1/(month * pressure unit)", "pull per unit of US pressure")
    pressure_tariff: float = param(2.0, 0.0, 5.0, "pressure per tariff fraction", "weight of tariffs in US pressure")
    pressure_sanctions: float = param(0.6, 0.0, 2.0, "pressure units", "weight of sanctions on the state")
    pressure_leader_sanctions: float = param(0.5, 0.0, 2.0, "pressure units", "weight of sanctions on the leader")
    pressure_decertification: float = param(0.4, 0.0, 2.0, "pressure units", "weight of drug decertification")
    pressure_visa_bans: float = param(0.3, 0.0, 2.0, "pressure units", "weight of visa bans on officials")
    pressure_military_threat: float = param(0.6, 0.0, 2.0, "pressure units", "weight of military threats")
    pressure_bri_exit: float = param(0.5, 0.0, 2.0, "pressure units", "weight of pressure on BRI members to leave")
    compliance_base: float = param(0.5, -3.0, 3.0, "logit", "baseline propensity to comply with pressure")
    compliance_dependence: float = param(8.0, 0.0, 30.0, "logit per GDP share", "compliance rise with US dependence")
    compliance_sovereigntism: float = param(
        4.0, 0.0, 10.0, "logit per unit", "compliance fall with a sovereigntist (left) government"
    )
    coercion_grievance: float = param(
        0.5, 0.0, 1.0, "fraction", "share of complied pressure that still feeds diversification (grievance)"
    )
    rally_effect: float = param(
        0.010, 0.0, 0.05, "approval per pressure unit per month", "rally round the flag under resisted pressure"
    )
    # (d) domestic politics
    w_ideology: float = param(0.020, 0.0, 0.08, "1/month", "pull toward the ideologically closer power")
    w_diversion: float = param(
        0.050, 0.0, 0.2, "1/(month * approval share)", "confrontation as diversion when approval is low"
    )
    diversion_approval: float = param(0.40, 0.2, 0.6, "approval share", "approval below which diversion starts")
    approval_baseline: float = param(0.45, 0.3, 0.6, "approval share", "level approval returns to")
    approval_reversion: float = param(0.03, 0.0, 0.2, "1/month", "speed of return to the baseline")
    approval_noise: float = param(0.02, 0.0, 0.06, "approval share/month", "s.d. of monthly approval shocks")
    approval_honeymoon: float = param(0.55, 0.4, 0.75, "approval share", "approval of a newly elected government")
    election_approval_slope: float = param(
        6.0, 0.0, 15.0, "logit per approval share", "incumbent camp's re-election odds per approval"
    )
    election_incumbency: float = param(0.0, -1.5, 1.5, "logit", "incumbent camp's advantage at approval 0.5")
    election_ideology_noise: float = param(
        0.15, 0.0, 0.5, "left-right units", "s.d. of the winner's ideology around its camp"
    )
    term_years: float = param(4.0, 4.0, 6.0, "years", "time between elections after the next calibrated one")
    # (e) elite diplomacy
    w_elite: float = param(0.010, 0.0, 0.05, "1/month", "pull toward elite attitudes")
    elite_gain: float = param(
        0.005, 0.0, 0.03, "attitude per hosted politician", "attitude shift per politician hosted"
    )
    elite_decay: float = param(1 / 60, 0.0, 0.1, "1/month", "fading of elite attitudes")
    # (f) regional diffusion
    w_diffusion: float = param(0.020, 0.0, 0.08, "1/month", "pull toward neighbours' mean alignment")
    subregion_weight: float = param(0.3, 0.0, 1.0, "fraction", "weight of the subregion (vs. direct neighbours)")
    # (g) security ties
    w_security: float = param(0.010, 0.0, 0.05, "1/month", "pull toward the US per unit of security ties")
    security_nato: float = param(0.4, 0.0, 1.0, "index units", "security-tie index of NATO global partnership")
    security_trade_agreement: float = param(0.3, 0.0, 1.0, "index units", "security-tie index of a US FTA")
    security_arms: float = param(0.3, 0.0, 1.0, "index units", "security-tie index of buying US arms")
    security_adjust_rate: float = param(1 / 24, 0.0, 0.2, "1/month", "speed at which ties follow their drivers")
    # (h) lock-in
    w_lockin: float = param(0.010, 0.0, 0.05, "1/month", "pull toward China from the finance stock")
    lockin_half: float = param(2.0, 0.1, 20.0, "% of GDP", "stock at which lock-in is half its maximum")
    lockin_decay: float = param(1 / 240, 0.0, 0.05, "1/month", "depreciation of the infrastructure/finance stock")
    # (i) hedging
    w_hedging: float = param(0.010, 0.0, 0.05, "1/month", "pull of middle powers toward a balanced position")
    hedging_gdp_half: float = param(300.0, 50.0, 2000.0, "USD bn", "GDP at which hedging is half its maximum")
    # structural residual and noise
    w_residual: float = param(0.030, 0.005, 0.1, "1/month", "pull toward each state's structural position")
    shock_sd: float = param(0.010, 0.0, 0.05, "alignment/month", "s.d. of idiosyncratic monthly shocks")
    # (j) discrete choices
    bri_join_rate: float = param(0.95, 0.0, 1.0, "1/month", "maximum monthly hazard of joining the BRI")
    bri_join_threshold: float = param(0.05, -0.5, 0.5, "alignment", "alignment at which joining is half as likely")
    bri_join_scale: float = param(0.2, 0.01, 0.5, "alignment", "width of the joining threshold")
    bri_join_ideology: float = param(
        18.0, 0.0, 25.0, "logit per unit", "pull of the government's ideological affinity with China's side"
    )
    bri_join_dependence: float = param(19.0, 0.0, 30.0, "logit per GDP share", "reluctance of states exposed to the US")
    bri_join_diffusion: float = param(1.0, 0.0, 5.0, "logit per share", "effect of neighbours' BRI membership")
    bri_join_hedging: float = param(16.0, 0.0, 25.0, "logit per hedging unit", "reluctance of middle powers to sign")
    bri_join_us_pressure: float = param(3.0, 0.0, 10.0, "logit per lever unit", "deterrence by us.bri_exit_pressure")
    bri_exit_rate: float = param(0.6, 0.0, 1.0, "1/month", "monthly exit hazard under full pressure and compliance")
    recognition_switch_rate: float = param(0.004, 0.0, 0.05, "1/month", "maximum hazard of switching to Beijing")
    recognition_switch_threshold: float = param(
        0.0, -0.5, 0.5, "alignment", "alignment at which switching is half as likely"
    )
    recognition_scale: float = param(0.1, 0.02, 0.5, "alignment", "width of both recognition-switch thresholds")
    recognition_back_rate: float = param(0.0005, 0.0, 0.01, "1/month", "maximum hazard of switching back to Taipei")
    recognition_back_threshold: float = param(
        -0.6, -1.0, 0.0, "alignment", "alignment below which switching back grows likely"
    )
    # initial alignment index (weights of its four components; normalised to sum to one)
    index_diplomatic: float = param(0.4, 0.0, 1.0, "weight", "UN-vote component of the initial alignment")
    index_economic: float = param(0.3, 0.0, 1.0, "weight", "trade component of the initial alignment")
    index_security: float = param(0.2, 0.0, 1.0, "weight", "security component of the initial alignment")
    index_institutional: float = param(0.1, 0.0, 1.0, "weight", "BRI/recognition component of the initial alignment")


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
    """The spin-up: levers at the calibration ``anchor`` month and the dated 2024-2025 events up to ``present``.

    Every run starts at ``anchor`` (the state of the latest UN-vote session), replays these lever changes and the
    governments of ``seeds/governments.csv`` up to ``present`` (the seeds' present), then follows the scenario.
    """

    anchor: str = "2024-01"
    present: str = "2025-10"
    anchor_levers: dict[str, dict[str, Any]] = field(default_factory=dict)  # {us: {tariff: 0}, china: {...}}
    schedule: list[LeverChange] = field(default_factory=list)


LEVER_DOCS: dict[str, tuple[str, float, float, str]] = {
    # name: (unit, min, max, meaning)
    "us.tariff": ("fraction ad valorem", 0.0, 1.0, "US tariff on the state's exports (above the 2024 level)"),
    "us.aid": ("multiple of calibrated aid", 0.0, 5.0, "US aid relative to the calibrated mean of FY2018-FY2021"),
    "us.sanctions": ("0-1", 0.0, 1.0, "US sanctions on the state (regime-level)"),
    "us.leader_sanctions": (
        "0-1",
        0.0,
        1.0,
        "US sanctions on the head of government and circle; lapse at the next election",
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
        "visa revocations of the leader and officials; lapse at the next election",
    ),
    "us.military_threat": ("0-1", 0.0, 1.0, "threats or hints of military action on the state's territory"),
    "us.bri_exit_pressure": ("0-1", 0.0, 1.0, "pressure to leave the BRI (members) and not to join (others)"),
    "us.elite_diplomacy": ("politicians hosted per year, region", 0.0, 5000.0, "US-hosted visits of LAC politicians"),
    "china.bri_finance": (
        "multiple of calibrated finance",
        0.0,
        10.0,
        "Chinese official finance relative to 2012-2021 mean",
    ),
    "china.import_pledge": ("fraction", 0.0, 1.0, "extra Chinese import demand for the state's products"),
    "china.elite_diplomacy": (
        "politicians hosted per year, region",
        0.0,
        5000.0,
        "China-hosted visits of LAC politicians",
    ),
    "china.bri_offer": ("0-1", 0.0, 1.0, "China's push to sign: ~0.2 standing offer, 1 at a summit or forum"),
}


@dataclass
class RunConfig:
    """Top-level run configuration (``python -m sim key=value ...``)."""

    scenario_name: str = "baseline"
    question: str = ""
    start: str = "2025-11"
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
