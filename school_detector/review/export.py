"""Export reviewed candidates (e.g. confirmed schools) to GeoJSON, GeoPackage or CSV, with a
short summary of what the review says about the model (its precision as measured by people)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.files import replace_file
from ..core.gpkg import GeoPackage
from ..core.results import CANDIDATES_TABLE, ReviewStatus, missing_fields
from ..core.review_queue import candidate_item, place_point, places
from ..core.tiles import Bounds, Tile, bounds_4326, xy_to_lonlat

FORMATS = ("geojson", "gpkg", "csv")
FIELDS = ("tile", "lon", "lat", "score", "status", "reviewer", "reviewed_at", "note", "model", "place_tiles")


def read_candidates(results: Path) -> list[dict[str, Any]]:
    results = Path(results)
    if not results.is_file():
        raise InputError(f"{results} does not exist.")
    with GeoPackage(results, create=False) as g:
        if CANDIDATES_TABLE not in g.tables():
            raise InputError(f"{results.name} has no '{CANDIDATES_TABLE}' layer: it is not a school_detector scan.")
        cols = [r[1] for r in g.conn.execute(f'PRAGMA table_info("{CANDIDATES_TABLE}")')]
        missing = missing_fields(cols)
        if missing:
            raise InputError(
                f"{results.name} lacks the fields {', '.join(missing)}; open it with the review panel to add them."
            )
        rows = []
        for _, (x, y), attrs in g.features(CANDIDATES_TABLE):
            lon, lat = xy_to_lonlat(x, y)
            rows.append({**attrs, "lon": round(lon, 7), "lat": round(lat, 7), "_point": (x, y)})
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts = Counter(r.get("status") or ReviewStatus.UNREVIEWED.value for r in rows)
    decided = counts[ReviewStatus.CONFIRMED.value] + counts[ReviewStatus.REJECTED.value]
    return {
        "candidates": len(rows),
        **{s.value: counts[s.value] for s in ReviewStatus},
        "review_precision": round(counts[ReviewStatus.CONFIRMED.value] / decided, 3) if decided else None,
    }


def merge_places(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per place, by the review dock's rule (core.review_queue.places: the points within
    a school's size of the best one, or at most a 2x2 block of tile-centre candidates), at the
    place's visit point, with the best member's fields and ``place_tiles`` members (the bounding
    box of their tiles for footprints)."""
    merged = []
    for status in sorted({r.get("status") or "unreviewed" for r in rows}):
        group_rows = [r for r in rows if (r.get("status") or "unreviewed") == status]
        items = [candidate_item(k, r, r["_point"]) for k, r in enumerate(group_rows)]
        for place in places(items):
            best = dict(group_rows[place[0].key])
            members = [group_rows[i.key] for i in place]
            point = place_point(place)
            if point is None:  # tile centres only: their score-weighted centre
                weights = [max(i.score, 1e-6) for i in place]
                lon = sum(w * m["lon"] for w, m in zip(weights, members)) / sum(weights)
                lat = sum(w * m["lat"] for w, m in zip(weights, members)) / sum(weights)
            else:
                lon, lat = xy_to_lonlat(*point)
            best["lon"], best["lat"] = round(lon, 7), round(lat, 7)
            best["place_tiles"] = len(members)
            best["_box"] = [Tile(m["x"], m["y"], m["z"]) for m in members]
            merged.append(best)
    return sorted(merged, key=lambda r: -float(r.get("score") or 0.0))


def export(
    results: Path, out: Path, fmt: str, statuses: list[str], footprint: bool = False, one_per_place: bool = False
) -> dict[str, Any]:
    if fmt not in FORMATS:
        raise InputError(f"Format must be one of {', '.join(FORMATS)}.")
    wrong = [s for s in statuses if s not in {x.value for x in ReviewStatus}]
    if wrong:
        raise InputError(f"Unknown status {wrong[0]!r}; use {', '.join(s.value for s in ReviewStatus)}.")
    if Path(out).resolve() == Path(results).resolve():
        raise InputError(
            f"The export would overwrite the results file it reads ({Path(results).name}), review decisions and "
            "all: choose another file name."
        )
    rows = read_candidates(results)
    chosen = [{**r, "place_tiles": 1} for r in rows if (r.get("status") or "unreviewed") in statuses]
    if one_per_place:
        chosen = merge_places(chosen)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.unlink(missing_ok=True)

    def geometry(r: dict[str, Any]) -> Any:
        if not footprint:
            return {"type": "Point", "coordinates": [r["lon"], r["lat"]]}
        boxes = [bounds_4326(t) for t in r.get("_box", [Tile(r["x"], r["y"], r["z"])])]
        b = Bounds(
            min(x.west for x in boxes),
            min(x.south for x in boxes),
            max(x.east for x in boxes),
            max(x.north for x in boxes),
        )
        return {
            "type": "Polygon",
            "coordinates": [
                [[b.west, b.south], [b.east, b.south], [b.east, b.north], [b.west, b.north], [b.west, b.south]]
            ],
        }

    if fmt == "geojson":
        features = [
            {"type": "Feature", "geometry": geometry(r), "properties": {k: r.get(k) for k in FIELDS}} for r in chosen
        ]
        tmp.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1), encoding="utf-8")
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: r.get(k) for k in FIELDS} for r in chosen)
        tmp.write_text(buf.getvalue(), encoding="utf-8")
    else:
        with GeoPackage(tmp) as g:
            kind = "POLYGON" if footprint else "POINT"
            types = {"lon": "REAL", "lat": "REAL", "score": "REAL", "place_tiles": "INTEGER"}
            g.create_feature_table("schools", kind, 4326, [(k, types.get(k, "TEXT")) for k in FIELDS])
            g.insert_features(
                "schools",
                [
                    (
                        geometry(r)["coordinates"]
                        if not footprint
                        else [[tuple(p) for p in geometry(r)["coordinates"][0]]],
                        {k: r.get(k) for k in FIELDS},
                    )
                    for r in chosen
                ],
            )
    replace_file(tmp, out)
    return {
        "out": str(out),
        "exported": len(chosen),
        "statuses": statuses,
        "one_per_place": one_per_place,
        **summary(rows),
    }
