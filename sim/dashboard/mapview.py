"""The live map: the 33 states coloured by alignment, drawn in the browser as SVG from the shipped geometry.

The outlines are the project's Natural Earth asset (:mod:`sim.reporting.geometry`), projected plate carree onto the
window of the static figures (``MAP_BOUNDS``) at :data:`PX_PER_DEGREE`, with the Lesser Antilles again in a zoomed
inset placed, as in :func:`sim.reporting.figures.make_choropleth`, in the empty south-east Pacific. No tiles and no
network: the path data are computed once per process and sent to the browser once per page; each step sends only
the 33 fill colours (``RdBu_r`` on [-1, 1], as the figures), the BRI members (hatched) and the hover texts.
Clicking a state selects it (``event_select``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import solara
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_hex

from sim.data.seeds import CELAC_ISO3
from sim.reporting import geometry, labels

PX_PER_DEGREE = 5.0
"""Scale of the main map, SVG pixels per degree of longitude or latitude."""
INSET_ORIGIN = (-118.5, -6.0)
"""Top-left corner of the inset on the main map (lon, lat, degrees); it spans 50 degrees of latitude downward."""
INSET_HEIGHT_DEG = 50.0
LEGEND_PX = 46.0
CMAP = colormaps["RdBu_r"]
NORM = Normalize(vmin=-1.0, vmax=1.0)
MINUS = "\u2212"


def colour(value: float) -> str:
    """Hex colour of an alignment value (``RdBu_r`` on [-1, 1]; grey when not finite)."""
    if not np.isfinite(value):
        return "#d4d4d4"
    return to_hex(CMAP(NORM(float(value))))


def _ring_path(ring: np.ndarray, to_xy: Callable[[np.ndarray], np.ndarray]) -> str:
    xy = np.round(to_xy(ring), 1)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(np.abs(np.diff(xy, axis=0)) >= 0.3, axis=1)  # drop points closer than 0.3 px to the last
    if keep.sum() >= 3:
        xy = xy[keep]
    else:  # an island smaller than a pixel or two: a 1 px square at its centre keeps it on the map
        cx, cy = np.round(xy.mean(axis=0), 1)
        xy = np.array([[cx - 0.5, cy - 0.5], [cx + 0.5, cy - 0.5], [cx + 0.5, cy + 0.5], [cx - 0.5, cy + 0.5]])
    body = " ".join(f"{x:g},{y:g}" for x, y in xy)
    return f"M{body}Z"


def _overlaps(ring: np.ndarray, bounds: tuple[float, float, float, float], pad: float = 0.0) -> bool:
    lon0, lon1, lat0, lat1 = bounds
    x, y = ring[:, 0], ring[:, 1]
    return bool(x.max() >= lon0 - pad and x.min() <= lon1 + pad and y.max() >= lat0 - pad and y.min() <= lat1 + pad)


@lru_cache(maxsize=1)
def map_layout() -> dict[str, Any]:
    """Static SVG data: ``main`` and ``inset`` shape lists (``iso3``, ``name``, ``d``, ``context``) and ``frame``
    (sizes, the inset box, the window it zooms on, inset labels, colour-scale stops and ticks). Cached."""
    lon0, lon1, lat0, lat1 = geometry.MAP_BOUNDS
    k = PX_PER_DEGREE
    width, map_height = (lon1 - lon0) * k, (lat1 - lat0) * k

    def main_xy(ring: np.ndarray) -> np.ndarray:
        return np.column_stack([(ring[:, 0] - lon0) * k, (lat1 - ring[:, 1]) * k])

    ilon0, ilon1, ilat0, ilat1 = geometry.INSET_BOUNDS
    box_h = INSET_HEIGHT_DEG * k
    scale = box_h / (ilat1 - ilat0)
    box_w = (ilon1 - ilon0) * scale
    box_x, box_y = (INSET_ORIGIN[0] - lon0) * k, (lat1 - INSET_ORIGIN[1]) * k

    def inset_xy(ring: np.ndarray) -> np.ndarray:
        return np.column_stack([box_x + (ring[:, 0] - ilon0) * scale, box_y + (ilat1 - ring[:, 1]) * scale])

    geo = geometry.load_geometry()
    names = geometry.country_names()
    main, inset = [], []
    for iso3 in ("USA", *CELAC_ISO3):
        rings = geo.get(iso3, [])
        d = "".join(_ring_path(r, main_xy) for r in rings if _overlaps(r, geometry.MAP_BOUNDS))
        main.append({"iso3": iso3, "name": names.get(iso3, iso3), "d": d, "context": iso3 == "USA"})
        if iso3 == "USA":
            continue
        di = "".join(_ring_path(r, inset_xy) for r in rings if _overlaps(r, geometry.INSET_BOUNDS, pad=0.5))
        if di:
            inset.append({"iso3": iso3, "name": names.get(iso3, iso3), "d": di, "context": False})
    sides = {"KNA": "n", "VCT": "w", "BRB": "s"}
    inset_labels = []
    for iso3 in geometry.LESSER_ANTILLES:
        rings = [r for r in geo.get(iso3, []) if geometry.ring_inside(r, geometry.INSET_BOUNDS)]
        if not rings:
            continue
        pts = inset_xy(np.vstack(rings))
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        side = sides.get(iso3, "e")
        x, y, anchor = {
            "e": (x1 + 3, (y0 + y1) / 2 + 3.5, "start"),
            "w": (x0 - 3, (y0 + y1) / 2 + 3.5, "end"),
            "s": ((x0 + x1) / 2, y1 + 11, "middle"),
            "n": ((x0 + x1) / 2, y0 - 3, "middle"),
        }[side]
        inset_labels.append({"iso3": iso3, "x": round(float(x), 1), "y": round(float(y), 1), "anchor": anchor})
    bar_x, bar_w = 20.0, 250.0
    ticks = [
        {"x": bar_x + (v + 1) / 2 * bar_w, "text": t}
        for v, t in ((-1, f"{MINUS}1 US"), (-0.5, f"{MINUS}0.5"), (0, "0"), (0.5, "+0.5"), (1, "+1"))
    ]
    stops = [{"offset": f"{v:.2f}", "color": colour(-1 + 2 * v)} for v in np.linspace(0, 1, 11)]
    window = {
        "x": (ilon0 - lon0) * k,
        "y": (lat1 - ilat1) * k,
        "w": (ilon1 - ilon0) * k,
        "h": (ilat1 - ilat0) * k,
    }
    frame = {
        "width": width,
        "map_height": map_height,
        "height": map_height + LEGEND_PX,
        "inset": {"x": box_x, "y": box_y, "w": round(box_w, 1), "h": box_h},
        "window": window,
        "inset_labels": inset_labels,
        "bar": {"x": bar_x, "w": bar_w},
        "swatch": {"x": bar_x + bar_w + 40},
        "ticks": ticks,
        "stops": stops,
        "scale_title": f"{labels.label('alignment')} ({labels.unit('alignment')})",
    }
    return {"main": main, "inset": inset, "frame": frame}


def map_state(
    alignment: Mapping[str, float], bri: Mapping[str, bool], selected: str | None, names: Mapping[str, str], date: str
) -> dict[str, Any]:
    """The per-step props of :func:`MapSvg`: ``fills``, ``bri`` (member codes), ``titles``, ``outline`` (the
    selected state's shapes) and ``caption``."""
    static = map_layout()
    fills = {c: colour(v) for c, v in alignment.items()}
    titles = {
        c: f"{names.get(c, c)}: {f'{v:+.2f}'.replace('-', MINUS)}" + (" (BRI member)" if bri.get(c) else "")
        for c, v in alignment.items()
    }
    outline = [s for s in (*static["main"], *static["inset"]) if s["iso3"] == selected]
    members = sorted(c for c, b in bri.items() if b)
    caption = f"Alignment of the 33 CELAC states in {date}; {len(members)} BRI members hatched"
    return {"fills": fills, "bri": members, "titles": titles, "outline": outline, "caption": caption}


@solara.component_vue("mapview.vue")
def MapSvg(  # noqa: N802
    main: list,
    inset: list,
    frame: dict,
    fills: dict,
    bri: list,
    titles: dict,
    outline: list,
    caption: str,
    event_select: Callable[[str], None] | None = None,
) -> None:
    """The SVG map (see the module docstring); ``event_select(iso3)`` is called when a state is clicked."""
