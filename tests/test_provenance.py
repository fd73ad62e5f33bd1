"""Every figure names its source; every quote is verbatim in the client's seed documents."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from sim.data.seeds import default_seeds_dir

SEEDS = default_seeds_dir()
TABLES = [*sorted((SEEDS / "figures").glob("*.csv")), SEEDS / "governments.csv", SEEDS / "timeline.csv"]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _seed_rows() -> list[tuple[str, int, dict[str, str]]]:
    rows = []
    for path in TABLES:
        with path.open(newline="", encoding="utf-8") as handle:
            for i, row in enumerate(csv.DictReader(handle), start=1):
                if row["source_kind"] == "seed":
                    rows.append((path.name, i, row))
    return rows


def test_there_are_seed_quotes_to_check():
    assert len(_seed_rows()) >= 30


@pytest.mark.parametrize(("table", "row", "record"), _seed_rows(), ids=lambda v: v if isinstance(v, str) else None)
def test_quote_is_verbatim_in_its_seed(shared_seeds_dir: Path, table, row, record):
    source = shared_seeds_dir / record["source"]
    assert source.is_file(), f"{table} row {row}: unknown seed file {record['source']}"
    text = _normalise(source.read_text(encoding="utf-8"))
    quote = _normalise(record["quote"])
    assert 0 < len(quote) <= 200, f"{table} row {row}: quotes must be short"
    assert quote in text, f"{table} row {row}: quote not found in {record['source']}: {quote!r}"


def test_dataset_rows_name_a_shared_dataset():
    names = {
        "wits_trade_summary_lac.csv",
        "us_foreign_aid_lac.csv",
        "chinese_development_finance_lac.csv",
        "sanctions_gsdb_v3_lac.csv",
        "unga_ideal_points_lac.csv",
        "bri_membership_lac.csv",
    }
    for path in TABLES:
        with path.open(newline="", encoding="utf-8") as handle:
            for i, row in enumerate(csv.DictReader(handle), start=1):
                if row["source_kind"] == "dataset":
                    assert any(n in row["source"] for n in names), f"{path.name} row {i}: {row['source']}"


def test_colombia_accession_conflict_is_recorded():
    with (SEEDS / "timeline.csv").open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["iso3"] == "COL" and r["event"] == "bri_join"]
    assert rows and rows[0]["date"] == "2025-05-14"
    assert "2024" in rows[0]["note"] and "003" in rows[0]["note"]
