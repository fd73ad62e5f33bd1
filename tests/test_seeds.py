"""The seeds tables load, cover every state, and bad tables fail with one line naming file, row and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.data.seeds import CELAC_ISO3, default_seeds_dir, load_seeds
from sim.errors import SimInputError


def test_all_33_states_have_every_required_variable(seeds):
    required = [v for v in seeds.variables.values() if v.required]
    assert len(CELAC_ISO3) == 33
    for code in CELAC_ISO3:
        for var in required:
            assert (code, var.name) in seeds.figures, (code, var.name)


def test_trade_shares_are_fractions_that_leave_room_for_other_partners(seeds):
    for code in CELAC_ISO3:
        for flow in ("export", "import"):
            us = seeds.value(code, f"{flow}_share_us")
            cn = seeds.value(code, f"{flow}_share_cn")
            assert 0 <= us <= 1 and 0 <= cn <= 1 and us + cn <= 1


def test_every_estimate_carries_its_reasoning(seeds):
    estimates = [f for f in seeds.figures.values() if f.source_kind == "estimate"]
    assert estimates, "some figures are estimates and must say so"
    assert all(f.note.startswith("Estimate:") and len(f.note) > len("Estimate: ") + 10 for f in estimates)


def test_bri_and_recognition_state_of_late_2025(seeds):
    members = [c for c in CELAC_ISO3 if seeds.value(c, "bri_joined") and not seeds.value(c, "bri_exit")]
    assert len(members) == 22  # "the 22nd nation in Latin America and the Caribbean to join the BRI" (seed 004)
    taipei = [c for c in CELAC_ISO3 if not seeds.value(c, "recognizes_prc")]
    assert len(taipei) == 7 and not set(taipei) & set(members)


def test_governments_cover_the_window(seeds):
    for code in (*CELAC_ISO3, "USA", "CHN"):
        govs = [g for g in seeds.governments if g.iso3 == code]
        assert govs and min(g.took_office.isoformat() for g in govs) <= "2024-01-01", code


def test_timeline_has_the_key_events(seeds):
    events = {(e.date.isoformat()[:7], e.iso3, e.event) for e in seeds.timeline}
    assert len(seeds.timeline) >= 15
    assert all(
        "2022" <= e.date.isoformat()[:4] <= "2025" for e in seeds.timeline if e.event != "infrastructure_contract"
    )
    assert ("2025-05", "COL", "bri_join") in events
    assert ("2025-02", "PAN", "bri_exit") in events
    assert any(e.event == "decertification" and e.date.isoformat() == "2025-09-16" for e in seeds.timeline)
    assert max(e.date.isoformat() for e in seeds.timeline) <= "2025-10-31"  # no look-ahead


def _broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    root = tmp_path / "seeds"
    shutil.copytree(default_seeds_dir(), root, ignore=shutil.ignore_patterns("derive"))
    path = root / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return root


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("figures/economy.csv", "COL,export_share_us,0.2817", "COL,export_share_us,abc", "economy.csv row"),
        ("figures/economy.csv", "COL,export_share_us,0.2817", "COL,export_share_us,1.7", "expected a number in [0"),
        ("figures/economy.csv", "COL,export_share_us,", "XXX,export_share_us,", "iso3"),
        ("figures/institutions.csv", "COL,bri_joined,2025-05-14", "COL,bri_joined,2025-14-05", "YYYY-MM-DD"),
        ("governments.csv", "COL,Gustavo Petro", "COL,", "leader"),
        ("variables.csv", "approval,float", "approval,floaty", "dtype"),
    ],
)
def test_broken_table_gives_one_line_naming_file_row_field(tmp_path, file, old, new, expected):
    root = _broken_copy(tmp_path, file, old, new)
    with pytest.raises(SimInputError) as err:
        load_seeds(root)
    message = str(err.value)
    assert expected in message and "\n" not in message


def test_missing_state_is_reported(tmp_path):
    root = tmp_path / "seeds"
    shutil.copytree(default_seeds_dir(), root)
    path = root / "figures" / "politics.csv"
    path.write_text("".join(line for line in path.read_text().splitlines(True) if not line.startswith("URY,approval")))
    with pytest.raises(SimInputError, match=r"URY.*approval"):
        load_seeds(root)


def test_estimate_without_reasoning_is_rejected(tmp_path):
    root = tmp_path / "seeds"
    shutil.copytree(default_seeds_dir(), root)
    path = root / "figures" / "politics.csv"
    lines = path.read_text().splitlines(True)
    i = next(i for i, line in enumerate(lines) if ",estimate," in line)
    lines[i] = lines[i].split(",estimate,")[0] + ",estimate,Estimate,,no reason given\n"
    path.write_text("".join(lines))
    with pytest.raises(SimInputError, match="Estimate:"):
        load_seeds(root)
