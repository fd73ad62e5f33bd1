"""External validity of the alignment index: correlations with independent measures, for every candidate index."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import pearsonr, spearmanr

from sim.data.index import ALTERNATIVES
from sim.data.panels import Panels

MEASURES = {
    "fbic_china": "FBIC China influence (higher = more Chinese influence; expected +)",
    "arms_balance": "US minus China and Russia share of major-arms imports, 10 years (expected -)",
    "recognizes_prc": "recognises Beijing rather than Taipei (expected +)",
    "unga_split_vote_diff": "sides with China minus with the US on US-China split votes (expected +)",
}


def measures(panels: Panels) -> dict[str, np.ndarray]:
    """The independent measures as ``(years, states)`` arrays."""
    return {
        "fbic_china": panels.table("fbic_china"),
        "arms_balance": panels.table("arms_share_us") - panels.table("arms_share_cn") - panels.table("arms_share_ru"),
        "recognizes_prc": panels.table("recognizes_prc"),
        "unga_split_vote_diff": panels.table("unga_split_vote_diff"),
    }


def correlations(panels: Panels) -> pd.DataFrame:
    """Pearson and Spearman correlations of each candidate index with each measure, pooled over state-years
    (1990-2024 and 2010-2024)."""
    rows = []
    external = measures(panels)
    for name, fn in ALTERNATIVES.items():
        index = fn(panels)
        for measure, values in external.items():
            for label, first in (("1990-2024", 1990), ("2010-2024", 2010)):
                years = (panels.years >= first) & (panels.years <= 2024)
                x, y = index[years].ravel(), values[years].ravel()
                ok = np.isfinite(x) & np.isfinite(y)
                if ok.sum() < 10:
                    continue
                rows.append(
                    {
                        "index": name,
                        "measure": measure,
                        "years": label,
                        "n": int(ok.sum()),
                        "pearson": round(float(pearsonr(x[ok], y[ok])[0]), 3),
                        "spearman": round(float(spearmanr(x[ok], y[ok])[0]), 3),
                    }
                )
    return pd.DataFrame(rows)


def ordering(panels: Panels, year: int, iso3: tuple[str, ...]) -> pd.DataFrame:
    """Every candidate index of every state in ``year``, sorted by the chosen index."""
    row = year - int(panels.years[0])
    frame = pd.DataFrame({name: fn(panels)[row] for name, fn in ALTERNATIVES.items()}, index=list(iso3))
    frame["recognizes_prc"] = panels.table("recognizes_prc")[row]
    return frame.sort_values("un_alignment").round(3)
