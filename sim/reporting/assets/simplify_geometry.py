"""One-off script: build the shipped map asset from the shared Natural Earth extract.

Usage::

    python sim/reporting/assets/simplify_geometry.py /work/shared/data/lac_countries.geojson

Reads the shared GeoJSON (Natural Earth 10m admin-0 v5.1.1, 33 CELAC states + USA,
properties ``iso3`` and ``name``) and writes ``lac_countries.geojson`` next to this
script.  Simplification steps, per country:

1. interior rings (holes: a few lakes in CHL, PAN, USA) are dropped;
2. the largest polygon is always kept; every other polygon is kept only if its
   area is at least ``MIN_AREA_DEG2`` square degrees or at least ``MIN_AREA_SHARE``
   of the largest one (so Barbuda, Nevis and Tobago stay; tiny islets go);
3. rings whose bounding box is larger than ``SIMPLIFY_MIN_EXTENT_DEG`` are
   simplified with Douglas-Peucker at ``TOLERANCE_DEG`` degrees (small islands,
   including all of the Lesser Antilles, keep their full detail);
4. coordinates are rounded to 3 decimals (about 100 m) and repeated points removed.

The program never runs at simulation time; only its output is shipped.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

MIN_AREA_DEG2 = 0.03  # about 370 km2 at the equator
MIN_AREA_SHARE = 0.05  # ... or at least this share of the country's largest polygon
TOLERANCE_DEG = 0.025  # about 2.8 km; well below one pixel at region scale
SIMPLIFY_MIN_EXTENT_DEG = 1.5
DECIMALS = 3
OUT_NAME = "lac_countries.geojson"


def ring_area(ring: np.ndarray) -> float:
    """Absolute shoelace area of a closed lon/lat ring, in square degrees."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def douglas_peucker(points: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker simplification of an open polyline (iterative, numpy)."""
    n = len(points)
    if n < 3:
        return points
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        seg = points[i + 1 : j]
        a, b = points[i], points[j]
        ab = b - a
        norm = float(np.hypot(*ab))
        if norm == 0.0:
            d = np.hypot(*(seg - a).T)
        else:
            d = np.abs(ab[0] * (seg[:, 1] - a[1]) - ab[1] * (seg[:, 0] - a[0])) / norm
        k = int(np.argmax(d))
        if d[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return points[keep]


def simplify_ring(ring: np.ndarray) -> np.ndarray:
    """Simplify one closed ring; always returns a closed ring of >= 4 points."""
    extent = float(np.max(np.ptp(ring, axis=0)))
    if extent > SIMPLIFY_MIN_EXTENT_DEG:
        # split the closed ring at its farthest point from the start so that
        # Douglas-Peucker has two well-defined open halves
        far = int(np.argmax(np.hypot(*(ring - ring[0]).T)))
        first = douglas_peucker(ring[: far + 1], TOLERANCE_DEG)
        second = douglas_peucker(ring[far:], TOLERANCE_DEG)
        simplified = np.vstack([first, second[1:]])
        if len(simplified) >= 4:
            ring = simplified
    ring = np.round(ring, DECIMALS)
    # drop consecutive duplicates created by rounding
    keep = np.ones(len(ring), dtype=bool)
    keep[1:] = np.any(np.diff(ring, axis=0) != 0, axis=1)
    ring = ring[keep]
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    return ring


def simplify_feature(feature: dict) -> dict:
    """Return a simplified copy of one country feature (MultiPolygon, no holes)."""
    geom = feature["geometry"]
    polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    exteriors = [np.asarray(poly[0], dtype=float) for poly in polygons]
    areas = [ring_area(r) for r in exteriors]
    largest = int(np.argmax(areas))
    threshold = min(MIN_AREA_DEG2, MIN_AREA_SHARE * areas[largest])
    kept = [r for i, r in enumerate(exteriors) if i == largest or areas[i] >= threshold]
    rings = [simplify_ring(r) for r in kept]
    coords = [[r.tolist()] for r in rings]
    props = {"iso3": feature["properties"]["iso3"], "name": feature["properties"]["name"]}
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "MultiPolygon", "coordinates": coords},
    }


def main(argv: list[str] | None = None) -> Path:
    """Read the shared GeoJSON, write the simplified asset, print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="shared lac_countries.geojson")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name(OUT_NAME))
    args = parser.parse_args(argv)
    data = json.loads(args.source.read_text(encoding="utf-8"))
    features = sorted((simplify_feature(f) for f in data["features"]), key=lambda f: f["properties"]["iso3"])
    out = {
        "type": "FeatureCollection",
        "source": "Natural Earth 10m admin-0 countries v5.1.1 (public domain), simplified",
        "features": features,
    }
    text = json.dumps(out, separators=(",", ":"), ensure_ascii=False)
    args.out.write_text(text + "\n", encoding="utf-8")
    for f in features:
        rings = f["geometry"]["coordinates"]
        print(f"{f['properties']['iso3']}: {len(rings)} polygons, {sum(len(r[0]) for r in rings)} points")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.1f} KiB)")
    return args.out


if __name__ == "__main__":
    main()
