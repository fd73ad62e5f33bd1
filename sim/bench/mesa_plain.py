"""The same monthly rule written the way a Mesa user would write it: one agent per state holding plain Python
floats, a loop over agents, scalar functions, a DataCollector. It is the benchmark's fair Mesa baseline (no numpy
call per 33-element array) and is checked against the engine by ``tests/test_bench.py``.

It implements :func:`sim.dynamics.update.step` for one run in float64, operation by operation in the same order
(neighbour sums in the same fixed order), and draws its random numbers from the same function
(:meth:`sim.dynamics.rng.Counters.plane`, one call per purpose and month). With the portable ``tanh``
(:func:`sim.dynamics.mathfn.tanh_scalar`, :class:`PlainModel`) its path is the engine's bit for bit;
:class:`PlainModelLibm` uses ``math.tanh``, as a Mesa user would, which differs from it in the last bit for about a
quarter of arguments (paths then agree to about 1e-15): the benchmark times both.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np

from sim.config import Params
from sim.dynamics import rng as counters
from sim.dynamics.alignment import SQRT12, TERMS
from sim.dynamics.levers import LEVER_INDEX, LEVERS
from sim.dynamics.mathfn import tanh_scalar
from sim.dynamics.politics import NEW_PERSON, US_PARTIES
from sim.dynamics.strategies import AID_MAX, FINANCE_MAX
from sim.dynamics.update import DRAWS, U_BRI, U_RECOGNITION, U_SHOCK, U_US, U_VOTE, U_WINNER, initial_state
from sim.dynamics.world import World

L = LEVER_INDEX


def clip(x: float, lo: float = -1.0, hi: float = 1.0) -> float:
    return min(max(x, lo), hi)


def sign(x: float) -> float:
    return (x > 0) - (x < 0) + 0.0


class PlainCountry(mesa.Agent):
    """A state: its attributes are floats, ints and bools; ``decide`` computes next month from this month's values
    of every state, ``advance`` commits (a simultaneous update)."""

    model: PlainModel

    def __init__(self, model: PlainModel, i: int, s: Any) -> None:
        super().__init__(model)
        w = model.world
        self.i, self.iso3 = i, w.iso3[i]
        names = ("alignment", "ideology", "export_us", "export_cn", "import_us", "import_cn", "aid_stock")
        for name in (*names, "finance_stock", "elite", "bri_share", "start_alignment", "pending_ideology"):
            setattr(self, name, float(getattr(s, name)[0, i]))
        for name in ("person", "gov_since", "camp_since", "terms", "next_election", "pending_month", "pending_person"):
            setattr(self, name, int(getattr(s, name)[0, i]))
        self.bri, self.prc = bool(s.bri[0, i]), bool(s.prc[0, i])
        self.pending_camp_change = bool(s.pending_camp_change[0, i])
        self.measure_target = [int(s.measure_target[0, 0, i]), int(s.measure_target[0, 1, i])]
        self.contributions = [0.0] * len(TERMS)
        self.events: dict[str, bool] = {}
        # the state's own constants, as plain numbers
        self.aid_reference, self.finance_reference = float(w.aid_reference[i]), float(w.finance_reference[i])
        self.trade_base = [float(v) for v in w.trade_base[:, i]]
        self.elite_share, self.effect = float(w.elite_share[i]), float(w.state_effect[i])
        self.forced_ideology, self.election_month = float(w.forced_ideology[i]), int(w.election_month[i])
        self.max_terms, self.lag_months = int(w.max_terms[i]), int(w.lag_months[i])
        self.term_months = int(w.term_months[i])
        self.near: list[tuple[PlainCountry, float]] = []  # set by the model once every agent exists
        self.peers: list[PlainCountry] = []

    # ---------------------------------------------------------------- reporters
    @property
    def bri_member(self) -> bool:
        return self.bri

    @property
    def recognizes_prc(self) -> bool:
        return self.prc

    @property
    def gov_ideology(self) -> float:
        return self.ideology

    @property
    def leader(self) -> str:
        return self.model.world.leader_names.get(self.person, "(simulated)")

    # ---------------------------------------------------------------- the rule
    def levers(self) -> list[float]:
        """This month's levers for this state after the powers' reactions."""
        m, w, i = self.model, self.model.world, self.i
        lv = list(m.levers_of[i])
        if m.month <= w.present:
            return lv
        drift = self.alignment - self.start_alignment
        us, cn = w.us_reaction, w.china_reaction
        if us.enabled and drift > us.drift:
            lv[L["us.tariff"]] = min(lv[L["us.tariff"]] + us.tariff, 1.0)
            lv[L["us.sanctions"]] = max(lv[L["us.sanctions"]], us.sanctions)
            lv[L["us.aid"]] = min(lv[L["us.aid"]] * us.aid, AID_MAX)
        if cn.enabled and drift > cn.drift:
            lv[L["china.bri_finance"]] = min(lv[L["china.bri_finance"]] * cn.bri_finance, FINANCE_MAX)
            lv[L["china.import_pledge"]] = min(lv[L["china.import_pledge"]] + cn.import_pledge, 1.0)
            lv[L["china.bri_offer"]] = max(lv[L["china.bri_offer"]], cn.bri_offer)
        return lv

    def decide(self) -> None:
        m, w, p, i = self.model, self.model.world, self.model.params, self.i
        month, a = m.month, self.alignment
        lv = self.levers()
        d = m.data
        openness = d["openness"][i]
        trade_us = 0.5 * openness * (self.export_us + self.import_us)
        trade_cn = 0.5 * openness * (self.export_cn + self.import_cn)
        us_exposure = trade_us + p.remittance_us_share * d["remittances"][i]
        target = list(self.measure_target)
        for k in range(2):
            since = d["leader_measures_since"][k][i]
            target[k] = -1 if since < 0 else (self.person if since == month else target[k])
        pressure = (
            p.pressure_sanctions * lv[L["us.sanctions"]]
            + p.pressure_tariff * lv[L["us.tariff"]]
            + p.pressure_leader_sanctions * lv[L["us.leader_sanctions"]] * (target[0] == self.person)
            + p.pressure_decertification * lv[L["us.decertification"]]
            + p.pressure_visa_bans * lv[L["us.visa_bans"]] * (target[1] == self.person)
            + p.pressure_military_threat * lv[L["us.military_threat"]]
            + p.pressure_bri_exit * lv[L["us.bri_exit_pressure"]] * self.bri
        )
        comply = m.sigmoid(p.compliance_base + p.compliance_dependence * us_exposure - p.compliance_alignment * a)
        us_ideology = m.us_ideology if month > w.present else d["us_ideology"]
        affinity = clip(0.5 * (abs(self.ideology - us_ideology) - abs(self.ideology - d["cn_ideology"])))
        terms = [
            p.w_trade * (m.tanh(p.beta_trade * (trade_cn - us_exposure)) - a),
            p.w_finance * (m.tanh(p.beta_finance * (self.finance_stock - self.aid_stock)) - a),
            p.w_coercion * pressure * ((1.0 - 2.0 * comply) - a),
            p.w_ideology * (affinity - a),
            p.w_regime * ((2.0 * d["autocracy"][i] - 1.0) - a),
            p.w_security * (d["security"][i] - a) * d["has_security"][i],
            p.w_neighbours * (m.neighbourhood_mean(self, "alignment") - a),
            p.w_institutions * ((float(self.bri) - float(not self.prc)) - a),
            p.w_elite * abs(self.elite) * (sign(self.elite) - a),
            p.w_state * ((p.neutral + self.effect) - a),
        ]
        deterministic = terms[0]
        for term in terms[1:]:
            deterministic += term
        noise = p.shock_sd * SQRT12 * (m.u[U_SHOCK][i] - 0.5)
        new_a = clip(a + deterministic + noise)
        self.contributions = [*terms, new_a - a - deterministic]
        self.next: dict[str, Any] = {"alignment": new_a, "measure_target": target}
        self._drivers(lv)
        self._government()
        self._institutions(lv, comply)

    def _drivers(self, lv: list[float]) -> None:
        m, p, i = self.model, self.model.params, self.i
        suspended = clip(2.0 * lv[L["us.decertification"]] - 1.0, 0.0, 1.0)
        d = m.data
        aid_flow, finance_flow = d["aid_flow"][i], d["finance_flow"][i]
        aid_base = self.aid_reference if math.isnan(aid_flow) else aid_flow
        finance_base = self.finance_reference if math.isnan(finance_flow) else finance_flow
        aid = aid_base * lv[L["us.aid"]] * (1.0 - suspended)
        finance = finance_base * lv[L["china.bri_finance"]]
        keep = 1.0 - p.finance_decay / 12.0
        self.next["aid_stock"] = self.aid_stock * keep + aid / 12.0
        self.next["finance_stock"] = self.finance_stock * keep + finance / 12.0
        rate, base = p.trade_adjust_rate, self.trade_base
        tariff = lv[L["us.tariff"]]
        ex_us = self.export_us + rate * (base[0] * max(1.0 - p.tariff_elasticity * tariff, 0.0) - self.export_us)
        ex_cn = self.export_cn + rate * (base[1] * (1.0 + lv[L["china.import_pledge"]]) - self.export_cn)
        im_us = self.import_us + rate * (base[2] - self.import_us)
        im_cn = self.import_cn + rate * (base[3] - self.import_cn)
        scale = max(ex_us + ex_cn, 1.0)
        evolved = (ex_us / scale, ex_cn / scale, im_us, im_cn)
        for k, name in enumerate(("export_us", "export_cn", "import_us", "import_cn")):
            observed = d["trade_obs"][k][i]
            self.next[name] = evolved[k] if math.isnan(observed) else observed
        hosted = (lv[L["china.elite_diplomacy"]] - lv[L["us.elite_diplomacy"]]) * self.elite_share / 12.0
        self.next["elite"] = clip(self.elite + p.elite_gain * hosted - p.elite_decay * self.elite)

    def _government(self) -> None:
        m, w, p, i = self.model, self.model.world, self.model.params, self.i
        month = m.month
        g = {k: getattr(self, k) for k in ("ideology", "person", "gov_since", "camp_since", "terms", "next_election")}
        g |= {k: getattr(self, k) for k in ("pending_ideology", "pending_month", "pending_person")}
        g["pending_camp_change"] = self.pending_camp_change
        change = camp_change = election = False
        d = m.data
        scripted = d["scripted_ideology"][i]
        if not math.isnan(scripted):
            change, camp_change = True, d["scripted_camp_change"][i]
            g |= {"ideology": scripted, "person": d["scripted_person"][i], "gov_since": month, "terms": 1}
            if camp_change:
                g["camp_since"] = month
        if month > w.present and g["next_election"] == month and not d["closed"][i]:
            election = True
            tenure = (month - g["camp_since"]) / 12.0
            defeat = m.sigmoid(p.defeat_base + p.defeat_autocracy * d["autocracy"][i] + p.defeat_tenure * tenure)
            lose = m.u[U_VOTE][i] < defeat
            forced_ideology = self.forced_ideology
            forced = not math.isnan(forced_ideology) and month == self.election_month
            if forced:
                lose = sign(forced_ideology) != sign(g["ideology"])
            z = math.sqrt(12.0) * (m.u[U_WINNER][i] - 0.5)
            stays = not lose and g["terms"] < self.max_terms and not forced
            if forced:
                winner = forced_ideology
            elif lose:
                winner = clip(p.turnover_persistence * g["ideology"] + p.turnover_sd * z)
            else:
                winner = clip(g["ideology"] + p.successor_sd * z)
            if stays:
                g["terms"] += 1
            else:
                lag = self.lag_months
                g |= {"pending_ideology": winner, "pending_month": month + lag if lag > 0 else month}
                g |= {"pending_person": NEW_PERSON + month, "pending_camp_change": bool(lose)}
            g["next_election"] += self.term_months
        if g["pending_month"] == month:
            g |= {"ideology": g["pending_ideology"], "person": g["pending_person"], "gov_since": month, "terms": 1}
            if g["pending_camp_change"]:
                g["camp_since"] = month
                camp_change = True
            change = True
            g |= {"pending_month": -1, "pending_ideology": math.nan}
        self.next |= g
        self.events = {"election": election, "government_change": change, "camp_change": camp_change}

    def _institutions(self, lv: list[float], comply: float) -> None:
        m, w, p, i = self.model, self.model.world, self.model.params, self.i
        a, bri, prc = self.alignment, self.bri, self.prc
        if w.replay_institutions:
            new_prc, new_bri = m.data["observed_prc"][i], m.data["observed_bri"][i]
            switch = new_prc != prc
        else:
            if prc:
                hazard = m.sigmoid(p.recognition_back - p.recognition_alignment * a)
            else:
                hazard = m.sigmoid(p.recognition_base + p.recognition_alignment * a)
            switch = m.u[U_RECOGNITION][i] < hazard
            new_prc = prc != switch
            exit_pressure = lv[L["us.bri_exit_pressure"]]
            gdp = m.data["gdp_bn"][i]
            size = gdp / (gdp + p.size_gdp_half)
            eta = (
                p.bri_base
                + p.bri_alignment * a
                + p.bri_neighbours * (self.bri_share - 0.5)
                - p.bri_size * size
                - p.bri_us_pressure * exit_pressure
            )
            u = m.u[U_BRI][i]
            exits = bri and (not new_prc or u < p.bri_exit_rate * exit_pressure * comply)
            joins = not bri and prc and new_prc and u < lv[L["china.bri_offer"]] * m.sigmoid(eta)
            new_bri = (bri and not exits) or joins
        self.next |= {"prc": new_prc, "bri": new_bri}
        self.events |= {"bri_join": new_bri and not bri, "bri_exit": bri and not new_bri, "recognition_switch": switch}

    def advance(self) -> None:
        for name, value in self.next.items():
            setattr(self, name, value)


class PlainModel(mesa.Model):
    """One run of the rule with plain-Python agents; collects what :class:`sim.model.AlignmentModel` collects."""

    tanh = staticmethod(tanh_scalar)
    """The portable tanh: the engine's bits."""

    def sigmoid(self, x: float) -> float:
        """Logistic function via tanh (as :func:`sim.dynamics.drivers.sigmoid`)."""
        return 0.5 * (1.0 + self.tanh(0.5 * x))

    def __init__(
        self, world: World, params: Params, experiment_seed: int = 0, run: int = 0, rng: int | None = None
    ) -> None:
        # as AlignmentModel: Mesa's rng argument (batch_run passes None), when given, replaces (seed, run)
        key = counters.run_key(experiment_seed, run) if rng is None else counters.run_key(int(rng), 0)
        super().__init__(rng=key)
        self.world, self.params = world, params
        self.keys = np.array([key], dtype=np.uint64)
        self.counters = counters.Counters(len(DRAWS), world.n_states)
        s = initial_state(world, params, 1, np.float64)
        self.us_ideology = float(s.us_ideology[0, 0])
        self.t, self.month = 0, world.start
        self.countries = [PlainCountry(self, i, s) for i in range(world.n_states)]
        nb, peers = world.neighbours, world.subregion_peers
        for i, country in enumerate(self.countries):
            pairs = zip(nb.index[:, i], nb.weights[:, i], strict=True)
            country.near = [(self.countries[int(j)], float(v)) for j, v in pairs]
            country.peers = [self.countries[int(j)] for j in peers.members[int(peers.group_of[i])]]
            country.has_near, country.has_peers = bool(nb.has_entries[i]), bool(peers.has_entries[i])
            country.inverse_peers = float(peers.inverse_peers[i])
        self.data: dict[str, Any] = {}
        self.levers_of: list[list[float]] = []
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "regional_mean_alignment": lambda m: sum(c.alignment for c in m.countries) / len(m.countries),
                "bri_members": lambda m: sum(c.bri for c in m.countries),
            },
            agent_reporters={
                "iso3": "iso3",
                "alignment": "alignment",
                "bri_member": "bri_member",
                "recognizes_prc": "recognizes_prc",
                "gov_ideology": "gov_ideology",
                "leader": "leader",
            },
        )
        self.datacollector.collect(self)

    def neighbourhood_mean(self, country: PlainCountry, attribute: str) -> float:
        """The blend of direct neighbours' and subregion peers' ``attribute`` (as
        :func:`sim.dynamics.alignment.neighbour_mean`, same order of additions)."""
        own = float(getattr(country, attribute))
        if not (country.has_near or country.has_peers):
            return own
        weight = self.params.subregion_weight
        c_near = (1.0 - weight if country.has_peers else 1.0) * country.has_near
        c_peers = (weight if country.has_near else 1.0) * country.has_peers
        near = 0.0
        for k, (other, w) in enumerate(country.near):
            near = w * float(getattr(other, attribute)) if k == 0 else near + w * float(getattr(other, attribute))
        total = float(getattr(country.peers[0], attribute))
        for other in country.peers[1:]:
            total += float(getattr(other, attribute))
        return c_near * near + c_peers * ((total - own) * country.inverse_peers)

    def step(self) -> None:
        w, t = self.world, self.steps - 1
        self.t, self.month = t, w.start + t
        self.levers_of = w.plan[t].T.tolist()  # this month's data as plain lists, one read per array
        names = ("openness", "remittances", "autocracy", "security", "has_security", "aid_flow", "finance_flow")
        names += ("gdp_bn", "closed", "scripted_ideology", "scripted_person", "scripted_camp_change")
        names += ("observed_prc", "observed_bri", "leader_measures_since", "trade_obs")
        self.data = {name: getattr(w, name)[t].tolist() for name in names}
        self.data |= {"us_ideology": float(w.us_ideology[t]), "cn_ideology": float(w.cn_ideology[t])}
        self.u = {
            d: self.counters.plane(self.keys, self.month, d, np.float64)[0].tolist()
            for d in (U_SHOCK, U_RECOGNITION, U_BRI, U_VOTE, U_WINNER)
        }
        for country in self.countries:
            country.decide()
        for country in self.countries:
            country.advance()
        if w.us_election[t]:
            u_us = float(self.counters.plane(self.keys, self.month, U_US, np.float64, np.array([0]))[0, 0])
            if u_us < self.params.us_turnover:
                self.us_ideology = US_PARTIES[0] if self.us_ideology > 0 else US_PARTIES[1]
        elif self.month <= w.present:
            self.us_ideology = float(w.us_ideology[t])
        if any(c.events["bri_join"] or c.events["bri_exit"] for c in self.countries):
            shares = [self.neighbourhood_mean(country, "bri") for country in self.countries]
            for country, share in zip(self.countries, shares, strict=True):
                country.bri_share = share
        self.datacollector.collect(self)
        if t + 1 >= w.n_months:
            self.running = False


class PlainModelLibm(PlainModel):
    """:class:`PlainModel` with ``math.tanh`` (libm), as a Mesa user would write it."""

    tanh = staticmethod(math.tanh)


__all__ = ["LEVERS", "PlainCountry", "PlainModel", "PlainModelLibm"]
