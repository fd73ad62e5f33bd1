"""The calibration tables of ``seeds/``: states, neighbours, the seed timeline, dated events and yearly panels.

:func:`load_seeds` loads and checks everything once (cached per folder). Every problem is reported as one
:class:`~sim.errors.SimInputError` naming the file, the row and the field; row numbers are 1-based data rows (the
header is row 0), as a spreadsheet user counts them below the header.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sim.calendar import parse_date
from sim.errors import SimInputError

if TYPE_CHECKING:
    from sim.data.events import Events
    from sim.data.panels import Panels

CELAC_ISO3: tuple[str, ...] = tuple(
    sorted(
        [
            "ATG",
            "ARG",
            "BHS",
            "BRB",
            "BLZ",
            "BOL",
            "BRA",
            "CHL",
            "COL",
            "CRI",
            "CUB",
            "DMA",
            "DOM",
            "ECU",
            "SLV",
            "GRD",
            "GTM",
            "GUY",
            "HTI",
            "HND",
            "JAM",
            "MEX",
            "NIC",
            "PAN",
            "PRY",
            "PER",
            "KNA",
            "LCA",
            "VCT",
            "SUR",
            "TTO",
            "URY",
            "VEN",
        ]
    )
)
"""The 33 CELAC member states, sorted: this order indexes every per-state array."""

POWERS: tuple[str, ...] = ("USA", "CHN")
SUBREGIONS = ("north_america", "central_america", "caribbean", "south_america")
PRESENT = date(2025, 10, 31)
"""The model's present: the last day any table may describe as fact (no look-ahead)."""
SOURCE_KINDS = ("seed", "dataset", "public", "estimate")
STATE_COLUMNS = ("iso3", "name", "subregion", "source_kind", "source", "note")
NEIGHBOUR_COLUMNS = ("iso3", "neighbour", "kind", "source")
TIMELINE_COLUMNS = ("date", "iso3", "actor", "event", "lever", "value", "source_kind", "source", "quote", "note")


def default_seeds_dir() -> Path:
    """The ``seeds/`` folder shipped with the project."""
    return Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True)
class TimelineEvent:
    """A dated event from the client's seed documents (and datasets), with its provenance."""

    date: date
    iso3: str
    actor: str
    event: str
    lever: str
    value: float | None
    source_kind: str
    source: str
    quote: str
    note: str


@dataclass(frozen=True)
class SeedTables:
    """Every checked table of ``seeds/``."""

    names: dict[str, str]  # iso3 -> short English name
    subregions: dict[str, str]  # iso3 -> one of SUBREGIONS
    neighbours: tuple[tuple[str, str, str], ...]  # (iso3, neighbour, land|maritime)
    timeline: tuple[TimelineEvent, ...]
    events: Events
    panels: Panels
    root: Path


def read_table(path: Path, columns: tuple[str, ...], label: str) -> list[dict[str, str]]:
    """Rows of a CSV table as dicts of stripped strings; one-line errors for a missing file, header or encoding."""
    if not path.is_file():
        raise SimInputError(label, str(path), "the seeds table is missing")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            missing = [c for c in columns if c not in header]
            if missing:
                raise SimInputError(f"{label} header", ",".join(header), f"must contain columns {', '.join(columns)}")
            rows = []
            for row in reader:
                if None in row:
                    raise SimInputError(
                        f"{label} row {reader.line_num - 1}", row[None], "too many fields (a stray quote or comma?)"
                    )
                rows.append({k: (v or "").strip() for k, v in row.items()})
            return rows
    except UnicodeDecodeError as err:
        raise SimInputError(label, f"byte {err.start}", "expected UTF-8 text") from None


def check_provenance(row: dict[str, str], where: str) -> None:
    """The provenance columns of one row: a known kind, a named source, a quote for seeds, reasoning for estimates."""
    kind = row["source_kind"]
    if kind not in SOURCE_KINDS:
        raise SimInputError(f"{where} source_kind", kind, f"expected one of {', '.join(SOURCE_KINDS)}")
    if kind == "seed" and not (row["source"].endswith(".txt") and row.get("quote")):
        raise SimInputError(f"{where} quote", row.get("quote", ""), "a seed row needs the seed file and a quote")
    if kind in ("dataset", "public") and not row["source"]:
        raise SimInputError(f"{where} source", row["source"], f"a {kind} row must name its source")
    if kind == "estimate" and not row["note"].startswith("Estimate:"):
        raise SimInputError(f"{where} note", row["note"][:40], "an estimate needs a note starting 'Estimate:'")


def _states(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    label = "seeds/states.csv"
    names, subregions = {}, {}
    for i, row in enumerate(read_table(root / "states.csv", STATE_COLUMNS, label), start=1):
        where = f"{label} row {i}"
        if row["iso3"] not in CELAC_ISO3:
            raise SimInputError(f"{where} iso3", row["iso3"], "expected one of the 33 CELAC ISO3 codes")
        if row["iso3"] in names:
            raise SimInputError(f"{where} iso3", row["iso3"], "appears twice")
        if row["subregion"] not in SUBREGIONS:
            raise SimInputError(f"{where} subregion", row["subregion"], f"expected one of {', '.join(SUBREGIONS)}")
        check_provenance(row, where)
        names[row["iso3"]], subregions[row["iso3"]] = row["name"], row["subregion"]
    missing = [c for c in CELAC_ISO3 if c not in names]
    if missing:
        raise SimInputError(label, ", ".join(missing), "every CELAC state needs a row")
    return names, subregions


def _neighbours(root: Path) -> tuple[tuple[str, str, str], ...]:
    label = "seeds/neighbours.csv"
    out = []
    for i, row in enumerate(read_table(root / "neighbours.csv", NEIGHBOUR_COLUMNS, label), start=1):
        where = f"{label} row {i}"
        for col in ("iso3", "neighbour"):
            if row[col] not in CELAC_ISO3:
                raise SimInputError(f"{where} {col}", row[col], "expected one of the 33 CELAC ISO3 codes")
        if row["kind"] not in ("land", "maritime"):
            raise SimInputError(f"{where} kind", row["kind"], "expected land or maritime")
        out.append((row["iso3"], row["neighbour"], row["kind"]))
    return tuple(out)


def _timeline(root: Path) -> tuple[TimelineEvent, ...]:
    label = "seeds/timeline.csv"
    out = []
    for i, row in enumerate(read_table(root / "timeline.csv", TIMELINE_COLUMNS, label), start=1):
        where = f"{label} row {i}"
        day = parse_date(row["date"], f"{where} date")
        if day > PRESENT:
            raise SimInputError(f"{where} date", row["date"], f"expected a date up to the present {PRESENT}")
        if row["iso3"] not in (*CELAC_ISO3, *POWERS, "ALL"):
            raise SimInputError(f"{where} iso3", row["iso3"], "expected a CELAC ISO3 code, USA, CHN or ALL")
        try:
            value = float(row["value"]) if row["value"] else None
        except ValueError:
            raise SimInputError(f"{where} value", row["value"], "expected a number or nothing") from None
        check_provenance(row, where)
        out.append(
            TimelineEvent(
                day,
                row["iso3"],
                row["actor"],
                row["event"],
                row["lever"],
                value,
                row["source_kind"],
                row["source"],
                row["quote"],
                row["note"],
            )
        )
    return tuple(out)


def load_seeds(root: str | Path | None = None) -> SeedTables:
    """Load and check every table under ``root`` (default: the project's ``seeds/``); cached per folder."""
    path = Path(root) if root else default_seeds_dir()
    if not path.is_dir():
        raise SimInputError("seeds_dir", str(path), "expected a folder holding the seeds tables")
    return _load(str(path.resolve()))


@cache
def _load(root_text: str) -> SeedTables:
    from sim.data.events import load_events
    from sim.data.panels import load_panels

    root = Path(root_text)
    names, subregions = _states(root)
    return SeedTables(
        names=names,
        subregions=subregions,
        neighbours=_neighbours(root),
        timeline=_timeline(root),
        events=load_events(root),
        panels=load_panels(root),
        root=root,
    )
