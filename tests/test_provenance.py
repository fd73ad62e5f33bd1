"""Every figure in seeds/ names its source, and the sources check out.

- a seed row (``source_kind=seed``) quotes a short passage that is verbatim in the client's seed document it names
  (``../shared/seeds``; whitespace normalised, nothing else);
- a dataset row or panel source names file(s) that exist under ``../shared/data``, and a panel source's field is
  found in its file;
- an estimate says so and gives its reasoning; nothing dated after the present (2025-10-31) is data.

The tables are read as plain CSV here, independently of the loaders (tests/test_seeds.py tests those).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from sim.data.seeds import default_seeds_dir
from sim.paths import PROJECT_ROOT

SEEDS = default_seeds_dir()
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
PRESENT = "2025-10-31"
EVENT_TABLES = sorted((SEEDS / "events").glob("*.csv"))
PROVENANCE_TABLES = [SEEDS / "states.csv", SEEDS / "timeline.csv", *EVENT_TABLES]
PANEL_SOURCES = sorted((SEEDS / "panels").glob("*_sources.csv"))
SEED_DOCUMENT = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _rows(kind: str) -> list[tuple[str, int, dict[str, str]]]:
    """``(table, data row, row)`` of every provenance row of ``kind``."""
    return [
        (path.relative_to(SEEDS).as_posix(), i, row)
        for path in PROVENANCE_TABLES
        for i, row in enumerate(_read(path), start=1)
        if row["source_kind"] == kind
    ]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the client's datasets are not here ({SHARED_DATA}); dataset sources cannot be checked")
    return SHARED_DATA


def test_the_provenance_tables_are_all_read():
    names = {p.relative_to(SEEDS).as_posix() for p in PROVENANCE_TABLES}
    assert {"states.csv", "timeline.csv", "events/leaders.csv", "events/elections.csv", "events/bri.csv"} <= names
    for path in PROVENANCE_TABLES:
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert {"source_kind", "source", "note"} <= set(header), path.name


def test_every_seed_document_is_quoted():
    """The five client documents all contribute at least one quoted figure or event."""
    quoted = {row["source"] for _, _, row in _rows("seed")}
    assert all(SEED_DOCUMENT.fullmatch(name) for name in quoted), quoted
    assert len({name[:3] for name in quoted}) == 5, sorted(quoted)


@pytest.mark.parametrize(("table", "row", "record"), _rows("seed"), ids=lambda v: v if isinstance(v, str) else None)
def test_quote_is_verbatim_in_its_seed(shared_seeds_dir: Path, table: str, row: int, record: dict[str, str]):
    source = shared_seeds_dir / record["source"]
    assert source.is_file(), f"{table} row {row}: unknown seed file {record['source']}"
    quote = _normalise(record["quote"])
    assert 0 < len(quote) <= 200, f"{table} row {row}: a quote is a short passage"
    assert quote in _normalise(source.read_text(encoding="utf-8")), (
        f"{table} row {row}: not verbatim in {record['source']}: {quote!r}"
    )


def test_only_seed_rows_carry_quotes():
    for table, row, record in _rows("dataset") + _rows("public") + _rows("estimate"):
        assert not record.get("quote"), f"{table} row {row}: a {record['source_kind']} row with a quote"


def test_dataset_rows_name_shared_files(shared_data: Path):
    rows = _rows("dataset")
    assert rows
    missing = [
        f"{table} row {row}: {part.strip()}"
        for table, row, record in rows
        for part in record["source"].split(";")
        if not (shared_data / part.strip()).is_file()
    ]
    assert not missing, missing[:10]


def _panel_sources() -> list[tuple[str, dict[str, str]]]:
    return [(path.name, row) for path in PANEL_SOURCES for row in _read(path)]


def test_panel_sources_are_declared_for_every_theme():
    themes = {p.stem for p in (SEEDS / "panels").glob("*.csv") if not p.stem.endswith(("_variables", "_sources"))}
    assert themes and {p.stem.removesuffix("_sources") for p in PANEL_SOURCES} == themes


@pytest.mark.parametrize(("table", "source"), _panel_sources(), ids=lambda v: v if isinstance(v, str) else None)
def test_panel_source_is_checkable(shared_data: Path, table: str, source: dict[str, str]):
    """A dataset source names existing files and a field found in them; an estimate gives its reasoning; every source
    has a citation."""
    where = f"{table} {source['source_id']}"
    assert source["citation"], f"{where}: no citation"
    if source["kind"] == "estimate":
        reasoning = source["derivation"].removeprefix("Estimate:").strip()
        assert source["derivation"].startswith("Estimate:") and reasoning, f"{where}: an estimate without reasoning"
    if source["kind"] != "dataset":
        return
    files = [shared_data / part.strip() for part in source["dataset_file"].split(";")]
    assert all(f.is_file() for f in files), f"{where}: missing {source['dataset_file']}"
    # the field's first named item (a column, an indicator code, a label) appears in the file(s)
    first = re.split(r"[;+/,]| \(", source["field"])[0].split()[0]
    text = "".join(f.read_text(encoding="utf-8", errors="replace") for f in files)
    assert first in text, f"{where}: field {first!r} not found in {source['dataset_file']}"


def test_estimates_give_their_reasoning():
    for table, row, record in _rows("estimate"):
        reasoning = record["note"].removeprefix("Estimate:").strip()
        assert record["note"].startswith("Estimate:") and reasoning, f"{table} row {row}: no reasoning"


def test_nothing_after_the_present_is_data():
    """Dates after 2025-10-31 appear only where the table says they are not facts yet: scheduled elections and the
    day a president-elect (elected by the present) takes office."""
    date = re.compile(r"\d{4}-\d{2}-\d{2}")
    allowed = {("events/elections.csv", "date"), ("events/presidents_elect.csv", "takes_office")}
    for path in PROVENANCE_TABLES:
        table = path.relative_to(SEEDS).as_posix()
        for i, row in enumerate(_read(path), start=1):
            for column in ("date", "took_office", "left_office", "elected", "takes_office"):
                value = row.get(column, "")
                if not date.fullmatch(value) or value <= PRESENT:
                    continue
                scheduled = table == "events/elections.csv" and row["scheduled"] == "1" and column == "date"
                assert (table, column) in allowed and (scheduled or table != "events/elections.csv"), (
                    f"{table} row {i} {column}: {value} is after the present"
                )
    for path in (SEEDS / "panels").glob("*.csv"):
        if not path.stem.endswith(("_variables", "_sources")):
            years = {row["year"] for row in _read(path)}
            assert max(years) <= "2025", path.name


def test_colombia_accession_conflict_is_recorded():
    """Seed 003 says 2024; three seeds and the dataset say 14 May 2025: the timeline keeps 2025 and notes why."""
    rows = [r for r in _read(SEEDS / "timeline.csv") if r["iso3"] == "COL" and r["event"] == "bri_join"]
    assert [r["date"] for r in rows] == ["2025-05-14"]
    assert "2024" in rows[0]["note"] and "003" in rows[0]["note"]
    bri = [r for r in _read(SEEDS / "events" / "bri.csv") if r["iso3"] == "COL"]
    assert [(r["date"], r["event"]) for r in bri] == [("2025-05-14", "bri_join")]
