"""Country outlines shipped with the project, and helpers to draw them with matplotlib.

The geometry is ``assets/lac_countries.geojson`` (Natural Earth 10m admin-0 v5.1.1, public
domain, simplified by ``assets/simplify_geometry.py``; see ``assets/ATTRIBUTION.md``).
Coordinates are longitude/latitude in degrees (WGS84), drawn as plate carree.
Nothing is downloaded: only the shipped asset is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import Colormap, Normalize
from matplotlib.path import Path as MplPath

ASSET_NAME = "lac_countries.geojson"
ATTRIBUTION = "Made with Natural Earth"


#: Small island states drawn again in a zoomed inset on maps, north to south.
LESSER_ANTILLES: tuple[str, ...] = ("KNA", "ATG", "DMA", "LCA", "VCT", "BRB", "GRD", "TTO")

#: Inset window for the Lesser Antilles: (lon_min, lon_max, lat_min, lat_max), degrees. It holds every island of
#: the eight states with at least 0.35 degrees to spare (Trinidad's south coast is at 10.04 N, St Kitts' west
#: end at 62.86 W, Barbados' east coast at 59.43 W, Barbuda's north at 17.73 N), plus room for the labels;
#: ``tests`` check it.
INSET_BOUNDS: tuple[float, float, float, float] = (-63.6, -58.8, 9.6, 18.1)

#: Main map window: (lon_min, lon_max, lat_min, lat_max), degrees.
MAP_BOUNDS: tuple[float, float, float, float] = (-120.0, -30.0, -57.0, 33.0)


def _asset_text() -> str:
    return resources.files("sim.reporting").joinpath("assets", ASSET_NAME).read_text("utf-8")


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, tuple[np.ndarray, ...]], dict[str, str]]:
    data = json.loads(_asset_text())
    rings: dict[str, tuple[np.ndarray, ...]] = {}
    names: dict[str, str] = {}
    for feature in data["features"]:
        iso3 = feature["properties"]["iso3"]
        names[iso3] = feature["properties"]["name"]
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        arrays = []
        for polygon in polygons:
            for ring in polygon:
                arr = np.asarray(ring, dtype=float)
                arr.setflags(write=False)  # shared by the cache: keep it read-only
                arrays.append(arr)
        rings[iso3] = tuple(arrays)
    return rings, names


def load_geometry() -> dict[str, list[np.ndarray]]:
    """Return ``iso3 -> list of rings``; each ring an (n, 2) read-only array of lon, lat (deg).

    The file is parsed once and cached; the returned dict and lists are fresh copies
    (the arrays themselves are shared and read-only).
    """
    rings, _ = _load()
    return {iso3: list(arrs) for iso3, arrs in rings.items()}


def country_names() -> dict[str, str]:
    """Return ``iso3 -> English short name`` as given in the geometry asset."""
    return dict(_load()[1])


def country_paths(iso3s: Iterable[str] | None = None) -> dict[str, list[MplPath]]:
    """Return ``iso3 -> list of closed matplotlib Paths`` (one per ring)."""
    geo = load_geometry()
    keys = list(geo) if iso3s is None else [c for c in iso3s if c in geo]
    return {c: [MplPath(r, closed=True) for r in geo[c]] for c in keys}


def draw_countries(
    ax: Axes,
    iso3s: Iterable[str],
    *,
    values: Mapping[str, float] | None = None,
    cmap: str | Colormap = "RdBu_r",
    norm: Normalize | None = None,
    facecolor: str = "0.85",
    edgecolor: str = "0.35",
    linewidth: float = 0.4,
    hatch_missing: bool = True,
    zorder: float = 2,
) -> tuple[PolyCollection | None, PolyCollection | None]:
    """Draw countries on ``ax`` (lon/lat data coordinates) as two ``PolyCollection`` s.

    ``values`` maps iso3 -> value coloured with ``cmap``/``norm`` (default RdBu_r on
    [-1, 1]); countries without a finite value are drawn in ``facecolor`` and, if
    ``hatch_missing``, hatched. With ``values=None`` every country gets ``facecolor``
    (no hatch). Returns ``(coloured, plain)``; ``coloured`` is a ScalarMappable usable
    for a colorbar. Either may be None when empty.
    """
    geo = load_geometry()
    norm = norm if norm is not None else Normalize(vmin=-1.0, vmax=1.0)
    coloured_verts: list[np.ndarray] = []
    coloured_vals: list[float] = []
    plain_verts: list[np.ndarray] = []
    for iso3 in iso3s:
        rings = geo.get(iso3, [])
        value = np.nan if values is None else values.get(iso3, np.nan)
        value = float(value) if value is not None else np.nan
        if np.isfinite(value):
            coloured_verts.extend(rings)
            coloured_vals.extend([value] * len(rings))
        else:
            plain_verts.extend(rings)
    coloured = plain = None
    if coloured_verts:
        coloured = PolyCollection(
            coloured_verts,
            array=np.asarray(coloured_vals),
            cmap=cmap,
            norm=norm,
            edgecolors=edgecolor,
            linewidths=linewidth,
            zorder=zorder,
        )
        ax.add_collection(coloured, autolim=False)
    if plain_verts:
        plain = PolyCollection(
            plain_verts,
            facecolors=facecolor,
            edgecolors=edgecolor,
            linewidths=linewidth,
            hatch="////" if (values is not None and hatch_missing) else None,
            zorder=zorder,
        )
        ax.add_collection(plain, autolim=False)
    return coloured, plain


def largest_ring(iso3: str) -> np.ndarray:
    """The ring with the largest area (square degrees) for ``iso3``."""
    rings = load_geometry()[iso3]
    return max(rings, key=ring_area)


def ring_area(ring: np.ndarray) -> float:
    """Absolute shoelace area of a lon/lat ring, in square degrees."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def country_bounds(iso3s: Iterable[str]) -> tuple[float, float, float, float]:
    """Bounding box of every ring of ``iso3s``: (lon_min, lon_max, lat_min, lat_max), degrees."""
    geo = load_geometry()
    pts = np.vstack([r for c in iso3s for r in geo[c]])
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    return float(x0), float(x1), float(y0), float(y1)


def ring_inside(ring: np.ndarray, bounds: tuple[float, float, float, float]) -> bool:
    """True if every point of ``ring`` lies in ``bounds`` = (lon_min, lon_max, lat_min, lat_max)."""
    lon0, lon1, lat0, lat1 = bounds
    x, y = ring[:, 0], ring[:, 1]
    return bool(np.all((x >= lon0) & (x <= lon1) & (y >= lat0) & (y <= lat1)))
