"""The dynamic state of many runs at once: every field has shape ``(runs, states)`` unless noted."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass
class State:
    """State variables (units in comments). ``runs`` is replications x parameter sets, flattened."""

    alignment: np.ndarray  # [-1, 1]: -1 where the US votes, 0 the UN's median member, + the other side (docs/ODD.md)
    ideology: np.ndarray  # head of government's economic left-right, [-1, 1]
    person: np.ndarray  # int: id of the head of government (observed leaders from 0; simulated ones 10**6 + month)
    gov_since: np.ndarray  # int month index: when this person took office
    camp_since: np.ndarray  # int month index: when this person's camp took power
    terms: np.ndarray  # int: consecutive terms this person has won
    next_election: np.ndarray  # int month index of the next decisive election (world.NEVER: none)
    pending_ideology: np.ndarray  # ideology of an elected government not yet in office (NaN: none)
    pending_month: np.ndarray  # int month it takes office (-1: none)
    pending_person: np.ndarray  # int person id of that government
    pending_camp_change: np.ndarray  # bool: it brings the other camp to power
    export_us: np.ndarray  # fraction of goods exports going to the US
    export_cn: np.ndarray
    import_us: np.ndarray  # fraction of goods imports coming from the US
    import_cn: np.ndarray
    aid_stock: np.ndarray  # US aid stock, % of GDP (decays at params.finance_decay)
    finance_stock: np.ndarray  # Chinese official finance stock, % of GDP
    elite: np.ndarray  # elite attitude from hosted visits, [-1 US, +1 China]
    bri: np.ndarray  # bool: Belt and Road member
    prc: np.ndarray  # bool: recognises Beijing (else Taipei)
    bri_share: np.ndarray  # neighbourhood share of BRI members, [0, 1]
    measure_target: np.ndarray  # (runs, 2, states) int: person targeted by leader sanctions / visa bans (-1: none)
    start_alignment: np.ndarray  # alignment at the start (reference of the powers' reactive strategies)
    us_ideology: np.ndarray  # (runs, 1): ideology of the US administration (simulated US elections after the present)

    @property
    def shape(self) -> tuple[int, int]:
        return self.alignment.shape  # type: ignore[return-value]

    def astype(self, dtype: object) -> State:
        """This state with its float fields in ``dtype`` (no copy where they already are)."""
        return State(
            **{
                f.name: v.astype(dtype, copy=False) if (v := getattr(self, f.name)).dtype.kind == "f" else v
                for f in fields(self)
            }
        )


def check_finite(s: State, month: int, iso3: tuple[str, ...], runs: np.ndarray | None = None) -> None:
    """Raise :class:`~sim.errors.SimRunError` naming the quantity, state, month and run of the first non-finite
    value of any float field that must be finite (one sum per field when all is well, so the check is cheap)."""
    names = [f.name for f in fields(s) if getattr(s, f.name).dtype.kind == "f" and f.name != "pending_ideology"]
    if np.isfinite(sum(float(getattr(s, name).sum()) for name in names)):
        return
    from sim.calendar import month_label
    from sim.errors import SimRunError

    for name in names:
        bad = np.argwhere(~np.isfinite(getattr(s, name)))
        if len(bad):
            r, c = (int(v) for v in bad[0][:2])
            where = iso3[c] if getattr(s, name).shape[-1] == len(iso3) else "the region"
            run = int(runs[r]) if runs is not None else r
            raise SimRunError(
                f"non-finite {name} ({getattr(s, name)[r, c]}) for {where} in {month_label(month)} (run {run}); "
                f"the inputs allow a division by zero or an overflow: check the seeds figures and parameters of {where}"
            )
