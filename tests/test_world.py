"""A run starts from the data: the observed state at any month from 1991 to the present, then the record or the
scenario."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import composed

from sim.data.index import un_alignment, us_scale
from sim.data.seeds import CELAC_ISO3
from sim.dynamics.world import build_world
from sim.engine import simulate
from sim.errors import SimInputError


def test_forward_runs_start_from_the_observed_present(baseline_world):
    w = baseline_world
    assert w.bri0.sum() == 22  # after Colombia's accession (May 2025) and Panama's exit (Feb 2025)
    assert (~w.prc0).sum() == 7  # Taipei's allies
    assert w.bri0[CELAC_ISO3.index("COL")] and not w.bri0[CELAC_ISO3.index("PAN")]
    assert not (w.bri0 & ~w.prc0).any()
    assert w.leader_names[int(w.person0[CELAC_ISO3.index("ARG")])] == "Javier Milei"


def test_every_start_month_builds_the_observed_state(seeds):
    index = un_alignment(seeds.panels)
    for start, members in (("1995-01", 0), ("2018-01", 1), ("2020-01", 19)):
        w = build_world(seeds, composed(f"start={start}", f"end={start[:4]}-12"))
        assert w.bri0.sum() == members, start
        year = int(start[:4]) - 1
        observed = index[year - 1990]
        ok = np.isfinite(observed)
        assert np.abs(w.alignment0[ok] - observed[ok]).max() < 0.2  # interpolated between mid-year observations


def test_a_hindcast_may_end_inside_the_history(seeds, baseline_cfg):
    w = build_world(seeds, composed("start=2012-01", "end=2013-06"))
    traj = simulate(w, baseline_cfg.params, 1, 3)
    assert traj.states["alignment"].shape[0] == 19


@pytest.mark.parametrize(
    ("overrides", "field"),
    [(("start=1990-06",), "start"), (("start=2026-03",), "start"), (("start=2020-01", "end=2019-12"), "end")],
)
def test_windows_outside_the_data_are_refused(seeds, overrides, field):
    with pytest.raises(SimInputError) as err:
        build_world(seeds, composed(*overrides))
    assert str(err.value).startswith(field)


def test_the_index_puts_the_us_at_minus_one_and_orders_the_region(seeds):
    panels = seeds.panels
    index = un_alignment(panels)
    us = (panels.table("unga_world_median", ("WLD",)) - panels.table("unga_ideal_point", ("USA",))) / us_scale(panels)
    assert abs(np.median(us[:23]) + 1) < 1e-9  # D is the median US distance over 1990-2012
    year = 2024 - 1990
    order = [CELAC_ISO3[i] for i in np.argsort(index[year]) if np.isfinite(index[year, i])]
    assert order[0] == "ARG" and set(order[-3:]) == {"CUB", "NIC", "BOL"}
    x = panels.table("unga_ideal_point")
    for y in range(len(index)):  # within a year, decreasing in the ideal point (the median and scale are common)
        ok = np.isfinite(x[y]) & np.isfinite(index[y])
        assert np.all(np.diff(index[y][ok][np.argsort(x[y][ok])]) <= 1e-12)


def test_what_ifs_on_calibration_figures_replace_the_panel_value(seeds):
    w = build_world(seeds, composed("++seeds.COL.export_share_cn=0.3", "++seeds.COL.autocracy=0.2"))
    col = CELAC_ISO3.index("COL")
    assert w.trade_base[1, col] == pytest.approx(0.3) and np.all(w.autocracy[:, col] == 0.2)
    with pytest.raises(SimInputError, match=r"seeds.COL.export_share_cn: got 2"):
        build_world(seeds, composed("++seeds.COL.export_share_cn=2"))
    with pytest.raises(SimInputError, match=r"seeds.COL.nonsense"):
        build_world(seeds, composed("++seeds.COL.nonsense=1"))


def test_a_known_result_takes_office_and_elections_follow_the_calendar(baseline_world):
    w = baseline_world
    col, bra = CELAC_ISO3.index("COL"), CELAC_ISO3.index("BRA")
    assert w.election_month[col] == 2026 * 12 + 4  # 31 May 2026
    assert w.election_month[bra] == 2026 * 12 + 9  # 4 October 2026
    assert w.term_months[CELAC_ISO3.index("MEX")] == 72
    assert w.lag_months[col] > 0
