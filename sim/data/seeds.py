"""The calibration tables of ``seeds/``: states, neighbours, the seed timeline, dated events and yearly panels.

:func:`load_seeds` loads and checks everything once (cached per folder). Every problem is reported as one
:class:`~sim.errors.SimInputError` naming the file, the row and the field; row numbers are 1-based data rows (the
header is row 0), as a spreadsheet user counts them below the header.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


def _decode(path: Path, label: str) -> str:
    """The file's text; a byte that is not UTF-8 is reported with its row and field (or line, in the header)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        got = f"byte 0x{data[err.start]:02x} on line {line}"
        where = f"{label} header" if line == 1 else f"{label} line {line}"
        rows = csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline=""))
        header = next(rows, [])
        for i, row in enumerate(rows, start=1):
            column = next((j for j, value in enumerate(row) if "\ufffd" in value), None)
            if column is not None:
                where = f"{label} row {i} {header[column] if column < len(header) else f'field {column + 1}'}"
                break
        raise SimInputError(where, got, "expected UTF-8 text (re-save the file as UTF-8)") from None


def read_table(path: Path, columns: tuple[str, ...], label: str) -> list[dict[str, str]]:
    """Rows of a CSV table as dicts of stripped strings, checked for shape; one-line errors naming the file, the row
    (1-based data row, header = row 0) and the field.

    Refused: a missing file, a missing column, text that is not UTF-8, CSV the parser rejects, a row with too many or
    too few fields, and a field holding a line break (the mark of a stray double quote that opened a quoted field and
    swallowed the following lines)."""
    if not path.is_file():
        raise SimInputError(label, str(path), "the seeds table is missing")
    reader = csv.DictReader(io.StringIO(_decode(path, label), newline=""))
    rows: list[dict[str, str]] = []
    try:
        header = tuple(reader.fieldnames or ())
        missing = [c for c in columns if c not in header]
        if missing:
            raise SimInputError(
                f"{label} header",
                ",".join(header),
                f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}",
            )
        for row in reader:
            rows.append(_checked_row(row, f"{label} row {len(rows) + 1}", len(header)))
    except csv.Error as err:
        raise SimInputError(f"{label} row {len(rows) + 1}", "", f"not valid CSV ({err})") from None
    return rows


def _checked_row(row: dict[str | None, Any], where: str, width: int) -> dict[str, str]:
    """One parsed row with its fields stripped, or an error naming the row and the field at fault."""
    extra = row.pop(None, None)
    if extra is not None:
        raise SimInputError(
            where,
            ",".join(extra)[:60],
            f"{len(extra)} field(s) beyond the header's {width} (a stray comma, or a quote closed too early?)",
        )
    for key, value in row.items():
        if value is None:
            raise SimInputError(
                f"{where} {key}",
                "",
                "the row ends before this column (a missing comma, or a stray quote that merged fields?)",
            )
        if "\n" in value or "\r" in value:
            raise SimInputError(
                f"{where} {key}",
                value.splitlines()[0][:60],
                "a line break inside a field: a stray double quote opened a quoted field that swallowed the "
                "following line(s)",
            )
    return {str(k): v.strip() for k, v in row.items()}


SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
"""Name of a client seed document (``../shared/seeds/004_f7d3da1f82119494.txt``)."""
DATASET_FILE = re.compile(r"[\w./-]+\.\w+")
"""A dataset file's path relative to ``../shared/data`` (several are separated by ``;``)."""
QUOTE_MAX = 200
"""Longest seed quote, in characters (a short verbatim passage)."""


def check_provenance(row: dict[str, str], where: str) -> None:
    """The provenance columns of one row (``source_kind, source, quote, note``): a known kind; a seed row names a seed
    file and quotes a short passage of it; a dataset row names its file(s) under ``../shared/data``; a public row
    names its source; an estimate's note starts with ``Estimate:``; only seed rows carry a quote."""
    kind = row["source_kind"]
    source, quote = row["source"], row.get("quote", "")
    if kind not in SOURCE_KINDS:
        raise SimInputError(f"{where} source_kind", kind, f"expected one of {', '.join(SOURCE_KINDS)}")
    if kind == "seed":
        if not SEED_FILE.fullmatch(source):
            raise SimInputError(
                f"{where} source", source[:60], "a seed row names a seed file, e.g. 001_8b697766d1c9ee84.txt"
            )
        if not quote or len(quote) > QUOTE_MAX:
            raise SimInputError(
                f"{where} quote", quote[:60], f"a seed row quotes a verbatim passage of 1 to {QUOTE_MAX} characters"
            )
    elif "quote" in row and quote:
        raise SimInputError(f"{where} quote", quote[:60], f"only seed rows carry a quote (this row is {kind})")
    if kind == "dataset" and not all(DATASET_FILE.fullmatch(part.strip()) for part in source.split(";")):
        raise SimInputError(
            f"{where} source", source[:60], "a dataset row names its file(s) under ../shared/data, separated by ';'"
        )
    if kind == "public" and not source:
        raise SimInputError(f"{where} source", source, "a public row must name its source")
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
        if not row["name"]:
            raise SimInputError(f"{where} name", "", "every state needs its short English name")
        if row["subregion"] not in SUBREGIONS:
            raise SimInputError(f"{where} subregion", row["subregion"], f"expected one of {', '.join(SUBREGIONS)}")
        check_provenance(row, where)
        names[row["iso3"]], subregions[row["iso3"]] = row["name"], row["subregion"]
    missing = [c for c in CELAC_ISO3 if c not in names]
    if missing:
        raise SimInputError(label, ", ".join(missing), "every CELAC state needs a row")
    return names, subregions


def _neighbours(root: Path) -> tuple[tuple[str, str, str], ...]:
    """Pairs of neighbouring states: each pair listed both ways with the same kind, once, never a state with itself."""
    label = "seeds/neighbours.csv"
    kinds: dict[tuple[str, str], tuple[str, int]] = {}
    for i, row in enumerate(read_table(root / "neighbours.csv", NEIGHBOUR_COLUMNS, label), start=1):
        where = f"{label} row {i}"
        for col in ("iso3", "neighbour"):
            if row[col] not in CELAC_ISO3:
                raise SimInputError(f"{where} {col}", row[col], "expected one of the 33 CELAC ISO3 codes")
        if row["kind"] not in ("land", "maritime"):
            raise SimInputError(f"{where} kind", row["kind"], "expected land or maritime")
        pair = (row["iso3"], row["neighbour"])
        if pair[0] == pair[1]:
            raise SimInputError(f"{where} neighbour", pair[1], "a state is not its own neighbour")
        if pair in kinds:
            raise SimInputError(
                f"{where} neighbour", pair[1], f"the pair {pair[0]}-{pair[1]} is also row {kinds[pair][1]}"
            )
        kinds[pair] = (row["kind"], i)
    for (a, b), (kind, i) in kinds.items():
        back = kinds.get((b, a))
        if back is None or back[0] != kind:
            raise SimInputError(
                f"{label} row {i} neighbour",
                f"{a}-{b} ({kind})",
                f"expected the same pair the other way round ({b},{a},{kind}): neighbourhood is symmetric",
            )
    return tuple((a, b, kind) for (a, b), (kind, _) in kinds.items())


def _timeline_lever(row: dict[str, str], where: str) -> float | None:
    """The lever value an event implies: a lever name with a number, or neither."""
    from sim.config import LEVER_DOCS

    if row["lever"] and row["lever"] not in LEVER_DOCS:
        raise SimInputError(
            f"{where} lever", row["lever"], f"expected a lever name ({', '.join(LEVER_DOCS)}) or nothing"
        )
    try:
        value = float(row["value"]) if row["value"] else None
    except ValueError:
        raise SimInputError(f"{where} value", row["value"], "expected a number or nothing") from None
    if value is not None and not math.isfinite(value):
        raise SimInputError(f"{where} value", row["value"], "expected a finite number")
    if (value is None) != (not row["lever"]):
        field = "value" if row["lever"] else "lever"
        raise SimInputError(f"{where} {field}", row[field], "a lever and its value go together (or both are empty)")
    return value


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
        if row["actor"] not in (*CELAC_ISO3, *POWERS):
            raise SimInputError(f"{where} actor", row["actor"], "expected USA, CHN or a CELAC ISO3 code")
        value = _timeline_lever(row, where)
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
    neighbours, timeline, events = _neighbours(root), _timeline(root), load_events(root)
    panels = load_panels(root)
    _check_index_scale(panels)
    return SeedTables(
        names=names,
        subregions=subregions,
        neighbours=neighbours,
        timeline=timeline,
        events=events,
        panels=panels,
        root=root,
    )


def _check_index_scale(panels: Panels) -> None:
    """The alignment index divides by ``D``, the US's typical distance above the UN median in the training years
    (:func:`sim.data.index.us_scale`): refuse panels where ``D`` is not positive, naming the rows behind it."""
    from sim.data.index import TRAIN_LAST, us_scale

    for variable in ("unga_ideal_point", "unga_world_median"):
        panels.table(variable, ())  # a missing variable is reported as such
    try:
        us_scale(panels)
    except SimInputError:
        raise SimInputError(
            "seeds/panels/alignment.csv unga_ideal_point (USA) and unga_world_median (WLD)",
            f"years {panels.years[0]}-{TRAIN_LAST}",
            "the US must vote above the UN median in the index's training years (its median distance D > 0 scales "
            "the alignment index)",
        ) from None
