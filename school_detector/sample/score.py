"""A scan's results scored against a sample scene's ground truth, in a mapper's terms.

A mapper's hour goes into visiting candidates. What counts is how many places they must visit
for each new school found, whether each visit lands on the school, and that nothing already
known, or outside the district, takes their time. Places are the review queue's places
(core.review_queue.places over the unreviewed candidates), each visited at its best point.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from ..core.gpkg import GeoPackage
from ..core.places import Region, ground_distance
from ..core.results import CANDIDATES_TABLE, SCORES_TABLE, ReviewStatus, SkipReason
from ..core.review_queue import candidate_item, place_point, places
from ..core.tiles import Tile, bounds_3857, lonlat_to_xy

#: a visit "lands on the school" when its point is inside the compound or this close to it
ON_SCHOOL_M = 15.0
#: an unmapped school this close to a mapped one is "near a known school" (the set-aside's test)
NEAR_MAPPED_M = 160.0


def _schools(labels: Path) -> list[dict[str, Any]]:
    with GeoPackage(labels, create=False) as g:
        outlines = {a["site_id"]: rings for _, rings, a in g.features("truth_footprints")}
        return [
            {
                "centre": lonlat_to_xy(lon, lat),
                "mapped": bool(a["mapped"]),
                "outline": outlines[a["site_id"]],
                "compound": Region([outlines[a["site_id"]]]),
            }
            for _, (lon, lat), a in g.features("truth")
        ]


def _candidates(results: Path) -> list[dict[str, Any]]:
    with GeoPackage(results, create=False) as g:
        return [{"point": point, **a} for _, point, a in g.features(CANDIDATES_TABLE)]


def _distance_to(point: tuple[float, float], school: dict[str, Any]) -> float:
    """Ground metres from ``point`` to the compound (0 inside it)."""
    if school["compound"].contains(point):
        return 0.0
    ring = school["outline"][0]
    return min(ground_distance(point, corner) for corner in ring) if ring else float("inf")


def score(results: Path, labels: Path, region: list[Any] | None = None) -> dict[str, Any]:
    """The mapper's figures for ``results`` (a scan's GeoPackage) against ``labels`` (the
    scene's truth). ``region``: the scanned polygons (EPSG:3857); schools outside don't count."""
    district = Region(region) if region is not None else None
    schools = [s for s in _schools(labels) if district is None or district.contains(s["centre"])]
    candidates = _candidates(results)
    queue = [c for c in candidates if (c.get("status") or "unreviewed") == ReviewStatus.UNREVIEWED.value]
    groups = places([candidate_item(k, c, c["point"]) for k, c in enumerate(queue)])
    visits = [place_point(place) or queue[place[0].key]["point"] for place in groups]  # each place's point
    found: set[int] = set()
    on_known = 0
    for point in visits:
        hit = next((i for i, s in enumerate(schools) if _distance_to(point, s) <= ON_SCHOOL_M), None)
        if hit is not None and schools[hit]["mapped"]:
            on_known += 1
        elif hit is not None:
            found.add(hit)
    unmapped = [i for i, s in enumerate(schools) if not s["mapped"]]
    return {
        "schools_in_region": len(schools),
        "unmapped": len(unmapped),
        "places_to_visit": len(groups),
        "new_schools_found": len(found),
        "places_per_new_school": round(len(groups) / len(found), 2) if found else None,
        "unmapped_recall": round(len(found) / len(unmapped), 3) if unmapped else None,
        "places_on_known_schools": on_known,
        "known_set_aside": sum(1 for c in candidates if c.get("status") == ReviewStatus.KNOWN.value),
        **point_distances(candidates, schools),
        "visit_to_school_m": _visit_distances(visits, schools),
        "uninhabited_tiles": _uninhabited(results),
        "unmapped_reaching_the_queue": near_known_recall(queue, schools),
    }


def near_known_recall(queue: list[dict[str, Any]], schools: list[dict[str, Any]]) -> dict[str, Any]:
    """Setting known schools aside must cost no new school: the share of unmapped schools that
    some queued candidate lands on, for those within NEAR_MAPPED_M of a mapped school and for
    the others (the two shares should match)."""
    mapped = [s["centre"] for s in schools if s["mapped"]]
    groups: dict[str, list[bool]] = {"near_mapped": [], "farther": []}
    for school in (s for s in schools if not s["mapped"]):
        nearest = min((ground_distance(school["centre"], m) for m in mapped), default=float("inf"))
        queued = any(_distance_to(c["point"], school) <= ON_SCHOOL_M for c in queue)
        groups["near_mapped" if nearest <= NEAR_MAPPED_M else "farther"].append(queued)
    return {
        name: {"schools": len(hits), "queued": sum(hits), "share": round(sum(hits) / len(hits), 3) if hits else None}
        for name, hits in groups.items()
    }


def median_p90(distances: list[float]) -> dict[str, float]:
    """Median and 90th percentile (nearest rank) of distances, in metres to 0.1 m."""
    ranked = sorted(distances)
    return {"median": round(statistics.median(ranked), 1), "p90": round(ranked[round(0.9 * (len(ranked) - 1))], 1)}


def _visit_distances(visits: list[tuple[float, float]], schools: list[dict[str, Any]]) -> Any:
    """Median and 90th percentile distance from each place's visiting point to the centre of
    the school nearest to it, over the places within 100 m of a school (the hits)."""
    distances = []
    for point in visits:
        nearest = min((ground_distance(point, s["centre"]) for s in schools), default=float("inf"))
        if nearest <= 100:
            distances.append(nearest)
    return median_p90(distances) if distances else None


def point_distances(candidates: list[dict[str, Any]], schools: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and 90th percentile ground distance from a candidate's point to the centre of the
    school whose tile holds it (every candidate tile that holds a school's centre)."""
    distances = []
    for c in candidates:
        b = bounds_3857(Tile(c["x"], c["y"], c["z"]))
        for s in schools:
            x, y = s["centre"]
            if b.west <= x < b.east and b.south <= y < b.north:
                distances.append(ground_distance(c["point"], s["centre"]))
    if not distances:
        return {"point_to_school_m": None, "point_to_school_all_m": []}
    return {
        "point_to_school_m": {**median_p90(distances), "n": len(distances)},
        "point_to_school_all_m": [round(d, 1) for d in sorted(distances)],
    }


def _uninhabited(results: Path) -> int:
    with GeoPackage(results, create=False) as g:
        return int(
            g.conn.execute(  # the table by its constant, the value as a parameter
                f'SELECT COUNT(*) FROM "{SCORES_TABLE}" WHERE note = ?',  # nosec B608
                (SkipReason.UNINHABITED.value,),
            ).fetchone()[0]
        )
