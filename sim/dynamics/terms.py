"""The mechanisms: each a named term giving a state's pull on its alignment, in alignment units per month.

Most terms have the form ``w * (target - alignment)``: a mechanism proposes a position ``target`` in [-1, 1]
(-1 the US, +1 China) and pulls toward it at rate ``w`` per month, so a state settles at the weighted mean of the
positions its mechanisms propose. Coercion, diversion, security ties and lock-in push toward one pole with a weight
that grows with their driver. Every function is an array operation over ``(runs, states)``.

Shapes: state fields ``(R, N)``; world arrays ``(N,)``; lever values ``(N,)`` or ``(R, N)``; parameters scalars or
``(R, 1)``.
"""

from __future__ import annotations

import numpy as np

from sim.config import Params
from sim.dynamics.levers import LEVER_INDEX
from sim.dynamics.state import State
from sim.dynamics.world import World

TERMS: tuple[str, ...] = (
    "economic_dependence",
    "aid_finance",
    "coercion_compliance",
    "coercion_reactance",
    "ideology",
    "diversion",
    "elite_networks",
    "regional_diffusion",
    "security_ties",
    "lock_in",
    "hedging",
    "structural_residual",
    "shock",
)
"""Mechanism names in the order of the contribution axis."""

DETERMINISTIC_TERMS = TERMS[:-2]
"""Terms the structural residual balances at the anchor (all but the residual itself and the shock)."""


def lever(levers: np.ndarray, name: str) -> np.ndarray:
    """Values of lever ``name`` (e.g. ``"us.tariff"``) from a month's ``(levers, N)`` or ``(R, levers, N)`` slice."""
    return levers[..., LEVER_INDEX[name], :]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def exposure(
    w: World, export_us: np.ndarray, export_cn: np.ndarray, import_us: np.ndarray, import_cn: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exposure to the US and to China, fraction of GDP: trade with each (mean of export and import shares times
    openness), plus remittances for the US."""
    return (w.openness * 0.5 * (export_us + import_us) + w.remittances, w.openness * 0.5 * (export_cn + import_cn))


def dependence(s: State, w: World) -> tuple[np.ndarray, np.ndarray]:
    """:func:`exposure` at the state's current trade shares."""
    return exposure(w, s.export_us, s.export_cn, s.import_us, s.import_cn)


def economic_dependence(s: State, w: World, p: Params, d_us: np.ndarray, d_cn: np.ndarray) -> np.ndarray:
    """(a) Trade and remittances pull toward the partner one depends on: target ``tanh(beta*(D_cn - D_us))``."""
    return p.w_economic * (np.tanh(p.beta_economic * (d_cn - d_us)) - s.alignment)


def aid_flows(s: State, w: World, p: Params, lv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """US aid and Chinese official finance, % of GDP per year. Decertification above the waiver level (0.5)
    suspends aid; BRI members receive ``bri_finance_bonus`` more Chinese finance."""
    suspended = np.clip(2.0 * lever(lv, "us.decertification") - 1.0, 0.0, 1.0)
    us_aid = w.us_aid_pct * lever(lv, "us.aid") * (1.0 - suspended)
    member = s.bri.astype(s.alignment.dtype)
    cn_fin = w.cn_flow_pct * lever(lv, "china.bri_finance") * (1.0 + p.bri_finance_bonus * member)
    return us_aid, cn_fin


def aid_finance(s: State, p: Params, us_aid: np.ndarray, cn_fin: np.ndarray) -> np.ndarray:
    """(b) "The US is no longer willing to write checks — and China is": target ``tanh(beta*(F_cn - A_us))``."""
    return p.w_aid * (np.tanh(p.beta_aid * (cn_fin - us_aid)) - s.alignment)


def us_pressure(s: State, w: World, p: Params, lv: np.ndarray, t: int) -> np.ndarray:
    """US coercive pressure on each state, pressure units (1 ~ one strong measure). Measures aimed at the leader
    (sanctions, visa bans) bind only the government in office when they were imposed; pressure to leave the BRI
    bites only on members."""
    since = w.leader_measures_since[t]
    return (
        p.pressure_tariff * lever(lv, "us.tariff")
        + p.pressure_sanctions * lever(lv, "us.sanctions")
        + p.pressure_leader_sanctions * lever(lv, "us.leader_sanctions") * (since[0] >= s.gov_since)
        + p.pressure_decertification * lever(lv, "us.decertification")
        + p.pressure_visa_bans * lever(lv, "us.visa_bans") * (since[1] >= s.gov_since)
        + p.pressure_military_threat * lever(lv, "us.military_threat")
        + p.pressure_bri_exit * lever(lv, "us.bri_exit_pressure") * s.bri
    )


def sovereigntism(s: State) -> np.ndarray:
    """How sovereigntist the government is, [0, 1]: its distance left of centre."""
    return np.maximum(-s.ideology, 0.0)


def compliance(s: State, p: Params, d_us: np.ndarray) -> np.ndarray:
    """Share of pressure met by compliance rather than reactance, [0, 1]: rises with US dependence, falls with a
    sovereigntist government."""
    return sigmoid(p.compliance_base + p.compliance_dependence * d_us - p.compliance_sovereigntism * sovereigntism(s))


def coercion(s: State, p: Params, pressure: np.ndarray, comply: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(c) Pressure moves a state toward the US where it complies and toward China where it resists (reactance).

    Even compliance leaves a grievance: a share ``coercion_grievance`` of the complied part also feeds the wish to
    diversify ("This episode may have reinforced Petro's desire to diversify", seed 000).
    """
    pull = p.w_coercion * pressure
    resist = (1.0 - comply) + p.coercion_grievance * comply
    return pull * comply * (-1.0 - s.alignment), pull * resist * (1.0 - s.alignment)


def ideology_target(s: State, w: World, t: int) -> np.ndarray:
    """Position closer to the ideologically nearer power: ``(|x - x_US| - |x - x_CN|) / 2`` in [-1, 1]."""
    return np.clip(0.5 * (np.abs(s.ideology - w.us_ideology[t]) - np.abs(s.ideology - w.cn_ideology[t])), -1, 1)


def ideology(s: State, p: Params, target: np.ndarray) -> np.ndarray:
    """(d) Affinity with each power's current administration: pull toward :func:`ideology_target`."""
    return p.w_ideology * (target - s.alignment)


def diversion(s: State, p: Params) -> np.ndarray:
    """(d) A sovereigntist government with approval below ``diversion_approval`` confronts Washington."""
    return p.w_diversion * np.maximum(p.diversion_approval - s.approval, 0.0) * sovereigntism(s) * (1.0 - s.alignment)


def elite_networks(s: State, p: Params) -> np.ndarray:
    """(e) Elites and opposition shaped by hosted trips pull toward their own attitude (sticky across elections)."""
    return p.w_elite * (s.elite - s.alignment)


def hosted_per_month(w: World, lv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Politicians of each state hosted per month by the US and by China."""
    return (
        lever(lv, "us.elite_diplomacy") * w.elite_share / 12.0,
        lever(lv, "china.elite_diplomacy") * w.elite_share / 12.0,
    )


def neighbour_mean(w: World, p: Params, values: np.ndarray) -> np.ndarray:
    """Blend (``subregion_weight``) of direct neighbours' and subregion peers' mean of ``values`` ``(R, N)``; a
    state with only one of the two uses it alone, a state with neither keeps its own value."""
    has_near, has_peers = w.neighbours.has_entries[:, None], w.subregion_peers.has_entries[:, None]
    weight = np.asarray(p.subregion_weight).T  # scalar, or (1, R) for per-run parameters
    c_near = (np.where(has_peers, 1.0 - weight, 1.0) * has_near).astype(values.dtype)
    c_peers = (np.where(has_near, weight, 1.0) * has_peers).astype(values.dtype)
    values_t = np.ascontiguousarray(values.T)
    out = c_near * w.neighbours.apply_t(values_t) + c_peers * w.subregion_peers.apply_t(values_t)
    alone = ~(has_near | has_peers)
    if alone.any():
        out = np.where(alone, values_t, out)
    return np.ascontiguousarray(out.T)


def regional_diffusion(s: State, w: World, p: Params) -> np.ndarray:
    """(f) Pull toward the neighbourhood's mean alignment."""
    return p.w_diffusion * (neighbour_mean(w, p, s.alignment) - s.alignment)


def security_target(arms: np.ndarray, w: World, p: Params) -> np.ndarray:
    """Security-tie index the ties drift to, [0, 1]: NATO global partnership, a US trade agreement, US arms."""
    return np.clip(
        p.security_nato * w.nato + p.security_trade_agreement * w.trade_agreement + p.security_arms * arms, 0.0, 1.0
    )


def security_ties(s: State, p: Params) -> np.ndarray:
    """(g) Security ties anchor toward the US in proportion to their strength."""
    return p.w_security * s.security * (-1.0 - s.alignment)


def lock_in(s: State, p: Params) -> np.ndarray:
    """(h) The Chinese infrastructure/finance stock pulls toward China, saturating at ``lockin_half`` % of GDP."""
    return p.w_lockin * s.lockin / (s.lockin + p.lockin_half) * (1.0 - s.alignment)


def middle_power(w: World, p: Params) -> np.ndarray:
    """Middle-power weight in [0, 1): GDP / (GDP + hedging_gdp_half)."""
    return w.gdp_bn / (w.gdp_bn + p.hedging_gdp_half)


def hedging(s: State, w: World, p: Params) -> np.ndarray:
    """(i) Middle powers prefer a balanced position (Lula-style), target 0."""
    return p.w_hedging * middle_power(w, p) * (0.0 - s.alignment)


def structural_residual(s: State, p: Params) -> np.ndarray:
    """Pull toward each state's structural position, set so the state is at rest at the anchor."""
    return p.w_residual * (s.residual - s.alignment)


def deterministic_terms(s: State, w: World, p: Params, lv: np.ndarray, t: int) -> dict[str, np.ndarray]:
    """All terms but the residual and the shock, plus the intermediate quantities other submodels reuse."""
    d_us, d_cn = dependence(s, w)
    us_aid, cn_fin = aid_flows(s, w, p, lv)
    pressure = us_pressure(s, w, p, lv, t)
    comply = compliance(s, p, d_us)
    comp, react = coercion(s, p, pressure, comply)
    target = ideology_target(s, w, t)
    return {
        "economic_dependence": economic_dependence(s, w, p, d_us, d_cn),
        "aid_finance": aid_finance(s, p, us_aid, cn_fin),
        "coercion_compliance": comp,
        "coercion_reactance": react,
        "ideology": ideology(s, p, target),
        "diversion": diversion(s, p),
        "elite_networks": elite_networks(s, p),
        "regional_diffusion": regional_diffusion(s, w, p),
        "security_ties": security_ties(s, p),
        "lock_in": lock_in(s, p),
        "hedging": hedging(s, w, p),
        "_pressure": pressure,
        "_compliance": comply,
        "_cn_finance": cn_fin,
        "_us_dependence": d_us,
        "_ideology_target": target,
    }
