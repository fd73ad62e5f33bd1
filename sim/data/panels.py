"""Yearly panels 1990-2025 (``seeds/panels/<theme>.csv``): load, check and look up.

A panel row is ``iso3, year, variable, value, source_id, note``; ``<theme>_variables.csv`` declares each variable's
dtype, unit and range and ``<theme>_sources.csv`` each source (dataset, public or estimate). Loading checks every row
and reports a broken one in one line naming the file, the row and the field. :meth:`Panels.table` gives a variable
as a ``years x states`` array (NaN where the panel has no value).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from sim.data.seeds import CELAC_ISO3, POWERS, default_seeds_dir, read_table
from sim.errors import SimInputError

FIRST_YEAR, LAST_YEAR = 1990, 2025
PANEL_COLUMNS = ("iso3", "year", "variable", "value", "source_id", "note")
VARIABLE_COLUMNS = ("variable", "dtype", "unit", "min", "max", "description")
SOURCE_COLUMNS = ("source_id", "kind", "citation", "dataset_file", "field", "derivation")
SOURCE_KINDS = ("dataset", "public", "estimate")
CODES = (*CELAC_ISO3, *POWERS, "WLD")
YEARS = frozenset(str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1))
"""The years a panel row may have, as written (``1990`` .. ``2025``)."""


@dataclass(frozen=True)
class PanelVariable:
    name: str
    theme: str
    dtype: str
    unit: str
    lo: float
    hi: float
    description: str


@dataclass(frozen=True)
class PanelSource:
    source_id: str
    kind: str
    citation: str
    dataset_file: str
    field: str
    derivation: str


@dataclass(frozen=True)
class Panels:
    """Every panel variable as a ``(years, codes)`` array, with its declaration and per-value sources."""

    years: np.ndarray  # (Y,) 1990..2025
    codes: tuple[str, ...]  # the 33 states, USA, CHN, WLD
    values: dict[str, np.ndarray]  # variable -> (Y, len(codes)) float, NaN where absent
    variables: dict[str, PanelVariable]
    sources: dict[str, PanelSource]
    source_of: dict[tuple[str, str, int], str]  # (variable, iso3, year) -> source_id
    root: Path

    def table(self, variable: str, codes: tuple[str, ...] = CELAC_ISO3) -> np.ndarray:
        """``(years, len(codes))`` values of ``variable`` (NaN where absent)."""
        if variable not in self.values:
            raise SimInputError("seeds/panels", variable, "no panel holds this variable")
        columns = [self.codes.index(c) for c in codes]
        return self.values[variable][:, columns]

    def at(self, variable: str, iso3: str, year: int) -> float:
        return float(self.values[variable][year - FIRST_YEAR, self.codes.index(iso3)])


def _read(path: Path, columns: tuple[str, ...], label: str) -> list[dict[str, str]]:
    """Rows of a panel table (:func:`sim.data.seeds.read_table`: shape, encoding and stray quotes checked)."""
    return read_table(path, columns, label)


def _number(text: str, where: str) -> float:
    if text == "":
        raise SimInputError(
            where, text, "expected a finite number (a missing value is an absent row, not an empty cell)"
        )
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise SimInputError(where, text, "expected a finite number")
    return value


def _typed(text: str, where: str, var: PanelVariable) -> float:
    """A panel value: a finite number of the variable's dtype (int: whole; bool: 0 or 1) within its range."""
    value = _number(text, where)
    if var.dtype == "bool" and value not in (0.0, 1.0):
        raise SimInputError(where, text, f"expected 0 or 1 ({var.name} is a bool)")
    if var.dtype == "int" and not value.is_integer():
        raise SimInputError(where, text, f"expected a whole number ({var.name} is an int)")
    if not var.lo <= value <= var.hi:
        raise SimInputError(where, text, f"expected a number in [{var.lo:g}, {var.hi:g}] ({var.unit})")
    return value


def _theme_variables(root: Path, theme: str) -> dict[str, PanelVariable]:
    label = f"seeds/panels/{theme}_variables.csv"
    out = {}
    for i, row in enumerate(_read(root / f"{theme}_variables.csv", VARIABLE_COLUMNS, label), start=1):
        where = f"{label} row {i}"
        if row["dtype"] not in ("float", "int", "bool"):
            raise SimInputError(f"{where} dtype", row["dtype"], "expected float, int or bool")
        if not row["variable"]:
            raise SimInputError(f"{where} variable", "", "every variable needs a name")
        if row["variable"] in out:
            raise SimInputError(f"{where} variable", row["variable"], "declared twice")
        lo, hi = _number(row["min"], f"{where} min"), _number(row["max"], f"{where} max")
        if hi < lo:
            raise SimInputError(f"{where} max", row["max"], f"expected at least min {row['min']}")
        out[row["variable"]] = PanelVariable(
            row["variable"], theme, row["dtype"], row["unit"], lo, hi, row["description"]
        )
    return out


def _theme_sources(root: Path, theme: str) -> dict[str, PanelSource]:
    label = f"seeds/panels/{theme}_sources.csv"
    out = {}
    for i, row in enumerate(_read(root / f"{theme}_sources.csv", SOURCE_COLUMNS, label), start=1):
        where = f"{label} row {i}"
        if not row["source_id"]:
            raise SimInputError(f"{where} source_id", "", "every source needs an id")
        if row["source_id"] in out:
            raise SimInputError(f"{where} source_id", row["source_id"], "declared twice")
        if row["kind"] not in SOURCE_KINDS:
            raise SimInputError(f"{where} kind", row["kind"], f"expected one of {', '.join(SOURCE_KINDS)}")
        if not row["citation"]:
            raise SimInputError(f"{where} citation", "", "every source needs a citation")
        if row["kind"] == "estimate" and not row["derivation"].startswith("Estimate:"):
            raise SimInputError(f"{where} derivation", row["derivation"][:40], "an estimate starts with 'Estimate:'")
        if row["kind"] == "dataset" and not row["dataset_file"]:
            raise SimInputError(f"{where} dataset_file", "", "a dataset source names its file under ../shared/data")
        out[row["source_id"]] = PanelSource(
            row["source_id"], row["kind"], row["citation"], row["dataset_file"], row["field"], row["derivation"]
        )
    return out


def themes(root: Path) -> list[str]:
    """Panel themes present under ``root`` (one ``<theme>.csv`` with its variables and sources tables each)."""
    return sorted(
        p.stem for p in root.glob("*.csv") if not p.stem.endswith(("_variables", "_sources")) and p.stem[0] != "."
    )


def load_panels(seeds_root: str | Path | None = None) -> Panels:
    """Load and check every panel under ``<seeds>/panels``."""
    root = (Path(seeds_root) if seeds_root else default_seeds_dir()) / "panels"
    if not root.is_dir():
        raise SimInputError("seeds_dir", str(root.parent), "expected a seeds folder with a panels/ subfolder")
    return _load(str(root))


@cache
def _load(root_text: str) -> Panels:
    root = Path(root_text)
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    variables: dict[str, PanelVariable] = {}
    sources: dict[str, PanelSource] = {}
    values: dict[str, np.ndarray] = {}
    source_of: dict[tuple[str, str, int], str] = {}
    for theme in themes(root):
        theme_vars = _theme_variables(root, theme)
        for name in theme_vars:
            if name in variables:
                raise SimInputError(
                    f"seeds/panels/{theme}_variables.csv variable",
                    name,
                    f"also declared in seeds/panels/{variables[name].theme}_variables.csv: one theme per variable",
                )
        variables |= theme_vars
        theme_sources = _theme_sources(root, theme)
        sources |= {f"{theme}:{k}": v for k, v in theme_sources.items()}
        label = f"seeds/panels/{theme}.csv"
        first_row: dict[tuple[str, str, int], int] = {}
        for name in theme_vars:
            values[name] = np.full((len(years), len(CODES)), np.nan)
        for i, row in enumerate(_read(root / f"{theme}.csv", PANEL_COLUMNS, label), start=1):
            where = f"{label} row {i}"
            var = theme_vars.get(row["variable"])
            if var is None:
                raise SimInputError(f"{where} variable", row["variable"], f"expected a variable of {theme}_variables")
            if row["iso3"] not in CODES:
                raise SimInputError(f"{where} iso3", row["iso3"], "expected a CELAC ISO3 code, USA, CHN or WLD")
            if row["year"] not in YEARS:
                raise SimInputError(f"{where} year", row["year"], f"expected a year {FIRST_YEAR}..{LAST_YEAR}")
            year = int(row["year"])
            value = _typed(row["value"], f"{where} value ({row['iso3']} {row['variable']} {year})", var)
            if row["source_id"] not in theme_sources:
                raise SimInputError(
                    f"{where} source_id",
                    row["source_id"],
                    f"expected a source_id of seeds/panels/{theme}_sources.csv",
                )
            column, y = CODES.index(row["iso3"]), year - FIRST_YEAR
            key = (row["variable"], row["iso3"], year)
            if key in first_row:
                raise SimInputError(
                    f"{where} iso3,year,variable",
                    f"{row['iso3']},{year},{row['variable']}",
                    f"also row {first_row[key]}: one value per state, year and variable",
                )
            first_row[key] = i
            values[row["variable"]][y, column] = value
            source_of[key] = f"{theme}:{row['source_id']}"
    return Panels(years, CODES, values, variables, sources, source_of, root)
