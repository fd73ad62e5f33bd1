"""Load and validate the calibration tables in ``seeds/``.

Every problem is reported as one :class:`~sim.errors.SimInputError` naming the file, the row and the field.
Row numbers are 1-based data rows (the header is row 0), as a spreadsheet user would count them below the header.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sim.calendar import parse_date
from sim.errors import SimInputError

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
SOURCE_KINDS = ("seed", "dataset", "public", "estimate")
FIGURE_COLUMNS = ("iso3", "variable", "value", "year", "source_kind", "source", "quote", "note")
GOVERNMENT_COLUMNS = ("iso3", "leader", "party", "took_office", "ideology", "source_kind", "source", "quote", "note")
NEIGHBOUR_COLUMNS = ("iso3", "neighbour", "kind", "source")
TIMELINE_COLUMNS = ("date", "iso3", "actor", "event", "lever", "value", "source_kind", "source", "quote", "note")
DTYPES = ("float", "int", "bool", "date", "str")


def default_seeds_dir() -> Path:
    """The ``seeds/`` folder shipped with the project."""
    return Path(__file__).resolve().parents[2] / "seeds"


@dataclass(frozen=True)
class Variable:
    """One entry of ``seeds/variables.csv`` (the data dictionary)."""

    name: str
    dtype: str
    unit: str
    lo: float | None
    hi: float | None
    required: bool
    description: str


@dataclass(frozen=True)
class Figure:
    """One calibrated figure with its provenance."""

    iso3: str
    variable: str
    value: float | bool | date | str | None
    year: int
    source_kind: str
    source: str
    quote: str
    note: str
    file: str
    row: int


@dataclass(frozen=True)
class Government:
    """A head of government in office from ``took_office``; ``ideology`` in [-1 left, +1 right]."""

    iso3: str
    leader: str
    party: str
    took_office: date
    ideology: float
    source_kind: str
    source: str
    quote: str
    note: str


@dataclass(frozen=True)
class TimelineEvent:
    """A dated event from the seed documents (and datasets), optionally mapped to a lever."""

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
    """Every validated table of ``seeds/``."""

    variables: dict[str, Variable]
    figures: dict[tuple[str, str], Figure]
    governments: tuple[Government, ...]
    neighbours: tuple[tuple[str, str, str], ...]
    timeline: tuple[TimelineEvent, ...]
    root: Path

    def value(self, iso3: str, variable: str) -> float | bool | date | str | None:
        """The value of one figure (``None`` for an empty optional figure)."""
        return self.figures[(iso3, variable)].value


def _read_csv(path: Path, columns: tuple[str, ...], label: str) -> list[dict[str, str]]:
    if not path.is_file():
        raise SimInputError(label, str(path), "the seeds table is missing")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        missing = [c for c in columns if c not in header]
        if missing:
            raise SimInputError(f"{label} header", ",".join(header), f"must contain columns {', '.join(columns)}")
        rows = []
        for row in reader:
            if None in row:
                raise SimInputError(f"{label} row {reader.line_num - 1}", row[None], "too many fields in this row")
            rows.append({k: (v or "").strip() for k, v in row.items()})
        return rows


def _float(text: str, where: str, lo: float | None = None, hi: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value) or math.isinf(value):
        raise SimInputError(where, text, "expected a finite number")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise SimInputError(where, text, f"expected a number in [{lo}, {hi}]")
    return value


def _check_provenance(row: dict[str, str], where: str) -> None:
    kind = row["source_kind"]
    if kind not in SOURCE_KINDS:
        raise SimInputError(f"{where} source_kind", kind, f"expected one of {', '.join(SOURCE_KINDS)}")
    if kind == "seed" and not (row["source"].endswith(".txt") and row["quote"]):
        raise SimInputError(
            f"{where} quote", row["quote"], "a seed figure needs the seed file name and a verbatim quote"
        )
    if kind in ("dataset", "public") and not row["source"]:
        raise SimInputError(f"{where} source", row["source"], f"a {kind} figure must name its source")
    if kind == "dataset" and not row["note"]:
        raise SimInputError(f"{where} note", row["note"], "a dataset figure must name the variable and derivation")
    if kind == "estimate" and not row["note"].startswith("Estimate:"):
        raise SimInputError(
            f"{where} note", row["note"], "an estimate needs a note starting 'Estimate:' with its reasoning"
        )


def _load_variables(root: Path) -> dict[str, Variable]:
    label = "seeds/variables.csv"
    cols = ("variable", "dtype", "unit", "min", "max", "required", "description")
    out: dict[str, Variable] = {}
    for i, row in enumerate(_read_csv(root / "variables.csv", cols, label), start=1):
        where = f"{label} row {i}"
        if row["dtype"] not in DTYPES:
            raise SimInputError(f"{where} dtype", row["dtype"], f"expected one of {', '.join(DTYPES)}")
        if row["required"] not in ("yes", "no"):
            raise SimInputError(f"{where} required", row["required"], "expected yes or no")
        lo = _float(row["min"], f"{where} min") if row["min"] else None
        hi = _float(row["max"], f"{where} max") if row["max"] else None
        out[row["variable"]] = Variable(
            row["variable"], row["dtype"], row["unit"], lo, hi, row["required"] == "yes", row["description"]
        )
    return out


def _parse_value(var: Variable, text: str, where: str) -> float | bool | date | str | None:
    if text == "":
        if var.required:
            raise SimInputError(where, text, f"{var.name} is required ({var.dtype})")
        return None
    if var.dtype == "float":
        return _float(text, where, var.lo, var.hi)
    if var.dtype == "int":
        number = _float(text, where, var.lo, var.hi)
        if number != int(number):
            raise SimInputError(where, text, "expected a whole number")
        return int(number)
    if var.dtype == "bool":
        if text not in ("0", "1"):
            raise SimInputError(where, text, "expected 0 or 1")
        return text == "1"
    if var.dtype == "date":
        return parse_date(text, where)
    return text


def _load_figures(root: Path, variables: dict[str, Variable]) -> dict[tuple[str, str], Figure]:
    files = sorted((root / "figures").glob("*.csv"))
    if not files:
        raise SimInputError("seeds/figures", str(root / "figures"), "expected at least one figures table (*.csv)")
    figures: dict[tuple[str, str], Figure] = {}
    for path in files:
        label = f"seeds/figures/{path.name}"
        for i, row in enumerate(_read_csv(path, FIGURE_COLUMNS, label), start=1):
            where = f"{label} row {i}"
            if row["iso3"] not in CELAC_ISO3 + POWERS:
                raise SimInputError(f"{where} iso3", row["iso3"], "expected one of the 33 CELAC ISO3 codes, USA or CHN")
            var = variables.get(row["variable"])
            if var is None:
                raise SimInputError(
                    f"{where} variable", row["variable"], "expected a variable listed in seeds/variables.csv"
                )
            key = (row["iso3"], row["variable"])
            if key in figures:
                other = figures[key]
                raise SimInputError(
                    f"{where} variable",
                    row["variable"],
                    f"{row['iso3']} already has it in {other.file} row {other.row}",
                )
            value = _parse_value(var, row["value"], f"{where} value ({row['iso3']} {row['variable']})")
            year = int(_float(row["year"], f"{where} year", 1946, 2025))
            _check_provenance(row, where)
            figures[key] = Figure(
                row["iso3"],
                row["variable"],
                value,
                year,
                row["source_kind"],
                row["source"],
                row["quote"],
                row["note"],
                label,
                i,
            )
    for var in variables.values():
        if var.required:
            for iso3 in CELAC_ISO3:
                if (iso3, var.name) not in figures:
                    raise SimInputError(f"seeds/figures ({iso3})", var.name, "this required variable has no row")
    for iso3 in CELAC_ISO3:
        for a, b in (("export_share_us", "export_share_cn"), ("import_share_us", "import_share_cn")):
            total = float(figures[(iso3, a)].value) + float(figures[(iso3, b)].value)  # type: ignore[arg-type]
            if total > 1.0:
                fig = figures[(iso3, a)]
                raise SimInputError(
                    f"{fig.file} row {fig.row} value ({iso3} {a} + {b})",
                    round(total, 4),
                    "the US and China shares must sum to at most 1",
                )
    return figures


def _load_governments(root: Path) -> tuple[Government, ...]:
    label = "seeds/governments.csv"
    out = []
    for i, row in enumerate(_read_csv(root / "governments.csv", GOVERNMENT_COLUMNS, label), start=1):
        where = f"{label} row {i}"
        if row["iso3"] not in CELAC_ISO3 + POWERS:
            raise SimInputError(f"{where} iso3", row["iso3"], "expected one of the 33 CELAC ISO3 codes, USA or CHN")
        if not row["leader"]:
            raise SimInputError(f"{where} leader", row["leader"], "a leader name is required")
        took = parse_date(row["took_office"], f"{where} took_office")
        ideology = _float(row["ideology"], f"{where} ideology", -1.0, 1.0)
        _check_provenance(row, where)
        out.append(
            Government(
                row["iso3"],
                row["leader"],
                row["party"],
                took,
                ideology,
                row["source_kind"],
                row["source"],
                row["quote"],
                row["note"],
            )
        )
    out.sort(key=lambda g: (g.iso3, g.took_office))
    for iso3 in CELAC_ISO3 + POWERS:
        if not any(g.iso3 == iso3 for g in out):
            raise SimInputError(label, iso3, "every state and both powers need at least one government")
    return tuple(out)


def _load_neighbours(root: Path) -> tuple[tuple[str, str, str], ...]:
    label = "seeds/neighbours.csv"
    out = []
    for i, row in enumerate(_read_csv(root / "neighbours.csv", NEIGHBOUR_COLUMNS, label), start=1):
        where = f"{label} row {i}"
        for col in ("iso3", "neighbour"):
            if row[col] not in CELAC_ISO3:
                raise SimInputError(f"{where} {col}", row[col], "expected one of the 33 CELAC ISO3 codes")
        if row["kind"] not in ("land", "maritime"):
            raise SimInputError(f"{where} kind", row["kind"], "expected land or maritime")
        out.append((row["iso3"], row["neighbour"], row["kind"]))
    return tuple(out)


def _load_timeline(root: Path) -> tuple[TimelineEvent, ...]:
    label = "seeds/timeline.csv"
    out = []
    for i, row in enumerate(_read_csv(root / "timeline.csv", TIMELINE_COLUMNS, label), start=1):
        where = f"{label} row {i}"
        day = parse_date(row["date"], f"{where} date")
        if row["iso3"] not in CELAC_ISO3 + POWERS + ("ALL",):
            raise SimInputError(f"{where} iso3", row["iso3"], "expected a CELAC ISO3 code, USA, CHN or ALL")
        value = _float(row["value"], f"{where} value") if row["value"] else None
        _check_provenance(row, where)
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
    """Load and validate every table under ``root`` (default: the project's ``seeds/``)."""
    path = Path(root) if root else default_seeds_dir()
    if not path.is_dir():
        raise SimInputError("seeds_dir", str(path), "expected a folder holding the seeds tables")
    variables = _load_variables(path)
    return SeedTables(
        variables=variables,
        figures=_load_figures(path, variables),
        governments=_load_governments(path),
        neighbours=_load_neighbours(path),
        timeline=_load_timeline(path),
        root=path,
    )
