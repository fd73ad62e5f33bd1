"""The dynamic state of many runs at once: every field has shape ``(runs, states)``."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass
class State:
    """State variables (units in comments). ``runs`` is replications x parameter sets, flattened."""

    alignment: np.ndarray  # [-1, 1]: -1 fully with the US, +1 fully with China
    approval: np.ndarray  # share of the public approving of the government, [0, 1]
    ideology: np.ndarray  # government left-right, [-1, 1]
    opposition: np.ndarray  # challenger bloc left-right, [-1, 1]
    elite: np.ndarray  # elite and opposition attitude toward China vs the US, [-1, 1]
    lockin: np.ndarray  # Chinese infrastructure/finance stock, % of GDP
    security: np.ndarray  # security-tie index with the US, [0, 1]
    arms: np.ndarray  # 0/1: buys US arms
    export_us: np.ndarray  # fraction of goods exports to the US
    export_cn: np.ndarray
    import_us: np.ndarray  # fraction of goods imports from the US
    import_cn: np.ndarray
    residual: np.ndarray  # structural position (target of the residual term), alignment units
    anchor_alignment: np.ndarray  # alignment at the anchor (reference of the trade tilt)
    start_alignment: np.ndarray  # alignment when the scenario starts (reference of the reactive strategies)
    bri: np.ndarray  # bool: Belt and Road member
    bri_share: np.ndarray  # neighbourhood share of BRI members, [0, 1] (updated when membership changes)
    prc: np.ndarray  # bool: recognises Beijing (else Taipei)
    gov_since: np.ndarray  # int month index: when the head of government took office
    next_election: np.ndarray  # int month index of the next election

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
    value of any float field (one sum per field when all is well, so the check is cheap)."""
    float_fields = [f.name for f in fields(s) if getattr(s, f.name).dtype.kind == "f"]
    if np.isfinite(sum(float(getattr(s, name).sum()) for name in float_fields)):
        return
    from sim.calendar import month_label
    from sim.errors import SimRunError

    for name in float_fields:
        bad = np.argwhere(~np.isfinite(getattr(s, name)))
        if len(bad):
            r, c = (int(v) for v in bad[0])
            run = int(runs[r]) if runs is not None else r
            raise SimRunError(
                f"non-finite {name} ({getattr(s, name)[r, c]}) for {iso3[c]} in {month_label(month)} (run {run}); "
                "the inputs allow a division by zero or an overflow: check the seeds figures and parameters of "
                f"{iso3[c]}"
            )
