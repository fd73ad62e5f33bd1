"""The seeds tables (states, neighbours, timeline, dated events, yearly panels) load, cover what the model reads, and
a corrupted table fails with one line naming the file, the row and the field.

Row numbers are data rows counted from 1 below the header (the header is row 0), as in a spreadsheet.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from sim.data.panels import FIRST_YEAR, LAST_YEAR
from sim.data.seeds import CELAC_ISO3, PRESENT, SUBREGIONS, SeedTables, default_seeds_dir, load_seeds
from sim.errors import SimInputError

FULL_PANELS = (
    "gdp_usd_bn",
    "trade_pct_gdp",
    "remittances_pct_gdp",
    "export_share_us",
    "export_share_cn",
    "import_share_us",
    "import_share_cn",
    "autocracy",
    "closed_autocracy",
    "us_aid_pct_gdp",
    "cn_finance_pct_gdp",
    "nato_global_partner",
    "us_mnna",
    "us_sanctions_regime",
    "us_decertified",
)
"""Panel variables the model reads for every state and month (sim/dynamics/world.py, sim/data/history.py): a state
without a value in some year 1990-2025 would silently take a neighbouring year's value."""


def test_every_celac_state_has_a_name_and_subregion(seeds: SeedTables):
    assert sorted(seeds.names) == list(CELAC_ISO3) and len(CELAC_ISO3) == 33
    assert all(seeds.names[c] for c in CELAC_ISO3)
    assert {seeds.subregions[c] for c in CELAC_ISO3} == set(SUBREGIONS)


def test_neighbours_are_symmetric_and_every_state_has_one(seeds: SeedTables):
    pairs = {(a, b): kind for a, b, kind in seeds.neighbours}
    assert all(pairs.get((b, a)) == kind for (a, b), kind in pairs.items())
    assert {a for a, _ in pairs} == set(CELAC_ISO3)


@pytest.mark.parametrize("variable", FULL_PANELS)
def test_panels_cover_every_state_and_year_the_model_reads(seeds: SeedTables, variable: str):
    table = seeds.panels.table(variable)
    assert table.shape == (LAST_YEAR - FIRST_YEAR + 1, 33)
    missing = [f"{CELAC_ISO3[c]} {FIRST_YEAR + y}" for y, c in zip(*np.nonzero(~np.isfinite(table)), strict=True)]
    assert not missing, missing[:10]
    declared = seeds.panels.variables[variable]
    assert np.all((table >= declared.lo) & (table <= declared.hi))


def test_the_alignment_index_has_its_anchors(seeds: SeedTables):
    """The index needs the US and the UN median in every training year (1990-2012) and every state's ideal point in
    1990 (the earliest run starts in 1991 from the data of the year before)."""
    panels = seeds.panels
    years = slice(0, 2012 - FIRST_YEAR + 1)
    assert np.isfinite(panels.table("unga_ideal_point", ("USA",))[years]).all()
    assert np.isfinite(panels.table("unga_world_median", ("WLD",))[years]).all()
    assert np.isfinite(panels.table("unga_ideal_point")[0]).all()


def test_every_panel_value_names_a_declared_source(seeds: SeedTables):
    panels = seeds.panels
    counted = sum(int(np.isfinite(v).sum()) for v in panels.values.values())
    assert counted == len(panels.source_of) > 0
    assert set(panels.source_of.values()) <= set(panels.sources)


def test_unknown_panel_variable_is_one_line(seeds: SeedTables):
    with pytest.raises(SimInputError, match=r"^seeds/panels: got 'no_such_variable'; no panel holds this variable$"):
        seeds.panels.table("no_such_variable")


def test_institutions_at_the_present(seeds: SeedTables):
    """22 BRI members after Colombia's accession and Panama's exit (seed 004: "the 22nd nation in Latin America and
    the Caribbean to join"), seven states recognising Taipei, and none of them a member."""
    ev = seeds.events
    members = {c for c in CELAC_ISO3 if ev.bri_member_on(c, PRESENT)}
    taipei = {c for c in CELAC_ISO3 if not ev.recognizes_prc_on(c, PRESENT)}
    assert len(members) == 22 and "COL" in members and "PAN" not in members
    assert len(taipei) == 7 and not members & taipei
    assert ev.bri_member_on("PAN", date(2025, 1, 31)) and not ev.bri_member_on("COL", date(2025, 5, 13))


def test_one_head_of_government_on_every_day(seeds: SeedTables):
    ev = seeds.events
    for code in (*CELAC_ISO3, "USA", "CHN"):
        spells = ev.leaders[code]
        assert spells[0].took_office <= date(1990, 1, 1) and spells[-1].left_office is None, code
        for before, after in itertools.pairwise(spells):
            assert before.left_office == after.took_office, (code, before.name, after.name)
    assert ev.leader_on("COL", PRESENT).name == "Gustavo Petro"
    assert "Trump" in ev.leader_on("USA", PRESENT).name and "Biden" in ev.leader_on("USA", date(2024, 6, 1)).name


def test_elections_after_the_present_are_scheduled(seeds: SeedTables):
    ev = seeds.events
    for code, elections in ev.elections.items():
        for e in elections:
            assert e.scheduled == (e.date > PRESENT), (code, e.date)
            assert e.took_office is None or e.took_office >= e.date, (code, e.date)
    nxt = ev.next_election("COL", PRESENT)
    assert nxt is not None and nxt.date.year == 2026 and nxt.kind == "presidential"


def test_timeline_has_the_key_events(seeds: SeedTables):
    events = {(e.date.isoformat(), e.iso3, e.event) for e in seeds.timeline}
    assert ("2025-05-14", "COL", "bri_join") in events
    assert any(d.startswith("2025-02") and c == "PAN" and k == "bri_exit" for d, c, k in events)
    assert ("2025-09-16", "COL", "decertification") in events
    assert max(e.date for e in seeds.timeline) <= PRESENT
    levered = [e for e in seeds.timeline if e.lever]
    assert levered and all(e.value is not None for e in levered)


# --- corrupted copies: one line naming the file, the row and the field ----------------------------------------------

Edit = Callable[[Path], int]
"""Corrupts a copy of seeds/ in place; returns the data row it changed (0: none in particular)."""


def _line_edit(table: str, prefix: str, change: Callable[[str], str], offset: int = 0) -> Edit:
    """Change the first line of ``table`` starting with ``prefix``; the row reported is that line's row + offset."""

    def edit(root: Path) -> int:
        path = root / table
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        row = next(i for i, line in enumerate(lines) if line.startswith(prefix))
        new = change(lines[row])
        assert new != lines[row], "the corruption must change the line"
        lines[row] = new
        path.write_text("".join(lines), encoding="utf-8")
        return row + offset

    return edit


def _sub(old: str, new: str) -> Callable[[str], str]:
    return lambda line: line.replace(old, new, 1)


def _field(index: int, value: str) -> Callable[[str], str]:
    """Replace the ``index``-th comma-separated field of a line without quoted commas before it."""

    def change(line: str) -> str:
        parts = line.rstrip("\n").split(",")
        parts[index] = value
        return ",".join(parts) + "\n"

    return change


def _append(table: str, line: str) -> Edit:
    def edit(root: Path) -> int:
        path = root / table
        text = path.read_text(encoding="utf-8")
        path.write_text(text + line, encoding="utf-8")
        return len(text.splitlines())  # the header is line 0, so the new row's number is the old line count

    return edit


def _duplicate(table: str, prefix: str) -> Edit:
    def edit(root: Path) -> int:
        path = root / table
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        row = next(i for i, line in enumerate(lines) if line.startswith(prefix))
        lines.insert(row + 1, lines[row])
        path.write_text("".join(lines), encoding="utf-8")
        return row + 1

    return edit


def _bytes(table: str, old: bytes, new: bytes) -> Edit:
    def edit(root: Path) -> int:
        path = root / table
        data = path.read_bytes()
        assert old in data
        path.write_bytes(data.replace(old, new, 1))
        return data[: data.index(old)].count(b"\n")

    return edit


def _remove(table: str) -> Edit:
    def edit(root: Path) -> int:
        (root / table).unlink()
        return 0

    return edit


def _one_way(a: str, b: str) -> Edit:
    """Drop the row ``b,a`` of neighbours.csv: the row ``a,b`` (returned) is then one-way."""

    def edit(root: Path) -> int:
        path = root / "neighbours.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(f"{b},{a},")]
        assert len(kept) == len(lines) - 1
        path.write_text("".join(kept), encoding="utf-8")
        return next(i for i, line in enumerate(kept) if line.startswith(f"{a},{b},"))

    return edit


def _us_at_the_median(root: Path) -> int:
    """The US votes exactly at the UN median every year: the index's scale D is 0."""
    path = root / "panels" / "alignment.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    median = {p[1]: p[3] for p in (line.split(",") for line in lines) if p[0] == "WLD" and p[2] == "unga_world_median"}
    out = []
    for line in lines:
        p = line.split(",")
        if p[0] == "USA" and p[2] == "unga_ideal_point" and p[1] in median:
            p[3] = median[p[1]]
        out.append(",".join(p))
    path.write_text("".join(out), encoding="utf-8")
    return 0


CASES: list[tuple[str, Edit, str]] = [
    # (id, edit, expected message: a regex; {row} is the row the edit returned)
    ("state code", _line_edit("states.csv", "COL,", _field(0, "XXX")), r"seeds/states.csv row {row} iso3: got 'XXX'"),
    ("subregion", _line_edit("states.csv", "COL,", _field(2, "andes")), r"states.csv row {row} subregion: got 'andes'"),
    (
        "not UTF-8",
        _bytes("states.csv", b"Colombia", b"Colom\xefbia"),
        r"states.csv row {row} name: got 'byte 0xef on line \d+'; expected UTF-8",
    ),
    ("missing table", _remove("events/bri.csv"), r"^seeds/events/bri.csv: got '.*'; the seeds table is missing$"),
    (
        "missing column",
        _line_edit("events/bri.csv", "iso3,", _sub("event", "evt")),
        r"seeds/events/bri.csv header: got .*; missing column\(s\) event",
    ),
    ("neighbour kind", _line_edit("neighbours.csv", "ARG,BOL", _field(2, "sea")), r"neighbours.csv row {row} kind"),
    (
        "one-way neighbours",
        _one_way("ARG", "BOL"),
        r"neighbours.csv row {row} neighbour: got 'ARG-BOL \(land\)'; expected the same pair the other way round",
    ),
    (
        "timeline lever",
        _line_edit("timeline.csv", "2025-09-16,COL,USA,decertification", _field(4, "us.decert")),
        r"timeline.csv row {row} lever: got 'us.decert'",
    ),
    (
        "timeline date after the present",
        _line_edit("timeline.csv", "2025-09-16,COL,USA,decertification", _field(0, "2025-11-16")),
        r"timeline.csv row {row} date: got '2025-11-16'; expected a date up to the present",
    ),
    (
        "seed row without quote",
        _line_edit("timeline.csv", "2022-06-19,COL,COL,election", lambda s: re.sub(r"\.txt,[^,]*,", ".txt,,", s)),
        r"timeline.csv row {row} quote: got ''; a seed row quotes a verbatim passage",
    ),
    (
        "stray quote swallowing lines",
        _line_edit("events/bri.csv", "ARG,2022-02-06", _sub(",dataset,bri_", ',dataset,"bri_')),
        r"events/bri.csv row {row} source: got '.*'; a line break inside a field: a stray double quote",
    ),
    (
        "stray quote merging fields",
        _line_edit("events/bri.csv", "PAN,2017-11-17", _sub(",dataset,bri_", ',dataset,"bri_')),
        r"events/bri.csv row {row} note: got ''; the row ends before this column .*stray quote",
    ),
    (
        "leader spell overlaps the next",
        _line_edit("events/leaders.csv", "ARG,Carlos Menem", _sub("1999-12-10", "2000-01-10"), offset=1),
        r"leaders.csv row {row} took_office: got '1999-12-10'; ARG: overlaps the spell of Carlos Menem",
    ),
    (
        "leader gap",
        _line_edit("events/leaders.csv", "ARG,Carlos Menem", _sub("1999-12-10", "1999-11-10"), offset=1),
        r"leaders.csv row {row} took_office: got '1999-12-10'; ARG: leaves a gap after the spell of Carlos Menem",
    ),
    (
        "leader ideology",
        _line_edit("events/leaders.csv", "ARG,Carlos Menem", _sub(",0.46,", ",1.46,")),
        r"leaders.csv row {row} ideology: got '1.46'; expected a number in \[-1, 1\]",
    ),
    (
        "election kind",
        _line_edit("events/elections.csv", "ARG,1995-05-14", _field(2, "primary")),
        r"elections.csv row {row} kind: got 'primary'",
    ),
    (
        "election round",
        _line_edit("events/elections.csv", "ARG,1995-05-14", _field(3, "1.5")),
        r"elections.csv row {row} round: got '1.5'; expected a whole number",
    ),
    (
        "duplicate election",
        _duplicate("events/elections.csv", "ARG,1995-05-14"),
        r"elections.csv row {row} iso3,date,kind,round: got 'ARG,1995-05-14,presidential,1'; the same election as row",
    ),
    (
        "scheduled election before the present",
        _line_edit("events/elections.csv", "ARG,2027-10-24", _field(1, "2025-09-01")),
        r"elections.csv row {row} date: got '2025-09-01'; a scheduled election falls after the present",
    ),
    (
        "electoral system",
        _line_edit("events/electoral_rules.csv", "ARG,", _field(1, "monarchy")),
        r"electoral_rules.csv row {row} system: got 'monarchy'",
    ),
    (
        "recognition",
        _line_edit("events/recognition.csv", "ARG,", _field(3, "TWN")),
        r"recognition.csv row {row} recognizes_after: got 'TWN'",
    ),
    (
        "BRI date",
        _line_edit("events/bri.csv", "PAN,2017-11-17", _field(1, "2017-17-11")),
        r"bri.csv row {row} date: got '2017-17-11'; expected a date as YYYY-MM-DD",
    ),
    (
        "BRI accession while recognising Taipei",
        _append("events/bri.csv", "PRY,2020-01-01,bri_join,estimate,test,,Estimate: a test row\n"),
        r"bri.csv row {row} date: got '2020-01-01'; PRY recognises Taipei then: it cannot join the BRI",
    ),
    (
        "member switches to Taipei",
        _append("events/recognition.csv", "PAN,2020-01-01,switch_to_roc,ROC,estimate,test,,Estimate: a test row\n"),
        r"recognition.csv row {row} date: got '2020-01-01'; PAN switches to Taipei while a BRI member",
    ),
    (
        "power actor",
        _line_edit("events/power_actions.csv", "2000-07-13", _field(1, "RUS")),
        r"power_actions.csv row {row} actor: got 'RUS'",
    ),
    (
        "president-elect in office already",
        _line_edit("events/presidents_elect.csv", "BOL", _sub("2025-11-08", "2025-10-08")),
        r"presidents_elect.csv row {row} takes_office: got '2025-10-08'; expected a date after the present",
    ),
    (
        "panel value",
        _line_edit("panels/economy.csv", "ARG,1990,gdp_usd_bn", _field(3, "abc")),
        r"economy.csv row {row} value \(ARG gdp_usd_bn 1990\): got 'abc'; expected a finite number",
    ),
    (
        "panel value out of range",
        _line_edit("panels/economy.csv", "ARG,1990,gdp_usd_bn", _field(3, "-5")),
        r"economy.csv row {row} value \(ARG gdp_usd_bn 1990\): got '-5'; expected a number in \[0, 50000\]",
    ),
    (
        "empty panel value",
        _line_edit("panels/economy.csv", "ARG,1990,gdp_usd_bn", _field(3, "")),
        r"economy.csv row {row} value .*: got ''; .*absent row",
    ),
    (
        "panel year",
        _line_edit("panels/economy.csv", "ARG,1990,gdp_usd_bn", _field(1, "1990.5")),
        r"economy.csv row {row} year: got '1990.5'; expected a year 1990..2025",
    ),
    (
        "bool panel value",
        _line_edit("panels/politics.csv", "ARG,1990,closed_autocracy", _field(3, "0.5")),
        r"politics.csv row {row} value \(ARG closed_autocracy 1990\): got '0.5'; expected 0 or 1",
    ),
    (
        "duplicate panel row",
        _duplicate("panels/politics.csv", "ARG,1990,autocracy"),
        r"politics.csv row {row} iso3,year,variable: got 'ARG,1990,autocracy'; also row",
    ),
    (
        "unknown source_id",
        _line_edit("panels/politics.csv", "ARG,1990,autocracy", _field(4, "nope")),
        r"politics.csv row {row} source_id: got 'nope'; expected a source_id of seeds/panels/politics_sources.csv",
    ),
    (
        "too many fields",
        _line_edit("panels/politics.csv", "ARG,1990,autocracy", lambda s: s.rstrip("\n") + ",extra\n"),
        r"politics.csv row {row}: got 'extra'; 1 field\(s\) beyond the header's 6",
    ),
    (
        "too few fields",
        _line_edit("panels/politics.csv", "ARG,1990,autocracy", lambda s: s.rstrip("\n").rsplit(",", 1)[0] + "\n"),
        r"politics.csv row {row} note: got ''; the row ends before this column",
    ),
    (
        "variable dtype",
        _line_edit("panels/politics_variables.csv", "autocracy,", _field(1, "floaty")),
        r"politics_variables.csv row {row} dtype: got 'floaty'",
    ),
    (
        "estimate without reasoning",
        _line_edit("panels/politics_sources.csv", "autocracy_fh_fit,", _sub('"Estimate: ', '"')),
        r"politics_sources.csv row {row} derivation: got '1 - polyarchy.*'; an estimate starts with 'Estimate:'",
    ),
    (
        "index scale D = 0",
        _us_at_the_median,
        r"^seeds/panels/alignment.csv unga_ideal_point \(USA\) and unga_world_median \(WLD\): got 'years 1990-2012'",
    ),
]


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    root = tmp_path / "seeds"
    shutil.copytree(default_seeds_dir(), root, ignore=shutil.ignore_patterns("derive", "*.md"))
    return root


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_corrupted_table_gives_one_line_naming_file_row_field(seeds_copy: Path, edit: Edit, expected: str):
    row = edit(seeds_copy)
    with pytest.raises(SimInputError) as err:
        load_seeds(seeds_copy)
    message = str(err.value)
    assert "\n" not in message and "\r" not in message
    assert re.search(expected.format(row=row), message), message


def test_the_intact_copy_loads(seeds_copy: Path):
    """The corruptions above are the only reason their copies fail."""
    loaded = load_seeds(seeds_copy)
    assert loaded.names == load_seeds().names and len(loaded.timeline) == len(load_seeds().timeline)
